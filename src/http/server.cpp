#include "http/server.h"

#include "http/asio.h"  // first: Boost 1.74 awaitable needs <utility>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <limits>
#include <list>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "http/error_mapping.h"

namespace lep::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct Conn {
  Conn(tcp::socket s, std::string ip, std::string key)
      : stream(std::move(s)), remote_ip(std::move(ip)), address_key(std::move(key)) {}
  beast::tcp_stream stream;
  const std::string remote_ip;
  const std::string address_key;  // the per-address bucket: IPv4 address or IPv6 /64
  std::atomic<bool> busy{false};
  // Set (on the connection's strand) when the connection was chosen to make room: it ends
  // after the request it may be serving.
  bool evicted = false;
  // Position in Server::Impl::waiting while the connection waits for a request header.
  std::optional<std::list<std::shared_ptr<Conn>>::iterator> waiting_pos;
};

// A streamed body reaches its sink in chunks of this size (two per streaming connection: one
// being read, one being written). Each chunk costs two thread hand-offs, which on a busy
// machine wait for the scheduler: 4 MiB keeps that to a few per second of a fast upload.
constexpr size_t kStreamChunk = 4 << 20;
// Beast reads a body from the socket into the connection's buffer in pieces of at most its free
// capacity (never less than 512 bytes, never more than 64 KiB). After a small header that
// capacity is tiny: without room made first, a 3 GB upload would take six million recvmsg
// calls (measured: 512-byte reads, 10 ms of CPU per MiB). The room is given back after the body.
constexpr size_t kBodyReadRoom = 64 * 1024;

// One BodySink::Write running on the worker pool while the connection's coroutine reads the
// next chunk. Start and the completion run on the connection's strand; the coroutine waits on
// the timer, which the completion cancels (done covers a completion that came first).
struct InflightWrite : std::enable_shared_from_this<InflightWrite> {
  explicit InflightWrite(net::any_io_executor ex)
      : strand(ex), timer(ex, net::steady_timer::time_point::max()) {}
  template <typename Executor, typename F>
  void Start(Executor pool, F f) {
    active = true;
    done = false;
    timer.expires_at(net::steady_timer::time_point::max());
    net::post(pool, [self = shared_from_this(), f = std::move(f)]() mutable {
      Status st = f();
      net::post(self->strand, [self, st = std::move(st)]() mutable {
        self->result = std::move(st);
        self->done = true;
        self->timer.cancel();
      });
    });
  }
  net::any_io_executor strand;
  net::steady_timer timer;
  bool active = false;
  bool done = false;
  Status result = Ok();
};

// IPv4 (also when mapped into IPv6) by address; IPv6 by its /64, the block one subscriber
// usually holds.
std::string AddressKey(const net::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
  }
  if (a.is_v4()) return a.to_string();
  auto bytes = a.to_v6().to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return net::ip::address_v6(bytes).to_string() + "/64";
}

std::string ClientIp(const net::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, a.to_v6()).to_string();
  }
  return a.to_string();
}

// Closes a connection we will not serve with a reset: nothing is read, and no TIME_WAIT
// state is left behind for a flood of them.
void Refuse(tcp::socket& socket) {
  beast::error_code ec;
  socket.set_option(net::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

bool OutOfResources(const beast::error_code& ec) {
  if (ec.category() != boost::system::system_category()) return false;
  int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

void LogLine(const nlohmann::json& line) {
  std::string s = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(stderr, "%s\n", s.c_str());
}

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

// The route's fast handler on the I/O thread; an exception passes the request on to the
// pool (where the handler answers it, or fails the usual way).
std::optional<Response> TryFast(const Route& route, Request& req) {
  try {
    std::optional<Response> resp = route.fast(req);
    if (!resp) req.guards_done = true;
    return resp;
  } catch (const std::exception&) {
    return std::nullopt;  // (its guards run again with the handler)
  }
}

Response Safely(const Handler& h, Request& req) {
  try {
    return h(req);
  } catch (const std::exception& e) {
    return Response::FromError(Error::Internal(std::string("处理请求时发生异常：") + e.what()));
  }
}

// A 500 keeps its details for the log and shows the client only the generic message with
// the request id. Returns the details (the original message, or the body) to log.
std::string ScrubInternalError(const Request& req, Response& resp) {
  std::string detail;
  auto body = nlohmann::json::parse(resp.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object() &&
      body["error"].contains("message") && body["error"]["message"].is_string()) {
    detail = body["error"]["message"].get<std::string>();
  } else {
    detail = resp.body.substr(0, 2000);
  }
  resp.body = InternalErrorBody(req.request_id).dump();
  resp.content_type = "application/json; charset=utf-8";
  return detail;
}

}  // namespace

void RaiseOpenFileLimit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) return;
  rl.rlim_cur = rl.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &rl);
}

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
        grace_timer(ioc),
        accept_backoff(ioc) {
    IgnoreSigpipe();  // main() does it first; this keeps embedded servers (tests) safe too
    max_conns = std::max<size_t>(1, opt.max_connections);
  }

  ServerOptions opt;
  const Router& router;
  Metrics& metrics;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer grace_timer;
  net::steady_timer accept_backoff;
  std::atomic<bool> stopping{false};
  size_t max_conns = 0;  // set by Bind()
  std::mutex mu;
  std::set<std::shared_ptr<Conn>> conns;
  std::unordered_map<std::string, size_t> per_address;  // address key -> open connections
  // Connections waiting for a request header, longest-waiting first: the ones to close when
  // the server is full.
  std::list<std::shared_ptr<Conn>> waiting;
  // Refused connections since the last warning (logged at most every 10 s).
  uint64_t refused_full = 0, refused_address = 0;
  std::chrono::steady_clock::time_point refused_logged{};
  std::mutex log_mu;

  net::awaitable<void> Accept() {
    constexpr auto kMinBackoff = std::chrono::milliseconds(10);
    constexpr auto kMaxBackoff = std::chrono::milliseconds(1000);
    auto backoff = kMinBackoff;
    std::chrono::steady_clock::time_point last_failure{}, last_logged{};
    uint64_t failures = 0;  // since the last warning
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(net::make_strand(ioc));
      co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
      if (stopping || ec == net::error::operation_aborted) co_return;
      if (ec == net::error::connection_aborted) continue;  // the peer left before we took it
      auto now = std::chrono::steady_clock::now();
      if (ec) {
        // Out of descriptors (EMFILE/ENFILE) or kernel memory: accepting again at once fails
        // the same way and would spin a core. Free a descriptor if an idle connection holds
        // one, then wait — pending connections stay in the kernel's backlog meanwhile.
        ++failures;
        if (now - last_logged >= std::chrono::seconds(10)) {
          last_logged = now;
          LogLine({{"level", "warn"},
                   {"msg", "accept failed; backing off"},
                   {"error", ec.message()},
                   {"failures", failures},
                   {"connections", OpenConnections()}});
          failures = 0;
        }
        last_failure = now;
        if (OutOfResources(ec)) EvictLongestWaiting();
        accept_backoff.expires_after(backoff);
        co_await accept_backoff.async_wait(net::redirect_error(net::use_awaitable, ec));
        if (stopping) co_return;
        backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
        continue;
      }
      // The descriptor an eviction freed does not end the shortage: keep the pace slow until
      // accepting has worked for a while.
      if (now - last_failure > kMaxBackoff) backoff = kMinBackoff;
      std::shared_ptr<Conn> conn = Admit(std::move(socket));
      if (!conn) continue;
      auto ex = conn->stream.get_executor();
      net::co_spawn(ex, Session(std::move(conn)), net::detached);
    }
  }

  size_t OpenConnections() {
    std::lock_guard lock(mu);
    return conns.size();
  }

  // Registers a new connection under the caps, or refuses it (nullptr).
  std::shared_ptr<Conn> Admit(tcp::socket socket) {
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (ec) {
      Refuse(socket);
      return nullptr;
    }
    std::string ip = ClientIp(ep.address());
    bool exempt = opt.exempt_from_address_cap && opt.exempt_from_address_cap(ip);
    std::string key = exempt ? std::string() : AddressKey(ep.address());
    std::shared_ptr<Conn> victim;
    std::shared_ptr<Conn> conn;
    {
      std::lock_guard lock(mu);
      if (stopping) {
        Refuse(socket);
        return nullptr;
      }
      if (!exempt) {
        auto it = per_address.find(key);
        if (it != per_address.end() && it->second >= opt.max_connections_per_address) {
          ++refused_address;
          NoteRefusedLocked();
          Refuse(socket);
          return nullptr;
        }
      }
      if (conns.size() >= max_conns) {
        if (waiting.empty()) {
          ++refused_full;
          NoteRefusedLocked();
          Refuse(socket);
          return nullptr;
        }
        victim = PopLongestWaitingLocked();
      }
      conn = std::make_shared<Conn>(std::move(socket), std::move(ip), key);
      conns.insert(conn);
      if (!exempt) ++per_address[key];
    }
    if (victim) Evict(victim);
    return conn;
  }

  void NoteRefusedLocked() {
    auto now = std::chrono::steady_clock::now();
    if (now - refused_logged < std::chrono::seconds(10)) return;
    refused_logged = now;
    LogLine({{"level", "warn"},
             {"msg", "connections refused"},
             {"server_full", refused_full},
             {"per_address_cap", refused_address},
             {"connections", conns.size()},
             {"max_connections", max_conns},
             {"max_connections_per_address", opt.max_connections_per_address}});
    refused_full = refused_address = 0;
  }

  std::shared_ptr<Conn> PopLongestWaitingLocked() {
    std::shared_ptr<Conn> c = std::move(waiting.front());
    waiting.pop_front();
    c->waiting_pos.reset();
    return c;
  }

  void EvictLongestWaiting() {
    std::shared_ptr<Conn> victim;
    {
      std::lock_guard lock(mu);
      if (!waiting.empty()) victim = PopLongestWaitingLocked();
    }
    if (victim) Evict(victim);
  }

  // Ends a connection from its own strand: at once when it is waiting for a request, else
  // after the request it is serving.
  static void Evict(const std::shared_ptr<Conn>& c) {
    net::post(c->stream.get_executor(), [c] {
      c->evicted = true;
      if (!c->busy) {
        beast::error_code e;
        c->stream.socket().cancel(e);
      }
    });
  }

  void SetWaiting(const std::shared_ptr<Conn>& c, bool is_waiting) {
    std::lock_guard lock(mu);
    if (is_waiting && !c->waiting_pos) {
      c->waiting_pos = waiting.insert(waiting.end(), c);
    } else if (!is_waiting && c->waiting_pos) {
      waiting.erase(*c->waiting_pos);
      c->waiting_pos.reset();
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

  // Streams the body of a request into the route's BodySink in chunks of ≤ kStreamChunk.
  // Returns the response to send and whether the connection must close afterwards.
  net::awaitable<std::pair<Response, bool>> StreamBody(
      Conn& conn, beast::flat_buffer& buffer,
      bhttp::request_parser<bhttp::empty_body>& header_parser, const Route& route,
      Request& req, size_t limit) {
    auto begun = co_await OnPool([&]() -> std::variant<Response, std::unique_ptr<BodySink>> {
      try {
        return route.stream(req);
      } catch (const std::exception& e) {
        return Response::FromError(Error::Internal(std::string("处理请求时发生异常：") + e.what()));
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
    buffer.reserve(kBodyReadRoom);
    // Two chunks: while the pool writes one (disk, hash), this thread reads the next from
    // the socket, so the network and the disk work at the same time. A chunk is handed to
    // the sink only after the previous Write has returned, in order; every Write is awaited
    // before this function returns (the pool job refers to the sink and the chunk).
    std::vector<char> chunks[2] = {std::vector<char>(kStreamChunk), std::vector<char>(kStreamChunk)};
    int current = 0;
    auto inflight = std::make_shared<InflightWrite>(conn.stream.get_executor());
    Status written = Ok();
    auto await_write = [&]() -> net::awaitable<void> {
      if (!inflight->active) co_return;
      if (!inflight->done) {
        beast::error_code wait_ec;
        co_await inflight->timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
      }
      inflight->active = false;
      if (written) written = std::move(inflight->result);
    };
    while (!parser.is_done()) {
      std::vector<char>& chunk = chunks[current];
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      conn.stream.expires_after(opt.body_timeout);
      co_await bhttp::async_read(conn.stream, buffer, parser,
                                 net::redirect_error(net::use_awaitable, ec));
      if (ec == bhttp::error::need_buffer) ec = {};
      size_t n = chunk.size() - parser.get().body().size;
      co_await await_write();  // the previous chunk is on disk (or failed) before this one
      if (!written) break;
      if (n > 0) {
        inflight->Start(workers.get_executor(), [&sink, data = chunk.data(), n] {
          return sink->Write(std::string_view(data, n));
        });
        current ^= 1;
      }
      if (ec) break;
    }
    co_await await_write();
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

  void LogInternalError(const Request& req, const std::string& route, const std::string& detail) {
    nlohmann::json line = {{"ts", std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count()},
                           {"level", "error"},
                           {"rid", req.request_id},
                           {"ip", req.remote_ip},
                           {"method", req.method},
                           {"path", req.path},
                           {"route", route},
                           {"detail", detail}};
    std::lock_guard lock(log_mu);
    LogLine(line);
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
    if (c->waiting_pos) {
      waiting.erase(*c->waiting_pos);
      c->waiting_pos.reset();
    }
    if (!c->address_key.empty()) {
      auto it = per_address.find(c->address_key);
      if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    }
    conns.erase(c);
    if (stopping && conns.empty()) grace_timer.cancel();
  }

  net::awaitable<void> Session(std::shared_ptr<Conn> conn) {
    beast::error_code ec;
    const std::string& remote_ip = conn->remote_ip;
    beast::flat_buffer buffer;
    bool first = true;
    try {
      for (;;) {
        conn->busy = false;
        if (stopping || conn->evicted) break;
        bhttp::request_parser<bhttp::empty_body> header_parser;
        header_parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
        // Beast's default 1 MiB body limit would reject a large Content-Length while reading
        // the header; the route's own limit is applied right after the header is read.
        header_parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        conn->stream.expires_after(first ? opt.header_timeout : opt.idle_timeout);
        first = false;
        SetWaiting(conn, true);
        co_await bhttp::async_read_header(conn->stream, buffer, header_parser,
                                          net::redirect_error(net::use_awaitable, ec));
        SetWaiting(conn, false);
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
            if (!declared || *declared > 4096) buffer.reserve(kBodyReadRoom);
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
              std::optional<Response> quick;
              if (match.route->fast && req.body.empty()) quick = TryFast(*match.route, req);
              if (quick) {
                resp = std::move(*quick);
              } else {
                resp = co_await RunOnPool(match.route->handler, req);
              }
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
        if (resp.status == 500 && !resp.file) {
          LogInternalError(req, route_name, ScrubInternalError(req, resp));
        }
        bool keep_alive = !close_after && !stopping && !conn->evicted && client_keep_alive;
        size_t bytes = resp.file ? resp.file->length : resp.body.size();
        int status = resp.status;
        bool ok = co_await WriteResponse(*conn, req, resp, version, keep_alive);
        if (!ok) ec = net::error::broken_pipe;
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                          .count();
        metrics.Observe(req.method, route_name, status, secs);
        Log(req, route_name, status, secs, bytes);
        // An idle keep-alive connection keeps only what pipelined bytes need.
        if (buffer.capacity() > 16 * 1024) buffer.shrink_to_fit();
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
    accept_backoff.cancel();
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
  impl_->max_conns = std::max<size_t>(1, impl_->opt.max_connections);
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    // A connection holds its socket and, while it sends a file or takes an upload, one more
    // descriptor; 128 stay for the database, the search index, logs and the like.
    constexpr rlim_t kReserve = 128;
    size_t by_fds = rl.rlim_cur > kReserve + 32 ? (rl.rlim_cur - kReserve) / 2 : 16;
    if (by_fds < impl_->max_conns) {
      LogLine({{"level", "warn"},
               {"msg", "connection cap lowered to fit the open-file limit (ulimit -n)"},
               {"max_connections", by_fds},
               {"configured", impl_->max_conns},
               {"nofile", static_cast<uint64_t>(rl.rlim_cur)}});
      impl_->max_conns = by_fds;
    }
  }
  return true;
}

uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

size_t Server::max_connections() const { return impl_->max_conns; }

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
