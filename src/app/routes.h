// The route table: every HTTP route of the product, added in one place (BuildRouter).
#pragma once

#include <functional>

#include "app/api_common.h"
#include "app/resources_io.h"
#include "core/clock.h"
#include "http/metrics.h"
#include "http/router.h"
#include "ingest/ingest_service.h"
#include "ingest/lesson_service.h"
#include "oai/oai_service.h"
#include "orgs/bulk_units.h"
#include "orgs/registration_form_service.h"
#include "portal/catalog_files.h"
#include "portal/counters.h"
#include "portal/learner_service.h"
#include "portal/portal_service.h"
#include "portal/public_media.h"
#include "portal/visitor_ids.h"
#include "review/notifications.h"
#include "review/review_service.h"
#include "review/sensitive_word_list.h"
#include "stats/stats_service.h"
#include "storage/blob/blob_store.h"
#include "uploads/upload_service.h"
#include "video/video_service.h"

namespace lep::app {

struct AppContext;  // the composition root; only BuildRouter sees inside it

// What the route builders with many collaborators take (references to services the
// composition root owns; each builder copies its struct into the handlers).
struct OrgRouteDeps {
  RouteGuard authed;
  orgs::OrgService& orgs;
  orgs::RegistrationFormService& registration_forms;
  auth::AccountService& accounts;
  auth::AuthService& auth;
  security::AuditRecorder& audit;
};
struct ResourceRouteDeps {
  RouteGuard authed;
  resources::ResourceService& resources;
  resources::CategoryRepository& categories;
  ingest::IngestService& ingest;
  review::ReviewService& review;
  security::AuditRecorder& audit;
  const Clock& clock;
};
struct MediaRouteDeps {
  RouteGuard authed;
  resources::ResourceService& resources;
  ingest::IngestService& ingest;
  storage::BlobStore& blobs;
  portal::PublicMedia& public_media;
};
struct VideoRouteDeps {
  RouteGuard authed;
  resources::ResourceService& resources;
  video::VideoService& video;
  storage::BlobStore& blobs;
};
struct PortalRouteDeps {
  portal::PortalService& portal;
  portal::CatalogFiles& catalog;
  portal::Counters* counters;  // null where clicks are not counted (command-line tools)
  portal::VisitorIds& visitor_ids;
};
struct StatsReportRouteDeps {
  RouteGuard authed;
  stats::StatsService& stats;
  review::ReviewService& review;
  orgs::OrgRepository& org_repo;
  const Clock& clock;
};
struct AuthRouteDeps {
  RouteGuard authed;
  auth::AuthService& auth;
  auth::AccountService& accounts;
  security::RateLimiter& login_limiter;  // sign-in and sign-up attempts per client IP
  bool secure_cookies = false;
  int session_absolute_hours = 12;
};

void AddAuthRoutes(http::Router& router, const AuthRouteDeps& d);
void AddOrgRoutes(http::Router& router, const OrgRouteDeps& d);
// Many units and accounts from a spreadsheet (bulk_units_api.cpp).
void AddBulkUnitRoutes(http::Router& router, const RouteGuard& authed, orgs::BulkUnits& bulk_units,
                       const Clock& clock, const std::string& public_base_url);
// Health, readiness (a database round trip), metrics and the OpenAPI document.
void AddSystemRoutes(http::Router& router, storage::Database& db, http::Metrics& metrics);
void AddResourceRoutes(http::Router& router, const ResourceRouteDeps& d);
void AddResourceIoRoutes(http::Router& router, const ResourceIoDeps& d);
void AddUploadRoutes(http::Router& router, const RouteGuard& authed,
                     uploads::UploadService& uploads);
void AddMediaRoutes(http::Router& router, const MediaRouteDeps& d);
// HLS ladder, transcoding state and captions (app/video_api.cpp).
void AddVideoRoutes(http::Router& router, const VideoRouteDeps& d);
void AddReviewRoutes(http::Router& router, const RouteGuard& authed, review::ReviewService& review);
// Who asks, for public reads that need to know only when the resource is not published.
using CallerOf = std::function<std::optional<auth::Principal>(const http::Request&)>;
// The lessons of A03 courses delivered as 实体资源 and their playback (lessons_api.cpp).
void AddLessonRoutes(http::Router& router, const RouteGuard& authed, const CallerOf& caller,
                     ingest::LessonService& lessons);
// The sensitive-word screening of a resource and the list itself.
void AddSensitiveWordRoutes(http::Router& router, const RouteGuard& authed,
                            resources::ResourceService& resources,
                            review::SensitiveWordList& sensitive_words);
void AddPortalRoutes(http::Router& router, const PortalRouteDeps& d);
void AddPortalUserRoutes(http::Router& router, const RouteGuard& authed,
                         portal::LearnerService& learners);
void AddSecurityRoutes(http::Router& router, const RouteGuard& authed, auth::AuthService& auth,
                       auth::SecurityAdminService& security_admin);
// Rewrites the client IP from X-Forwarded-For when the peer is a trusted proxy
// (server.trusted_proxies); must run after every route was added.
void AddClientIpResolution(http::Router& router, const std::vector<std::string>& trusted_proxies);
// Token buckets in front of search, counter pings, uploads and submissions.
// The limiters are kept in `limiters` (owned by the composition root).
void AddAbuseLimits(http::Router& router, const Clock& clock,
                    std::vector<std::unique_ptr<security::RateLimiter>>& limiters);
void AddPortalBrowseRoutes(http::Router& router, const PortalRouteDeps& d);
void AddNotificationRoutes(http::Router& router, const RouteGuard& authed,
                           review::NotificationService& notifications);
void AddStatsRoutes(http::Router& router, const RouteGuard& authed, stats::StatsService& stats);
// The progress report workbook (GET /api/v1/stats/report.xlsx).
void AddStatsReportRoutes(http::Router& router, const StatsReportRouteDeps& d);
// OAI-PMH 2.0 at /oai (GET and POST; public, no session).
void AddOaiRoutes(http::Router& router, oai::OaiService& oai);
// Static front end from config.web_dir with SPA fallback (or a plain start page).
http::Handler StaticFilesHandler(const std::string& web_dir);

http::Router BuildRouter(AppContext& ctx);

// The OpenAPI document compiled into the binary (docs/openapi.json).
extern const std::string_view kOpenApiJson;

}  // namespace lep::app
