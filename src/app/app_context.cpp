#include "app/app_context.h"

#include <filesystem>

#include "auth/user_repository.h"
#include "orgs/org_repository_sql.h"
#include "storage/db/migrations.h"

namespace lep::app {

Result<std::unique_ptr<AppContext>> BuildAppContext(const Config& config, const Clock* clock,
                                                    bool migrate) {
  auto ctx = std::make_unique<AppContext>();
  ctx->config = config;
  if (clock) {
    ctx->clock = clock;
  } else {
    ctx->owned_clock = std::make_unique<SystemClock>();
    ctx->clock = ctx->owned_clock.get();
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Fail(Error::Internal("无法创建数据目录 " + config.data_dir + "：" + ec.message()));
  LEP_ASSIGN_OR_RETURN(ctx->db, storage::OpenDatabase(config.DatabaseUrl()));
  if (migrate) {
    LEP_RETURN_IF_ERROR(storage::Migrate(*ctx->db, storage::AllMigrations()));
  } else {
    LEP_ASSIGN_OR_RETURN(int version, storage::CurrentVersion(*ctx->db));
    if (version < storage::AllMigrations().back().version) {
      return Fail(Error::FailedPrecondition("数据库结构不是最新版本，请先运行 lep migrate"));
    }
  }
  ctx->org_repo = orgs::NewSqlOrgRepository(*ctx->db);
  ctx->user_repo = auth::NewSqlUserRepository(*ctx->db);
  ctx->session_repo = auth::NewSqlSessionRepository(*ctx->db);
  ctx->hasher = std::make_unique<auth::PasswordHasher>(config.argon2_opslimit,
                                                       config.argon2_memlimit);
  auth::AuthOptions opts;
  opts.idle_timeout = std::chrono::minutes(config.session_idle_minutes);
  opts.absolute_timeout = std::chrono::hours(config.session_absolute_hours);
  opts.lockout_threshold = config.lockout_threshold;
  opts.lockout_window = std::chrono::minutes(config.lockout_window_minutes);
  opts.lockout_duration = std::chrono::minutes(config.lockout_minutes);
  ctx->auth = std::make_unique<auth::AuthService>(*ctx->user_repo, *ctx->session_repo,
                                                  *ctx->org_repo, *ctx->hasher, *ctx->clock,
                                                  opts);
  ctx->orgs = std::make_unique<orgs::OrgService>(*ctx->org_repo, *ctx->clock);
  ctx->resource_repo = resources::NewSqlResourceRepository(*ctx->db);
  ctx->categories = resources::NewSqlCategoryRepository(*ctx->db);
  ctx->resources = std::make_unique<resources::ResourceService>(
      *ctx->resource_repo, *ctx->categories, *ctx->org_repo, *ctx->clock);
  return ctx;
}

}  // namespace lep::app
