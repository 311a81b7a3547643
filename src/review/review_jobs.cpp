#include "review/review_jobs.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace lep::review {
namespace {

void LogError(const char* job, const Error& e) {
  nlohmann::json line = {{"level", "error"},
                         {"job", job},
                         {"code", std::string(ErrorCodeName(e.code))},
                         {"msg", e.message}};
  std::fprintf(stderr, "%s\n", line.dump().c_str());
}

}  // namespace

ReviewJobs::ReviewJobs(ReviewService& review, NotificationService& notifications,
                       orgs::OrgRepository& orgs, std::unique_ptr<Mailer> mailer,
                       std::chrono::milliseconds interval)
    : review_(review),
      notifications_(notifications),
      orgs_(orgs),
      mailer_(std::move(mailer)),
      interval_(interval) {}

ReviewJobs::~ReviewJobs() { Stop(); }

ReviewJobs::Round ReviewJobs::RunOnce() {
  std::lock_guard round(round_mu_);
  Round r;
  if (auto n = review_.PublishDueBatches()) {
    r.batches_published = *n;
  } else {
    LogError("publish_due_batches", n.error());
  }
  if (auto n = notifications_.GenerateReminders()) {
    r.reminders_written = *n;
  } else {
    LogError("deadline_reminders", n.error());
  }
  if (mailer_) {
    if (auto n = notifications_.DeliverMail(*mailer_, orgs_)) {
      r.mails_sent = *n;
    } else {
      LogError("mail", n.error());
    }
  }
  return r;
}

void ReviewJobs::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      lock.unlock();
      RunOnce();
      lock.lock();
      cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
  });
}

void ReviewJobs::Stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    t.swap(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
}

}  // namespace lep::review
