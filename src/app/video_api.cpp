// HTTP adapter for adaptive streaming and captions: the transcoding state of a video (progress
// for uploaders and reviewers, the ladder, the 字幕 mark), caption upload and removal, and the
// HLS files themselves. Everything follows ResourceService::LoadReadable: a published
// resource's playlists and segments are public and cacheable (generated, immutable names; the
// master playlist briefly, since captions may change it), anything else only for the owning
// unit's subtree; a withdrawn resource's files answer 404 at once.
#include <sys/stat.h>

#include <cctype>

#include "http/file_response.h"
#include "app/api_common.h"
#include "app/routes.h"
#include "core/text.h"
#include "crypto/crypto.h"
#include "http/multipart.h"

namespace lep::app {
namespace {

using Deps = VideoRouteDeps;

using http::Request;
using http::Response;

constexpr const char* kPlaylistType = "application/vnd.apple.mpegurl";
constexpr const char* kImmutable = "public, max-age=31536000, immutable";
constexpr const char* kPrivate = "private, no-cache";

std::string HlsBase(int64_t id) { return "/media/resources/" + std::to_string(id) + "/hls/"; }

bool IsPublished(const resources::Resource& r) {
  return r.state == resources::ResourceState::kPublished;
}

json CaptionJson(const video::Caption& c, int64_t id, bool with_screening) {
  std::string base = HlsBase(id);
  json j = {{"id", c.id},
            {"language", c.language},
            {"label", c.label},
            {"url", base + c.blob + ".vtt"},
            {"playlist_url", base + c.blob + ".vtt.m3u8"},
            {"download_url", base + c.blob + ".vtt?download=1"},
            {"cues", c.cue_count},
            {"filename", c.filename},
            {"encoding", c.encoding},
            {"source_format", c.source_format},
            {"created_at", c.created_at}};
  if (with_screening) j["flagged"] = c.flagged;
  return j;
}

json StatusJson(const video::VideoStatus& s, int64_t id, bool with_screening) {
  std::string base = HlsBase(id);
  json captions = json::array();
  for (const auto& c : s.captions) captions.push_back(CaptionJson(c, id, with_screening));
  json out = {
      {"state", s.state},      {"progress", s.progress},    {"has_captions", !s.captions.empty()},
      {"captions", captions},  {"master_url", nullptr},     {"audio_url", nullptr},
      {"poster_url", nullptr}, {"thumbnails_url", nullptr}, {"renditions", json::array()}};
  if (s.job) {
    out["job"] = {{"id", s.job->id},
                  {"state", std::string(jobs::JobStateName(s.job->state))},
                  {"attempts", s.job->attempts},
                  {"max_attempts", s.job->max_attempts},
                  {"error", s.job->error},
                  {"updated_at", s.job->updated_at}};
  }
  if (s.ladder) {
    out["master_url"] = base + "master.m3u8";
    for (const auto& r : s.ladder->renditions) {
      json jr = {{"name", r.name},
                 {"audio", r.audio},
                 {"codecs", r.codecs},
                 {"bandwidth", r.bandwidth},
                 {"average_bandwidth", r.average_bandwidth},
                 {"url", base + r.playlist}};
      if (!r.audio) {
        jr["width"] = r.width;
        jr["height"] = r.height;
        jr["frame_rate"] = r.frame_rate;
      } else {
        out["audio_url"] = base + r.playlist;
      }
      // × real time on the worker that made it.
      if (r.encode_seconds > 0) jr["speed"] = s.duration_s / r.encode_seconds;
      out["renditions"].push_back(jr);
    }
    if (!s.ladder->poster_blob.empty()) out["poster_url"] = base + s.ladder->poster_blob + ".jpg";
    if (!s.ladder->thumbnails_blob.empty()) {
      out["thumbnails_url"] = base + s.ladder->thumbnails_blob + ".vtt";
    }
    out["made_by"] = s.ladder->made_by;
  }
  return out;
}

// A file of the blob store with ETag, HEAD and a single Range.
Response ServeFile(const Deps& d, const Request& req, const std::string& blob,
                   const std::string& content_type, const std::string& cache_control) {
  auto path = d.blobs.PathOf(blob);
  if (!path) return Response::FromError(path.error());
  struct stat sb {};
  if (::stat(path->c_str(), &sb) != 0) return Response::FromError(Error::NotFound("文件不存在"));
  uint64_t size = static_cast<uint64_t>(sb.st_size);
  std::string etag = "\"" + blob + "\"";  // a blob's bytes never change
  Response r;
  r.content_type = content_type;
  r.SetHeader("ETag", etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Cache-Control", cache_control);
  r.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  return http::FileResponse(req, std::move(r), *path, size, etag);
}

// A playlist made on request (master, subtitles).
Response ServeText(const Request& req, std::string text, const std::string& content_type,
                   const std::string& cache_control) {
  std::string etag = "\"" + crypto::Sha256Hex(text).substr(0, 32) + "\"";
  Response r = Response::Text(200, std::move(text), content_type);
  r.SetHeader("ETag", etag);
  r.SetHeader("Cache-Control", cache_control);
  r.SetHeader("Content-Security-Policy", "default-src 'none'; sandbox");
  if (auto inm = req.Header("if-none-match"); inm && *inm == etag) {
    r.status = 304;
    r.body.clear();
    r.content_type.clear();
  }
  return r;
}

bool IsBlobName(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  }
  return true;
}

}  // namespace

void AddVideoRoutes(http::Router& router, const VideoRouteDeps& d) {
  router.Add({"GET", "/api/v1/resources/{id}/video",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                auto s = d.video.GetStatus(r->id.value);
                if (!s) return Response::FromError(s.error());
                // Sensitive-word hits are for the people who review, not for the public.
                bool screening = !IsPublished(*r) || d.authed.Authenticate(req).has_value();
                return Response::Json(200, {{"video", StatusJson(*s, r->id.value, screening)}});
              },
              1024, "视频的自适应码流（转码进度、清晰度阶梯、封面帧、预览缩略图）与字幕"});

  router.Add({"POST", "/api/v1/resources/{id}/video/transcode",
              d.authed([d](Request& req, const auth::Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(
                    d.video.RequestTranscode(p, resources::ResourceId{*id}));
                auto s = d.video.GetStatus(*id);
                if (!s) return Response::FromError(s.error());
                return Response::Json(202, {{"video", StatusJson(*s, *id, true)}});
              }),
              1024, "重新排队转码（转码失败后；平台管理员或录入单位）"});

  router.Add({"POST", "/api/v1/resources/{id}/captions",
              d.authed([d](Request& req, const auth::Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                video::CaptionUpload up;
                up.bytes = req.body;
                up.filename = req.Query("filename").value_or("");
                if (auto part =
                        http::FirstFilePart(req.Header("content-type").value_or(""), req.body)) {
                  up.bytes = part->data;
                  if (up.filename.empty()) up.filename = part->filename;
                }
                up.language = req.Query("language").value_or("");
                up.label = req.Query("label").value_or("");
                up.ip = req.remote_ip;
                auto c = d.video.PutCaption(p, resources::ResourceId{*id}, up);
                if (!c) return Response::FromError(c.error());
                return Response::Json(201, {{"caption", CaptionJson(*c, *id, true)}});
              }),
              (2u << 20) + 64 * 1024,
              "上传字幕（SRT 或 WebVTT，UTF-8 或 GBK，≤ 2 MB；?language=zh&label=中文）"});

  router.Add({"DELETE", "/api/v1/resources/{id}/captions/{caption_id}",
              d.authed([d](Request& req, const auth::Principal& p) {
                auto id = req.IdParam("id");
                auto cid = req.IdParam("caption_id");
                if (!id || !cid) return Response::FromError(Error::NotFound("字幕不存在"));
                LEP_RETURN_RESPONSE_IF_ERROR(
                    d.video.DeleteCaption(p, resources::ResourceId{*id}, *cid, req.remote_ip));
                return Response::NoContent();
              }),
              1024, "删除字幕"});

  router.Add({"GET", "/media/resources/{id}/hls/master.m3u8",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                auto master = d.video.Master(r->id.value);
                if (!master) return Response::FromError(master.error());
                return ServeText(req, std::move(*master), kPlaylistType,
                                 IsPublished(*r) ? "public, max-age=60" : kPrivate);
              },
              1024, "HLS 主播放列表（各清晰度、仅声音、字幕）"});

  router.Add({"GET", "/media/resources/{id}/hls/{file}",
              [d](Request& req) {
                auto r = ReadableResource(d.resources, d.authed, req);
                if (!r) return Response::FromError(r.error());
                const std::string file = req.Param("file");
                const std::string blob = file.substr(0, file.find('.'));
                const std::string ext =
                    file.find('.') == std::string::npos ? "" : file.substr(file.find('.') + 1);
                Error missing = Error::NotFound("文件不存在");
                if (!IsBlobName(blob)) return Response::FromError(missing);
                const std::string cache = IsPublished(*r) ? kImmutable : kPrivate;
                if (ext == "vtt" || ext == "vtt.m3u8") {
                  auto c = d.video.CaptionByBlob(r->id.value, blob);
                  if (!c) return Response::FromError(c.error());
                  if (*c) {
                    if (ext == "vtt.m3u8") {
                      auto pl = d.video.SubtitlePlaylistOf(r->id.value, **c);
                      if (!pl) return Response::FromError(pl.error());
                      return ServeText(req, std::move(*pl), kPlaylistType, cache);
                    }
                    Response resp = ServeFile(d, req, blob, "text/vtt; charset=utf-8", cache);
                    if (req.Query("download")) {
                      std::string name = r->meta.title + "." + (*c)->language + ".vtt";
                      resp.SetHeader("Content-Disposition",
                                     "attachment; filename=\"captions." + (*c)->language +
                                         ".vtt\"; filename*=UTF-8''" + text::PercentEncode(name));
                    }
                    return resp;
                  }
                }
                auto f = d.video.File(r->id.value, blob);
                if (!f) return Response::FromError(f.error());
                if (!*f || (*f)->ext != ext) return Response::FromError(missing);
                return ServeFile(d, req, blob, (*f)->content_type, cache);
              },
              1024, "HLS 文件：各清晰度的播放列表与分片、封面帧、预览缩略图、字幕（WebVTT）"});
}

}  // namespace lep::app
