// RegistrationFormRepository: the stored 登记表 scans of units (table org_registration_forms).
// Implementations are thread-safe (they go through storage::Database).
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "core/result.h"
#include "orgs/registration_form.h"
#include "security/audit_chain.h"
#include "storage/db/database.h"

namespace lep::orgs {

class RegistrationFormRepository {
 public:
  virtual ~RegistrationFormRepository() = default;
  // Records a new upload (it becomes the unit's current form) and appends `audit` in the same
  // transaction; returns it with its id.
  [[nodiscard]] virtual Result<RegistrationForm> Add(const RegistrationForm& f,
                                                     const security::AuditRecord& audit) = 0;
  // The unit's uploads, newest (the current one) first.
  [[nodiscard]] virtual Result<std::vector<RegistrationForm>> History(OrgId org) = 0;
  [[nodiscard]] virtual Result<std::optional<RegistrationForm>> Find(OrgId org, int64_t id) = 0;
  // The direct children of parent, in id order, each with its current form.
  [[nodiscard]] virtual Result<std::vector<UnitFormStatus>> Children(OrgId parent) = 0;
};

std::unique_ptr<RegistrationFormRepository> NewSqlRegistrationFormRepository(storage::Database& db);

}  // namespace lep::orgs
