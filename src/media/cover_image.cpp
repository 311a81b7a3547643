#include "media/cover_image.h"

#include <turbojpeg.h>

#include <memory>
#include <vector>

namespace lep::media {
namespace {

Error Bad(std::string msg) {
  return Error::InvalidArgument(msg, {{"cover", "资源封面", msg}});
}

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

}  // namespace

Result<CoverImage> ProcessCover(std::string_view bytes) {
  if (bytes.empty()) return Fail(Bad("封面文件为空"));
  if (bytes.size() > kMaxCoverBytes) return Fail(Bad("封面图片不能超过 5 MB"));
  if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF ||
      static_cast<unsigned char>(bytes[1]) != 0xD8) {
    return Fail(Bad("封面必须是 JPG 图片（文件内容不是 JPEG 格式）"));
  }
  TjHandle dec(tjInitDecompress());
  if (!dec) return Fail(Error::Internal("无法初始化图片解码器"));
  int width = 0, height = 0, subsamp = 0, colorspace = 0;
  auto* src = reinterpret_cast<const unsigned char*>(bytes.data());
  auto size = static_cast<unsigned long>(bytes.size());
  if (tjDecompressHeader3(dec.get(), src, size, &width, &height, &subsamp, &colorspace) != 0) {
    return Fail(Bad("封面必须是 JPG 图片（无法读取 JPEG 文件头）"));
  }
  if (width < 16 || height < 16 || width > 12000 || height > 12000) {
    return Fail(Bad("封面图片尺寸异常（" + std::to_string(width) + "×" + std::to_string(height) +
                    "）"));
  }
  // Decode at the smallest libjpeg scale that is still at least kThumbWidth wide.
  int nfactors = 0;
  tjscalingfactor* factors = tjGetScalingFactors(&nfactors);
  int dw = width, dh = height;
  for (int i = 0; i < nfactors; ++i) {
    int sw = TJSCALED(width, factors[i]);
    int sh = TJSCALED(height, factors[i]);
    if (sw >= std::min(width, kThumbWidth) && sw < dw) {
      dw = sw;
      dh = sh;
    }
  }
  std::vector<unsigned char> rgb(static_cast<size_t>(dw) * dh * 3);
  if (tjDecompress2(dec.get(), src, size, rgb.data(), dw, 0, dh, TJPF_RGB, TJFLAG_ACCURATEDCT) !=
      0) {
    // Warnings (e.g. premature end) still mean the file is damaged for our purposes.
    return Fail(Bad(std::string("封面图片已损坏，无法解码：") + tjGetErrorStr2(dec.get())));
  }
  // Box-filter resample to the thumbnail width.
  int tw = std::min(dw, kThumbWidth);
  int th = std::max(1, static_cast<int>(static_cast<int64_t>(dh) * tw / dw));
  std::vector<unsigned char> thumb(static_cast<size_t>(tw) * th * 3);
  for (int y = 0; y < th; ++y) {
    int y0 = y * dh / th, y1 = std::max(y0 + 1, (y + 1) * dh / th);
    for (int x = 0; x < tw; ++x) {
      int x0 = x * dw / tw, x1 = std::max(x0 + 1, (x + 1) * dw / tw);
      for (int c = 0; c < 3; ++c) {
        unsigned sum = 0, n = 0;
        for (int yy = y0; yy < y1; ++yy) {
          for (int xx = x0; xx < x1; ++xx) {
            sum += rgb[(static_cast<size_t>(yy) * dw + xx) * 3 + c];
            ++n;
          }
        }
        thumb[(static_cast<size_t>(y) * tw + x) * 3 + c] = static_cast<unsigned char>(sum / n);
      }
    }
  }
  TjHandle enc(tjInitCompress());
  if (!enc) return Fail(Error::Internal("无法初始化图片编码器"));
  unsigned char* out = nullptr;
  unsigned long out_size = 0;
  if (tjCompress2(enc.get(), thumb.data(), tw, 0, th, TJPF_RGB, &out, &out_size, TJSAMP_420, 82,
                  TJFLAG_ACCURATEDCT) != 0) {
    tjFree(out);
    return Fail(Error::Internal("无法生成封面缩略图"));
  }
  CoverImage img{width, height, std::string(reinterpret_cast<char*>(out), out_size)};
  tjFree(out);
  return img;
}

}  // namespace lep::media
