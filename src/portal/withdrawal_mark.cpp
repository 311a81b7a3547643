#include "portal/withdrawal_mark.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lep::portal {
namespace {

void LogNotWritten(int err) {
  std::fprintf(stderr,
               "{\"level\":\"error\",\"msg\":\"withdrawal mark not written\",\"error\":\"%s\"}\n",
               std::strerror(err));
}

}  // namespace

MarkToken WithdrawalMark::Read() const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    // Unreadable: a token no page was built under (it never equals a stored one).
    static std::atomic<uint64_t> unreadable{0};
    return {~uint64_t{0}, unreadable.fetch_add(1)};
  }
  return {static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size)};
}

void WithdrawalMark::Bump() {
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    LogNotWritten(errno);
    return;
  }
  const char one = '\n';
  if (::write(fd, &one, 1) != 1) LogNotWritten(errno);
  ::close(fd);
}

}  // namespace lep::portal
