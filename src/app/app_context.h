// AppContext: the composition root's object graph — config, clock, database, repositories,
// services, metrics. Built once at start-up; everything inside is thread-safe.
#pragma once

#include <memory>

#include "auth/auth_service.h"
#include "auth/password.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "core/config.h"
#include "http/metrics.h"
#include "orgs/org_repository.h"
#include "orgs/org_service.h"
#include "resources/category.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "storage/db/database.h"

namespace lep::app {

struct AppContext {
  Config config;
  std::unique_ptr<Clock> owned_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<orgs::OrgRepository> org_repo;
  std::unique_ptr<auth::UserRepository> user_repo;
  std::unique_ptr<auth::SessionRepository> session_repo;
  std::unique_ptr<auth::PasswordHasher> hasher;
  std::unique_ptr<auth::AuthService> auth;
  std::unique_ptr<orgs::OrgService> orgs;
  std::unique_ptr<resources::ResourceRepository> resource_repo;
  std::unique_ptr<resources::CategoryRepository> categories;
  std::unique_ptr<resources::ResourceService> resources;
  http::Metrics metrics;
};

// Opens the database (creating the data directory), runs migrations when asked, and wires
// the services. clock may be null (system clock).
[[nodiscard]] Result<std::unique_ptr<AppContext>> BuildAppContext(const Config& config,
                                                                 const Clock* clock,
                                                                 bool migrate);

}  // namespace lep::app
