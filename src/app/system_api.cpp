// Health, readiness, metrics and the OpenAPI document.
#include "app/routes.h"

namespace lep::app {

void AddSystemRoutes(http::Router& router, storage::Database& db, http::Metrics& metrics) {
  router.Add({"GET", "/healthz",
              [](http::Request&) { return http::Response::Json(200, {{"status", "ok"}}); }, 1024,
              "存活检查"});
  router.Add({"GET", "/readyz",
              [&db](http::Request&) {
                if (!storage::Ping(db)) {
                  return http::Response::Json(503, {{"status", "unavailable"},
                                                    {"message", "数据库不可用"}});
                }
                return http::Response::Json(200, {{"status", "ready"}});
              },
              1024, "就绪检查（数据库可用）"});
  router.Add({"GET", "/metrics",
              [&metrics](http::Request&) {
                return http::Response::Text(200, metrics.RenderPrometheus(),
                                            "text/plain; version=0.0.4; charset=utf-8");
              },
              1024, "Prometheus 指标"});
  router.Add({"GET", "/api/v1/openapi.json",
              [](http::Request&) {
                return http::Response::Text(200, std::string(kOpenApiJson),
                                            "application/json; charset=utf-8");
              },
              1024, "OpenAPI 3 接口文档"});
}

}  // namespace lep::app
