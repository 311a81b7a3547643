// OrgRepository: persistence of the unit tree and contact persons.
// Implementations are thread-safe (they go through storage::Database).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "orgs/contact.h"
#include "orgs/org.h"
#include "security/audit_chain.h"

namespace lep::orgs {

class OrgRepository {
 public:
  virtual ~OrgRepository() = default;
  // Inserts a unit under parent (or as the root when parent is empty); fills id and path.
  [[nodiscard]] virtual Result<Org> Create(std::optional<OrgId> parent, OrgKind kind,
                                           const std::string& name, const std::string& region,
                                           int64_t now_ms) = 0;
  [[nodiscard]] virtual Result<std::optional<Org>> Get(OrgId id) = 0;
  // Renames a unit and appends `audit` in the same transaction; the name must be unique
  // among its siblings (kAlreadyExists naming the name field). Published resources of the
  // unit reach the search change feed through the orgs trigger (portal_outbox).
  [[nodiscard]] virtual Result<Org> Rename(OrgId id, const std::string& name,
                                           const security::AuditRecord& audit) = 0;
  [[nodiscard]] virtual Result<std::optional<Org>> Root() = 0;
  [[nodiscard]] virtual Result<std::vector<Org>> Children(OrgId id) = 0;
  // The unit and all its descendants, in tree order.
  [[nodiscard]] virtual Result<std::vector<Org>> Subtree(OrgId id) = 0;
  [[nodiscard]] virtual Result<std::optional<Contact>> GetContact(OrgId id) = 0;
  [[nodiscard]] virtual Status PutContact(OrgId id, const Contact& c, int64_t by_user) = 0;
  // Units whose contact person has this mobile number or e-mail address (exact match on a
  // keyed hash; the stored values stay encrypted).
  [[nodiscard]] virtual Result<std::vector<OrgId>> FindByContact(const std::string& mobile_or_email) = 0;
  // Re-writes contacts stored before encryption existed; returns how many.
  [[nodiscard]] virtual Result<int> EncryptLegacyContacts() = 0;
};

}  // namespace lep::orgs
