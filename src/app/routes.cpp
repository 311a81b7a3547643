#include "app/routes.h"

#include "app/account_api.h"
#include "app/api_common.h"

namespace lep::app {

http::Router BuildRouter(AppContext& ctx) {
  http::Router router;
  RouteGuard authed = [&ctx](AuthedHandler h) { return Authed(ctx, std::move(h)); };
  AddSystemRoutes(router, *ctx.db, ctx.metrics);
  AddAuthRoutes(ctx, router);
  AddOrgRoutes(ctx, router);
  AddBulkUnitRoutes(ctx, router);
  AddResourceIoRoutes(ctx, router);
  AddResourceRoutes(ctx, router);
  AddUploadRoutes(ctx, router);
  AddMediaRoutes(ctx, router);
  AddLessonRoutes(router, authed,
                  [&ctx](const http::Request& req) -> std::optional<auth::Principal> {
                    auto p = AuthenticateRequest(ctx, req);
                    return p ? std::optional<auth::Principal>(std::move(*p)) : std::nullopt;
                  },
                  *ctx.lessons);
  AddVideoRoutes(ctx, router);
  AddReviewRoutes(router, authed, *ctx.review);
  AddSensitiveWordRoutes(ctx, router);
  AddPortalRoutes(ctx, router);
  AddPortalUserRoutes(ctx, router);
  AddSecurityRoutes(ctx, router);
  AddAccountRoutes(ctx, router);
  AddAbuseLimits(ctx, router);
  AddClientIpResolution(ctx, router);  // last: its guard runs first
  AddPortalBrowseRoutes(ctx, router);
  AddNotificationRoutes(router, authed, *ctx.notifications);
  AddStatsRoutes(ctx, router);
  AddStatsReportRoutes(ctx, router);
  AddOaiRoutes(ctx, router);
  router.SetFallback(StaticFilesHandler(ctx));
  return router;
}

}  // namespace lep::app
