// Router: an explicit table of routes built by app/, matched by method and path pattern
// ("/api/v1/orgs/{id}/children"). Immutable after start-up, so reads are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "http/message.h"

namespace lep::http {

using Handler = std::function<Response(Request&)>;

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // segments; "{name}" captures one segment
  Handler handler;
  size_t body_limit = 1 << 20;  // bytes accepted for this route's body
  std::string summary;          // one line for the OpenAPI document
};

struct Match {
  const Route* route = nullptr;  // null: no route
  bool method_mismatch = false;  // path exists with another method → 405
  std::map<std::string, std::string> params;
};

class Router {
 public:
  void Add(Route route);
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
