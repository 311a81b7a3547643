#include "integration/lep_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace lep::testing {
namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    if (kv.rfind("LEP_ARGON2_", 0) != 0) env_store.push_back(kv);
  }
  env_store.push_back("LEP_ARGON2_MEMLIMIT=8192");  // fast password hashing for the test
  env_store.push_back("LEP_ARGON2_OPSLIMIT=1");
  std::vector<char*> envp;
  for (auto& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_store = {LEP_BIN};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, LEP_BIN, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult RunLep(const std::vector<std::string>& args, const std::string& scratch_dir) {
  static std::atomic<int> counter{0};
  std::string base = scratch_dir + "/cmd" + std::to_string(counter++);
  CommandResult r;
  r.exit_code = WaitExit(Spawn(args, base + ".out", base + ".err"));
  r.out = ReadWholeFile(base + ".out");
  r.err = ReadWholeFile(base + ".err");
  return r;
}

LepServer::LepServer(const std::string& data_dir, const std::string& name,
                     const std::vector<std::string>& extra) {
  using namespace std::chrono_literals;
  std::string parent = std::filesystem::path(data_dir).parent_path().string();
  std::string out = parent + "/" + name + ".out";
  err_ = parent + "/" + name + ".err";
  std::vector<std::string> args = {"serve", "--data", data_dir, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  pid_ = Spawn(args, out, err_);
  std::regex re("http://127\\.0\\.0\\.1:([0-9]+)/");
  auto deadline = std::chrono::steady_clock::now() + 180s;  // a loaded machine, ASan
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    std::string text = ReadWholeFile(out);
    if (std::regex_search(text, m, re)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
      return;
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      throw std::runtime_error("lep serve exited: " + ReadWholeFile(err_));
    }
    std::this_thread::sleep_for(100ms);
  }
  ::kill(pid_, SIGKILL);
  WaitExit(pid_);
  pid_ = 0;
  throw std::runtime_error("lep serve did not start");
}

LepServer::~LepServer() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    WaitExit(pid_);
  }
}

int LepServer::Terminate() {
  ::kill(pid_, SIGTERM);
  int rc = WaitExit(pid_);
  pid_ = 0;
  return rc;
}

}  // namespace lep::testing
