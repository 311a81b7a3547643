// HTTP adapter of OAI-PMH: GET /oai?verb=… and POST /oai (application/x-www-form-urlencoded),
// public. The arguments are passed on in order with repeats kept (the protocol answers a
// repeated argument with badArgument); the answer is always 200 text/xml, errors included.
#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

// What the handlers use; copied into each one.
struct Deps {
  oai::OaiService& oai;
};

using http::Request;
using http::Response;

// "a=1&b=2" in order; false when an escape is malformed.
bool SplitArguments(std::string_view q, oai::OaiArgs& out) {
  bool ok = true;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = http::PercentDecode(pair.substr(0, eq), true);
    auto value = http::PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) {
      ok = false;
      continue;
    }
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return ok;
}

Response Oai(const Deps& d, Request& req) {
  oai::OaiArgs args;
  bool ok = true;
  if (req.method == "POST") {
    std::string_view type = req.Header("content-type").value_or("");
    if (type.substr(0, 33) != "application/x-www-form-urlencoded") {
      ok = false;
    } else {
      ok = SplitArguments(req.body, args);
    }
  } else {
    size_t q = req.target.find('?');
    if (q != std::string::npos) ok = SplitArguments(std::string_view(req.target).substr(q + 1), args);
  }
  auto xml = d.oai.Handle(args, !ok);
  if (!xml) return Response::FromError(xml.error());
  Response r = Response::Text(200, std::move(*xml), "text/xml; charset=utf-8");
  r.SetHeader("Cache-Control", "no-cache");
  return r;
}

}  // namespace

void AddOaiRoutes(http::Router& router, oai::OaiService& oai) {
  const Deps d{oai};
  router.Add({"GET", "/oai", Bind(d, Oai), 0,
              "OAI-PMH 2.0 收割接口（verb=Identify|ListMetadataFormats|ListSets|ListIdentifiers|"
              "ListRecords|GetRecord；oai_dc；公开）"});
  router.Add({"POST", "/oai", Bind(d, Oai), 8192,
              "OAI-PMH 2.0 收割接口（application/x-www-form-urlencoded 参数）"});
}

}  // namespace lep::app
