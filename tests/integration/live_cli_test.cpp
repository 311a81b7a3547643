// Every `lep` command beside a live `lep serve` (issue 14 item 10, issue 17 item 5), with the
// real binary (LEP_BIN) on 127.0.0.1: while a client keeps writing, migrate, seed-demo, user
// add, import, check-links, audit verify/anchor, fixity, reindex, backup, restore
// --verify-only and totp code all succeed; the backup restores into a new directory whose
// server serves the uploaded media with the same SHA-256 and whose audit chain verifies; a
// backup with one flipped byte is refused and nothing is restored from it.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/lep_process.h"
#include "integration/server_fixture.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  static const char* k = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += k[out[i] >> 4];
    hex += k[out[i] & 15];
  }
  return hex;
}

json Resource(const std::string& title) {
  return {{"title", title},
          {"type", "A01"},
          {"domain", "社区教育"},
          {"summary", "在线运维测试"},
          {"copyright_holder", "演示学院"},
          {"presenters", "张演示"}};
}

class LiveCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("LEP_TEST_PG_URL")) GTEST_SKIP() << "runs the binary on SQLite";
    dir_ = (fs::temp_directory_path() / ("lep-live-cli-" + std::to_string(::getpid()))).string();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    data_ = dir_ + "/data";
    auto seeded = Run({"seed-demo", "--data", data_});
    ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
    // check-links may reach the server itself (a loopback address) in this test only.
    config_ = dir_ + "/lep.toml";
    std::ofstream(config_) << "[link_check]\ntest_allow_cidrs = [\"127.0.0.1/32\"]\n";
    int rc = std::system(("ffmpeg -v error -y -f lavfi -i testsrc=size=1280x720:rate=25 -f lavfi "
                          "-i sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt yuv420p -b:v 3M "
                          "-minrate 3M -maxrate 3M -bufsize 1M -x264-params nal-hrd=cbr -c:a aac "
                          "-movflags +faststart " +
                          dir_ + "/lecture.mp4")
                             .c_str());
    ASSERT_EQ(rc, 0) << "ffmpeg";
    media_ = ReadWholeFile(dir_ + "/lecture.mp4");
  }
  void TearDown() override {
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_);
  }

  CommandResult Run(const std::vector<std::string>& args) { return RunLep(args, dir_); }

  // A draft resource of gd_uploader's unit with media uploaded over tus; returns its id.
  int64_t UploadMedia(Client& up) {
    auto created = up.Send("POST", "/api/v1/resources", Resource("在线备份演练·第一讲"));
    EXPECT_EQ(created.status, 201) << created.body;
    int64_t id = created.Json()["id"];
    auto p = up.UploadWhole(id, media_, "第一讲.mp4");
    EXPECT_EQ(p.status, 204) << p.body;
    return id;
  }

  std::string dir_, data_, config_, media_;
};

TEST_F(LiveCliTest, EveryCommandRunsBesideALiveServerAndTheBackupRestores) {
  auto server =
      std::make_unique<LepServer>(data_, "serve", std::vector<std::string>{"--config", config_});
  const uint16_t port = server->port();
  Client up(port);
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  const int64_t media_id = UploadMedia(up);
  const std::string media_sha = Sha256Hex(media_);
  auto m = up.Get("/api/v1/resources/" + std::to_string(media_id) + "/media");
  ASSERT_EQ(m.status, 200) << m.body;
  ASSERT_EQ(m.Json()["media"]["sha256"], media_sha);
  json course = Resource("在线备份演练·网络课程");
  course["type"] = "A03";
  course["link"] = "http://127.0.0.1:" + std::to_string(port) + "/healthz";
  ASSERT_EQ(up.Send("POST", "/api/v1/resources", course).status, 201);
  int64_t unit = up.Get("/api/v1/me").Json()["user"]["org_id"];
  ASSERT_GT(unit, 0);

  // A client keeps writing: resources, edits, audited failed sign-ins.
  std::atomic<bool> stop{false};
  std::atomic<int> writes{0};
  std::vector<std::string> failures;
  std::thread writer([&] {
    Client c(port);
    if (c.Login("gd_uploader").status != 200) {
      failures.push_back("login");
      return;
    }
    for (int i = 0; !stop; ++i) {
      auto r = c.Send("POST", "/api/v1/resources", Resource("写入中的资源" + std::to_string(i)));
      if (r.status != 201) {
        failures.push_back("create " + std::to_string(r.status) + " " + r.body);
        continue;
      }
      json edit = Resource("写入中的资源（已修改）" + std::to_string(i));
      edit["version"] = r.Json()["version"];
      auto e =
          c.Send("PUT", "/api/v1/resources/" + std::to_string(r.Json()["id"].get<int64_t>()), edit);
      if (e.status != 200) failures.push_back("update " + std::to_string(e.status) + " " + e.body);
      writes += 2;
      if (i % 10 == 0) {  // within the per-address sign-in limit
        Client stranger(port);
        auto bad = stranger.Login("no_such_account_" + std::to_string(i), "wrong-password");
        if (bad.status != 401) failures.push_back("bad login " + std::to_string(bad.status));
        writes += 1;
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  while (writes < 6) std::this_thread::sleep_for(20ms);

  std::string csv = dir_ + "/import.csv";
  std::ofstream(csv)
      << "所属顺序,资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人,所属系列,创建时间\n"
         "01,导入第一讲,A01,社区教育,简介,演示学院,甲,导入系列,2022-03-01\n"
         "02,导入第二讲,A01,社区教育,简介,演示学院,乙,导入系列,2022-03-02\n";
  struct Step {
    std::vector<std::string> args;
    std::string expect_out;  // a piece of stdout that proves the command did its work
  };
  const std::vector<Step> steps = {
      {{"migrate", "--data", data_}, "数据库已迁移"},
      {{"seed-demo", "--data", data_}, "演示数据已存在"},
      {{"user", "add", "--data", data_, "--username", "ops_live", "--role", "platform_admin",
        "--password", "Ops@Live2022x"},
       "已开设账号 ops_live"},
      {{"import", csv, "--unit", std::to_string(unit), "--data", data_}, "已导入 2 个资源"},
      {{"check-links", "--config", config_, "--data", data_}, "共检查 1 个链接，0 个不可访问"},
      {{"audit", "verify", "--data", data_}, "审计日志完整"},
      {{"audit", "anchor", "--data", data_}, "已锚定链头"},
      {{"fixity", "--data", data_}, "字节），0 个不一致"},
      {{"reindex", "--wait", "120", "--data", data_}, "运行中的服务器已重建检索索引"},
      {{"backup", "--out", dir_ + "/backup", "--without-key", "--data", data_}, "备份完成"},
      {{"restore", "--from", dir_ + "/backup", "--data", dir_ + "/scratch", "--verify-only"},
       "备份校验通过"},
      {{"totp", "code", "--secret", "JBSWY3DPEHPK3PXP"}, ""},
  };
  for (const auto& step : steps) {
    auto r = Run(step.args);
    EXPECT_EQ(r.exit_code, 0) << step.args[0] << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(step.expect_out), std::string::npos) << step.args[0] << "\n" << r.out;
  }
  stop = true;
  writer.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  EXPECT_GT(writes.load(), 6);
  // The live server works with what the commands wrote: the account opened from the shell
  // signs in there, and search (rebuilt while serving) answers.
  EXPECT_EQ(Client(port).Login("ops_live", "Ops@Live2022x").status, 200);
  EXPECT_EQ(Client(port).Get("/api/v1/portal/search?q=test").status, 200);
  EXPECT_EQ(Client(port).Get("/healthz").status, 200);

  // The backup restores into a new directory: same media bytes, intact audit chain.
  auto restored = Run({"restore", "--from", dir_ + "/backup", "--data", dir_ + "/restored", "--key",
                       data_ + "/secrets/lep.key"});
  ASSERT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  EXPECT_EQ(Run({"audit", "verify", "--data", dir_ + "/restored"}).exit_code, 0);
  {
    LepServer again(dir_ + "/restored", "restored");
    Client r(again.port());
    ASSERT_EQ(r.Login("gd_uploader").status, 200);
    auto bytes = r.Get("/media/resources/" + std::to_string(media_id));
    ASSERT_EQ(bytes.status, 200);
    EXPECT_EQ(Sha256Hex(bytes.body), media_sha);
    EXPECT_EQ(again.Terminate(), 0);
  }

  // One flipped byte in the media blob: the backup is refused, nothing is written.
  fs::copy(dir_ + "/backup", dir_ + "/flipped", fs::copy_options::recursive);
  fs::path largest;
  for (const auto& e : fs::recursive_directory_iterator(dir_ + "/flipped/blobs")) {
    if (e.is_regular_file() && (largest.empty() || e.file_size() > fs::file_size(largest))) {
      largest = e.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  {
    std::fstream f(largest, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(largest) / 2));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x01);
    f.seekp(static_cast<std::streamoff>(fs::file_size(largest) / 2));
    f.write(&c, 1);
  }
  auto verify =
      Run({"restore", "--from", dir_ + "/flipped", "--data", dir_ + "/never", "--verify-only"});
  EXPECT_NE(verify.exit_code, 0);
  EXPECT_NE(verify.err.find("SHA-256 不一致"), std::string::npos) << verify.err;
  auto refused = Run({"restore", "--from", dir_ + "/flipped", "--data", dir_ + "/never", "--key",
                      data_ + "/secrets/lep.key"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_FALSE(fs::exists(dir_ + "/never/lep.db"));
  EXPECT_EQ(server->Terminate(), 0);
}

}  // namespace
}  // namespace lep::testing
