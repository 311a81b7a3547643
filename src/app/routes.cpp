#include "app/routes.h"

#include "app/account_api.h"
#include "app/api_common.h"

namespace lep::app {

RouteGuard GuardOf(AppContext& ctx) {
  return RouteGuard(*ctx.auth, *ctx.security_admin, ctx.refused_audit_limiter.get(), *ctx.audit);
}

http::Handler Authed(AppContext& ctx, AuthedHandler h) { return GuardOf(ctx)(std::move(h)); }

Result<auth::Principal> AuthenticateRequest(AppContext& ctx, const http::Request& req) {
  return GuardOf(ctx).Authenticate(req);
}

Result<resources::Resource> ReadableResource(AppContext& ctx, const http::Request& req) {
  return ReadableResource(*ctx.resources, GuardOf(ctx), req);
}

http::Handler Bind(AppContext& ctx, ContextHandler h) {
  return [&ctx, h](http::Request& req) { return h(ctx, req); };
}

http::Handler BindAuthed(AppContext& ctx, AuthedContextHandler h) {
  return Authed(ctx, [&ctx, h](http::Request& req, const auth::Principal& p) {
    return h(ctx, req, p);
  });
}

http::Router BuildRouter(AppContext& ctx) {
  http::Router router;
  const RouteGuard authed = GuardOf(ctx);
  AddSystemRoutes(router, *ctx.db, ctx.metrics);
  AddAuthRoutes(ctx, router);
  AddOrgRoutes(ctx, router);
  AddBulkUnitRoutes(ctx, router);
  AddResourceIoRoutes(ctx, router);
  AddResourceRoutes(ctx, router);
  AddUploadRoutes(router, authed, *ctx.uploads);
  AddMediaRoutes(ctx, router);
  AddVideoRoutes(ctx, router);
  AddReviewRoutes(router, authed, *ctx.review);
  AddSensitiveWordRoutes(ctx, router);
  AddPortalRoutes(ctx, router);
  AddPortalUserRoutes(router, authed, *ctx.learners);
  AddSecurityRoutes(router, authed, *ctx.auth, *ctx.security_admin);
  AddAccountRoutes(router, authed, *ctx.accounts);
  AddAbuseLimits(ctx, router);
  AddClientIpResolution(ctx, router);  // last: its guard runs first
  AddPortalBrowseRoutes(ctx, router);
  AddNotificationRoutes(router, authed, *ctx.notifications);
  AddStatsRoutes(router, authed, *ctx.stats);
  AddStatsReportRoutes(ctx, router);
  AddOaiRoutes(router, *ctx.oai);
  router.SetFallback(StaticFilesHandler(ctx));
  return router;
}

}  // namespace lep::app
