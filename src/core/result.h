// Result<T>: the return type of every operation that can fail in an expected way.
// tl::expected from Debian's libexpected-dev; the error side is always lep::Error.
#pragma once

#include <tl/expected.hpp>

#include "core/error.h"

namespace lep {

template <typename T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

inline tl::unexpected<Error> Fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

inline Status Ok() { return {}; }

}  // namespace lep

// Propagate an error from an expression returning Result<...>.
#define LEP_RETURN_IF_ERROR(expr)                          \
  do {                                                     \
    auto lep_status_ = (expr);                             \
    if (!lep_status_) return ::lep::Fail(lep_status_.error()); \
  } while (0)

#define LEP_CONCAT_INNER_(a, b) a##b
#define LEP_CONCAT_(a, b) LEP_CONCAT_INNER_(a, b)
// Declare `lhs` from the value of a Result, or return its error.
#define LEP_ASSIGN_OR_RETURN(lhs, expr)                              \
  auto LEP_CONCAT_(lep_res_, __LINE__) = (expr);                     \
  if (!LEP_CONCAT_(lep_res_, __LINE__))                              \
    return ::lep::Fail(LEP_CONCAT_(lep_res_, __LINE__).error());     \
  lhs = std::move(*LEP_CONCAT_(lep_res_, __LINE__))
