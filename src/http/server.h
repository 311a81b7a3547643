// Server: HTTP/1.1 over Boost.Beast with one coroutine per connection.
// Reads the header first, picks the route and its body limit, then reads the body.
// Handlers run on a worker pool (they may block on the database); I/O threads never block.
// Connections are capped in total and per client address; server errors reach clients as a
// generic message with the request id. Run() blocks until Stop() (or SIGTERM/SIGINT when
// handle_signals) and in-flight requests end; Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "http/metrics.h"
#include "http/router.h"

namespace lep::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: pick a free port
  int io_threads = 1;
  int worker_threads = 4;
  // A whole request header must arrive within header_timeout (no per-byte extension, so a
  // slow sender cannot hold a connection); a kept-alive connection may idle idle_timeout.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds idle_timeout{30};
  std::chrono::seconds shutdown_grace{20};
  size_t header_limit = 16 * 1024;
  // At most max_connections open connections (lowered to what RLIMIT_NOFILE allows, see
  // Server::max_connections()). A new connection over the cap closes the connection that has
  // waited longest for a request, or, when every connection is busy, is closed at once.
  size_t max_connections = 8192;
  // At most this many open connections per client address (IPv4 address, IPv6 /64); more are
  // closed at once, unread. Addresses for which exempt_from_address_cap returns true (the
  // trusted reverse proxies, which carry many clients) are not capped.
  size_t max_connections_per_address = 256;
  std::function<bool(const std::string& ip)> exempt_from_address_cap;
  bool handle_signals = true;
  bool access_log = true;
};

// Raises the soft limit of open files to the hard limit (many connections need many
// descriptors; systemd's LimitNOFILE sets the hard one). Call once at start. Best effort.
void RaiseOpenFileLimit();

// Makes the process ignore SIGPIPE. sendfile(2) and write(2) on a socket whose peer has gone
// raise SIGPIPE, whose default action ends the process: one browser tab closed mid-download
// would take the whole server down. Call at the start of main(), before any thread exists
// (every thread inherits the disposition); writes then fail with EPIPE, which the server
// treats as "client gone". Idempotent.
void IgnoreSigpipe();

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; after this, port() is known.
  [[nodiscard]] bool Bind(std::string* error);
  uint16_t port() const;
  // The connection cap in force: options.max_connections, lowered when RLIMIT_NOFILE leaves
  // fewer descriptors (two per connection — socket and file — plus a reserve).
  size_t max_connections() const;
  // Serves until stopped. Call after Bind().
  void Run();
  // Thread-safe: stop accepting, finish in-flight requests, then return from Run().
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::http
