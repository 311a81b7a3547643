// The route table: every HTTP route of the product, added in one place (BuildRouter).
#pragma once

#include <functional>

#include "app/app_context.h"
#include "http/router.h"

namespace lep::app {

// Wraps a handler in the session + CSRF middleware (app::Authed over the context's session
// services): what a route builder that takes services instead of the AppContext is given.
using RouteGuard = std::function<http::Handler(
    std::function<http::Response(http::Request&, const auth::Principal&)>)>;

void AddAuthRoutes(AppContext& ctx, http::Router& router);
void AddOrgRoutes(AppContext& ctx, http::Router& router);
// Many units and accounts from a spreadsheet (bulk_units_api.cpp).
void AddBulkUnitRoutes(AppContext& ctx, http::Router& router);
// Health, readiness (a database round trip), metrics and the OpenAPI document.
void AddSystemRoutes(http::Router& router, storage::Database& db, http::Metrics& metrics);
void AddResourceRoutes(AppContext& ctx, http::Router& router);
void AddResourceIoRoutes(AppContext& ctx, http::Router& router);
void AddUploadRoutes(AppContext& ctx, http::Router& router);
void AddMediaRoutes(AppContext& ctx, http::Router& router);
// HLS ladder, transcoding state and captions (app/video_api.cpp).
void AddVideoRoutes(AppContext& ctx, http::Router& router);
void AddReviewRoutes(http::Router& router, const RouteGuard& authed, review::ReviewService& review);
// Who asks, for public reads that need to know only when the resource is not published.
using CallerOf = std::function<std::optional<auth::Principal>(const http::Request&)>;
// The lessons of A03 courses delivered as 实体资源 and their playback (lessons_api.cpp).
void AddLessonRoutes(http::Router& router, const RouteGuard& authed, const CallerOf& caller,
                     ingest::LessonService& lessons);
// The sensitive-word screen and list, which live in the AppContext.
void AddSensitiveWordRoutes(AppContext& ctx, http::Router& router);
void AddPortalRoutes(AppContext& ctx, http::Router& router);
void AddPortalUserRoutes(AppContext& ctx, http::Router& router);
void AddSecurityRoutes(AppContext& ctx, http::Router& router);
// Rewrites the client IP from X-Forwarded-For when the peer is a trusted proxy
// (server.trusted_proxies); must run after every route was added.
void AddClientIpResolution(AppContext& ctx, http::Router& router);
// Token buckets in front of search, counter pings, uploads and submissions.
void AddAbuseLimits(AppContext& ctx, http::Router& router);
void AddPortalBrowseRoutes(AppContext& ctx, http::Router& router);
void AddNotificationRoutes(http::Router& router, const RouteGuard& authed,
                           review::NotificationService& notifications);
void AddStatsRoutes(AppContext& ctx, http::Router& router);
// The progress report workbook (GET /api/v1/stats/report.xlsx).
void AddStatsReportRoutes(AppContext& ctx, http::Router& router);
// OAI-PMH 2.0 at /oai (GET and POST; public, no session).
void AddOaiRoutes(AppContext& ctx, http::Router& router);
// Static front end from config.web_dir with SPA fallback (or a plain start page).
http::Handler StaticFilesHandler(const AppContext& ctx);

http::Router BuildRouter(AppContext& ctx);

// The OpenAPI document compiled into the binary (docs/openapi.json).
extern const std::string_view kOpenApiJson;

}  // namespace lep::app
