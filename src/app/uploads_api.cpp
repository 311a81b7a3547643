// HTTP adapter for tus 1.0.0 resumable uploads at /api/v1/uploads/ (core, creation,
// creation-with-upload, termination, checksum, expiration). Cookie + X-CSRF-Token auth, so
// tus-js-client works from the console; no CORS headers (same origin only).
#include <ctime>

#include "app/api_common.h"
#include "app/routes.h"
#include "uploads/tus_headers.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  RouteGuard authed;
  uploads::UploadService& uploads;
};

using http::Request;
using http::Response;

std::string HttpDate(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

Response Tus(Response r) {
  r.SetHeader("Tus-Resumable", "1.0.0");
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

Response TusError(const Error& e) { return Tus(Response::FromError(e)); }

std::optional<Error> CheckTusVersion(const Request& req) {
  auto v = req.Header("tus-resumable");
  if (!v || *v != "1.0.0") {
    return Error{ErrorCode::kPreconditionFailed, "仅支持 tus 1.0.0（请求头 Tus-Resumable: 1.0.0）",
                 {}, std::nullopt};
  }
  return std::nullopt;
}

Response OffsetResponse(const uploads::Upload& u, int status) {
  Response r = Response::NoContent();
  r.status = status;
  r.SetHeader("Upload-Offset", std::to_string(u.offset));
  if (!u.completed_at) r.SetHeader("Upload-Expires", HttpDate(u.expires_at));
  return Tus(r);
}

// Adapts an UploadService PatchWriter to the server's BodySink.
class PatchSink final : public http::BodySink {
 public:
  PatchSink(std::unique_ptr<uploads::PatchWriter> w, int success_status, std::string location)
      : w_(std::move(w)), status_(success_status), location_(std::move(location)) {}
  Status Write(std::string_view chunk) override { return w_->Write(chunk); }
  Response Finish(bool complete) override {
    auto u = w_->Finish(complete);
    if (!u) return TusError(u.error());
    Response r = OffsetResponse(*u, status_);
    if (!location_.empty()) r.SetHeader("Location", location_);
    return r;
  }

 private:
  std::unique_ptr<uploads::PatchWriter> w_;
  int status_;
  std::string location_;
};

std::optional<uploads::Checksum> ChecksumOf(const Request& req, Error* error) {
  auto h = req.Header("upload-checksum");
  if (!h) return std::nullopt;
  auto c = uploads::ParseUploadChecksum(*h);
  if (!c) {
    *error = c.error();
    return std::nullopt;
  }
  return *c;
}

std::optional<uint64_t> ContentLength(const Request& req) {
  auto h = req.Header("content-length");
  if (!h) return std::nullopt;
  return uploads::ParseUploadNumber(*h);
}

bool IsOffsetStream(const Request& req) {
  auto ct = req.Header("content-type");
  return ct && ct->rfind("application/offset+octet-stream", 0) == 0;
}

}  // namespace

void AddUploadRoutes(http::Router& router, const RouteGuard& authed,
                     uploads::UploadService& uploads) {
  const Deps d{authed, uploads};
  auto options = [d](Request&) {
    Response r = Response::NoContent();
    r.SetHeader("Tus-Version", "1.0.0");
    r.SetHeader("Tus-Extension", "creation,creation-with-upload,termination,checksum,expiration");
    r.SetHeader("Tus-Max-Size", std::to_string(d.uploads.options().max_media_bytes));
    r.SetHeader("Tus-Checksum-Algorithm", "sha1,sha256");
    return Tus(r);
  };
  router.Add({"OPTIONS", "/api/v1/uploads", options, 0, "tus 能力（版本、扩展、最大文件、校验算法）"});
  router.Add({"OPTIONS", "/api/v1/uploads/{id}", options, 0, "tus 能力"});

  http::Route create{"POST", "/api/v1/uploads", nullptr, d.uploads.options().max_media_bytes,
                     "创建上传（Upload-Length、Upload-Metadata: resource_id, filename, kind）；"
                     "可同时携带第一段数据"};
  create.stream = [d](Request& req) -> std::variant<Response, std::unique_ptr<http::BodySink>> {
    if (auto e = CheckTusVersion(req)) return TusError(*e);
    auto p = d.authed.Authenticate(req);
    if (!p) return TusError(p.error());
    auto len_h = req.Header("upload-length");
    if (!len_h) {
      return TusError(req.Header("upload-defer-length")
                          ? Error::InvalidArgument("不支持延迟声明文件大小（Upload-Defer-Length）")
                          : Error::InvalidArgument("缺少请求头 Upload-Length"));
    }
    auto length = uploads::ParseUploadNumber(*len_h);
    if (!length) return TusError(Error::InvalidArgument("Upload-Length 应为非负整数"));
    auto meta = uploads::ParseUploadMetadata(req.Header("upload-metadata").value_or(""));
    if (!meta) return TusError(meta.error());
    Error checksum_error;
    auto checksum = ChecksumOf(req, &checksum_error);
    if (!checksum && req.Header("upload-checksum")) return TusError(checksum_error);
    auto u = d.uploads.Create(*p, *length, *meta);
    if (!u) return TusError(u.error());
    std::string location = "/api/v1/uploads/" + u->id;
    auto cl = ContentLength(req);
    if (!IsOffsetStream(req) || !cl || *cl == 0) {
      Response r = OffsetResponse(*u, 201);
      r.SetHeader("Location", location);
      return r;
    }
    auto w = d.uploads.BeginPatch(*p, u->id, 0, checksum, cl);
    if (!w) return TusError(w.error());
    return std::unique_ptr<http::BodySink>(new PatchSink(std::move(*w), 201, location));
  };
  router.Add(std::move(create));

  router.Add({"HEAD", "/api/v1/uploads/{id}",
              [d](Request& req) {
                if (auto e = CheckTusVersion(req)) return TusError(*e);
                auto p = d.authed.Authenticate(req);
                if (!p) return TusError(p.error());
                auto u = d.uploads.Get(*p, req.Param("id"));
                if (!u) return TusError(u.error());
                Response r = OffsetResponse(*u, 200);
                r.SetHeader("Upload-Length", std::to_string(u->length));
                std::string meta = "filename " + uploads::Base64Encode(u->filename) +
                                   ",resource_id " +
                                   uploads::Base64Encode(std::to_string(u->resource_id)) +
                                   ",kind " + uploads::Base64Encode(u->kind);
                r.SetHeader("Upload-Metadata", meta);
                r.content_type.clear();
                return r;
              },
              0, "查询已接收的字节数（Upload-Offset）"});

  http::Route patch{"PATCH", "/api/v1/uploads/{id}", nullptr, d.uploads.options().max_media_bytes,
                    "续传一段数据（可带 Upload-Checksum）"};
  patch.stream = [d](Request& req) -> std::variant<Response, std::unique_ptr<http::BodySink>> {
    if (auto e = CheckTusVersion(req)) return TusError(*e);
    auto p = d.authed.Authenticate(req);
    if (!p) return TusError(p.error());
    if (!IsOffsetStream(req)) {
      Response r = TusError(Error{ErrorCode::kUnsupportedMedia,
                                  "Content-Type 应为 application/offset+octet-stream", {},
                                  std::nullopt});
      return r;
    }
    auto off_h = req.Header("upload-offset");
    auto offset = off_h ? uploads::ParseUploadNumber(*off_h) : std::nullopt;
    if (!offset) return TusError(Error::InvalidArgument("缺少或无效的 Upload-Offset"));
    Error checksum_error;
    auto checksum = ChecksumOf(req, &checksum_error);
    if (!checksum && req.Header("upload-checksum")) return TusError(checksum_error);
    auto w = d.uploads.BeginPatch(*p, req.Param("id"), *offset, checksum, ContentLength(req));
    if (!w) return TusError(w.error());
    return std::unique_ptr<http::BodySink>(new PatchSink(std::move(*w), 204, ""));
  };
  router.Add(std::move(patch));

  router.Add({"DELETE", "/api/v1/uploads/{id}",
              [d](Request& req) {
                if (auto e = CheckTusVersion(req)) return TusError(*e);
                auto p = d.authed.Authenticate(req);
                if (!p) return TusError(p.error());
                auto st = d.uploads.Terminate(*p, req.Param("id"));
                if (!st) return TusError(st.error());
                return Tus(Response::NoContent());
              },
              1024, "终止上传并删除已接收的数据"});
}

}  // namespace lep::app
