// RunChild: runs a program (the ffmpeg CLI) as a bounded child process — its own process
// group, a nice level, an address-space limit (RLIMIT_AS) and a CPU-time limit (RLIMIT_CPU),
// no core dumps, no inherited descriptors, an empty signal mask, a minimal environment, and
// PR_SET_PDEATHSIG so that it dies with the thread that started it (a worker killed with -9
// leaves no ffmpeg behind). Its stdout is read line by line (ffmpeg `-progress pipe:1`); the
// child is killed when the caller says stop or when it prints nothing for `stall_timeout`.
// A decoder crash or a memory blow-up costs the child, never the worker. Thread-safe (each
// call owns its child); blocks until the child has exited.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lep::video {

struct ChildLimits {
  int nice = 10;                     // added niceness (0–19)
  uint64_t address_space_bytes = 0;  // RLIMIT_AS; 0 = none
  uint64_t cpu_seconds = 0;          // RLIMIT_CPU; 0 = none
  std::chrono::milliseconds stall_timeout{120'000};
  std::chrono::milliseconds tick{250};  // how often keep_going() is asked
};

struct ChildResult {
  int exit_code = -1;    // when it exited
  int signal = 0;        // when a signal ended it (SIGKILL from us, SIGXCPU from RLIMIT_CPU, …)
  bool stopped = false;  // killed because keep_going() said stop
  bool stalled = false;  // killed because it printed nothing for stall_timeout
  double cpu_seconds = 0;
  int64_t max_rss_kb = 0;
  std::string stderr_tail;  // the last few KiB of its stderr
  bool ok() const { return exit_code == 0 && signal == 0; }
};

struct ChildCallbacks {
  // Each line the child writes to stdout (without the newline).
  std::function<void(std::string_view line)> on_line;
  // Asked every `tick`; false stops (SIGKILL to the child's process group).
  std::function<bool()> keep_going;
};

// argv[0] is an absolute path. Fails (kInternal) only when the child cannot be started.
[[nodiscard]] Result<ChildResult> RunChild(const std::vector<std::string>& argv,
                                           const ChildLimits& limits,
                                           const ChildCallbacks& callbacks);

}  // namespace lep::video
