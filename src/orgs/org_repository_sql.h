// SqlOrgRepository: OrgRepository over storage::Database (SQLite or PostgreSQL).
#pragma once

#include <memory>

#include "orgs/org_repository.h"
#include "security/field_cipher.h"
#include "storage/db/database.h"

namespace lep::orgs {

// Contact persons' name, phones and e-mail are stored encrypted with cipher (which must
// outlive the repository), with keyed hashes of mobile and e-mail for lookups.
std::unique_ptr<OrgRepository> NewSqlOrgRepository(storage::Database& db,
                                                   const security::FieldCipher& cipher);

}  // namespace lep::orgs
