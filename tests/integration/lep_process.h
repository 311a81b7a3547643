// The built `lep` binary (LEP_BIN) as a child process: run a command and collect its exit
// code and output, or start `lep serve` on 127.0.0.1:0 and learn its port. Password hashing
// is made cheap for tests (LEP_ARGON2_*). Not thread-safe per object; several may run at once.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lep::testing {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs `LEP_BIN args...` to completion; output goes through files in scratch_dir.
CommandResult RunLep(const std::vector<std::string>& args, const std::string& scratch_dir);

std::string ReadWholeFile(const std::string& path);

// `lep serve --data data_dir --listen 127.0.0.1:0 [extra...]`; the constructor returns once
// the server prints its address (throws if it exits first or takes over 180 s). The log is
// data_dir/../<name>.err. SIGKILLed on destruction unless Terminate() ran.
class LepServer {
 public:
  LepServer(const std::string& data_dir, const std::string& name,
            const std::vector<std::string>& extra = {});
  ~LepServer();
  LepServer(const LepServer&) = delete;
  LepServer& operator=(const LepServer&) = delete;
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return err_; }
  // SIGTERM and wait; returns the exit code.
  int Terminate();

 private:
  pid_t pid_ = 0;
  uint16_t port_ = 0;
  std::string err_;
};

}  // namespace lep::testing
