// QR codes as SVG (libqrencode), for the otpauth:// enrolment URI shown on screen.
// Pure; thread-safe (libqrencode keeps no global state for QRcode_encodeString8bit).
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::security {

// A square SVG with one <path> of dark modules, a 4-module quiet zone, error correction M.
[[nodiscard]] Result<std::string> QrSvg(std::string_view text, int module_px = 4);

}  // namespace lep::security
