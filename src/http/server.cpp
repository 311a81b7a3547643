#include "http/server.h"

#include "http/asio.h"  // first: Boost 1.74 awaitable needs <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "http/error_mapping.h"

namespace lep::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct Conn {
  explicit Conn(tcp::socket s) : stream(std::move(s)) {}
  beast::tcp_stream stream;
  std::atomic<bool> busy{false};
};

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

bool ValidRequestId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

Response Safely(const Handler& h, Request& req) {
  try {
    return h(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"level\":\"error\",\"rid\":\"%s\",\"msg\":\"handler threw\"}\n",
                 req.request_id.c_str());
    return Response::FromError(Error::Internal());
  }
}

}  // namespace

void IgnoreSigpipe() {
  struct sigaction sa {};
  sa.sa_handler = SIG_IGN;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGPIPE, &sa, nullptr);
}

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, Metrics& m)
      : opt(std::move(o)),
        router(r),
        metrics(m),
        workers(static_cast<size_t>(std::max(1, opt.worker_threads))),
        acceptor(ioc),
        signals(ioc),
        grace_timer(ioc) {
    IgnoreSigpipe();  // main() does it first; this keeps embedded servers (tests) safe too
  }

  ServerOptions opt;
  const Router& router;
  Metrics& metrics;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::set<std::shared_ptr<Conn>> conns;
  std::mutex log_mu;

  net::awaitable<void> Accept() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(net::make_strand(ioc));
      co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        if (stopping || ec == net::error::operation_aborted) co_return;
        continue;  // e.g. EMFILE: keep serving the connections we have
      }
      auto ex = socket.get_executor();
      net::co_spawn(ex, Session(std::move(socket)), net::detached);
    }
  }

  net::awaitable<Response> RunOnPool(const Handler& h, Request& req) {
    co_return co_await net::co_spawn(
        workers.get_executor(),
        [&]() -> net::awaitable<Response> { co_return Safely(h, req); }, net::use_awaitable);
  }

  // Runs f() on the worker pool and resumes on the connection's executor.
  template <typename F>
  net::awaitable<std::invoke_result_t<F&>> OnPool(F f) {
    using T = std::invoke_result_t<F&>;
    co_return co_await net::co_spawn(
        workers.get_executor(), [&]() -> net::awaitable<T> { co_return f(); },
        net::use_awaitable);
  }

  // Streams the body of a request into the route's BodySink in ≤ 1 MiB chunks.
  // Returns the response to send and whether the connection must close afterwards.
  net::awaitable<std::pair<Response, bool>> StreamBody(
      Conn& conn, beast::flat_buffer& buffer,
      bhttp::request_parser<bhttp::empty_body>& header_parser, const Route& route,
      Request& req, size_t limit) {
    auto begun = co_await OnPool([&]() -> std::variant<Response, std::unique_ptr<BodySink>> {
      try {
        return route.stream(req);
      } catch (const std::exception&) {
        return Response::FromError(Error::Internal());
      }
    });
    const auto& h = header_parser.get();
    bool has_body = h.chunked() || (header_parser.content_length() &&
                                    *header_parser.content_length() > 0);
    if (auto* r = std::get_if<Response>(&begun)) {
      // Refused before reading the body: close so unread bytes are not taken as a request.
      co_return std::make_pair(std::move(*r), has_body);
    }
    std::unique_ptr<BodySink> sink = std::move(std::get<std::unique_ptr<BodySink>>(begun));
    beast::error_code ec;
    auto expect = req.Header("expect");
    if (expect && (*expect == "100-continue" || *expect == "100-Continue")) {
      bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, h.version()};
      conn.stream.expires_after(opt.body_timeout);
      co_await bhttp::async_write(conn.stream, cont, net::redirect_error(net::use_awaitable, ec));
      if (ec) {
        co_await OnPool([&] { return sink->Finish(false); });
        Response gone;
        gone.status = 0;
        co_return std::make_pair(std::move(gone), true);
      }
    }
    bhttp::request_parser<bhttp::buffer_body> parser(std::move(header_parser));
    parser.body_limit(limit);
    std::vector<char> chunk(1 << 20);
    Status written = Ok();
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      conn.stream.expires_after(opt.body_timeout);
      co_await bhttp::async_read(conn.stream, buffer, parser,
                                 net::redirect_error(net::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      size_t n = chunk.size() - parser.get().body().size;
      if (n > 0) {
        written = co_await OnPool([&] { return sink->Write(std::string_view(chunk.data(), n)); });
        if (!written) break;
      }
      if (ec) break;
    }
    bool complete = written && !ec && parser.is_done();
    Response resp = co_await OnPool([&] { return sink->Finish(complete); });
    if (!written && resp.status < 400) resp = Response::FromError(written.error());
    co_return std::make_pair(std::move(resp), !complete);
  }

  // Writes resp; file bodies go out with sendfile(2) straight from the page cache.
  net::awaitable<bool> WriteResponse(Conn& conn, const Request& req, Response& resp,
                                     unsigned version, bool keep_alive) {
    beast::error_code ec;
    auto set_common = [&](auto& res) {
      res.set(bhttp::field::server, "lep");
      if (!resp.content_type.empty()) res.set(bhttp::field::content_type, resp.content_type);
      res.set("X-Request-Id", req.request_id);
      res.set("X-Content-Type-Options", "nosniff");
      res.set("Referrer-Policy", "same-origin");
      res.set("X-Frame-Options", "DENY");
      for (auto& [k, v] : resp.headers) res.set(k, v);
      res.keep_alive(keep_alive);
    };
    conn.stream.expires_after(opt.body_timeout);
    if (!resp.file) {
      bhttp::response<bhttp::string_body> res;
      res.version(version);
      res.result(static_cast<unsigned>(resp.status));
      set_common(res);
      res.body() = std::move(resp.body);
      res.prepare_payload();
      if (req.method == "HEAD") res.body().clear();
      bhttp::response_serializer<bhttp::string_body> sr{res};
      if (req.method == "HEAD") {
        co_await bhttp::async_write_header(conn.stream, sr,
                                           net::redirect_error(net::use_awaitable, ec));
      } else {
        co_await bhttp::async_write(conn.stream, sr, net::redirect_error(net::use_awaitable, ec));
      }
      co_return !ec;
    }
    const FileBody& fb = *resp.file;
    int fd = ::open(fb.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Response err = Response::FromError(Error::NotFound("文件不存在"));
      err.file.reset();
      resp = std::move(err);
      co_return co_await WriteResponse(conn, req, resp, version, keep_alive);
    }
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};
    bhttp::response<bhttp::empty_body> res;
    res.version(version);
    res.result(static_cast<unsigned>(resp.status));
    set_common(res);
    res.content_length(fb.length);
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    co_await bhttp::async_write_header(conn.stream, sr, net::redirect_error(net::use_awaitable, ec));
    if (ec) co_return false;
    if (req.method == "HEAD") co_return true;
    auto& sock = conn.stream.socket();
    sock.native_non_blocking(true, ec);
    off_t off = static_cast<off_t>(fb.offset);
    uint64_t remaining = fb.length;
    net::steady_timer timer(sock.get_executor());
    while (remaining > 0) {
      ssize_t n = ::sendfile(sock.native_handle(), fd, &off,
                             static_cast<size_t>(std::min<uint64_t>(remaining, 4u << 20)));
      if (n > 0) {
        remaining -= static_cast<uint64_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        timer.expires_after(opt.body_timeout);
        timer.async_wait([&sock](beast::error_code e) {
          if (!e) {
            beast::error_code ignored;
            sock.cancel(ignored);
          }
        });
        co_await sock.async_wait(tcp::socket::wait_write,
                                 net::redirect_error(net::use_awaitable, ec));
        timer.cancel();
        if (ec) co_return false;
        continue;
      }
      co_return false;  // error, or the file shrank under us
    }
    co_return true;
  }

  void Log(const Request& req, const std::string& route, int status, double seconds,
           size_t bytes) {
    if (!opt.access_log) return;
    nlohmann::json line = {{"ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()},
                           {"rid", req.request_id},
                           {"ip", req.remote_ip},
                           {"method", req.method},
                           {"path", req.path},
                           {"route", route},
                           {"status", status},
                           {"ms", seconds * 1000.0},
                           {"bytes", bytes}};
    std::string s = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    std::lock_guard lock(log_mu);
    std::fprintf(stderr, "%s\n", s.c_str());
  }

  void Unregister(const std::shared_ptr<Conn>& c) {
    std::lock_guard lock(mu);
    conns.erase(c);
    if (stopping && conns.empty()) grace_timer.cancel();
  }

  net::awaitable<void> Session(tcp::socket socket) {
    auto conn = std::make_shared<Conn>(std::move(socket));
    {
      std::lock_guard lock(mu);
      if (stopping) co_return;
      conns.insert(conn);
    }
    beast::error_code ec;
    std::string remote_ip;
    {
      auto ep = conn->stream.socket().remote_endpoint(ec);
      if (!ec) remote_ip = ep.address().to_string();
    }
    beast::flat_buffer buffer;
    bool first = true;
    try {
      for (;;) {
        conn->busy = false;
        if (stopping) break;
        bhttp::request_parser<bhttp::empty_body> header_parser;
        header_parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
        // Beast's default 1 MiB body limit would reject a large Content-Length while reading
        // the header; the route's own limit is applied right after the header is read.
        header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        conn->stream.expires_after(first ? opt.header_timeout : opt.idle_timeout);
        first = false;
        co_await bhttp::async_read_header(conn->stream, buffer, header_parser,
                                          net::redirect_error(net::use_awaitable, ec));
        if (ec) break;
        conn->busy = true;
        conn->stream.expires_after(opt.header_timeout);
        auto started = std::chrono::steady_clock::now();

        Request req;
        const auto& h = header_parser.get();
        req.method = std::string(h.method_string());
        req.target = std::string(h.target());
        req.remote_ip = remote_ip;
        for (const auto& field : h) {
          std::string name(field.name_string());
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          req.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        auto rid = req.Header("x-request-id");
        req.request_id = rid && ValidRequestId(*rid) ? std::string(*rid) : NewRequestId();
        std::string_view target = req.target;
        size_t qpos = target.find('?');
        auto decoded = PercentDecode(target.substr(0, qpos), false);
        req.path = decoded.value_or("");
        if (qpos != std::string_view::npos) req.query = ParseQuery(target.substr(qpos + 1));

        Match match = decoded ? router.Find(req.method, req.path) : Match{};
        size_t limit = match.route ? match.route->body_limit : 64 * 1024;
        // Beast checks Content-Length against body_limit only while parsing the header, which
        // is before the route is known: check it here; chunked bodies hit the parser's limit.
        auto declared = header_parser.content_length();
        bool too_large = declared && *declared > limit;
        unsigned version = header_parser.get().version();
        bool client_keep_alive = header_parser.get().keep_alive();
        Response resp;
        bool close_after = false;
        std::string route_name = match.route ? match.route->pattern : "unmatched";
        if (too_large) {
          resp = Response::FromError(Error{ErrorCode::kPayloadTooLarge,
                                           "请求内容过大，超过此接口允许的 " +
                                               std::to_string(limit) + " 字节",
                                           {},
                                           std::nullopt});
          close_after = true;
        } else if (match.route && match.route->stream) {
          req.params = std::move(match.params);
          auto [r, must_close] =
              co_await StreamBody(*conn, buffer, header_parser, *match.route, req, limit);
          resp = std::move(r);
          close_after = must_close;
          if (resp.status == 0) break;  // client vanished mid-body: nobody to answer
        } else {
          bhttp::request_parser<bhttp::string_body> parser(std::move(header_parser));
          parser.body_limit(limit);
          conn->stream.expires_after(opt.body_timeout);
          if (!parser.is_done()) {
            co_await bhttp::async_read(conn->stream, buffer, parser,
                                       net::redirect_error(net::use_awaitable, ec));
          }
          if (ec == bhttp::error::body_limit) {
            resp = Response::FromError(Error{ErrorCode::kPayloadTooLarge,
                                             "请求内容过大，超过此接口允许的 " +
                                                 std::to_string(limit) + " 字节",
                                             {},
                                             std::nullopt});
            close_after = true;
          } else if (ec) {
            break;
          } else {
            req.body = std::move(parser.get().body());
            if (!decoded) {
              resp = Response::FromError(Error::InvalidArgument("请求路径编码不正确"));
            } else if (match.route) {
              req.params = std::move(match.params);
              resp = co_await RunOnPool(match.route->handler, req);
            } else if (match.method_mismatch) {
              resp = Response::FromError(Error{ErrorCode::kFailedPrecondition,
                                               "此接口不支持该请求方法", {}, std::nullopt});
              resp.status = 405;
            } else if ((req.method == "GET" || req.method == "HEAD") && router.fallback()) {
              route_name = "static";
              resp = co_await RunOnPool(router.fallback(), req);
            } else {
              resp = Response::FromError(Error::NotFound("接口不存在"));
            }
          }
        }
        bool keep_alive = !close_after && !stopping && client_keep_alive;
        size_t bytes = resp.file ? resp.file->length : resp.body.size();
        int status = resp.status;
        bool ok = co_await WriteResponse(*conn, req, resp, version, keep_alive);
        if (!ok) ec = net::error::broken_pipe;
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                          .count();
        metrics.Observe(req.method, route_name, status, secs);
        Log(req, route_name, status, secs, bytes);
        if (ec || !keep_alive) break;
      }
    } catch (const std::exception&) {
      // A broken connection must never take the server down.
    }
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn->stream.socket().close(ec);
    Unregister(conn);
  }

  void BeginShutdown() {
    if (stopping.exchange(true)) return;
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
    std::vector<std::shared_ptr<Conn>> idle;
    {
      std::lock_guard lock(mu);
      for (const auto& c : conns) {
        if (!c->busy) idle.push_back(c);
      }
      if (conns.empty()) return;
    }
    for (const auto& c : idle) {
      net::post(c->stream.get_executor(), [c] {
        beast::error_code e;
        c->stream.socket().cancel(e);
      });
    }
    grace_timer.expires_after(opt.shutdown_grace);
    grace_timer.async_wait([this](beast::error_code e) {
      if (!e) ioc.stop();
    });
  }
};

Server::Server(ServerOptions options, const Router& router, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}

Server::~Server() {
  impl_->workers.join();
}

bool Server::Bind(std::string* error) {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->opt.host, ec);
  if (ec) {
    *error = "监听地址无效: " + impl_->opt.host;
    return false;
  }
  tcp::endpoint ep(address, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "无法监听 " + impl_->opt.host + ":" + std::to_string(impl_->opt.port) + "：" +
             ec.message();
    return false;
  }
  return true;
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void Server::Run() {
  Impl& im = *impl_;
  if (im.opt.handle_signals) {
    im.signals.add(SIGINT);
    im.signals.add(SIGTERM);
    im.signals.async_wait([&im](beast::error_code ec, int) {
      if (!ec) im.BeginShutdown();
    });
  }
  net::co_spawn(im.ioc, im.Accept(), net::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < im.opt.io_threads; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
}

void Server::Stop() {
  net::post(impl_->ioc, [im = impl_.get()] { im->BeginShutdown(); });
}

}  // namespace lep::http
