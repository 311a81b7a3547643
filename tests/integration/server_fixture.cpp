#include "integration/server_fixture.h"

#include "http/asio.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "app/routes.h"
#include "app/seed.h"
#include "storage/db/postgres/postgres_database.h"
#include "uploads/tus_headers.h"

namespace lep::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

// Runs one statement on the PostgreSQL test database named by LEP_TEST_PG_URL.
void PgAdmin(const std::string& sql) {
  auto db = storage::PostgresDatabase::Open(std::getenv("LEP_TEST_PG_URL"), 1);
  if (!db) throw std::runtime_error(db.error().message);
  auto r = (*db)->Exec(sql);
  if (!r) throw std::runtime_error(r.error().message);
}

}  // namespace

TestServer::TestServer(std::function<void(http::Router&)> extra_routes,
                       std::function<void(Config&)> configure) {
  static int counter = 0;
  dir_ = (std::filesystem::temp_directory_path() /
          ("lep-it-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
             .string();
  std::filesystem::remove_all(dir_);
  Config cfg;
  cfg.data_dir = dir_;
  if (const char* pg = std::getenv("LEP_TEST_PG_URL"); pg && *pg) {
    // A schema per server; every pooled connection selects it through libpq `options`.
    std::string base = pg;
    pg_schema_ = "lep_it_" + std::to_string(::getpid()) + "_" + std::to_string(counter - 1);
    PgAdmin("DROP SCHEMA IF EXISTS " + pg_schema_ + " CASCADE");
    PgAdmin("CREATE SCHEMA " + pg_schema_);
    cfg.database_url = base + (base.find('?') == std::string::npos ? "?" : "&") +
                       "options=-csearch_path%3D" + pg_schema_;
  }
  cfg.argon2_opslimit = 1;
  cfg.argon2_memlimit = 8192;
  cfg.link_check_allow = {"127.0.0.1/32"};  // test only: A03 links point at this server
  // Tests move the fake clock by weeks (deadlines); two-factor enforcement has its own tests
  // (security_api_test.cpp), which turn it back on.
  cfg.require_two_factor = false;
  if (configure) configure(cfg);
  Start(cfg, /*seed=*/true, extra_routes);
}

TestServer::TestServer(TestServer& first)
    : clock_ptr_(first.clock_ptr_), owns_data_(false), dir_(first.dir_) {
  static int node = 0;
  Config cfg = first.ctx().config;
  cfg.search_dir = dir_ + "/search-node" + std::to_string(++node);
  Start(cfg, /*seed=*/false, {});
}

void TestServer::Start(const Config& cfg, bool seed,
                       const std::function<void(http::Router&)>& extra_routes) {
  auto ctx = app::BuildAppContext(cfg, clock_ptr_, /*migrate=*/true);
  if (!ctx) throw std::runtime_error(ctx.error().message);
  ctx_ = std::move(*ctx);
  if (seed) {
    auto seeded = app::SeedDemo(*ctx_);  // includes the base data (root, categories)
    if (!seeded) throw std::runtime_error(seeded.error().message);
  }
  router_ = app::BuildRouter(*ctx_);
  if (extra_routes) extra_routes(router_);
  http::ServerOptions opts;
  opts.host = "127.0.0.1";
  opts.port = 0;
  opts.handle_signals = false;
  opts.access_log = false;
  opts.worker_threads = 4;
  server_ = std::make_unique<http::Server>(opts, router_, ctx_->metrics);
  std::string error;
  if (!server_->Bind(&error)) throw std::runtime_error(error);
  port_ = server_->port();
  thread_ = std::thread([this] { server_->Run(); });
}

void TestServer::Stop() {
  if (thread_.joinable()) {
    server_->Stop();
    thread_.join();
  }
}

TestServer::~TestServer() {
  Stop();
  server_.reset();
  ctx_.reset();
  if (!owns_data_) return;
  std::filesystem::remove_all(dir_);
  if (!pg_schema_.empty()) {
    try {
      PgAdmin("DROP SCHEMA " + pg_schema_ + " CASCADE");
    } catch (const std::exception&) {
      // Leftover schemas die with the throw-away cluster.
    }
  }
}

HttpResult Client::Request(const std::string& method, const std::string& target,
                           const std::string& body, std::map<std::string, std::string> headers) {
  net::io_context ioc;
  net::ip::tcp::socket socket(ioc);
  socket.connect({net::ip::make_address("127.0.0.1"), port_});
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
  if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
  for (auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  if (method == "HEAD") parser.skip(true);
  bhttp::read(socket, buffer, parser);
  auto& res = parser.get();
  HttpResult out;
  out.status = res.result_int();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
    if (name == "set-cookie") out.set_cookies.emplace_back(f.value());
  }
  out.body = res.body();
  beast::error_code ec;
  socket.shutdown(net::ip::tcp::socket::shutdown_both, ec);
  return out;
}

HttpResult Client::Send(const std::string& method, const std::string& t,
                        const nlohmann::json& body) {
  std::map<std::string, std::string> h;
  if (!csrf.empty()) h["X-CSRF-Token"] = csrf;
  return Request(method, t, body.dump(), h);
}

HttpResult Client::Login(const std::string& user, const std::string& password) {
  return LoginWith({{"username", user}, {"password", password}});
}

HttpResult Client::LoginWith(const nlohmann::json& body) {
  auto r = Request("POST", "/api/v1/auth/login", body.dump());
  if (r.status == 200) {
    csrf = r.Json()["csrf_token"];
    for (const auto& c : r.set_cookies) {
      if (c.rfind("lep_session=", 0) == 0) cookie = c.substr(0, c.find(';'));
    }
  }
  return r;
}

HttpResult Client::UploadWhole(int64_t resource_id, const std::string& bytes,
                               const std::string& filename, const std::string& kind) {
  const std::string meta = "resource_id " + uploads::Base64Encode(std::to_string(resource_id)) +
                           ",filename " + uploads::Base64Encode(filename) + ",kind " +
                           uploads::Base64Encode(kind);
  auto created = Request("POST", "/api/v1/uploads/", "",
                         {{"Tus-Resumable", "1.0.0"},
                          {"X-CSRF-Token", csrf},
                          {"Upload-Length", std::to_string(bytes.size())},
                          {"Upload-Metadata", meta}});
  if (created.status != 201) return created;
  return Request("PATCH", created.headers["location"], bytes,
                 {{"Tus-Resumable", "1.0.0"},
                  {"X-CSRF-Token", csrf},
                  {"Upload-Offset", "0"},
                  {"Content-Type", "application/offset+octet-stream"}});
}

bool WaitUntilFileLocked(const std::string& path, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  do {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      struct flock fl {};
      fl.l_type = F_WRLCK;  // "could I take a write lock?" — answered, never taken
      fl.l_whence = SEEK_SET;
      bool held = ::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
      ::close(fd);
      if (held) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

}  // namespace lep::testing
