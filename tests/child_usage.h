// Test helper: runs a function in a forked child and reports what it cost, for the bounds on
// hostile files (issue 14). Peak memory growth = VmHWM after the work minus VmRSS before it,
// with the high-water mark reset first (`echo 5 > /proc/self/clear_refs`); CPU = user + system
// seconds of the child from wait4. Under ASan the figures include the shadow memory (1/8 of
// what is touched), redzones and the quarantine of freed blocks, so they over-state a release
// build; a bound that holds here holds there. Call only from a single-threaded test.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>

namespace lep::testing {

struct ChildUsage {
  bool ok = false;                // the child ran the work and reported back
  double cpu_s = 0;               // user + system
  int64_t peak_growth_bytes = 0;  // peak resident memory above the level before the work
  std::string output;             // what the work returned (e.g. an error message)
};

namespace internal {

inline int64_t StatusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atoll(line.c_str() + prefix.size());
  }
  return -1;
}

}  // namespace internal

inline ChildUsage MeasureInChild(const std::function<std::string()>& work) {
  ChildUsage usage;
  int fds[2];
  if (::pipe(fds) != 0) return usage;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return usage;
  if (pid == 0) {
    ::close(fds[0]);
    {
      std::ofstream reset("/proc/self/clear_refs");
      reset << "5";
    }
    const int64_t before_kb = internal::StatusKb("VmRSS");
    std::string out = work();
    const int64_t peak_kb = internal::StatusKb("VmHWM");
    const std::string report = std::to_string((peak_kb - before_kb) * 1024) + "\n" + out;
    size_t off = 0;
    while (off < report.size()) {
      const ssize_t n = ::write(fds[1], report.data() + off, report.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::_exit(before_kb >= 0 && peak_kb >= 0 ? 0 : 3);  // no atexit, no leak check in the child
  }
  ::close(fds[1]);
  std::string report;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) report.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  struct rusage ru {};
  if (::wait4(pid, &status, 0, &ru) != pid) return usage;
  usage.cpu_s = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  const size_t nl = report.find('\n');
  usage.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && nl != std::string::npos;
  if (usage.ok) {
    usage.peak_growth_bytes = std::atoll(report.substr(0, nl).c_str());
    usage.output = report.substr(nl + 1);
  }
  return usage;
}

inline constexpr int64_t kMiB = int64_t{1} << 20;

}  // namespace lep::testing
