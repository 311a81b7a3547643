// The one table from error codes to HTTP statuses and the JSON error body:
// {"error":{"code":"invalid_argument","message":"…","fields":[{"field","label","message"}]}}
#pragma once

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace lep::http {

int HttpStatusFor(ErrorCode code);
nlohmann::json ErrorBody(const Error& error);

}  // namespace lep::http
