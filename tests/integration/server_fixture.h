// TestServer: the real lep server on 127.0.0.1, port 0, over a fresh data directory with the
// demo data, driven by an injected FakeClock. Its database is SQLite in that directory, or,
// when LEP_TEST_PG_URL is set, a fresh PostgreSQL schema dropped on destruction.
// A second TestServer built from a first is another node of the same deployment: the same
// database and data directory (uploads, blobs), its own search index, the first's clock.
// Client: a tiny HTTP/1.1 client with a cookie jar and the CSRF header, for speaking to it
// like a browser would.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/app_context.h"
#include "core/clock.h"
#include "http/router.h"
#include "http/server.h"

namespace lep::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; last value wins
  std::vector<std::string> set_cookies;
  std::string body;
  nlohmann::json Json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class TestServer {
 public:
  // extra_routes lets a test add routes (e.g. a slow one) before the server starts.
  // configure may change the configuration before the context is built.
  explicit TestServer(std::function<void(http::Router&)> extra_routes = {},
                      std::function<void(Config&)> configure = {});
  // Another server on first's database and data directory (not seeded again).
  explicit TestServer(TestServer& first);
  ~TestServer();
  uint16_t port() const { return port_; }
  app::AppContext& ctx() { return *ctx_; }
  FakeClock& clock() { return *clock_ptr_; }
  void Stop();

 private:
  void Start(const Config& cfg, bool seed, const std::function<void(http::Router&)>& extra_routes);

  FakeClock clock_;
  FakeClock* clock_ptr_ = &clock_;
  bool owns_data_ = true;  // false for a second server: the first cleans up
  std::string dir_;
  std::string pg_schema_;  // set when running on PostgreSQL
  std::unique_ptr<app::AppContext> ctx_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  uint16_t port_ = 0;
};

// Waits (up to `limit`) until some open file description holds a write lock on `path` —
// an upload's .part file while a PATCH writes it — without taking the lock itself (F_OFD_GETLK),
// so the waiting cannot make the holder lose a race for it. True once held.
bool WaitUntilFileLocked(const std::string& path, std::chrono::milliseconds limit);

class Client {
 public:
  explicit Client(uint16_t port) : port_(port) {}
  HttpResult Request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     std::map<std::string, std::string> headers = {});
  HttpResult Get(const std::string& t) { return Request("GET", t); }
  // Sends JSON with the remembered CSRF token (when signed in).
  HttpResult Send(const std::string& method, const std::string& t, const nlohmann::json& body);
  // Signs in; remembers cookie and CSRF token. Returns the login response.
  HttpResult Login(const std::string& user, const std::string& password = "Lep@Demo2022");
  // Signs in with any login body (e.g. with totp_code).
  HttpResult LoginWith(const nlohmann::json& body);
  // The whole tus path for a file of a resource: create with Upload-Length, one PATCH. The
  // PATCH's answer (204 when stored), or the creation's when that was refused.
  HttpResult UploadWhole(int64_t resource_id, const std::string& bytes,
                         const std::string& filename, const std::string& kind = "media");
  std::string csrf;
  std::string cookie;  // "lep_session=..."

 private:
  uint16_t port_;
};

}  // namespace lep::testing
