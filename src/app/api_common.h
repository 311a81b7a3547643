// Helpers shared by the HTTP adapters: JSON bodies, the session + CSRF middleware and the
// JSON shapes of shared value types. Adapters are transport only: parse, call a service,
// render the result.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "app/app_context.h"
#include "core/text.h"
#include "auth/user.h"
#include "http/message.h"
#include "http/router.h"

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

// The session + CSRF check of Authed(), for handlers that need it themselves (streaming).
[[nodiscard]] Result<auth::Principal> AuthenticateRequest(AppContext& ctx,
                                                          const http::Request& req);

// The resource of the route's {id} if the caller may read its files and pages: published for
// everybody, otherwise as ResourceService::LoadVisible — the session is looked up only then.
// kNotFound for a bad id or anything else.
[[nodiscard]] Result<resources::Resource> ReadableResource(AppContext& ctx,
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

using AuthedHandler = std::function<http::Response(http::Request&, const auth::Principal&)>;
// Requires a valid session; on unsafe methods also X-CSRF-Token equal to the session's.
http::Handler Authed(AppContext& ctx, AuthedHandler h);

// Named handler functions bound to the context (instead of lambdas in the route table).
using ContextHandler = http::Response (*)(AppContext&, http::Request&);
using AuthedContextHandler = http::Response (*)(AppContext&, http::Request&,
                                                const auth::Principal&);
http::Handler Bind(AppContext& ctx, ContextHandler h);
http::Handler BindAuthed(AppContext& ctx, AuthedContextHandler h);

json OrgJson(const orgs::Org& o);
json UserJson(const auth::User& u);
json PrincipalJson(const auth::Principal& p);
json TwoFactorJson(const auth::TwoFactorStatus& s);

}  // namespace lep::app
