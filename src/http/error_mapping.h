// The one table from error codes to HTTP statuses and the JSON error body:
// {"error":{"code":"invalid_argument","message":"…","fields":[{"field","label","message"}]}}
#pragma once

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace lep::http {

int HttpStatusFor(ErrorCode code);
nlohmann::json ErrorBody(const Error& error);

// A server-side failure (status 500) as clients see it: the generic Chinese message
// "服务器内部错误，请稍后重试（请求编号 …）" and "request_id", never the details (database or OS
// messages, paths), which go to the server log only.
nlohmann::json InternalErrorBody(const std::string& request_id);

}  // namespace lep::http
