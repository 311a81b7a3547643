#include "video/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace lep::video {
namespace {

constexpr size_t kStderrKeep = 4096;

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Only async-signal-safe calls between fork and exec.
[[noreturn]] void ExecChild(char* const* argv, char* const* envp, int out_fd, int err_fd,
                            pid_t parent, const ChildLimits& limits, const struct rlimit& as,
                            const struct rlimit& cpu) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
  int devnull = ::open("/dev/null", O_RDONLY);
  if (devnull < 0 || ::dup2(devnull, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0) {
    ::_exit(127);
  }
  ::close_range(3, ~0U, 0);
  if (limits.nice > 0) {
    errno = 0;
    int current = ::getpriority(PRIO_PROCESS, 0);
    if (errno == 0) ::setpriority(PRIO_PROCESS, 0, std::min(19, current + limits.nice));
  }
  struct rlimit core {
    0, 0
  };
  ::setrlimit(RLIMIT_CORE, &core);
  if (limits.address_space_bytes > 0) ::setrlimit(RLIMIT_AS, &as);
  if (limits.cpu_seconds > 0) ::setrlimit(RLIMIT_CPU, &cpu);
  ::execve(argv[0], argv, envp);
  ::_exit(127);
}

}  // namespace

Result<ChildResult> RunChild(const std::vector<std::string>& argv, const ChildLimits& limits,
                             const ChildCallbacks& callbacks) {
  if (argv.empty() || argv[0].empty() || argv[0][0] != '/') {
    return Fail(Error::Internal("子进程程序须为绝对路径"));
  }
  // Everything the child needs is built before fork: after it, no allocation.
  std::vector<std::string> arg_store = argv;
  std::vector<char*> args;
  for (auto& a : arg_store) args.push_back(a.data());
  args.push_back(nullptr);
  std::string env_path = "PATH=/usr/bin:/bin", env_lang = "LC_ALL=C";
  char* envp[] = {env_path.data(), env_lang.data(), nullptr};
  struct rlimit as {
    limits.address_space_bytes, limits.address_space_bytes
  };
  struct rlimit cpu {
    limits.cpu_seconds, limits.cpu_seconds + 5
  };

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Fail(Error::Internal("无法创建管道"));
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return Fail(Error::Internal("无法创建管道"));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) return Fail(Error::Internal(std::string("无法启动子进程：") + std::strerror(errno)));
  if (pid == 0) ExecChild(args.data(), envp, out_w.get(), err_w.get(), parent, limits, as, cpu);
  ::setpgid(pid, pid);  // also from here, so that a kill right away reaches the group
  out_w.Close();
  err_w.Close();

  ChildResult result;
  std::string line_buf;
  auto last_output = std::chrono::steady_clock::now();
  bool out_open = true, err_open = true, killed = false;
  auto kill_group = [&] {
    if (!killed) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      killed = true;
    }
  };
  char buf[8192];
  while (out_open || err_open) {
    pollfd fds[2] = {{out_open ? out_r.get() : -1, POLLIN, 0},
                     {err_open ? err_r.get() : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, static_cast<int>(limits.tick.count()));
    if (n < 0 && errno != EINTR) {
      kill_group();
      break;
    }
    if (n > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(out_r.get(), buf, sizeof buf);
      if (got <= 0) {
        if (got == 0 || errno != EINTR) out_open = false;
      } else {
        last_output = std::chrono::steady_clock::now();
        line_buf.append(buf, static_cast<size_t>(got));
        size_t nl;
        while ((nl = line_buf.find('\n')) != std::string::npos) {
          if (callbacks.on_line) callbacks.on_line(std::string_view(line_buf).substr(0, nl));
          line_buf.erase(0, nl + 1);
        }
        if (line_buf.size() > 65536) line_buf.clear();  // no newline in 64 KiB: not ours
      }
    }
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(err_r.get(), buf, sizeof buf);
      if (got <= 0) {
        if (got == 0 || errno != EINTR) err_open = false;
      } else {
        result.stderr_tail.append(buf, static_cast<size_t>(got));
        if (result.stderr_tail.size() > 2 * kStderrKeep) {
          result.stderr_tail.erase(0, result.stderr_tail.size() - kStderrKeep);
        }
      }
    }
    if (!killed && callbacks.keep_going && !callbacks.keep_going()) {
      result.stopped = true;
      kill_group();
    }
    if (!killed && std::chrono::steady_clock::now() - last_output > limits.stall_timeout) {
      result.stalled = true;
      kill_group();
    }
  }
  int status = 0;
  struct rusage ru {};
  while (::wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  result.max_rss_kb = ru.ru_maxrss;
  if (result.stderr_tail.size() > kStderrKeep) {
    result.stderr_tail.erase(0, result.stderr_tail.size() - kStderrKeep);
  }
  return result;
}

}  // namespace lep::video
