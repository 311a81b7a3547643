#include "app/routes.h"

#include "app/account_api.h"
#include "app/api_common.h"
#include "app/app_context.h"

namespace lep::app {

namespace {

RouteGuard GuardOf(AppContext& ctx) {
  return RouteGuard(*ctx.auth, *ctx.security_admin, ctx.refused_audit_limiter.get(), *ctx.audit);
}

}  // namespace

http::Router BuildRouter(AppContext& ctx) {
  http::Router router;
  const RouteGuard authed = GuardOf(ctx);
  const PortalRouteDeps portal{*ctx.portal, *ctx.catalog, ctx.counters.get(), *ctx.visitor_ids};
  AddSystemRoutes(router, *ctx.db, ctx.metrics);
  AddAuthRoutes(router, {authed, *ctx.auth, *ctx.accounts, *ctx.login_limiter,
                         ctx.config.secure_cookies, ctx.config.session_absolute_hours});
  AddOrgRoutes(router,
               {authed, *ctx.orgs, *ctx.registration_forms, *ctx.accounts, *ctx.auth, *ctx.audit});
  AddBulkUnitRoutes(router, authed, *ctx.bulk_units, *ctx.clock, ctx.config.PublicBaseUrl());
  AddResourceIoRoutes(router, {authed, *ctx.resources, *ctx.ingest, *ctx.review_repos.campaigns,
                               *ctx.review_repos.batches, *ctx.org_repo});
  AddResourceRoutes(router, {authed, *ctx.resources, *ctx.categories, *ctx.ingest, *ctx.review,
                             *ctx.audit, *ctx.clock});
  AddUploadRoutes(router, authed, *ctx.uploads);
  AddMediaRoutes(router, {authed, *ctx.resources, *ctx.ingest, *ctx.blobs, *ctx.public_media});
  AddLessonRoutes(router, authed,
                  [authed](const http::Request& req) -> std::optional<auth::Principal> {
                    auto p = authed.Authenticate(req);
                    return p ? std::optional<auth::Principal>(std::move(*p)) : std::nullopt;
                  },
                  *ctx.lessons);
  AddVideoRoutes(router, {authed, *ctx.resources, *ctx.video, *ctx.blobs});
  AddReviewRoutes(router, authed, *ctx.review);
  AddSensitiveWordRoutes(router, authed, *ctx.resources, *ctx.sensitive_words);
  AddPortalRoutes(router, portal);
  AddPortalUserRoutes(router, authed, *ctx.learners);
  AddSecurityRoutes(router, authed, *ctx.auth, *ctx.security_admin);
  AddAccountRoutes(router, authed, *ctx.accounts);
  if (ctx.config.rate_limits) AddAbuseLimits(router, *ctx.clock, ctx.rate_limits);
  AddClientIpResolution(router, ctx.config.trusted_proxies);  // last: its guard runs first
  AddPortalBrowseRoutes(router, portal);
  AddNotificationRoutes(router, authed, *ctx.notifications);
  AddStatsRoutes(router, authed, *ctx.stats);
  AddStatsReportRoutes(router, {authed, *ctx.stats, *ctx.review, *ctx.org_repo, *ctx.clock});
  AddOaiRoutes(router, *ctx.oai);
  router.SetFallback(StaticFilesHandler(ctx.config.web_dir));
  return router;
}

}  // namespace lep::app
