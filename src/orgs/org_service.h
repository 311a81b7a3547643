// OrgService: the unit tree as users see it — read within one's subtree, open child units,
// maintain the contact person, export the registration table. Access goes through
// auth::Authorizer. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/contact.h"
#include "orgs/contacts_xlsx.h"
#include "orgs/org_repository.h"

namespace lep::orgs {

class OrgService {
 public:
  OrgService(OrgRepository& repo, const Clock& clock) : repo_(repo), clock_(clock) {}

  // The unit if visible to p, else kNotFound.
  [[nodiscard]] Result<Org> Get(const auth::Principal& p, OrgId id);
  [[nodiscard]] Result<std::vector<Org>> Children(const auth::Principal& p, OrgId id);
  // The units p starts browsing from: the root for platform roles, else its own unit.
  [[nodiscard]] Result<std::vector<Org>> Roots(const auth::Principal& p);
  [[nodiscard]] Result<Org> OpenChild(const auth::Principal& p, OrgId parent,
                                      const std::string& name, const std::string& kind);
  // Renames a unit (platform admins, or the admin of its parent unit); audited with the old
  // and the new name. The portal's search index and catalog follow through the change feed.
  [[nodiscard]] Result<Org> Rename(const auth::Principal& p, OrgId id, const std::string& name);
  [[nodiscard]] Result<std::optional<Contact>> GetContact(const auth::Principal& p, OrgId id);
  [[nodiscard]] Result<Contact> PutContact(const auth::Principal& p, OrgId id, Contact c);
  [[nodiscard]] Result<std::string> ContactsXlsx(const auth::Principal& p, OrgId id);

 private:
  OrgRepository& repo_;
  const Clock& clock_;
};

}  // namespace lep::orgs
