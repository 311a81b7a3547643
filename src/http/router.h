// Router: an explicit table of routes built by app/, matched by method and path pattern
// ("/api/v1/orgs/{id}/children"). Immutable after start-up, so reads are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/message.h"

namespace lep::http {

using Handler = std::function<Response(Request&)>;

// Answers a request on the I/O thread, before it is handed to the worker pool, when it can
// do so at once from memory (a cached public page): it must never block — no database, no
// file reads beyond a stat(2). nullopt: not this time; the route's handler runs on the pool.
using FastHandler = std::function<std::optional<Response>(Request&)>;

// Receives a request body in bounded chunks as it arrives (uploads). All calls run on the
// worker pool, one at a time, in order.
class BodySink {
 public:
  virtual ~BodySink() = default;
  // A chunk of the body; an error stops reading and is answered (the connection closes).
  virtual Status Write(std::string_view chunk) = 0;
  // complete: the whole declared body arrived. false: the client went away or timed out
  // (the response is then not delivered, but the sink must still settle its state).
  virtual Response Finish(bool complete) = 0;
};

// Called on the worker pool with the request headers (body empty) before any body byte is
// read: authorise, then either answer at once or return a sink for the body.
using StreamBegin =
    std::function<std::variant<Response, std::unique_ptr<BodySink>>(Request&)>;

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // segments; "{name}" captures one segment
  Handler handler;
  size_t body_limit = 1 << 20;  // bytes accepted for this route's body
  std::string summary;          // one line for the OpenAPI document
  StreamBegin stream;           // set: the body is streamed to a BodySink, not buffered
  FastHandler fast;             // set: tried on the I/O thread first (GET/HEAD without body)
};

struct Match {
  const Route* route = nullptr;  // null: no route
  bool method_mismatch = false;  // path exists with another method → 405
  std::map<std::string, std::string> params;
};

// Runs before a route's handler (or its stream start, or its fast handler): an answer stops
// the request there (e.g. 429 from a rate limit); nullopt lets it through. Runs once per
// request: a request the fast handler passes on reaches the handler with its guards done.
// Must not block (it may run on the I/O thread).
using Guard = std::function<std::optional<Response>(Request&)>;

class Router {
 public:
  void Add(Route route);
  // Puts guard in front of the route with exactly this method and pattern; false when there
  // is no such route.
  bool AddGuard(std::string_view method, std::string_view pattern, Guard guard);
  Match Find(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }
  // Fallback for GETs that match no route (static files, SPA); may be empty.
  void SetFallback(Handler h) { fallback_ = std::move(h); }
  const Handler& fallback() const { return fallback_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> split_;
  Handler fallback_;
};

}  // namespace lep::http
