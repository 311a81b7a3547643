// ReviewJobs: the review module's background work on one thread — publishing scheduled
// batches, writing deadline reminders, sending queued e-mail — once per `interval` of wall
// time, while what is due is decided by the injected Clock. RunOnce() does one round and is
// what tests call (with a FakeClock); Start() is called by `lep serve` only. Each step is
// idempotent, so several servers may run it at once. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "orgs/org_repository.h"
#include "review/mailer.h"
#include "review/notifications.h"
#include "review/review_service.h"

namespace lep::review {

class ReviewJobs {
 public:
  // mailer may be null (no e-mail).
  ReviewJobs(ReviewService& review, NotificationService& notifications, orgs::OrgRepository& orgs,
             std::unique_ptr<Mailer> mailer, std::chrono::milliseconds interval);
  ~ReviewJobs();  // Stop()

  struct Round {
    int64_t batches_published = 0;
    int64_t reminders_written = 0;
    int64_t mails_sent = 0;
  };
  // One round; errors are logged (one JSON line on stderr) and the round goes on.
  Round RunOnce();

  void Start();
  void Stop();

 private:
  ReviewService& review_;
  NotificationService& notifications_;
  orgs::OrgRepository& orgs_;
  std::unique_ptr<Mailer> mailer_;
  std::chrono::milliseconds interval_;
  std::mutex round_mu_;  // one round at a time
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lep::review
