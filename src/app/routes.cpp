#include "app/routes.h"

namespace lep::app {

http::Router BuildRouter(AppContext& ctx) {
  http::Router router;
  AddSystemRoutes(router, *ctx.db, ctx.metrics);
  AddAuthRoutes(ctx, router);
  AddOrgRoutes(ctx, router);
  AddResourceIoRoutes(ctx, router);
  AddResourceRoutes(ctx, router);
  AddUploadRoutes(ctx, router);
  AddMediaRoutes(ctx, router);
  AddVideoRoutes(ctx, router);
  AddReviewRoutes(ctx, router);
  AddPortalRoutes(ctx, router);
  AddPortalUserRoutes(ctx, router);
  AddSecurityRoutes(ctx, router);
  AddAbuseLimits(ctx, router);
  AddClientIpResolution(ctx, router);  // last: its guard runs first
  AddPortalBrowseRoutes(ctx, router);
  AddNotificationRoutes(ctx, router);
  AddStatsRoutes(ctx, router);
  router.SetFallback(StaticFilesHandler(ctx));
  return router;
}

}  // namespace lep::app
