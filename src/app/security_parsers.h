// Request parsers of the security adapter: pure functions from the HTTP request (JSON body,
// query string) to the service's input types, so they are unit-tested without a server.
#pragma once

#include <nlohmann/json.hpp>

#include "auth/security_admin_service.h"
#include "http/message.h"
#include "security/audit_chain.h"

namespace lep::app {

// {"password_min_length": 12, …}: integers only; every wrong member is a field error (JSON
// name, Chinese label) and all are reported together. Unknown members are ignored.
[[nodiscard]] Result<auth::PolicyPatch> PolicyPatchFromJson(const nlohmann::json& body);

// ?before_id=&action=&actor=&from=&to=&limit= (limit clamped to 1..500, default 100;
// malformed numbers are ignored).
security::AuditQuery AuditQueryFrom(const http::Request& req);

}  // namespace lep::app
