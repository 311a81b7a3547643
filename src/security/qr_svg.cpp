#include "security/qr_svg.h"

#include <qrencode.h>

#include <memory>

namespace lep::security {

Result<std::string> QrSvg(std::string_view text, int module_px) {
  std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!qr) return Fail(Error::Internal("无法生成二维码"));
  constexpr int kQuiet = 4;
  int n = qr->width;
  int size = (n + 2 * kQuiet) * module_px;
  std::string d;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (qr->data[y * n + x] & 1) {
        d += "M" + std::to_string((x + kQuiet) * module_px) + " " +
             std::to_string((y + kQuiet) * module_px) + "h" + std::to_string(module_px) + "v" +
             std::to_string(module_px) + "h-" + std::to_string(module_px) + "z";
      }
    }
  }
  std::string s = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + s + " " + s +
         "\" width=\"" + s + "\" height=\"" + s +
         "\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"双因素认证绑定二维码\">"
         "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"" +
         d + "\"/></svg>";
}

}  // namespace lep::security
