// Serves the built front end: hashed assets cached for a year, index.html never cached,
// unknown paths fall back to index.html (client-side routing). Without a build, a plain
// Chinese start page says where the API is.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "app/routes.h"

namespace lep::app {
namespace {

std::string ContentType(const std::filesystem::path& p) {
  std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<std::string> ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr const char* kStartPage = R"html(<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>终身教育资源平台</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>终身教育数字化学习资源征集与学习门户平台</h1>
<p>服务已启动。接口文档：<a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>
</main></body></html>
)html";

// Whether an Accept-Encoding header accepts coding (a listed token whose q is not 0).
bool AcceptsEncoding(std::string_view header, std::string_view coding) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view name = item.substr(0, semi);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name != coding) continue;
    if (semi == std::string_view::npos) return true;
    std::string params(item.substr(semi + 1));
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    // q=0, q=0.0, q=0.00 … refuse the coding.
    if (params.rfind("q=0", 0) == 0 && params.find_first_not_of("0.", 2) == std::string::npos) {
      return false;
    }
    return true;
  }
  return false;
}

}  // namespace

http::Handler StaticFilesHandler(const std::string& web_dir) {
  return [web_dir](http::Request& req) -> http::Response {
    namespace fs = std::filesystem;
    if (req.path.rfind("/api/", 0) == 0) {
      return http::Response::FromError(Error::NotFound("接口不存在"));
    }
    auto html = [](std::string body) {
      auto r = http::Response::Text(200, std::move(body), "text/html; charset=utf-8");
      r.SetHeader("Cache-Control", "no-cache");
      r.SetHeader("Content-Security-Policy",
                  "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
                  "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; object-src 'none'");
      return r;
    };
    if (web_dir.empty() || !fs::exists(fs::path(web_dir) / "index.html")) return html(kStartPage);
    fs::path root = fs::weakly_canonical(web_dir);
    if (req.path.find("..") == std::string::npos && req.path != "/") {
      fs::path candidate = fs::weakly_canonical(root / req.path.substr(1));
      auto rel = candidate.lexically_relative(root);
      if (!rel.empty() && *rel.begin() != ".." && fs::is_regular_file(candidate)) {
        // The build ships .br/.gz beside text assets: send one the client accepts.
        std::string accept(req.Header("accept-encoding").value_or(""));
        std::string encoding;
        fs::path send = candidate;
        for (const char* enc : {"br", "gzip"}) {
          fs::path packed = candidate.string() + (std::string(enc) == "br" ? ".br" : ".gz");
          if (AcceptsEncoding(accept, enc) && fs::is_regular_file(packed)) {
            encoding = enc;
            send = packed;
            break;
          }
        }
        if (auto body = ReadFile(send)) {
          auto r = http::Response::Text(200, std::move(*body), ContentType(candidate));
          r.SetHeader("Vary", "Accept-Encoding");
          if (!encoding.empty()) r.SetHeader("Content-Encoding", encoding);
          bool hashed = req.path.rfind("/assets/", 0) == 0;
          r.SetHeader("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
          return r;
        }
      }
    }
    if (req.path.rfind("/assets/", 0) == 0) {
      return http::Response::FromError(Error::NotFound("文件不存在"));
    }
    auto index = ReadFile(root / "index.html");
    return html(index.value_or(kStartPage));
  };
}

}  // namespace lep::app
