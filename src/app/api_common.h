// Helpers shared by the HTTP adapters: JSON bodies, the session + CSRF middleware and the
// JSON shapes of shared value types. Adapters are transport only: parse, call a service,
// render the result.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "auth/auth_service.h"
#include "auth/security_admin_service.h"
#include "auth/user.h"
#include "core/text.h"
#include "http/message.h"
#include "http/router.h"
#include "resources/resource_service.h"
#include "security/audit_recorder.h"
#include "security/rate_limiter.h"

// Returns the standard error response when a Status/Result expression failed.
#define LEP_RETURN_RESPONSE_IF_ERROR(expr)                                       \
  do {                                                                           \
    auto lep_resp_status_ = (expr);                                              \
    if (!lep_resp_status_) return ::lep::http::Response::FromError(lep_resp_status_.error()); \
  } while (0)

namespace lep::app {

using json = nlohmann::json;

inline constexpr const char* kSessionCookie = "lep_session";

// Parses the body as a JSON object, or a 400 naming the problem.
[[nodiscard]] Result<json> ParseJsonObject(const http::Request& req);
// A string member of obj, "" when absent; wrong types are reported as field errors.
std::string StringField(const json& obj, const char* name, const char* label,
                        std::vector<FieldError>& errors);

// Answers a Result: value → status + JSON, error → the standard error body.
http::Response Reply(int status, const Result<json>& r);

using AuthedHandler = std::function<http::Response(http::Request&, const auth::Principal&)>;

// The session + CSRF middleware (app::Authed) over the services it needs: what a route
// builder is given instead of the AppContext. A small value of pointers, copied into the
// handlers it wraps; the services outlive the router.
class RouteGuard {
 public:
  RouteGuard(auth::AuthService& auth, auth::SecurityAdminService& security_admin,
             security::RateLimiter* refused_audit_limiter, security::AuditRecorder& audit)
      : auth_(&auth),
        security_admin_(&security_admin),
        refused_audit_limiter_(refused_audit_limiter),
        audit_(&audit) {}

  // Requires a valid session; on unsafe methods also X-CSRF-Token equal to the session's.
  // A refused request of a signed-in account is audited as http.refused.
  http::Handler operator()(AuthedHandler h) const;
  // The session + CSRF check, for handlers that need it themselves (streaming, public files).
  [[nodiscard]] Result<auth::Principal> Authenticate(const http::Request& req) const;

 private:
  void AuditRefused(const http::Request& req, const auth::Principal* known, ErrorCode code) const;

  auth::AuthService* auth_;
  auth::SecurityAdminService* security_admin_;
  security::RateLimiter* refused_audit_limiter_;
  security::AuditRecorder* audit_;
};

// The resource of the route's {id} if the caller may read its files and pages: published for
// everybody, otherwise as ResourceService::LoadVisible — the session is looked up only then.
// kNotFound for a bad id or anything else.
[[nodiscard]] Result<resources::Resource> ReadableResource(resources::ResourceService& resources,
                                                           const RouteGuard& guard,
                                                           const http::Request& req);

// A media file with ETag, Last-Modified, HEAD and a single Range (sendfile); public files
// may be cached by browsers and proxies (media_api.cpp).
http::Response ServeMediaFile(const http::Request& req, const std::string& path,
                              const std::string& content_type, const std::string& etag,
                              bool is_public);

// Paths a signed-in user may always reach for their own account (/api/v1/me…, sign-out).
bool IsSelfServicePath(std::string_view path);
// What a valid session may do on this request: enrolment-only while two-factor enrolment is
// overdue; nothing unsafe for auditors.
[[nodiscard]] Status CheckSessionScope(const auth::Principal& p, const http::Request& req);

// Named handler functions bound to what they use (instead of lambdas in the route table):
// deps is a small struct of references (and, for Authed routes, its RouteGuard `authed`),
// copied into the handler.
template <class Deps>
http::Handler Bind(const Deps& deps, http::Response (*h)(const Deps&, http::Request&)) {
  return [deps, h](http::Request& req) { return h(deps, req); };
}
template <class Deps>
http::Handler BindAuthed(const Deps& deps,
                         http::Response (*h)(const Deps&, http::Request&, const auth::Principal&)) {
  return deps.authed(
      [deps, h](http::Request& req, const auth::Principal& p) { return h(deps, req, p); });
}

json OrgJson(const orgs::Org& o);
json UserJson(const auth::User& u);
json PrincipalJson(const auth::Principal& p);
json TwoFactorJson(const auth::TwoFactorStatus& s);

}  // namespace lep::app
