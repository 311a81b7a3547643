// Error values for expected failures: a stable machine code, a safe Chinese message for
// people, and optional per-field details. Plain value type; safe to copy between threads.
// The mapping from codes to HTTP statuses lives in http/error_mapping.h, nowhere else.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lep {

enum class ErrorCode {
  kInvalidArgument,    // 400 invalid_argument
  kUnauthenticated,    // 401 unauthenticated
  kPermissionDenied,   // 403 permission_denied
  kCsrfFailed,         // 403 csrf_failed
  kNotFound,           // 404 not_found
  kConflict,           // 409 conflict
  kAlreadyExists,      // 409 already_exists
  kFailedPrecondition, // 409 failed_precondition
  kPreconditionFailed, // 412 precondition_failed (e.g. unsupported Tus-Resumable)
  kGone,               // 410 gone (expired upload)
  kLocked,             // 423 locked (another PATCH is running)
  kChecksumMismatch,   // 460 checksum_mismatch (tus checksum extension)
  kPayloadTooLarge,    // 413 payload_too_large
  kUnsupportedMedia,   // 415 unsupported_media_type
  kTooManyRequests,    // 429 too_many_requests
  kTotpRequired,       // 401 totp_required (password right; the second factor is missing)
  kTotpInvalid,        // 401 totp_invalid (wrong, expired or reused code)
  kTotpEnrolmentRequired,  // 403 totp_enrolment_required (grace over: enrol first)
  kPasswordChangeRequired, // 403 password_change_required (temporary password: change it first)
  kAccountDisabled,    // 403 account_disabled (sign-in to a disabled account)
  kUnavailable,        // 503 unavailable
  kInternal,           // 500 internal
};

// Stable API name of a code, e.g. "invalid_argument".
std::string_view ErrorCodeName(ErrorCode code);

struct FieldError {
  std::string field;    // JSON name, e.g. "mobile"
  std::string label;    // standard Chinese name, e.g. "手机号码"
  std::string message;  // what is wrong, in Chinese
  bool operator==(const FieldError&) const = default;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;              // Chinese, safe to show
  std::vector<FieldError> fields;   // all field failures of one record
  std::optional<int> retry_after_s; // for kTooManyRequests

  static Error InvalidArgument(std::string msg, std::vector<FieldError> fields = {}) {
    return {ErrorCode::kInvalidArgument, std::move(msg), std::move(fields), std::nullopt};
  }
  static Error Unauthenticated(std::string msg = "请先登录") {
    return {ErrorCode::kUnauthenticated, std::move(msg), {}, std::nullopt};
  }
  static Error PermissionDenied(std::string msg = "没有权限执行此操作") {
    return {ErrorCode::kPermissionDenied, std::move(msg), {}, std::nullopt};
  }
  static Error NotFound(std::string msg = "资源不存在") {
    return {ErrorCode::kNotFound, std::move(msg), {}, std::nullopt};
  }
  static Error Conflict(std::string msg) {
    return {ErrorCode::kConflict, std::move(msg), {}, std::nullopt};
  }
  static Error AlreadyExists(std::string msg, std::vector<FieldError> fields = {}) {
    return {ErrorCode::kAlreadyExists, std::move(msg), std::move(fields), std::nullopt};
  }
  static Error FailedPrecondition(std::string msg) {
    return {ErrorCode::kFailedPrecondition, std::move(msg), {}, std::nullopt};
  }
  static Error TooManyRequests(std::string msg, int retry_after_s) {
    return {ErrorCode::kTooManyRequests, std::move(msg), {}, retry_after_s};
  }
  // Temporarily unable (busy, stopping): the client may retry.
  static Error Unavailable(std::string msg) {
    return {ErrorCode::kUnavailable, std::move(msg), {}, std::nullopt};
  }
  static Error Internal(std::string msg = "服务器内部错误") {
    return {ErrorCode::kInternal, std::move(msg), {}, std::nullopt};
  }

  bool Is(ErrorCode c) const { return code == c; }
};

}  // namespace lep
