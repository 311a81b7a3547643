#include "core/error.h"

namespace lep {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kCsrfFailed: return "csrf_failed";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kPreconditionFailed: return "precondition_failed";
    case ErrorCode::kGone: return "gone";
    case ErrorCode::kLocked: return "locked";
    case ErrorCode::kChecksumMismatch: return "checksum_mismatch";
    case ErrorCode::kPayloadTooLarge: return "payload_too_large";
    case ErrorCode::kUnsupportedMedia: return "unsupported_media_type";
    case ErrorCode::kTooManyRequests: return "too_many_requests";
    case ErrorCode::kTotpRequired: return "totp_required";
    case ErrorCode::kTotpInvalid: return "totp_invalid";
    case ErrorCode::kTotpEnrolmentRequired: return "totp_enrolment_required";
    case ErrorCode::kPasswordChangeRequired: return "password_change_required";
    case ErrorCode::kAccountDisabled: return "account_disabled";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace lep
