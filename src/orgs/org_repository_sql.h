// SqlOrgRepository: OrgRepository over storage::Database (SQLite or PostgreSQL).
#pragma once

#include <memory>

#include "orgs/org_repository.h"
#include "storage/db/database.h"

namespace lep::orgs {

std::unique_ptr<OrgRepository> NewSqlOrgRepository(storage::Database& db);

}  // namespace lep::orgs
