// ConcurrencyLimiter: at most `capacity` callers at once may run one kind of heavy work (parse
// an uploaded spreadsheet, decode a cover, probe a media file), so a burst of hostile files can
// neither add up their memory nor hold every worker thread. A caller that finds no free slot
// waits at most `max_wait` in a queue of at most `max_waiting`; otherwise it is refused at once
// with kUnavailable (503 + Retry-After, "服务器繁忙，请稍后重试"). Thread-safe; one process-wide
// instance per kind of work lives next to that work's entry point.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>

#include "core/result.h"

namespace lep {

class ConcurrencyLimiter {
 public:
  struct Limits {
    int capacity = 2;     // running at once
    int max_waiting = 2;  // queued for a slot; more are refused without waiting
    std::chrono::milliseconds max_wait{2000};
  };

  // A held slot, released when destroyed. Move-only.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)) {}
    Permit& operator=(Permit&& o) noexcept {
      if (this != &o) {
        Release();
        owner_ = std::exchange(o.owner_, nullptr);
      }
      return *this;
    }
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { Release(); }

   private:
    friend class ConcurrencyLimiter;
    explicit Permit(ConcurrencyLimiter* owner) : owner_(owner) {}
    void Release() {
      if (owner_ != nullptr) std::exchange(owner_, nullptr)->ReleaseSlot();
    }
    ConcurrencyLimiter* owner_ = nullptr;
  };

  // `what` names the work in the refusal, e.g. "电子表格导入".
  ConcurrencyLimiter(std::string what, Limits limits) : what_(std::move(what)), limits_(limits) {}
  ConcurrencyLimiter(const ConcurrencyLimiter&) = delete;
  ConcurrencyLimiter& operator=(const ConcurrencyLimiter&) = delete;

  // A slot, or kUnavailable with retry_after_s when none frees up within max_wait.
  [[nodiscard]] Result<Permit> Acquire() {
    std::unique_lock lock(mu_);
    if (running_ >= limits_.capacity) {
      if (waiting_ >= limits_.max_waiting) return Busy();
      ++waiting_;
      const bool got =
          freed_.wait_for(lock, limits_.max_wait, [this] { return running_ < limits_.capacity; });
      --waiting_;
      if (!got) return Busy();
    }
    ++running_;
    return Permit(this);
  }

  // Changes the limits for later Acquire calls (configuration, tests); held permits stay valid.
  void SetLimits(Limits limits) {
    {
      std::lock_guard lock(mu_);
      limits_ = limits;
    }
    freed_.notify_all();
  }
  Limits limits() const {
    std::lock_guard lock(mu_);
    return limits_;
  }
  int running() const {
    std::lock_guard lock(mu_);
    return running_;
  }

 private:
  tl::unexpected<Error> Busy() const {
    const auto wait_s = std::chrono::ceil<std::chrono::seconds>(limits_.max_wait).count();
    const int retry_after = static_cast<int>(std::clamp<long long>(wait_s, 1, 60));
    return Fail(Error{ErrorCode::kUnavailable,
                      "服务器繁忙（同时进行的" + what_ + "过多），请稍后重试",
                      {},
                      retry_after});
  }
  void ReleaseSlot() {
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    freed_.notify_one();
  }

  const std::string what_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  Limits limits_;
  int running_ = 0;
  int waiting_ = 0;
};

}  // namespace lep
