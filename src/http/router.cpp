#include "http/router.h"

namespace lep::http {
namespace {

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::Add(Route route) {
  split_.push_back(Segments(route.pattern));
  routes_.push_back(std::move(route));
}

bool Router::AddGuard(std::string_view method, std::string_view pattern, Guard guard) {
  for (auto& r : routes_) {
    if (r.method != method || r.pattern != pattern) continue;
    if (r.handler) {
      r.handler = [guard, inner = std::move(r.handler)](Request& req) -> Response {
        if (!req.guards_done) {
          if (auto stop = guard(req)) return std::move(*stop);
        }
        return inner(req);
      };
    }
    if (r.fast) {
      r.fast = [guard, inner = std::move(r.fast)](Request& req) -> std::optional<Response> {
        if (auto stop = guard(req)) return stop;
        return inner(req);
      };
    }
    if (r.stream) {
      r.stream = [guard, inner = std::move(r.stream)](
                     Request& req) -> std::variant<Response, std::unique_ptr<BodySink>> {
        if (auto stop = guard(req)) return std::move(*stop);
        return inner(req);
      };
    }
    return true;
  }
  return false;
}

Match Router::Find(std::string_view method, std::string_view path) const {
  Match result;
  auto segs = Segments(path);
  for (size_t r = 0; r < routes_.size(); ++r) {
    const auto& pat = split_[r];
    if (pat.size() != segs.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (size_t i = 0; i < pat.size() && ok; ++i) {
      const std::string& p = pat[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
        params[p.substr(1, p.size() - 2)] = segs[i];
      } else {
        ok = p == segs[i];
      }
    }
    if (!ok) continue;
    bool method_ok = routes_[r].method == method || (method == "HEAD" && routes_[r].method == "GET");
    if (!method_ok) {
      result.method_mismatch = true;
      continue;
    }
    result.route = &routes_[r];
    result.params = std::move(params);
    result.method_mismatch = false;
    return result;
  }
  return result;
}

}  // namespace lep::http
