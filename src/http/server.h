// Server: HTTP/1.1 over Boost.Beast with one coroutine per connection.
// Reads the header first, picks the route and its body limit, then reads the body.
// Handlers run on a worker pool (they may block on the database); I/O threads never block.
// Run() blocks until Stop() (or SIGTERM/SIGINT when handle_signals) and in-flight requests end.
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
  std::chrono::seconds header_timeout{15};
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds shutdown_grace{20};
  size_t header_limit = 16 * 1024;
  bool handle_signals = true;
  bool access_log = true;
};

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
  // Serves until stopped. Call after Bind().
  void Run();
  // Thread-safe: stop accepting, finish in-flight requests, then return from Run().
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::http
