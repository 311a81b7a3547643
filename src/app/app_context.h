// AppContext: the composition root's object graph — config, clock, database, repositories,
// services, metrics. Built once at start-up; everything inside is thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "auth/account_repository.h"
#include "auth/account_service.h"
#include "auth/auth_service.h"
#include "auth/password.h"
#include "auth/security_admin_service.h"
#include "auth/user_repository.h"
#include "core/clock.h"
#include "core/config.h"
#include "http/metrics.h"
#include "ingest/ingest_service.h"
#include "ingest/lesson_service.h"
#include "ingest/media_repository.h"
#include "jobs/job_queue.h"
#include "jobs/job_runner.h"
#include "linkcheck/link_checker.h"
#include "media/media_probe.h"
#include "oai/oai_repository.h"
#include "oai/oai_service.h"
#include "orgs/bulk_units.h"
#include "orgs/org_repository.h"
#include "orgs/org_service.h"
#include "orgs/registration_form_service.h"
#include "portal/catalog_files.h"
#include "portal/counters.h"
#include "portal/feed_repository.h"
#include "portal/learner_repository.h"
#include "portal/learner_service.h"
#include "portal/portal_service.h"
#include "portal/public_media.h"
#include "portal/rating_repository.h"
#include "portal/search_feed.h"
#include "portal/usage_repository.h"
#include "portal/visitor_ids.h"
#include "portal/withdrawal_mark.h"
#include "resources/category.h"
#include "resources/resource_repository.h"
#include "resources/resource_service.h"
#include "review/notifications.h"
#include "review/review_jobs.h"
#include "review/review_repositories.h"
#include "review/review_service.h"
#include "review/sensitive_word_list.h"
#include "review/technical_check.h"
#include "search/search_index.h"
#include "security/audit_recorder.h"
#include "security/field_cipher.h"
#include "security/rate_limiter.h"
#include "security/security_policy.h"
#include "stats/stats_service.h"
#include "storage/blob/blob_store.h"
#include "storage/db/database.h"
#include "uploads/upload_service.h"
#include "video/video_repository.h"
#include "video/video_service.h"

namespace lep::app {

class Maintenance;

struct AppContext {
  ~AppContext();
  Config config;
  std::unique_ptr<Clock> owned_clock;
  const Clock* clock = nullptr;
  std::unique_ptr<storage::Database> db;
  // Audit rows written outside a caller's transaction (hash-chained, fail closed).
  std::unique_ptr<security::AuditRecorder> audit;
  std::unique_ptr<orgs::OrgRepository> org_repo;
  std::unique_ptr<auth::UserRepository> user_repo;
  std::unique_ptr<auth::SessionRepository> session_repo;
  std::unique_ptr<auth::PasswordHasher> hasher;
  // Personal data at rest (contacts, TOTP secrets); key file outside the database.
  std::unique_ptr<security::FieldCipher> cipher;
  std::unique_ptr<auth::AuthService> auth;
  // The security administrator's policy and the auditor's log (三权分立).
  std::unique_ptr<auth::SecurityAdminService> security_admin;
  std::unique_ptr<orgs::OrgService> orgs;
  // Account lifecycle: own password, activation links, resets, disabling, roles.
  std::unique_ptr<auth::AccountRepository> account_repo;
  std::unique_ptr<auth::AccountService> accounts;
  // Many units and accounts from a spreadsheet (through `orgs` and `accounts`).
  std::unique_ptr<orgs::BulkUnits> bulk_units;
  std::unique_ptr<resources::ResourceRepository> resource_repo;
  std::unique_ptr<resources::CategoryRepository> categories;
  std::unique_ptr<resources::ResourceService> resources;
  std::unique_ptr<storage::BlobStore> blobs;
  // Units' stamped 登记表 scans (PDF in the blob store).
  std::unique_ptr<orgs::RegistrationFormRepository> registration_form_repo;
  std::unique_ptr<orgs::RegistrationFormService> registration_forms;
  std::unique_ptr<media::MediaProbe> probe;
  std::unique_ptr<uploads::UploadRepository> upload_repo;
  std::unique_ptr<uploads::UploadService> uploads;
  std::unique_ptr<ingest::MediaRepository> media_repo;
  // Durable background work (remux, link checks); `lep serve` and `lep worker` start the runner.
  std::unique_ptr<jobs::JobQueue> job_queue;
  std::unique_ptr<jobs::JobRunner> job_runner;
  std::unique_ptr<ingest::IngestService> ingest;
  // --- A03 lessons (issue 17 §5: 网络课程 as 实体资源) ---
  std::unique_ptr<ingest::LessonRepository> lesson_repo;
  std::unique_ptr<ingest::LessonService> lessons;
  // --- end A03 lessons ---
  // HLS ladder and captions; transcodes run on their own runner (`video.workers` threads) so
  // that a long one never holds up a remux or a link check.
  std::unique_ptr<video::VideoRepository> video_repo;
  std::unique_ptr<video::VideoService> video;
  std::unique_ptr<jobs::JobRunner> video_runner;
  review::ReviewRepositories review_repos;
  std::unique_ptr<review::TechnicalCheck> technical_check;  // over `ingest`
  std::unique_ptr<review::ReviewService> review;
  std::unique_ptr<linkcheck::LinkChecker> link_checker;
  // The sensitive-word list (DATA/sensitive_words.txt) and its screen.
  std::unique_ptr<review::SensitiveWordList> sensitive_words;
  std::unique_ptr<search::SearchIndex> search;
  // The portal module: public reads, counting, learner features, the search feed.
  std::unique_ptr<portal::UsageRepository> usage_repo;
  std::unique_ptr<portal::FeedRepository> feed_repo;
  std::unique_ptr<portal::RatingRepository> rating_repo;
  std::unique_ptr<portal::LearnerRepository> learner_repo;
  // Moved on when a resource leaves the portal (shared data directory): cached public pages
  // are served from memory on the I/O thread only while it stands still.
  std::unique_ptr<portal::WithdrawalMark> withdrawal_mark;
  std::unique_ptr<portal::PortalService> portal;
  std::unique_ptr<portal::CatalogFiles> catalog;  // the public catalog as prepared files
  std::unique_ptr<portal::PublicMedia> public_media;  // published media without a DB read
  std::unique_ptr<portal::LearnerService> learners;
  // OAI-PMH harvesting of the published catalog (record headers kept by triggers).
  std::unique_ptr<oai::OaiRepository> oai_repo;
  std::unique_ptr<oai::OaiService> oai;
  std::unique_ptr<stats::StatsRepository> stats_repo;
  std::unique_ptr<stats::StatsService> stats;
  // Keeps `search` in step with publication (feed thread started by `lep serve`).
  std::unique_ptr<portal::SearchFeed> search_feed;
  // Sign-in and sign-up attempts per client IP (on top of the per-account lockout).
  std::unique_ptr<security::RateLimiter> login_limiter;
  // Chained audit rows of refused requests (http.refused) per signed-in account, so that one
  // account cannot flood the serialised audit appends (the requests are refused regardless).
  std::unique_ptr<security::RateLimiter> refused_audit_limiter;
  // The buckets of app/abuse_limits.cpp (search, counter pings, uploads, submissions).
  std::vector<std::unique_ptr<security::RateLimiter>> rate_limits;
  std::unique_ptr<portal::Counters> counters;
  // Signed anonymous visitor ids (the lep_vid cookie) for honest counting.
  std::unique_ptr<portal::VisitorIds> visitor_ids;
  // Housekeeping thread (uploads sweep, feed pruning, audit anchor, word-list reload).
  std::unique_ptr<Maintenance> maintenance;
  http::Metrics metrics;
  // In-app notifications (+ optional e-mail) of the review workflow.
  std::unique_ptr<review::NotificationService> notifications;
  // Scheduled batches, deadline reminders, e-mail: started by `lep serve` only. Declared
  // last so that it stops first.
  std::unique_ptr<review::ReviewJobs> review_jobs;
};

// What BuildAppContext does with the search index. A server opens it (a Xapian index has one
// writer: the lock is held while the server runs), rebuilds it when out of step and keeps it
// in step. Command-line tools leave it closed so that they run beside a live server: their
// database changes reach every server's index through the change feed (portal_outbox).
enum class SearchIndexUse { kOpen, kClosed };

// Opens the database (creating the data directory), runs migrations when asked, and wires
// the services. clock may be null (system clock). With SearchIndexUse::kClosed, `search`,
// `search_feed` and `counters` stay null.
[[nodiscard]] Result<std::unique_ptr<AppContext>> BuildAppContext(
    const Config& config, const Clock* clock, bool migrate,
    SearchIndexUse search_use = SearchIndexUse::kOpen);

}  // namespace lep::app
