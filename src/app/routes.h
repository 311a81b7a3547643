// The route table: every HTTP route of the product, added in one place (BuildRouter).
#pragma once

#include <functional>

#include "app/api_common.h"
#include "app/app_context.h"
#include "http/router.h"

namespace lep::app {

// Transitional, while some route builders still take the AppContext.
RouteGuard GuardOf(AppContext& ctx);
http::Handler Authed(AppContext& ctx, AuthedHandler h);
[[nodiscard]] Result<auth::Principal> AuthenticateRequest(AppContext& ctx,
                                                          const http::Request& req);
[[nodiscard]] Result<resources::Resource> ReadableResource(AppContext& ctx,
                                                           const http::Request& req);
using ContextHandler = http::Response (*)(AppContext&, http::Request&);
using AuthedContextHandler = http::Response (*)(AppContext&, http::Request&,
                                                const auth::Principal&);
http::Handler Bind(AppContext& ctx, ContextHandler h);
http::Handler BindAuthed(AppContext& ctx, AuthedContextHandler h);

void AddAuthRoutes(AppContext& ctx, http::Router& router);
void AddOrgRoutes(AppContext& ctx, http::Router& router);
// Many units and accounts from a spreadsheet (bulk_units_api.cpp).
void AddBulkUnitRoutes(AppContext& ctx, http::Router& router);
// Health, readiness (a database round trip), metrics and the OpenAPI document.
void AddSystemRoutes(http::Router& router, storage::Database& db, http::Metrics& metrics);
void AddResourceRoutes(AppContext& ctx, http::Router& router);
void AddResourceIoRoutes(AppContext& ctx, http::Router& router);
void AddUploadRoutes(http::Router& router, const RouteGuard& authed,
                     uploads::UploadService& uploads);
void AddMediaRoutes(AppContext& ctx, http::Router& router);
// HLS ladder, transcoding state and captions (app/video_api.cpp).
void AddVideoRoutes(AppContext& ctx, http::Router& router);
void AddReviewRoutes(http::Router& router, const RouteGuard& authed, review::ReviewService& review);
// The sensitive-word screen and list, which live in the AppContext.
void AddSensitiveWordRoutes(AppContext& ctx, http::Router& router);
void AddPortalRoutes(AppContext& ctx, http::Router& router);
void AddPortalUserRoutes(http::Router& router, const RouteGuard& authed,
                         portal::LearnerService& learners);
void AddSecurityRoutes(http::Router& router, const RouteGuard& authed, auth::AuthService& auth,
                       auth::SecurityAdminService& security_admin);
// Rewrites the client IP from X-Forwarded-For when the peer is a trusted proxy
// (server.trusted_proxies); must run after every route was added.
void AddClientIpResolution(AppContext& ctx, http::Router& router);
// Token buckets in front of search, counter pings, uploads and submissions.
void AddAbuseLimits(AppContext& ctx, http::Router& router);
void AddPortalBrowseRoutes(AppContext& ctx, http::Router& router);
void AddNotificationRoutes(http::Router& router, const RouteGuard& authed,
                           review::NotificationService& notifications);
void AddStatsRoutes(http::Router& router, const RouteGuard& authed, stats::StatsService& stats);
// The progress report workbook (GET /api/v1/stats/report.xlsx).
void AddStatsReportRoutes(AppContext& ctx, http::Router& router);
// OAI-PMH 2.0 at /oai (GET and POST; public, no session).
void AddOaiRoutes(http::Router& router, oai::OaiService& oai);
// Static front end from config.web_dir with SPA fallback (or a plain start page).
http::Handler StaticFilesHandler(const AppContext& ctx);

http::Router BuildRouter(AppContext& ctx);

// The OpenAPI document compiled into the binary (docs/openapi.json).
extern const std::string_view kOpenApiJson;

}  // namespace lep::app
