// HTTP adapter for the lessons of an A03 course delivered as 实体资源: the list (public for a
// published course), rename, reorder and delete (each naming the course version it read:
// 409 on a stale one), and each lesson's video with HTTP Range. Uploads go through tus
// (kind=lesson, uploads_api.cpp). Transport only: parse, one service call, render.
#include "app/api_common.h"
#include "app/routes.h"
#include "ingest/lesson_service.h"
#include "resources/metadata.h"

namespace lep::app {
namespace {

using auth::Principal;
using http::Request;
using http::Response;
using ingest::LessonService;

json LessonJson(const ingest::Lesson& l) {
  return {{"id", l.id},
          {"position", l.position},
          {"title", l.title},
          {"filename", l.filename},
          {"size", l.size},
          {"sha256", l.sha256},
          {"duration_s", l.duration_s},
          {"duration", l.duration_s > 0 ? resources::FormatDuration(l.duration_s) : ""},
          {"state", l.state},
          {"passed", l.passed},
          {"report", l.report},
          {"probe", l.probe},
          {"url", "/media/resources/" + std::to_string(l.resource_id) + "/lessons/" +
                      std::to_string(l.id)},
          {"created_at", l.created_at}};
}

// The course version a change names: {"version": n} in the body, or ?version=n.
Result<int64_t> VersionOf(const Request& req, const json& body) {
  if (body.is_object() && body.contains("version")) {
    if (body["version"].is_number_integer()) return body["version"].get<int64_t>();
  } else if (auto v = req.Query("version"); v && !v->empty() &&
                                            v->find_first_not_of("0123456789") == std::string::npos &&
                                            v->size() < 18) {
    return std::stoll(*v);
  }
  return Fail(Error::InvalidArgument(
      "请提供资源的版本号 version（防止覆盖他人的修改）",
      {{"version", "版本号", "应为资源当前的版本号（整数）"}}));
}

Result<json> BodyOf(const Request& req) {
  if (req.body.empty()) return json::object();
  return ParseJsonObject(req);
}

// A change of one lesson: the course, the lesson, the version it names and the body.
struct LessonTarget {
  resources::ResourceId course;
  int64_t lesson = 0;
  int64_t version = 0;
  json body;
};

Result<LessonTarget> LessonTargetOf(const Request& req) {
  auto id = req.IdParam("id");
  auto lesson = req.IdParam("lesson_id");
  if (!id || !lesson) return Fail(Error::NotFound("课时不存在"));
  LEP_ASSIGN_OR_RETURN(json body, BodyOf(req));
  LEP_ASSIGN_OR_RETURN(int64_t version, VersionOf(req, body));
  return LessonTarget{resources::ResourceId{*id}, *lesson, version, std::move(body)};
}

// The course's version after a change.
Response VersionReply(const Result<int64_t>& v) {
  if (!v) return Response::FromError(v.error());
  return Response::Json(200, {{"version", *v}});
}

ingest::CallerLookup CallerFor(const CallerOf& caller, const Request& req) {
  return [&caller, &req]() { return caller(req); };
}

}  // namespace

void AddLessonRoutes(http::Router& router, const RouteGuard& authed, const CallerOf& caller,
                     LessonService& lessons) {
  router.Add({"GET", "/api/v1/resources/{id}/lessons",
              [caller, &lessons](Request& req) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                auto got = lessons.List(CallerFor(caller, req), resources::ResourceId{*id});
                if (!got) return Response::FromError(got.error());
                json items = json::array();
                int64_t total = 0;
                for (const auto& l : got->lessons) {
                  items.push_back(LessonJson(l));
                  total += l.duration_s;
                }
                return Response::Json(
                    200, {{"resource_id", *id},
                          {"version", got->course.version},
                          {"delivery", std::string(resources::DeliveryName(
                                           got->course.meta.delivery))},
                          {"total_duration", total > 0 ? resources::FormatDuration(total) : ""},
                          {"items", std::move(items)}});
              },
              1024, "网络课程（实体资源）的课时列表：顺序、名称、时长与逐项技术检测结果"});

  router.Add({"PATCH", "/api/v1/resources/{id}/lessons/{lesson_id}",
              authed([&lessons](Request& req, const Principal& p) {
                auto t = LessonTargetOf(req);
                if (!t) return Response::FromError(t.error());
                std::vector<FieldError> errors;
                std::string title = StringField(t->body, "title", "课时名称", errors);
                if (!errors.empty()) {
                  return Response::FromError(Error::InvalidArgument(errors[0].message, errors));
                }
                return VersionReply(lessons.Rename(p, t->course, t->lesson, title, t->version));
              }),
              16 * 1024, "修改课时名称（草稿或退回修改；version 为资源当前版本号）"});

  router.Add({"DELETE", "/api/v1/resources/{id}/lessons/{lesson_id}",
              authed([&lessons](Request& req, const Principal& p) {
                auto t = LessonTargetOf(req);
                if (!t) return Response::FromError(t.error());
                return VersionReply(lessons.Remove(p, t->course, t->lesson, t->version));
              }),
              16 * 1024, "删除课时（草稿或退回修改；?version= 为资源当前版本号）"});

  router.Add({"PUT", "/api/v1/resources/{id}/lessons",
              authed([&lessons](Request& req, const Principal& p) {
                auto id = req.IdParam("id");
                if (!id) return Response::FromError(Error::NotFound("资源不存在"));
                auto body = ParseJsonObject(req);
                if (!body) return Response::FromError(body.error());
                auto version = VersionOf(req, *body);
                if (!version) return Response::FromError(version.error());
                std::vector<int64_t> ids;
                auto it = body->find("lesson_ids");
                bool ok = it != body->end() && it->is_array() && it->size() <= 1000;
                if (ok) {
                  for (const auto& x : *it) {
                    if (!x.is_number_integer()) {
                      ok = false;
                      break;
                    }
                    ids.push_back(x.get<int64_t>());
                  }
                }
                if (!ok) {
                  return Response::FromError(Error::InvalidArgument(
                      "课时顺序 lesson_ids 应为课时 ID 的数组",
                      {{"lesson_ids", "课时顺序", "应为课时 ID 的数组，按新的顺序排列"}}));
                }
                return VersionReply(lessons.Reorder(p, resources::ResourceId{*id}, ids, *version));
              }),
              64 * 1024, "调整课时顺序（列出全部课时 ID；version 为资源当前版本号）"});

  router.Add({"GET", "/media/resources/{id}/lessons/{lesson_id}",
              [caller, &lessons](Request& req) {
                auto id = req.IdParam("id");
                auto lesson = req.IdParam("lesson_id");
                if (!id || !lesson) return Response::FromError(Error::NotFound("课时不存在"));
                auto f = lessons.Playback(CallerFor(caller, req), resources::ResourceId{*id},
                                          *lesson);
                if (!f) return Response::FromError(f.error());
                return ServeMediaFile(req, f->path, "video/mp4", f->etag, f->is_public);
              },
              1024, "播放课时视频（支持 HEAD 与单段 Range；已发布课程公开）"});
}

}  // namespace lep::app
