#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/error_mapping.h"
#include "http/message.h"
#include "http/metrics.h"
#include "http/router.h"

namespace lep::http {
namespace {

TEST(Router, MatchesParamsAndMethods) {
  Router r;
  r.Add({"GET", "/api/v1/orgs/{id}", [](Request&) { return Response::NoContent(); }});
  r.Add({"POST", "/api/v1/orgs/{id}/children", [](Request&) { return Response::NoContent(); }});
  auto m = r.Find("GET", "/api/v1/orgs/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params["id"], "42");
  EXPECT_NE(r.Find("HEAD", "/api/v1/orgs/42").route, nullptr);
  auto wrong = r.Find("DELETE", "/api/v1/orgs/42");
  EXPECT_EQ(wrong.route, nullptr);
  EXPECT_TRUE(wrong.method_mismatch);
  EXPECT_EQ(r.Find("GET", "/api/v1/orgs/42/x").route, nullptr);
  EXPECT_FALSE(r.Find("GET", "/nothing").method_mismatch);
}

TEST(Message, ParsesCookiesQueryAndIds) {
  Request req;
  req.headers = {{"cookie", "a=1; lep_session=abc; b=2"}};
  EXPECT_EQ(req.Cookie("lep_session"), "abc");
  EXPECT_FALSE(req.Cookie("missing"));
  auto q = ParseQuery("q=%E5%A4%AA%E6%9E%81%E6%8B%B3&page=2&x");
  EXPECT_EQ(q["q"], "太极拳");
  EXPECT_EQ(q["page"], "2");
  EXPECT_EQ(q["x"], "");
  EXPECT_FALSE(PercentDecode("%E5%A", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
  req.params = {{"id", "12"}};
  EXPECT_EQ(req.IdParam("id"), 12);
  req.params = {{"id", "12abc"}};
  EXPECT_FALSE(req.IdParam("id"));
  req.params = {{"id", "-3"}};
  EXPECT_FALSE(req.IdParam("id"));
}

TEST(ErrorMapping, ProducesTheStandardBody) {
  Error e = Error::InvalidArgument("手机号码有误", {{"mobile", "手机号码", "应为 11 位"}});
  Response r = Response::FromError(e);
  EXPECT_EQ(r.status, 400);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "invalid_argument");
  EXPECT_EQ(body["error"]["fields"][0]["field"], "mobile");
  EXPECT_EQ(body["error"]["fields"][0]["label"], "手机号码");
  Response locked = Response::FromError(Error::TooManyRequests("锁定", 900));
  EXPECT_EQ(locked.status, 429);
  ASSERT_EQ(locked.headers.size(), 1u);
  EXPECT_EQ(locked.headers[0].second, "900");
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kCsrfFailed), 403);
}

TEST(Metrics, RendersCountersAndHistogram) {
  Metrics m;
  m.Observe("GET", "/healthz", 200, 0.0005);
  m.Observe("GET", "/healthz", 200, 0.2);
  std::string text = m.RenderPrometheus();
  EXPECT_NE(text.find("lep_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("le=\"0.001\"} 1"), std::string::npos);
  EXPECT_NE(text.find("le=\"+Inf\"} 2"), std::string::npos);
}

}  // namespace
}  // namespace lep::http

#include "http/multipart.h"

namespace lep::http {
namespace {

TEST(Multipart, FindsTheFirstFilePart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"资源.xlsx\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\nPK\x03\x04\r\nbinary\r\n--XyZ--\r\n";
  auto part = FirstFilePart("multipart/form-data; boundary=XyZ", body);
  ASSERT_TRUE(part);
  EXPECT_EQ(part->field_name, "file");
  EXPECT_EQ(part->filename, "资源.xlsx");
  EXPECT_EQ(part->content_type, "application/octet-stream");
  EXPECT_EQ(part->data, std::string_view("PK\x03\x04\r\nbinary"));
  EXPECT_FALSE(FirstFilePart("application/json", body));
  EXPECT_FALSE(FirstFilePart("multipart/form-data; boundary=Other", body));
  EXPECT_FALSE(FirstFilePart("multipart/form-data; boundary=XyZ", "--XyZ\r\nbroken"));
}

}  // namespace
}  // namespace lep::http

#include "http/range.h"

namespace lep::http {
namespace {

TEST(Range, SingleRanges) {
  auto r = ParseRange("bytes=0-99", 1000);
  EXPECT_EQ(r.kind, RangeKind::kSatisfiable);
  EXPECT_EQ(r.range.offset, 0u);
  EXPECT_EQ(r.range.length, 100u);
  r = ParseRange("bytes=900-", 1000);
  EXPECT_EQ(r.range.offset, 900u);
  EXPECT_EQ(r.range.length, 100u);
  r = ParseRange("bytes=-10", 1000);
  EXPECT_EQ(r.range.offset, 990u);
  EXPECT_EQ(r.range.length, 10u);
  r = ParseRange("bytes=990-5000", 1000);
  EXPECT_EQ(r.range.length, 10u);
  EXPECT_EQ(ParseRange("bytes=1000-", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=-0", 1000).kind, RangeKind::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=5-1", 1000).kind, RangeKind::kNone);
  EXPECT_EQ(ParseRange("bytes=0-1,5-6", 1000).kind, RangeKind::kNone);
  EXPECT_EQ(ParseRange("items=0-1", 1000).kind, RangeKind::kNone);
  EXPECT_EQ(ParseRange("bytes=a-b", 1000).kind, RangeKind::kNone);
  EXPECT_EQ(ParseRange("bytes=99999999999999999999-", 1000).kind, RangeKind::kNone);
}

}  // namespace
}  // namespace lep::http
