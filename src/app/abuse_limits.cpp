// Abuse limits (等保三级 入侵防范): token buckets per client IP and per signed-in account in
// front of the routes that cost the platform or skew published figures — search, counter
// pings, uploads, submissions (which trigger A03 link checks) — on top of the sign-in and
// sign-up limits in auth_api.cpp. Also resolves the client IP behind trusted reverse proxies
// (X-Forwarded-For), so per-IP limits and audit rows name the visitor, not nginx.
#include "app/api_common.h"
#include "app/routes.h"
#include "auth/password.h"
#include "linkcheck/address_classifier.h"

namespace lep::app {
namespace {

struct Limit {
  const char* method;
  const char* pattern;
  const char* name;
  security::RateLimiterOptions per_ip;
  security::RateLimiterOptions per_account;  // capacity 0: none
};

// Generous per IP (schools sit behind one NAT address), tighter per account.
const Limit kLimits[] = {
    {"GET", "/api/v1/portal/search", "search", {300, 30, 100'000}, {0, 0, 0}},
    {"POST", "/api/v1/portal/resources/{id}/progress", "progress", {600, 50, 100'000}, {120, 1, 100'000}},
    {"POST", "/api/v1/portal/resources/{id}/view", "view", {600, 50, 100'000}, {120, 1, 100'000}},
    {"POST", "/api/v1/portal/resources/{id}/ratings", "ratings", {60, 0.5, 100'000}, {10, 0.05, 100'000}},
    {"POST", "/api/v1/uploads", "uploads", {120, 2, 100'000}, {60, 1, 100'000}},
    // A clerk may submit a whole imported series at once.
    {"POST", "/api/v1/resources/{id}/submit", "submit", {300, 5, 100'000}, {100, 1, 100'000}},
};

std::optional<http::Response> TooMany(const security::RateDecision& d) {
  if (d.allowed) return std::nullopt;
  return http::Response::FromError(Error::TooManyRequests(
      "请求过于频繁，请在 " + std::to_string(d.retry_after_s) + " 秒后重试", d.retry_after_s));
}

}  // namespace

void AddClientIpResolution(http::Router& router, const std::vector<std::string>& trusted_proxies) {
  std::vector<linkcheck::Cidr> trusted;
  for (const auto& text : trusted_proxies) {
    auto c = linkcheck::ParseCidr(text);
    if (c) trusted.push_back(*c);
  }
  if (trusted.empty()) return;
  http::Guard guard = [trusted](http::Request& req) -> std::optional<http::Response> {
    auto is_trusted = [&](const std::string& ip) {
      auto a = linkcheck::ParseIpAddress(ip);
      if (!a) return false;
      for (const auto& c : trusted) {
        if (c.Contains(*a)) return true;
      }
      return false;
    };
    if (!is_trusted(req.remote_ip)) return std::nullopt;
    auto xff = req.Header("x-forwarded-for");
    if (!xff) return std::nullopt;
    // Right to left: the first address not of a trusted proxy is the client.
    std::string_view list = *xff;
    while (!list.empty()) {
      size_t comma = list.rfind(',');
      std::string_view item = comma == std::string_view::npos ? list : list.substr(comma + 1);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      std::string ip(item);
      if (!linkcheck::ParseIpAddress(ip)) break;  // malformed: keep the proxy's address
      req.remote_ip = ip;
      if (!is_trusted(ip)) break;
    }
    return std::nullopt;
  };
  for (const auto& r : std::vector<http::Route>(router.routes())) {
    router.AddGuard(r.method, r.pattern, guard);
  }
}

void AddAbuseLimits(http::Router& router, const Clock& clock,
                    std::vector<std::unique_ptr<security::RateLimiter>>& limiters) {
  for (const auto& l : kLimits) {
    auto* ip =
        limiters.emplace_back(std::make_unique<security::RateLimiter>(clock, l.per_ip)).get();
    security::RateLimiter* account = nullptr;
    if (l.per_account.capacity > 0) {
      account = limiters.emplace_back(std::make_unique<security::RateLimiter>(clock, l.per_account))
                    .get();
    }
    std::string name = l.name;
    router.AddGuard(l.method, l.pattern,
                    [ip, account, name](http::Request& req) -> std::optional<http::Response> {
                      if (auto stop = TooMany(ip->Take(name + ":" + req.remote_ip))) return stop;
                      if (account) {
                        // The session token's hash names the account's session without a
                        // database read; signing in again does not escape the per-IP bucket.
                        if (auto token = req.Cookie(kSessionCookie)) {
                          return TooMany(account->Take(name + ":" + auth::TokenHash(*token)));
                        }
                      }
                      return std::nullopt;
                    });
  }
}

}  // namespace lep::app
