// HTTP adapter for a resource's files: the technical-check report, cover upload/download and
// media playback with HTTP Range. Published files are public; unpublished ones only for the
// owning unit's subtree above it (its users and the reviewers on its path).
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "http/file_response.h"
#include "app/api_common.h"
#include "app/routes.h"
#include "auth/authorizer.h"
#include "http/multipart.h"

namespace lep::app {
namespace {

using Deps = MediaRouteDeps;

using http::Request;
using http::Response;

json MediaJson(const ingest::MediaRecord& m) {
  return {{"resource_id", m.resource_id},
          {"filename", m.filename},
          {"kind", m.kind},
          {"size", m.size},
          {"sha256", m.sha256},
          {"playback_sha256", m.playback_sha256},
          {"remuxed", m.playback_blob != m.blob},
          {"state", m.state},
          {"probe", m.probe},
          {"report", m.report},
          {"passed", m.passed},
          {"url", "/media/resources/" + std::to_string(m.resource_id)},
          {"created_at", m.created_at}};
}

// Byte-identical media elsewhere (issue 17 §5): named where the caller may see them, counted
// otherwise; null for anonymous readers and resources without media.
json DuplicatesJson(const Deps& d, const Request& req, resources::ResourceId id) {
  auto p = d.authed.Authenticate(req);
  if (!p) return nullptr;
  auto same = d.ingest.Duplicates(*p, id);
  if (!same) return nullptr;
  json items = json::array();
  for (const auto& v : same->visible) {
    items.push_back({{"id", v.resource.id.value},
                     {"title", v.resource.meta.title},
                     {"state", std::string(resources::StateName(v.resource.state))},
                     {"state_label", std::string(resources::StateLabel(v.resource.state))},
                     {"org_name", v.owner.name}});
  }
  return {{"items", std::move(items)}, {"hidden", same->hidden}};
}

json LinkCheckJson(const std::optional<ingest::LinkCheckRecord>& c) {
  if (!c) return nullptr;
  return {{"url", c->url},           {"reachable", c->reachable}, {"status", c->status},
          {"final_url", c->final_url}, {"hops", c->hops},         {"elapsed_ms", c->elapsed_ms},
          {"error_code", c->error_code}, {"error", c->error},     {"checked_at", c->checked_at}};
}

// Serves a blob with ETag, Last-Modified, HEAD and a single Range.
Response ServeBlob(const Deps& d, const Request& req, const std::string& blob,
                   const std::string& content_type, const std::string& etag, bool is_public) {
  auto path = d.blobs.PathOf(blob);
  if (!path) return Response::FromError(path.error());
  return ServeMediaFile(req, *path, content_type, etag, is_public);
}

// Behind the shipped nginx (which sets X-Lep-Accel to its internal location, overriding what a
// client sent), published media are sent by nginx from the public link: an empty answer with
// X-Accel-Redirect. A client that sends the header itself only gets that empty answer.
Response ServePublicMedia(const Request& req, const portal::PublicMediaFile& f,
                          resources::ResourceId id) {
  auto accel = req.Header("x-lep-accel");
  bool safe = accel && accel->size() > 2 && accel->front() == '/' && accel->back() == '/' &&
              accel->find("..") == std::string_view::npos &&
              std::all_of(accel->begin(), accel->end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' ||
                       c == '-';
              });
  if (!safe) return ServeMediaFile(req, f.path, f.content_type, f.etag, true);
  Response r;
  r.content_type = f.content_type;
  r.SetHeader("X-Accel-Redirect", std::string(*accel) + std::to_string(id.value));
  r.SetHeader("Cache-Control", "public, max-age=3600");
  return r;
}

}  // namespace

Response ServeMediaFile(const Request& req, const std::string& path,
                        const std::string& content_type, const std::string& etag, bool is_public) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) return Response::FromError(Error::NotFound("文件不存在"));
  uint64_t size = static_cast<uint64_t>(sb.st_size);
  std::string quoted = "\"" + etag + "\"";
  Response r;
  r.content_type = content_type;
  r.SetHeader("ETag", quoted);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", is_public ? "public, max-age=3600" : "private, no-cache");
  r.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  char date[64];
  std::tm tm{};
  std::time_t mt = sb.st_mtime;
  gmtime_r(&mt, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  r.SetHeader("Last-Modified", date);
  return http::FileResponse(req, std::move(r), path, size, quoted);
}

void AddMediaRoutes(http::Router& router, const MediaRouteDeps& d) {
  router.Add({"GET", "/api/v1/resources/{id}/media",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                auto m = d.ingest.Media(r->id);
                if (!m) return Response::FromError(m.error());
                if (!*m) return Response::Json(200, {{"media", nullptr}});
                json body = MediaJson(**m);
                body["duplicates"] = DuplicatesJson(d, req, r->id);
                return Response::Json(200, {{"media", std::move(body)}});
              },
              1024, "资源的音视频文件与技术标准检测报告（逐项）"});

  router.Add({"GET", "/api/v1/resources/{id}/link-check",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                auto c = d.ingest.LinkCheck(r->id);
                if (!c) return Response::FromError(c.error());
                return Response::Json(200, {{"link_check", LinkCheckJson(*c)}});
              },
              1024, "网络课程链接的最近一次检测结果（状态、最终地址、耗时、错误）"});

  router.Add({"POST", "/api/v1/resources/{id}/cover",
              d.authed([d](Request& req, const auth::Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                std::string_view data = req.body;
                if (auto part = http::FirstFilePart(req.Header("content-type").value_or(""),
                                                    req.body)) {
                  data = part->data;
                }
                LEP_RETURN_RESPONSE_IF_ERROR(
                    d.ingest.StoreCover(p, resources::ResourceId{*id}, data, req.remote_ip));
                auto updated = d.resources.Get(p, resources::ResourceId{*id});
                if (!updated) return Response::FromError(updated.error());
                return Response::Json(200, {{"cover", {{"url", "/api/v1/resources/" +
                                                                   std::to_string(*id) + "/cover"},
                                                       {"width", updated->cover->width},
                                                       {"height", updated->cover->height}}},
                                            {"version", updated->version}});
              }),
              (5u << 20) + 64 * 1024, "上传资源封面（JPG，≤ 5 MB；原始请求体或 multipart）"});

  router.Add({"GET", "/api/v1/resources/{id}/cover",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                if (!r->cover) return Response::FromError(Error::NotFound("尚未上传封面"));
                bool thumb = req.Query("size").value_or("") == "thumb";
                const std::string& blob = thumb ? r->cover->thumb_blob : r->cover->blob;
                return ServeBlob(d, req, blob, "image/jpeg", blob,
                                 r->state == resources::ResourceState::kPublished);
              },
              1024, "资源封面（?size=thumb 为 480 像素宽缩略图）"});

  router.Add({"GET", "/media/resources/{id}",
              [d](Request& req) {
                // Published: no session, no database read (portal::PublicMedia).
                if (auto id = req.IdParam("id")) {
                  auto pub = d.public_media.Find(resources::ResourceId{*id});
                  if (!pub) return Response::FromError(pub.error());
                  if (*pub) return ServePublicMedia(req, **pub, resources::ResourceId{*id});
                }
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                auto m = d.ingest.Media(r->id);
                if (!m) return Response::FromError(m.error());
                if (!*m) return Response::FromError(Error::NotFound("尚未上传音视频文件"));
                const ingest::MediaRecord& rec = **m;
                return ServeBlob(d, req, rec.playback_blob,
                                 rec.kind == "audio" ? "audio/mpeg" : "video/mp4",
                                 rec.playback_sha256.substr(0, 32),
                                 r->state == resources::ResourceState::kPublished);
              },
              1024, "播放音视频（支持 HEAD 与单段 Range）"});
}

}  // namespace lep::app
