#include "app/app_context.h"

#include <algorithm>
#include <filesystem>

#include "app/maintenance.h"
#include "app/portal_catalog.h"
#include "app/portal_json.h"
#include "app/schema.h"
#include "auth/user_repository.h"
#include "orgs/org_repository_sql.h"
#include "storage/db/migrations.h"

namespace lep::app {

AppContext::~AppContext() {
  if (review_jobs) review_jobs->Stop();
  if (maintenance) maintenance->Stop();
  if (search_feed) search_feed->Stop();
  if (catalog) catalog->Stop();
  if (job_runner) job_runner->Stop();  // running jobs give up; the queue keeps them
  if (video_runner) video_runner->Stop();
  counters.reset();  // flushes buffered counts while the database is still open
}

namespace {

security::SecurityPolicy PolicyDefaults(const Config& config) {
  security::SecurityPolicy p;
  p.password_min_length = config.password_min_length;
  p.lockout_threshold = config.lockout_threshold;
  p.lockout_window_minutes = config.lockout_window_minutes;
  p.lockout_minutes = config.lockout_minutes;
  p.session_idle_minutes = config.session_idle_minutes;
  p.totp_grace_days = config.totp_grace_days;
  return p;
}

}  // namespace

namespace {

// The review module's technical check over the ingest module's stored results. An A03 link
// without a check of its current URL from the last hour gets one queued (pending); a failed
// one is queued again, so that a link fixed meanwhile passes at the next attempt. Nothing is
// fetched here.
class IngestTechnicalCheck final : public review::TechnicalCheck {
 public:
  IngestTechnicalCheck(ingest::IngestService& ingest, const Clock& clock)
      : ingest_(ingest), clock_(clock) {}

  Result<review::TechnicalVerdict> Verdict(const resources::Resource& r) override {
    using V = review::TechnicalVerdict;
    if (r.meta.type != resources::ResourceType::kCourse || ingest_.IsFilesCourse(r)) {
      LEP_ASSIGN_OR_RETURN(bool passed, ingest_.TechnicalCheckPassed(r));
      return passed ? V::kPassed : V::kFailed;
    }
    if (r.meta.link.empty()) return V::kFailed;
    LEP_ASSIGN_OR_RETURN(auto check, ingest_.LinkCheck(r.id));
    bool current = check && check->url == r.meta.link &&
                   clock_.NowMs() - check->checked_at < 3'600'000;
    if (current && check->reachable) return V::kPassed;
    LEP_RETURN_IF_ERROR(ingest_.RequestLinkCheck(r.id));
    return current ? V::kFailed : V::kPending;
  }

 private:
  // A03 lessons: which lesson fails which rule.
  Result<std::string> Problem(const resources::Resource& r) override {
    LEP_ASSIGN_OR_RETURN(auto problem, ingest_.LessonsProblem(r));
    return problem.value_or("");
  }

  ingest::IngestService& ingest_;
  const Clock& clock_;
};

}  // namespace

Result<std::unique_ptr<AppContext>> BuildAppContext(const Config& config, const Clock* clock,
                                                    bool migrate, SearchIndexUse search_use) {
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
  LEP_ASSIGN_OR_RETURN(ctx->db, storage::OpenDatabase(config.DatabaseUrl(), config.DatabasePoolSize()));
  if (migrate) {
    LEP_RETURN_IF_ERROR(storage::Migrate(*ctx->db, app::AllMigrations()));
  } else {
    LEP_ASSIGN_OR_RETURN(int version, storage::CurrentVersion(*ctx->db));
    if (version < app::AllMigrations().back().version) {
      return Fail(Error::FailedPrecondition("数据库结构不是最新版本，请先运行 lep migrate"));
    }
  }
  ctx->audit = std::make_unique<security::AuditRecorder>(*ctx->db, *ctx->clock);
  ctx->sensitive_words = std::make_unique<review::SensitiveWordList>(
      config.data_dir + "/sensitive_words.txt", *ctx->audit);
  {
    auto cipher = security::FieldCipher::FromKeyFile(config.KeyFile(), /*create=*/true);
    if (!cipher) return Fail(cipher.error());
    ctx->cipher = std::make_unique<security::FieldCipher>(std::move(*cipher));
  }
  ctx->org_repo = orgs::NewSqlOrgRepository(*ctx->db, *ctx->cipher);
  ctx->user_repo = auth::NewSqlUserRepository(*ctx->db);
  ctx->session_repo = auth::NewSqlSessionRepository(*ctx->db);
  ctx->hasher = std::make_unique<auth::PasswordHasher>(config.argon2_opslimit,
                                                       config.argon2_memlimit);
  auth::AuthOptions opts;
  opts.absolute_timeout = std::chrono::hours(config.session_absolute_hours);
  opts.require_two_factor = config.require_two_factor;
  ctx->auth = std::make_unique<auth::AuthService>(*ctx->user_repo, *ctx->session_repo,
                                                  *ctx->org_repo, *ctx->hasher, *ctx->clock,
                                                  opts, *ctx->cipher);
  security::AuditRecorder* audit = ctx->audit.get();
  ctx->auth->SetAuditSink([audit](const security::AuditRecord& r) { return audit->Record(r); });
  ctx->security_admin = std::make_unique<auth::SecurityAdminService>(
      *ctx->db, *ctx->auth, *ctx->clock, PolicyDefaults(config),
      config.data_dir + "/audit.anchor");
  LEP_RETURN_IF_ERROR(ctx->security_admin->RefreshPolicy());
  if (migrate) {
    auto n = ctx->org_repo->EncryptLegacyContacts();
    if (!n) return Fail(n.error());
  }
  ctx->orgs = std::make_unique<orgs::OrgService>(*ctx->org_repo, *ctx->clock);
  ctx->account_repo = auth::NewSqlAccountRepository();
  ctx->accounts = std::make_unique<auth::AccountService>(*ctx->db, *ctx->user_repo,
                                                         *ctx->account_repo, *ctx->org_repo,
                                                         *ctx->auth, *ctx->hasher, *ctx->clock);
  ctx->bulk_units = std::make_unique<orgs::BulkUnits>(*ctx->db, *ctx->org_repo, *ctx->orgs,
                                                      *ctx->user_repo, *ctx->accounts, *ctx->clock);
  ctx->resource_repo = resources::NewSqlResourceRepository(*ctx->db);
  ctx->categories = resources::NewSqlCategoryRepository(*ctx->db);
  ctx->resources = std::make_unique<resources::ResourceService>(
      *ctx->db, *ctx->resource_repo, *ctx->categories, *ctx->org_repo, *ctx->clock);
  ctx->blobs = storage::NewFsBlobStore(config.data_dir + "/blobs");
  ctx->registration_form_repo = orgs::NewSqlRegistrationFormRepository(*ctx->db);
  ctx->registration_forms = std::make_unique<orgs::RegistrationFormService>(
      *ctx->org_repo, *ctx->registration_form_repo, *ctx->blobs, *ctx->clock);
  ctx->probe = media::NewAvMediaProbe();
  uploads::UploadOptions up;
  up.dir = config.data_dir + "/blobs/tmp/uploads";
  up.max_media_bytes = config.max_upload_bytes;
  up.expiry = std::chrono::hours(config.upload_expiry_hours);
  up.unit_pending_bytes = config.unit_pending_upload_bytes;
  up.account_pending_uploads = config.account_pending_uploads;
  ctx->upload_repo = uploads::NewSqlUploadRepository(*ctx->db);
  ctx->uploads = std::make_unique<uploads::UploadService>(*ctx->upload_repo, *ctx->resources,
                                                          *ctx->clock, up);
  AppContext* raw = ctx.get();
  ctx->login_limiter = std::make_unique<security::RateLimiter>(
      *ctx->clock, security::RateLimiterOptions{100, 1.0, 100'000});
  // Audit rows of refused requests per account: 30 at once, then one per 20 s (always on).
  ctx->refused_audit_limiter = std::make_unique<security::RateLimiter>(
      *ctx->clock, security::RateLimiterOptions{30, 1.0 / 20, 100'000});
  linkcheck::LinkCheckOptions lc;
  lc.test_allow_cidrs = config.link_check_allow;
  ctx->link_checker = linkcheck::NewCurlLinkChecker(lc);
  ctx->media_repo = ingest::NewSqlMediaRepository(*ctx->db);
  ctx->job_queue = jobs::NewSqlJobQueue(*ctx->db);
  {
    jobs::JobRunnerOptions jo;
    jo.threads = std::max(1, config.job_threads);
    jo.lease = std::chrono::seconds(std::max(1, config.job_lease_seconds));
    ctx->job_runner = std::make_unique<jobs::JobRunner>(*ctx->job_queue, *ctx->clock, jo);
  }
  ctx->ingest = std::make_unique<ingest::IngestService>(
      *ctx->db, *ctx->resources, *ctx->resource_repo, *ctx->media_repo, *ctx->blobs,
      *ctx->probe, *ctx->link_checker, *ctx->job_queue, *ctx->clock);
  ctx->ingest->SetJobsWake([raw] { raw->job_runner->Wake(); });
  ctx->ingest->RegisterJobs(*ctx->job_runner);
  // --- A03 lessons (issue 17 §5: 网络课程 as 实体资源) ---
  ctx->lesson_repo = ingest::NewSqlLessonRepository(*ctx->db);
  ctx->lessons = std::make_unique<ingest::LessonService>(
      *ctx->db, *ctx->resources, *ctx->resource_repo, *ctx->lesson_repo, *ctx->blobs,
      *ctx->probe, *ctx->job_queue, *ctx->clock);
  ctx->lessons->SetJobsWake([raw] { raw->job_runner->Wake(); });
  ctx->lessons->RegisterJobs(*ctx->job_runner);
  ctx->ingest->SetLessons(*ctx->lesson_repo);
  // --- end A03 lessons ---
  {
    video::TranscodeOptions vo;
    vo.ffmpeg = config.video_ffmpeg;
    vo.preset = config.video_preset;
    vo.threads = std::max(1, config.video_ffmpeg_threads);
    vo.segment_seconds = std::clamp(config.video_segment_seconds, 1, 10);
    vo.limits.nice = std::clamp(config.video_nice, 0, 19);
    vo.limits.address_space_bytes = static_cast<uint64_t>(std::max(0, config.video_memory_mb)) << 20;
    ctx->video_repo = video::NewSqlVideoRepository(*ctx->db);
    ctx->video = std::make_unique<video::VideoService>(
        *ctx->db, *ctx->video_repo, *ctx->job_queue, *ctx->media_repo, *ctx->resources,
        *ctx->resource_repo, *ctx->blobs, *ctx->clock, vo);
    jobs::JobRunnerOptions vr;
    vr.threads = std::max(1, config.video_workers);
    vr.lease = std::chrono::seconds(std::max(1, config.job_lease_seconds));
    ctx->video_runner = std::make_unique<jobs::JobRunner>(*ctx->job_queue, *ctx->clock, vr);
    ctx->video->RegisterJobs(*ctx->video_runner);
    ctx->video->SetWake([raw] { raw->video_runner->Wake(); });
    ctx->ingest->SetMediaHooks(ctx->video->Hooks());
    review::SensitiveWordList* words = ctx->sensitive_words.get();
    ctx->video->SetCaptionScreen([words](std::string_view text) {
      std::vector<video::ScreenHit> hits;
      for (const auto& h : words->ScreenText("captions", text)) hits.push_back({h.word, h.matched});
      return hits;
    });
  }
  ctx->review_repos = review::NewSqlReviewRepositories(*ctx->db);
  ctx->technical_check = std::make_unique<IngestTechnicalCheck>(*ctx->ingest, *ctx->clock);
  ctx->review = std::make_unique<review::ReviewService>(review::ReviewService::Deps{
      *ctx->db, *ctx->resources, *ctx->resource_repo, *ctx->org_repo, *ctx->user_repo,
      *ctx->review_repos.campaigns, *ctx->review_repos.history, *ctx->review_repos.batches,
      *ctx->review_repos.progress, *ctx->review_repos.pending_uploads, *ctx->technical_check,
      *ctx->clock});
  ctx->video->SetReviewerCheck([raw](const auth::Principal& p, const resources::Resource& r) {
    auto timeline = raw->review->TimelineOf(p, r.id);
    if (!timeline) return false;
    for (review::Action a : timeline->allowed) {
      if (a == review::Action::kApprove || a == review::Action::kReturn ||
          a == review::Action::kClaim || a == review::Action::kUnclaim) {
        return true;
      }
    }
    return false;
  });
  {
    review::NotificationOptions no;
    no.reminder_days = config.reminder_days;
    no.mail_enabled = !config.smtp_url.empty();
    std::unique_ptr<review::Mailer> mailer;
    if (no.mail_enabled) {
      if (!review::IsPlainAddress(config.smtp_from)) {
        return Fail(Error::InvalidArgument("配置 smtp.from 应为发件人邮箱地址（启用 smtp.url 时必填）"));
      }
      mailer = review::NewCurlSmtpMailer(config.smtp_url, config.smtp_from);
    }
    ctx->notifications = std::make_unique<review::NotificationService>(
        *ctx->db, *ctx->review_repos.notifications, *ctx->review_repos.campaigns, *ctx->clock, no);
    ctx->review->SetNotifications(ctx->notifications.get());
    // Learners' own addresses (忘记密码): stored encrypted always; mailed when e-mail is on.
    {
      auth::PersonalMailer personal;
      if (no.mail_enabled && !config.public_url.empty()) {
        review::NotificationRepository* outbox = ctx->review_repos.notifications.get();
        const Clock* clock = ctx->clock;
        personal = [outbox, clock](storage::SqlExecutor& tx, auth::UserId user,
                                   const std::string& key, const std::string& subject,
                                   const std::string& body) -> Status {
          LEP_ASSIGN_OR_RETURN(auto root, outbox->FirstUnitOfKind(tx, orgs::OrgKind::kOpenUniversity));
          if (!root) return Fail(Error::Internal("平台单位不存在"));
          return outbox->QueueUserMail(tx, *root, user.value, key, subject, body, clock->NowMs())
              .map([](bool) {});
        };
      }
      ctx->accounts->SetPersonalMail(ctx->cipher.get(), std::move(personal), config.public_url);
      auth::AccountService* accounts = ctx->accounts.get();
      ctx->notifications->SetPersonalAddress(
          [accounts](int64_t user) { return accounts->AddressOf(auth::UserId{user}); });
    }
    // A periodic re-check that finds an A03 link newly broken tells the owning unit.
    review::NotificationService* notify = ctx->notifications.get();
    ctx->ingest->SetLinkHooks({[notify](storage::SqlExecutor& tx, const resources::Resource& r,
                                        const ingest::LinkCheckRecord& c) -> Status {
      review::BrokenLink b;
      b.resource_id = r.id.value;
      b.owner = r.org_id;
      b.title = r.meta.title;
      b.state_label = std::string(resources::StateLabel(r.state));
      b.url = c.url;
      b.reason = !c.error.empty() ? c.error
                 : c.status != 0 ? "HTTP " + std::to_string(c.status)
                                 : std::string("无法连接");
      b.checked_at = c.checked_at;
      return notify->OnLinkBroken(tx, b);
    }});
    if (no.mail_enabled && !config.public_url.empty()) {
      // Activation links go to the unit's 负责人 through the same outbox as review mail.
      review::NotificationRepository* outbox = ctx->review_repos.notifications.get();
      const Clock* clock = ctx->clock;
      ctx->accounts->SetMailer(
          [outbox, clock](storage::SqlExecutor& tx, int64_t org_id, const std::string& key,
                          const std::string& subject, const std::string& body) -> Status {
            return outbox->QueueMail(tx, org_id, key, subject, body, clock->NowMs())
                .map([](bool) {});
          },
          config.public_url);
    }
    ctx->review_jobs = std::make_unique<review::ReviewJobs>(
        *ctx->review, *ctx->notifications, *ctx->org_repo, std::move(mailer),
        std::chrono::seconds(std::max(1, config.review_jobs_seconds)));
  }
  ctx->usage_repo = portal::NewSqlUsageRepository(*ctx->db);
  ctx->feed_repo = portal::NewSqlFeedRepository(*ctx->db);
  ctx->rating_repo = portal::NewSqlRatingRepository(*ctx->db);
  ctx->learner_repo = portal::NewSqlLearnerRepository(*ctx->db);
  ctx->learners = std::make_unique<portal::LearnerService>(
      *ctx->rating_repo, *ctx->learner_repo, *ctx->resource_repo, *ctx->org_repo, *ctx->clock,
      [words = ctx->sensitive_words.get()](const std::string& text) {
        std::string flagged;
        for (const auto& h : words->ScreenText("comment", text)) {
          if (!flagged.empty()) flagged += ";";
          flagged += h.word;
        }
        return flagged;
      });
  ctx->visitor_ids = std::make_unique<portal::VisitorIds>(
      [raw](std::string_view message) { return raw->cipher->KeyedHash(message, "lep_vid"); },
      *ctx->clock);
  {
    const std::string base = config.PublicBaseUrl();
    if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
      return Fail(Error::InvalidArgument(
          "配置 portal.public_base_url 应以 http:// 或 https:// 开头，例如 https://lep.example.edu.cn"));
    }
    std::string host = base.substr(base.find("://") + 3);
    oai::OaiOptions oo;
    oo.base_url = base;
    oo.admin_email = !config.oai_admin_email.empty() ? config.oai_admin_email
                     : !config.smtp_from.empty()     ? config.smtp_from
                                                     : "webmaster@" + host.substr(0, host.find_first_of(":/"));
    oo.page_size = std::max(1, config.oai_page_size);
    ctx->oai_repo = oai::NewSqlOaiRepository(*ctx->db);
    ctx->oai = std::make_unique<oai::OaiService>(
        *ctx->oai_repo, *ctx->resource_repo, *ctx->clock, std::move(oo),
        [raw](std::string_view body) { return raw->cipher->KeyedHash(body, "oai_resumption"); });
  }
  ctx->stats_repo = stats::NewSqlStatsRepository(*ctx->db);
  ctx->stats = std::make_unique<stats::StatsService>(*ctx->stats_repo, *ctx->org_repo,
                                                     *ctx->review, *ctx->clock);
  if (search_use == SearchIndexUse::kOpen) {
    auto index = search::OpenXapianIndex(config.SearchDir());
    if (!index) return Fail(index.error());
    ctx->search = std::move(*index);
    ctx->search_feed = std::make_unique<portal::SearchFeed>(
        *ctx->search, *ctx->resource_repo, *ctx->feed_repo, *ctx->clock,
        PortalJsonRenderers().card);
    ctx->search_feed->SetChangeListener([raw](const std::set<int64_t>& ids, bool all) {
      if (raw->portal) raw->portal->Invalidate(ids, all);
      if (raw->catalog) raw->catalog->Changed(ids, all);
      if (raw->public_media) raw->public_media->Changed(ids, all);
    });
    ctx->counters = std::make_unique<portal::Counters>(
        *ctx->db, *ctx->usage_repo, *ctx->resource_repo, *ctx->clock,
        [raw](const std::set<int64_t>& ids) { (void)raw->search_feed->Sync(ids); });
    ctx->counters->Start();
    ctx->maintenance = std::make_unique<Maintenance>(*ctx);
    ctx->maintenance->Start();
    auto published = ctx->resource_repo->CountPublished();
    auto indexed = ctx->search->Count();
    if (published && indexed && *published != *indexed) {
      LEP_RETURN_IF_ERROR(ctx->search_feed->Reindex());
    }
    // Catch up with what other servers changed while this one was down (a fresh index, one
    // without a feed mark, is rebuilt).
    LEP_RETURN_IF_ERROR(ctx->search_feed->ApplyOnce().map([](auto&&) {}));
  }
  ctx->withdrawal_mark =
      std::make_unique<portal::WithdrawalMark>(config.data_dir + "/portal-withdrawn.mark");
  ctx->portal = std::make_unique<portal::PortalService>(*ctx->resource_repo, *ctx->categories,
                                                        ctx->search.get(), *ctx->clock,
                                                        PortalJsonRenderers(),
                                                        ctx->withdrawal_mark.get());
  std::string catalog_dir = config.SearchDir();  // per server, beside its index
  while (catalog_dir.size() > 1 && catalog_dir.back() == '/') catalog_dir.pop_back();
  ctx->catalog = std::make_unique<portal::CatalogFiles>(
      *ctx->resource_repo, *ctx->feed_repo, *ctx->clock, catalog_dir + "-catalog",
      CatalogFormats({config.PublicBaseUrl(), [raw](int64_t batch_id) {
                        auto b = raw->review_repos.batches->Get(batch_id);
                        return b && *b ? (*b)->name : std::string();
                      }}));
  ctx->public_media = std::make_unique<portal::PublicMedia>(
      *ctx->resource_repo, config.data_dir + "/public-media",
      PublicMediaResolver(*ctx->resource_repo, *ctx->ingest, *ctx->blobs));
  // Publication changes reach the search feed (and through it the portal cache, the catalog
  // files and the public media links) and the video module: withdrawal cancels a transcode,
  // republication queues an unfinished one again.
  ctx->review->SetPublicChangeHandler([raw](int64_t id) {
    if (raw->search_feed) (void)raw->search_feed->Sync({id});
    raw->video->OnPublicChange(id);
  });
  // A small fictitious default list when the data directory has none.
  LEP_RETURN_IF_ERROR(ctx->sensitive_words->Load({"演示敏感词", "赌博", "代考", "办证"}));
  ctx->uploads->SetCompletionHandler(
      [raw](const uploads::Upload& u, const std::string& path) {
        if (u.kind == "lesson") return raw->lessons->OnUploadComplete(u, path);  // A03 lessons
        return raw->ingest->OnUploadComplete(u, path);
      });
  return ctx;
}

}  // namespace lep::app
