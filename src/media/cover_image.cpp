// ProcessCover: header checks, a scaled decode with the classic libjpeg API (it exposes what
// TurboJPEG 2.1 hides: the memory cap, the scan number and a progress hook), a box-filter
// resample, and the thumbnail encoded with TurboJPEG.
#include "media/cover_image.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
#include <jerror.h>
// clang-format on
#include <turbojpeg.h>

#include <algorithm>
#include <csetjmp>
#include <ctime>
#include <memory>
#include <vector>

namespace lep::media {
namespace {

Error Bad(std::string msg) { return Error::InvalidArgument(msg, {{"cover", "资源封面", msg}}); }

struct TjDeleter {
  void operator()(void* h) const { tjDestroy(h); }
};
using TjHandle = std::unique_ptr<void, TjDeleter>;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

enum class Refusal { kNone, kCorrupt, kTooLarge, kNoMemory, kTooManyScans, kTooSlow };

// Everything the decode touches lives here, in the caller's frame, so that a longjmp out of
// libjpeg skips no C++ destructor and leaves nothing in registers.
struct Decode {
  jpeg_decompress_struct cinfo{};
  jpeg_error_mgr err{};
  jpeg_progress_mgr progress{};
  std::jmp_buf jump{};
  Refusal refusal = Refusal::kNone;
  char message[JMSG_LENGTH_MAX] = {};
  double cpu_start = 0;
  int width = 0, height = 0;  // as stored
  int out_w = 0, out_h = 0;   // as decoded (scaled)
  std::vector<unsigned char> rgb;
};

Decode* Of(j_common_ptr cinfo) { return static_cast<Decode*>(cinfo->client_data); }

[[noreturn]] void Abort(Decode* d, Refusal why) {
  if (d->refusal == Refusal::kNone) d->refusal = why;
  std::longjmp(d->jump, 1);
}

[[noreturn]] void OnError(j_common_ptr cinfo) {
  Decode* d = Of(cinfo);
  (*cinfo->err->format_message)(cinfo, d->message);
  const int code = cinfo->err->msg_code;
  Abort(d, code == JERR_NO_BACKING_STORE || code == JERR_OUT_OF_MEMORY ? Refusal::kNoMemory
                                                                       : Refusal::kCorrupt);
}

// Warnings (corrupt data, premature end) mean a damaged file for our purposes, as they did
// with TurboJPEG; stopping at the first also stops a file of endless corrupt segments early.
void OnMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) return;
  Decode* d = Of(cinfo);
  (*cinfo->err->format_message)(cinfo, d->message);
  Abort(d, Refusal::kCorrupt);
}

// Called before each chunk of input (an iMCU row or a marker segment) and each output row.
void OnProgress(j_common_ptr cinfo) {
  Decode* d = Of(cinfo);
  if (d->cinfo.input_scan_number > kMaxCoverScans) Abort(d, Refusal::kTooManyScans);
  if (ThreadCpuSeconds() - d->cpu_start > kMaxCoverDecodeCpuSeconds) Abort(d, Refusal::kTooSlow);
}

// Reads the header, refuses absurd sizes, and decodes at the smallest scale N/8 that is still
// at least kThumbWidth wide. False with d->refusal set on any failure.
bool DecodeScaled(const unsigned char* src, size_t size, Decode* d) {
  d->cinfo.client_data = d;  // kept by jpeg_create_decompress
  d->cinfo.err = jpeg_std_error(&d->err);
  d->err.error_exit = &OnError;
  d->err.emit_message = &OnMessage;
  if (setjmp(d->jump) != 0) {
    jpeg_destroy_decompress(&d->cinfo);
    return false;
  }
  jpeg_create_decompress(&d->cinfo);
  d->cinfo.mem->max_memory_to_use = kMaxCoverDecoderBytes;
  d->progress.progress_monitor = &OnProgress;
  d->cinfo.progress = &d->progress;
  d->cpu_start = ThreadCpuSeconds();
  jpeg_mem_src(&d->cinfo, src, static_cast<unsigned long>(size));
  jpeg_read_header(&d->cinfo, TRUE);
  d->width = static_cast<int>(d->cinfo.image_width);
  d->height = static_cast<int>(d->cinfo.image_height);
  if (d->width < 16 || d->height < 16 || d->width > kMaxCoverSide || d->height > kMaxCoverSide ||
      int64_t{d->width} * d->height > kMaxCoverPixels) {
    jpeg_destroy_decompress(&d->cinfo);
    d->refusal = Refusal::kTooLarge;
    return false;
  }
  unsigned scale = 8;
  for (unsigned n = 1; n < 8; ++n) {
    const int64_t sw = (int64_t{d->width} * n + 7) / 8;
    if (sw >= std::min(d->width, kThumbWidth)) {
      scale = n;
      break;
    }
  }
  d->cinfo.scale_num = scale;
  d->cinfo.scale_denom = 8;
  d->cinfo.out_color_space = JCS_RGB;
  d->cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&d->cinfo);  // a progressive file is read whole here
  d->out_w = static_cast<int>(d->cinfo.output_width);
  d->out_h = static_cast<int>(d->cinfo.output_height);
  d->rgb.resize(static_cast<size_t>(d->out_w) * d->out_h * 3);
  while (d->cinfo.output_scanline < d->cinfo.output_height) {
    JSAMPROW row = d->rgb.data() + static_cast<size_t>(d->cinfo.output_scanline) * d->out_w * 3;
    jpeg_read_scanlines(&d->cinfo, &row, 1);
  }
  jpeg_finish_decompress(&d->cinfo);  // reads to EOI: a cut or damaged tail still warns
  jpeg_destroy_decompress(&d->cinfo);
  return true;
}

std::string Dimensions(const Decode& d) {
  return std::to_string(d.width) + "×" + std::to_string(d.height);
}

}  // namespace

ConcurrencyLimiter& CoverDecodeLimiter() {
  static ConcurrencyLimiter limiter(
      "封面图片处理", {.capacity = 2, .max_waiting = 2, .max_wait = std::chrono::seconds(2)});
  return limiter;
}

Result<CoverImage> ProcessCover(std::string_view bytes) {
  if (bytes.empty()) return Fail(Bad("封面文件为空"));
  if (bytes.size() > kMaxCoverBytes) return Fail(Bad("封面图片不能超过 5 MB"));
  if (bytes.size() < 4 || static_cast<unsigned char>(bytes[0]) != 0xFF ||
      static_cast<unsigned char>(bytes[1]) != 0xD8) {
    return Fail(Bad("封面必须是 JPG 图片（文件内容不是 JPEG 格式）"));
  }
  LEP_ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, CoverDecodeLimiter().Acquire());
  auto d = std::make_unique<Decode>();
  if (!DecodeScaled(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), d.get())) {
    switch (d->refusal) {
      case Refusal::kTooLarge:
        return Fail(Bad("封面图片尺寸异常或过大（" + Dimensions(*d) +
                        "），请上传边长 16～12000 像素、不超过 5000 万像素的 JPG 图片"));
      case Refusal::kNoMemory:
        return Fail(Bad("封面图片（" + Dimensions(*d) +
                        "）解码所需内存过大，请缩小尺寸或另存为普通（非渐进式）JPG 后上传"));
      case Refusal::kTooManyScans:
        return Fail(Bad("封面图片的渐进式扫描次数过多（超过 " + std::to_string(kMaxCoverScans) +
                        " 次），请另存为普通 JPG 后上传"));
      case Refusal::kTooSlow:
        return Fail(Bad("封面图片解码耗时过长，请另存为普通 JPG 后上传"));
      default:
        if (d->width == 0) return Fail(Bad("封面必须是 JPG 图片（无法读取 JPEG 文件头）"));
        return Fail(Bad(std::string("封面图片已损坏，无法解码：") + d->message));
    }
  }
  const int dw = d->out_w, dh = d->out_h;
  const std::vector<unsigned char>& rgb = d->rgb;
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
  CoverImage img{d->width, d->height, std::string(reinterpret_cast<char*>(out), out_size)};
  tjFree(out);
  return img;
}

}  // namespace lep::media
