// kill -9 during review decisions (issue 5): the real `lep serve` (LEP_BIN) takes many
// concurrent, racing decisions and is SIGKILLed in the middle of them. After a restart on the
// same data directory every resource's state and version agree with its history, every
// history row has its audit row and its notifications (and no notification survives a
// rolled-back decision), the hash chain verifies (`lep audit verify`), and the server goes on
// deciding.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "integration/server_fixture.h"
#include "storage/db/database.h"

extern char** environ;

namespace lep::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const json kChecklist = {
    {"ideology", true}, {"copyright", true}, {"secrecy", true}, {"science", true}};

// Runs LEP_BIN with args, stdout/stderr to files; returns the pid.
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
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, LEP_BIN, &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int RunLep(const std::vector<std::string>& args, const std::string& dir) {
  return WaitExit(Spawn(args, dir + "/cmd.out", dir + "/cmd.err"));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class LepServer {
 public:
  LepServer(const std::string& dir, int n) : dir_(dir) {
    std::string out = dir + "/serve" + std::to_string(n) + ".out";
    pid_ = Spawn({"serve", "--data", dir, "--listen", "127.0.0.1:0"}, out, dir + "/serve.err");
    std::regex re("http://127\\.0\\.0\\.1:([0-9]+)/");
    auto deadline = std::chrono::steady_clock::now() + 180s;  // a loaded machine, ASan
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch m;
      std::string text = ReadFile(out);
      if (std::regex_search(text, m, re)) {
        port_ = static_cast<uint16_t>(std::stoi(m[1]));
        return;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        throw std::runtime_error("lep serve exited: " + ReadFile(dir + "/serve.err"));
      }
      std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("lep serve did not start");
  }
  ~LepServer() {
    if (pid_ > 0) Kill9();
  }
  uint16_t port() const { return port_; }
  void Kill9() {
    kill(pid_, SIGKILL);
    WaitExit(pid_);
    pid_ = 0;
  }
  int Terminate() {
    kill(pid_, SIGTERM);
    int rc = WaitExit(pid_);
    pid_ = 0;
    return rc;
  }

 private:
  std::string dir_;
  pid_t pid_ = 0;
  uint16_t port_ = 0;
};

// Requests to a server that may die at any moment: a failed connection is no answer.
std::optional<HttpResult> Try(const std::function<HttpResult()>& f) {
  try {
    return f();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

TEST(ReviewKill, Kill9DuringDecisionsLeavesStateHistoryAndAuditConsistent) {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("lep-kill-" + std::to_string(::getpid())))
          .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_EQ(RunLep({"seed-demo", "--data", dir}, dir), 0) << ReadFile(dir + "/cmd.err");

  constexpr int kResources = 40;
  std::vector<int64_t> ids;
  std::map<int64_t, int64_t> base_version;
  auto server = std::make_unique<LepServer>(dir, 1);
  auto db = storage::OpenDatabase("sqlite:" + dir + "/lep.db");
  ASSERT_TRUE(db) << db.error().message;
  {
    Client admin(server->port()), up(server->port());
    ASSERT_EQ(admin.Login("nou_admin").status, 200);
    ASSERT_EQ(up.Login("gd_uploader").status, 200);
    auto campaign =
        admin.Send("POST", "/api/v1/campaigns", {{"name", "断电测试征集"}, {"year", 2022}});
    ASSERT_EQ(campaign.status, 201);
    // The demo data has an open campaign too: the submissions name theirs.
    const int64_t campaign_id = campaign.Json()["id"];
    for (int i = 0; i < kResources; ++i) {
      auto r = up.Send("POST", "/api/v1/resources",
                       {{"title", "断电测试资源" + std::to_string(i)},
                        {"type", "A01"},
                        {"domain", "社区教育"},
                        {"summary", "简介"},
                        {"copyright_holder", "演示学院"},
                        {"presenters", "张演示"}});
      ASSERT_EQ(r.status, 201) << r.body;
      int64_t id = r.Json()["id"];
      ASSERT_TRUE(
          (*db)->Exec("UPDATE resources SET cover_blob = ?, cover_thumb_blob = ? WHERE id = ?",
                      {std::string(32, 'a'), std::string(32, 'b'), id}));
      ASSERT_TRUE(
          (*db)->Exec("INSERT INTO media (resource_id, blob, sha256, size, filename, kind, "
                      "passed, created_at) VALUES (?, ?, 'x', 1, 'a.mp4', 'video', 1, 0)",
                      {id, std::string(32, 'c')}));
      ids.push_back(id);
      base_version[id] = r.Json()["version"];
    }
    for (int64_t id : ids) {
      auto s = up.Send("POST", "/api/v1/resources/" + std::to_string(id) + "/submit",
                       {{"attestation", true}, {"campaign_id", campaign_id}});
      ASSERT_EQ(s.status, 200) << s.body;
    }
  }

  // Racing deciders: two sessions of the province's reviewer approve the same items with the
  // version they saw (one wins, the other gets 409); NOU approves or returns; the uploader
  // resubmits what came back; a third session claims and unclaims.
  std::atomic<bool> stop{false};
  std::atomic<int> decided{0}, conflicts{0};
  uint16_t port = server->port();
  auto review_loop = [&](const std::string& user, const std::string& state, bool may_return) {
    Client c(port);
    if (c.Login(user).status != 200) return;
    for (int round = 0; !stop; ++round) {
      auto q = Try([&] { return c.Get("/api/v1/reviews/queue?state=" + state); });
      if (!q) return;
      json items = q->Json()["items"];
      if (items.empty()) std::this_thread::sleep_for(20ms);
      for (const auto& it : items) {
        if (stop) return;
        int64_t id = it["id"];
        json body = {{"version", it["version"]}};
        if (may_return && id % 5 == round % 5) {
          body["action"] = "return";
          body["comment"] = "请补充字幕";
        } else {
          body["action"] = "approve";
          body["checklist"] = kChecklist;
        }
        auto r = Try([&] {
          return c.Send("POST", "/api/v1/resources/" + std::to_string(id) + "/review", body);
        });
        if (!r) return;
        if (r->status == 200) ++decided;
        if (r->status == 409) ++conflicts;
      }
    }
  };
  auto resubmit_loop = [&] {
    Client c(port);
    if (c.Login("gd_uploader").status != 200) return;
    auto local = storage::OpenDatabase("sqlite:" + dir + "/lep.db");
    if (!local) return;
    while (!stop) {
      auto rows = (*local)->Exec("SELECT id FROM resources WHERE state = 'returned'");
      if (!rows || rows->rows.empty()) {
        std::this_thread::sleep_for(20ms);
        continue;
      }
      for (const auto& row : rows->rows) {
        auto r = Try([&] {
          return c.Send("POST", "/api/v1/resources/" + std::to_string(row.Int(0)) + "/submit",
                        {{"attestation", true}});
        });
        if (!r) return;
        if (r->status == 200) ++decided;
      }
    }
  };
  auto claim_loop = [&] {
    Client c(port);
    if (c.Login("gd_reviewer").status != 200) return;
    while (!stop) {
      for (int64_t id : ids) {
        std::string url = "/api/v1/resources/" + std::to_string(id) + "/review";
        for (const char* action : {"claim", "unclaim"}) {
          auto r = Try([&] { return c.Send("POST", url, {{"action", action}}); });
          if (!r) return;
          if (r->status == 200) ++decided;
        }
        if (stop) return;
      }
    }
  };
  std::vector<std::thread> threads;
  threads.emplace_back(review_loop, "gd_reviewer", "first_review", false);
  threads.emplace_back(review_loop, "gd_reviewer", "first_review", false);
  threads.emplace_back(review_loop, "nou_reviewer", "final_review", true);
  threads.emplace_back(resubmit_loop);
  threads.emplace_back(claim_loop);
  auto until = std::chrono::steady_clock::now() + 120s;
  while (decided < 60 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(10ms);
  server->Kill9();  // in the middle of whatever is in flight
  stop = true;
  for (auto& t : threads) t.join();
  int before_kill = decided;
  ASSERT_GE(before_kill, 10) << "too few decisions before the kill to mean anything";
  std::printf("decisions answered before kill -9: %d (409 conflicts: %d)\n", before_kill,
              conflicts.load());

  // Restart on the same data directory: it comes up and goes on deciding.
  server = std::make_unique<LepServer>(dir, 2);
  {
    Client gd(server->port());
    ASSERT_EQ(gd.Login("gd_reviewer").status, 200);
    auto q = gd.Get("/api/v1/reviews/queue").Json()["items"];
    for (const auto& it : q) {
      if (it["state"] != "first_review") continue;
      auto r = gd.Send(
          "POST", "/api/v1/resources/" + std::to_string(it["id"].get<int64_t>()) + "/review",
          {{"action", "approve"}, {"checklist", kChecklist}, {"version", it["version"]}});
      EXPECT_EQ(r.status, 200) << r.body;
      break;
    }
  }
  EXPECT_EQ(server->Terminate(), 0);

  auto one = [&](const std::string& sql, const std::vector<storage::Value>& p) {
    auto r = (*db)->QueryOne(sql, p);
    EXPECT_TRUE(r && *r) << sql;
    return (r && *r) ? (*r)->Int(0) : -1;
  };
  auto users = [&](const std::string& name) {
    return one("SELECT id FROM users WHERE username = ?", {name});
  };
  int64_t gd_reviewer = users("gd_reviewer"), nou_reviewer = users("nou_reviewer"),
          uploader = users("gd_uploader");
  int64_t total_history = 0;
  for (int64_t id : ids) {
    auto res = (*db)->QueryOne("SELECT state, version FROM resources WHERE id = ?", {id});
    ASSERT_TRUE(res && *res);
    auto hist = (*db)->Exec(
        "SELECT id, action, from_state, to_state FROM review_history WHERE "
        "resource_id = ? ORDER BY id",
        {id});
    ASSERT_TRUE(hist);
    ASSERT_FALSE(hist->rows.empty());
    total_history += static_cast<int64_t>(hist->rows.size());
    // State is the last recorded transition's target; each decision bumped the version once.
    EXPECT_EQ((*res)->Text(0), hist->rows.back().Text(3)) << "resource " << id;
    EXPECT_EQ((*res)->Int(1), base_version[id] + static_cast<int64_t>(hist->rows.size()))
        << "resource " << id;
    // The chain of transitions is unbroken: each starts where the previous ended.
    for (size_t i = 1; i < hist->rows.size(); ++i) {
      EXPECT_EQ(hist->rows[i].Text(2), hist->rows[i - 1].Text(3)) << "resource " << id;
    }
    // Every history row has its audit row (same transaction).
    EXPECT_EQ(one("SELECT COUNT(*) FROM audit_log WHERE object = ? AND action LIKE 'review.%'",
                  {"resource:" + std::to_string(id)}),
              static_cast<int64_t>(hist->rows.size()))
        << "resource " << id;
    // …and the notifications it implies (queued items: counted in the reviewers' digests,
    // checked below over all resources).
    for (const auto& h : hist->rows) {
      std::string action = h.Text(1);
      std::string key = "h" + std::to_string(h.Int(0)) + ":";
      int64_t user = 0;
      if (action == "return") user = uploader, key += "returned";
      if (user == 0) continue;
      int64_t actor_is_user = one(
          "SELECT COUNT(*) FROM review_history WHERE id = ? AND actor_id = ?", {h.Int(0), user});
      EXPECT_EQ(one("SELECT COUNT(*) FROM notifications WHERE user_id = ? AND dedup_key = ?",
                    {user, key}),
                actor_is_user ? 0 : 1)
          << key;
    }
  }
  EXPECT_GT(total_history, kResources);
  // Each committed transition into a review queue counted exactly once in the digest of each
  // reviewer of that queue who did not make it; a rolled-back one not at all.
  for (auto [user, step] : {std::pair{gd_reviewer, "first_review"},
                            std::pair{nou_reviewer, "final_review"}}) {
    int64_t expected =
        one("SELECT COUNT(*) FROM review_history WHERE to_state = ? AND from_state <> to_state "
            "AND actor_id <> ?",
            {std::string(step), user});
    int64_t counted = one(
        "SELECT COALESCE(SUM(item_count), 0) FROM notifications WHERE user_id = ? AND kind = "
        "'queued' AND dedup_key LIKE ?",
        {user, std::string("digest:queued:") + (step == std::string("first_review") ? "first" : "final") +
                   ":%"});
    EXPECT_EQ(counted, expected) << step;
  }
  std::printf("history rows checked: %lld\n", static_cast<long long>(total_history));
  // No notification outlived its decision's rollback.
  auto orphans = (*db)->Exec("SELECT dedup_key FROM notifications WHERE dedup_key LIKE 'h%'");
  ASSERT_TRUE(orphans);
  for (const auto& r : orphans->rows) {
    std::string k = r.Text(0);
    int64_t hid = std::stoll(k.substr(1, k.find(':') - 1));
    EXPECT_EQ(one("SELECT COUNT(*) FROM review_history WHERE id = ?", {hid}), 1) << k;
  }
  db->reset();
  EXPECT_EQ(RunLep({"audit", "verify", "--data", dir}, dir), 0)
      << ReadFile(dir + "/cmd.out") << ReadFile(dir + "/cmd.err");
  EXPECT_NE(ReadFile(dir + "/cmd.out").find("审计日志完整"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace lep::testing
