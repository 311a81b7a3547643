// What one large upload costs the server in CPU, measured on the real binary (LEP_BIN) as a
// child process: the test sends a 96 MiB tus PATCH from its own process and reads the server's
// user + system time from /proc. Beast reads a body in pieces of the connection buffer's free
// capacity; left at what a header needs, that was 512-byte reads — about 10 ms of CPU per MiB,
// a 3 GB lecture half a minute of a core. The bound holds with room under ASan and fails by a
// wide margin with the small reads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/lep_process.h"
#include "integration/server_fixture.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) {
      stime = std::stod(field);
      break;
    }
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

TEST(UploadCpu, A96MiBPatchCostsTheServerLittleCpu) {
  if (std::getenv("LEP_TEST_PG_URL")) GTEST_SKIP() << "runs the binary on SQLite";
  const std::string dir =
      (fs::temp_directory_path() / ("lep-upload-cpu-" + std::to_string(::getpid()))).string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string data = dir + "/data";
  // No showcase: its transcodes would run beside the measurement.
  auto seeded = RunLep({"seed-demo", "--no-showcase", "--data", data}, dir);
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
  LepServer server(data, "serve");
  Client up(server.port());
  ASSERT_EQ(up.Login("gd_uploader").status, 200);
  auto created = up.Send("POST", "/api/v1/resources",
                         {{"title", "大文件上传的服务器开销"},
                          {"type", "A01"},
                          {"domain", "社区教育"},
                          {"summary", "上传开销测试"},
                          {"copyright_holder", "演示学院"},
                          {"presenters", "张演示"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const int64_t id = created.Json()["id"];

  const size_t length = 96u << 20;
  // One byte more is declared than sent, so the upload stays open: what is measured is
  // receiving (read, write, SHA-256, durable checkpoints), not the probe of random bytes.
  auto made = up.Request("POST", "/api/v1/uploads/", "",
                         {{"Tus-Resumable", "1.0.0"},
                          {"X-CSRF-Token", up.csrf},
                          {"Upload-Length", std::to_string(length + 1)},
                          {"Upload-Metadata", "resource_id " + uploads::Base64Encode(std::to_string(id)) +
                                                  ",filename " + uploads::Base64Encode("lecture.mp4")}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string loc = made.headers["location"];
  std::string body(length, '\0');
  for (size_t i = 0; i < length; ++i) body[i] = static_cast<char>((i * 2654435761u) >> 13);

  const double before = CpuSeconds(server.pid());
  auto patched = up.Request("PATCH", loc, body,
                            {{"Tus-Resumable", "1.0.0"},
                             {"X-CSRF-Token", up.csrf},
                             {"Upload-Offset", "0"},
                             {"Content-Type", "application/offset+octet-stream"}});
  const double cpu = CpuSeconds(server.pid()) - before;
  ASSERT_EQ(patched.status, 204) << patched.body;
  EXPECT_EQ(patched.headers["upload-offset"], std::to_string(length));
  // Measured on 2 shared cores under ASan: 0.35–0.55 s with 64 KiB reads, 9.8 s with the
  // 512-byte reads.
  EXPECT_LT(cpu, 1.2) << "server CPU seconds for a 96 MiB PATCH";
  std::cerr << "server CPU for a 96 MiB PATCH: " << cpu << " s\n";
  server.Terminate();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lep::testing
