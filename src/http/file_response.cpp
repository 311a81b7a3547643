#include "http/file_response.h"

#include "http/range.h"

namespace lep::http {

Response FileResponse(const Request& req, Response r, const std::string& path, uint64_t size,
                      const std::string& etag) {
  if (auto inm = req.Header("if-none-match"); inm && *inm == etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  RangeResult range;
  if (auto h = req.Header("range")) {
    auto if_range = req.Header("if-range");
    if (!if_range || *if_range == etag) range = ParseRange(*h, size);
  }
  if (range.kind == RangeKind::kUnsatisfiable) {
    Response bad = Response::FromError(Error::InvalidArgument("请求的字节范围无效"));
    bad.status = 416;
    bad.SetHeader("Content-Range", "bytes */" + std::to_string(size));
    return bad;
  }
  if (range.kind == RangeKind::kSatisfiable) {
    r.status = 206;
    r.SetHeader("Content-Range", "bytes " + std::to_string(range.range.offset) + "-" +
                                     std::to_string(range.range.offset + range.range.length - 1) +
                                     "/" + std::to_string(size));
    r.file = FileBody{path, range.range.offset, range.range.length};
  } else {
    r.file = FileBody{path, 0, size};
  }
  return r;
}

}  // namespace lep::http
