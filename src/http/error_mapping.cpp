#include "http/error_mapping.h"

namespace lep::http {

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kCsrfFailed: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kPreconditionFailed: return 412;
    case ErrorCode::kGone: return 410;
    case ErrorCode::kLocked: return 423;
    case ErrorCode::kChecksumMismatch: return 460;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMedia: return 415;
    case ErrorCode::kTooManyRequests: return 429;
    case ErrorCode::kTotpRequired: return 401;
    case ErrorCode::kTotpInvalid: return 401;
    case ErrorCode::kTotpEnrolmentRequired: return 403;
    case ErrorCode::kPasswordChangeRequired: return 403;
    case ErrorCode::kAccountDisabled: return 403;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

nlohmann::json ErrorBody(const Error& error) {
  nlohmann::json fields = nlohmann::json::array();
  for (const FieldError& f : error.fields) {
    fields.push_back({{"field", f.field}, {"label", f.label}, {"message", f.message}});
  }
  nlohmann::json e = {{"code", std::string(ErrorCodeName(error.code))},
                      {"message", error.message},
                      {"fields", fields}};
  if (error.retry_after_s) e["retry_after"] = *error.retry_after_s;
  return {{"error", e}};
}

nlohmann::json InternalErrorBody(const std::string& request_id) {
  nlohmann::json body =
      ErrorBody(Error::Internal("服务器内部错误，请稍后重试（请求编号 " + request_id + "）"));
  body["error"]["request_id"] = request_id;
  return body;
}

}  // namespace lep::http
