// Transcoding workers that scale out (issue 18 item 2), with the real `lep worker` binary
// (LEP_BIN) on one database and one data directory: two workers never take the same job, and
// a worker killed with -9 in the middle of a transcode leaves no ffmpeg behind and its job to
// another worker once the lease has run out. The database is SQLite in the data directory, or
// PostgreSQL when LEP_TEST_PG_URL is set (FOR UPDATE SKIP LOCKED).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "integration/server_fixture.h"
#include "video/video_service.h"

extern char** environ;

namespace lep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t SpawnWorker(const std::string& config, const std::string& data, const std::string& log) {
  std::vector<std::string> args = {LEP_BIN, "worker", "--config", config, "--data", data};
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, LEP_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("posix_spawn failed");
  return pid;
}

int Reap(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Processes whose command line mentions `needle` (e.g. ffmpeg children reading our blobs).
std::vector<pid_t> ProcessesMentioning(const std::string& exe, const std::string& needle) {
  std::vector<pid_t> out;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmd = ReadFile(e.path().string() + "/cmdline");
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.rfind(exe, 0) == 0 && cmd.find(needle) != std::string::npos) {
      out.push_back(std::stoi(name));
    }
  }
  return out;
}

class VideoWorkersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.clock().SetMs(1652140800000);
    data_ = server_.ctx().config.data_dir;
    work_ = data_ + "-work";
    fs::create_directories(work_);
    // Short leases so that a dead worker's job comes back within seconds.
    config_ = work_ + "/worker.toml";
    std::ofstream(config_) << "[jobs]\nlease_seconds = 3\n[video]\npreset = \"ultrafast\"\n"
                              "ffmpeg_threads = 1\nsegment_seconds = 1\n"
                           << (server_.ctx().config.database_url.empty()
                                   ? ""
                                   : "[database]\nurl = \"" + server_.ctx().config.database_url +
                                         "\"\n");
    ASSERT_EQ(up_.Login("gd_uploader").status, 200);
  }
  void TearDown() override {
    for (pid_t p : workers_) {
      kill(p, SIGKILL);
      Reap(p);
    }
    fs::remove_all(work_);
  }

  void MakeClip(const std::string& name, int seconds) {
    ASSERT_EQ(std::system(("ffmpeg -nostdin -v error -y -f lavfi -i "
                           "testsrc2=size=1280x720:rate=25 -f lavfi -i "
                           "sine=frequency=440:sample_rate=44100 -t " +
                           std::to_string(seconds) +
                           " -c:v libx264 -preset ultrafast -b:v 3M -minrate 3M -maxrate 3M "
                           "-bufsize 1M -x264-params nal-hrd=cbr -pix_fmt yuv420p -c:a aac "
                           "-movflags +faststart " +
                           work_ + "/" + name)
                              .c_str()),
              0);
  }

  // A video resource whose passing media were just stored: one transcode job queued.
  int64_t VideoWithMedia(const std::string& title, const std::string& clip) {
    auto r = up_.Send("POST", "/api/v1/resources",
                      {{"title", title},
                       {"type", "A01"},
                       {"domain", "社区教育"},
                       {"summary", "简介"},
                       {"copyright_holder", "演示学院"},
                       {"presenters", "张演示"}});
    EXPECT_EQ(r.status, 201) << r.body;
    int64_t id = r.Json()["id"];
    std::string tmp = server_.ctx().blobs->TempDir() + "/w-" + std::to_string(id);
    fs::copy_file(work_ + "/" + clip, tmp);
    uploads::Upload u;
    u.resource_id = id;
    u.kind = "media";
    u.filename = clip;
    u.length = fs::file_size(tmp);
    u.sha256 = std::string(64, '0');
    EXPECT_TRUE(server_.ctx().ingest->OnUploadComplete(u, tmp));
    return id;
  }

  jobs::Job JobOf(int64_t resource_id) {
    auto j = server_.ctx().job_queue->Latest(resource_id, video::kTranscodeJob);
    EXPECT_TRUE(j && *j);
    return j && *j ? **j : jobs::Job{};
  }

  bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(100ms);
    }
    return done();
  }

  pid_t StartWorker(const std::string& name) {
    pid_t p = SpawnWorker(config_, data_, work_ + "/" + name + ".log");
    workers_.push_back(p);
    return p;
  }
  void Stop(pid_t p) {
    kill(p, SIGTERM);
    EXPECT_EQ(Reap(p), 0);
    workers_.erase(std::remove(workers_.begin(), workers_.end(), p), workers_.end());
  }

  TestServer server_;
  Client up_{server_.port()};
  std::string data_, work_, config_;
  std::vector<pid_t> workers_;
};

TEST_F(VideoWorkersTest, TwoWorkersNeverTakeTheSameJob) {
  MakeClip("clip.mp4", 2);
  std::vector<int64_t> ids;
  for (int i = 0; i < 4; ++i)
    ids.push_back(VideoWithMedia("并行转码" + std::to_string(i), "clip.mp4"));
  pid_t a = StartWorker("a");
  pid_t b = StartWorker("b");
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int64_t id : ids) {
          if (JobOf(id).state != jobs::JobState::kDone) return false;
        }
        return true;
      },
      300s))
      << ReadFile(work_ + "/a.log") << ReadFile(work_ + "/b.log");
  Stop(a);
  Stop(b);
  // Each job ran once: claimed once, transcoded once (the workers log each ladder they make).
  std::string logs = ReadFile(work_ + "/a.log") + ReadFile(work_ + "/b.log");
  std::set<std::string> owners;
  for (int64_t id : ids) {
    jobs::Job j = JobOf(id);
    EXPECT_EQ(j.attempts, 1) << "resource " << id;
    std::regex made("\"msg\":\"transcoded\",\"resource\":" + std::to_string(id) +
                    ",\"job\":" + std::to_string(j.id) + ",");
    auto n =
        std::distance(std::sregex_iterator(logs.begin(), logs.end(), made), std::sregex_iterator());
    EXPECT_EQ(n, 1) << "resource " << id << "\n" << logs;
    auto ladder = server_.ctx().video_repo->GetLadder(id);
    ASSERT_TRUE(ladder && *ladder);
    const std::string& by = (*ladder)->made_by;
    EXPECT_TRUE(by.find(":" + std::to_string(a) + ":") != std::string::npos ||
                by.find(":" + std::to_string(b) + ":") != std::string::npos)
        << by;
    owners.insert(by);
    // The HLS is there for the owner to play.
    EXPECT_EQ(up_.Get("/media/resources/" + std::to_string(id) + "/hls/master.m3u8").status, 200);
  }
  EXPECT_GE(owners.size(), 1u);
}

TEST_F(VideoWorkersTest, AWorkerKilledMidJobLeavesItToAnother) {
  MakeClip("long.mp4", 16);
  int64_t id = VideoWithMedia("断电转码", "long.mp4");
  pid_t a = StartWorker("a");
  // Wait until A holds the job and ffmpeg is at work, then kill A with -9.
  ASSERT_TRUE(WaitFor(
      [&] {
        jobs::Job j = JobOf(id);
        return j.state == jobs::JobState::kRunning &&
               j.lease_owner.find(":" + std::to_string(a) + ":") != std::string::npos &&
               !ProcessesMentioning("/usr/bin/ffmpeg", data_).empty();
      },
      120s))
      << ReadFile(work_ + "/a.log");
  std::this_thread::sleep_for(1500ms);
  ASSERT_EQ(JobOf(id).state, jobs::JobState::kRunning) << "the job finished before the kill";
  kill(a, SIGKILL);
  EXPECT_EQ(Reap(a), 128 + SIGKILL);
  workers_.erase(std::remove(workers_.begin(), workers_.end(), a), workers_.end());
  // Its ffmpeg died with it (PR_SET_PDEATHSIG; failing that, at its next progress write to
  // the closed pipe), leaving nothing that writes into our blobs.
  EXPECT_TRUE(WaitFor([&] { return ProcessesMentioning("/usr/bin/ffmpeg", data_).empty(); }, 10s));
  EXPECT_FALSE(server_.ctx().video_repo->GetLadder(id).value().has_value());

  // Another worker takes the job once A's lease has run out, and finishes it.
  pid_t b = StartWorker("b");
  ASSERT_TRUE(WaitFor([&] { return JobOf(id).state == jobs::JobState::kDone; }, 300s))
      << ReadFile(work_ + "/b.log");
  Stop(b);
  jobs::Job j = JobOf(id);
  EXPECT_EQ(j.attempts, 2);
  auto ladder = server_.ctx().video_repo->GetLadder(id);
  ASSERT_TRUE(ladder && *ladder);
  EXPECT_NE((*ladder)->made_by.find(":" + std::to_string(b) + ":"), std::string::npos);
  EXPECT_EQ((*ladder)->renditions.size(), 4u);
  // A's half-finished working directory was cleared by B.
  size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(server_.ctx().blobs->TempDir())) {
    leftovers += e.path().filename().string().rfind("video-", 0) == 0;
  }
  EXPECT_EQ(leftovers, 0u);
  auto master = up_.Get("/media/resources/" + std::to_string(id) + "/hls/master.m3u8");
  EXPECT_EQ(master.status, 200);
  EXPECT_NE(master.body.find("RESOLUTION=1280x720"), std::string::npos);
}

}  // namespace
}  // namespace lep::testing
