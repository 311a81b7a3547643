#include "linkcheck/link_checker.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

#include "linkcheck/address_classifier.h"

namespace lep::linkcheck {
namespace {

constexpr char kUserAgent[] =
    "lep-linkcheck/1.0 (lifelong-learning resource platform; online course link check)";
constexpr size_t kMaxUrlLength = 8192;

using SteadyClock = std::chrono::steady_clock;

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct UrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
struct CurlStrDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using CurlStr = std::unique_ptr<char, CurlStrDeleter>;

// curl_global_init must run once before any handle exists; later calls are cheap.
bool EnsureCurlInitialized() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

// A failed check: stable code plus the Chinese message for the submitter.
struct Failure {
  std::string code;
  std::string message;
};

Failure BadUrl() { return {"bad_url", "链接格式不正确"}; }
Failure BadScheme() { return {"bad_scheme", "仅支持 http 或 https 链接"}; }
Failure Credentials() { return {"credentials_in_url", "链接中不能包含用户名或密码"}; }
Failure Blocked() { return {"blocked_address", "链接指向内部或保留的网络地址，不允许访问"}; }
Failure Internal() { return {"internal", "服务器内部错误，暂时无法检查链接"}; }
Failure Timeout() { return {"timeout", "访问链接超时"}; }

Failure FromCurlCode(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
      return BadScheme();
    case CURLE_URL_MALFORMAT:
      return BadUrl();
    case CURLE_COULDNT_RESOLVE_HOST:
      return {"dns", "无法解析链接的域名"};
    case CURLE_COULDNT_CONNECT:
      return {"connect", "无法连接到链接所在的服务器"};
    case CURLE_OPERATION_TIMEDOUT:
      return Timeout();
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_USE_SSL_FAILED:
      return {"tls", "链接的 HTTPS 证书或加密连接有问题"};
    case CURLE_OUT_OF_MEMORY:
    case CURLE_FAILED_INIT:
      return Internal();
    default:
      return {"network", "访问链接时网络出错"};
  }
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool HasPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  const CURLUcode rc = curl_url_get(url, part, &value, 0);
  curl_free(value);
  return rc == CURLUE_OK;
}

std::optional<std::string> GetPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return std::nullopt;
  CurlStr owned(value);
  return std::string(owned.get());
}

// The scheme as written ("FTP" in "FTP://x"), or empty when the text does not start with one.
// Only used to name the error when libcurl refuses to parse a non-http URL at all.
std::string SchemeOf(std::string_view raw) {
  const size_t colon = raw.find(':');
  if (colon == std::string_view::npos || colon == 0) return {};
  if (!std::isalpha(static_cast<unsigned char>(raw[0]))) return {};
  for (char c : raw.substr(0, colon)) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '+' && c != '-' && c != '.') return {};
  }
  return Lower(raw.substr(0, colon));
}

bool LastLabelIsNumeric(std::string_view host) {
  const size_t dot = host.rfind('.');
  std::string_view label = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (label.empty()) return false;
  auto all = [](std::string_view v, int (*pred)(int)) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [pred](char c) {
      return pred(static_cast<unsigned char>(c)) != 0;
    });
  };
  if (all(label, &isdigit)) return true;
  return label.size() >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') &&
         (label.size() == 2 || all(label.substr(2), &isxdigit));
}

struct ParsedUrl {
  UrlPtr handle;  // handed to libcurl with CURLOPT_CURLU: one parser for checking and fetching
  std::string text;
};

// Validates an absolute URL with libcurl's own parser. Addresses are not judged here: that
// happens at connect time, where the real resolved address is known.
tl::expected<ParsedUrl, Failure> ParseUrl(const std::string& raw, bool allow_reparse = true) {
  if (raw.empty() || raw.size() > kMaxUrlLength || raw.find('\0') != std::string::npos) {
    return tl::unexpected(BadUrl());
  }
  UrlPtr url(curl_url());
  if (!url) return tl::unexpected(Internal());
  // NON_SUPPORT_SCHEME: parse any scheme so the scheme check below names the real problem.
  if (curl_url_set(url.get(), CURLUPART_URL, raw.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    const std::string scheme = SchemeOf(raw);
    if (!scheme.empty() && scheme != "http" && scheme != "https") {
      return tl::unexpected(BadScheme());
    }
    return tl::unexpected(BadUrl());
  }
  const std::optional<std::string> scheme = GetPart(url.get(), CURLUPART_SCHEME);
  if (!scheme) return tl::unexpected(BadUrl());
  const std::string lower_scheme = Lower(*scheme);
  if (lower_scheme != "http" && lower_scheme != "https") return tl::unexpected(BadScheme());
  if (HasPart(url.get(), CURLUPART_USER) || HasPart(url.get(), CURLUPART_PASSWORD) ||
      HasPart(url.get(), CURLUPART_OPTIONS)) {
    return tl::unexpected(Credentials());
  }
  const std::optional<std::string> host = GetPart(url.get(), CURLUPART_HOST);
  if (!host || host->empty()) return tl::unexpected(BadUrl());
  if (host->front() != '[') {  // IPv6 literals are judged at connect time like the rest
    std::string name = Lower(*host);
    if (name.back() == '.') {
      // "127.0.0.1." or "example.com.": drop the root dot and parse again, so numeric hosts
      // become IP literals instead of resolver queries.
      while (!name.empty() && name.back() == '.') name.pop_back();
      if (name.empty() || !allow_reparse ||
          curl_url_set(url.get(), CURLUPART_HOST, name.c_str(), 0) != CURLUE_OK) {
        return tl::unexpected(BadUrl());
      }
      std::optional<std::string> text = GetPart(url.get(), CURLUPART_URL);
      if (!text) return tl::unexpected(BadUrl());
      return ParseUrl(*text, /*allow_reparse=*/false);
    }
    // RFC 6761 names are loopback by definition: refuse them without asking any resolver.
    if (name == "localhost" || name.ends_with(".localhost")) return tl::unexpected(Blocked());
    // WHATWG: a host whose last label is a number must be an IPv4 address. libcurl has
    // already normalised valid spellings ("0x7f.1"); anything left ("1.2.3.4.5") would
    // otherwise go to DNS.
    if (LastLabelIsNumeric(name) && !ParseIpAddress(name)) return tl::unexpected(BadUrl());
  }
  std::optional<std::string> text = GetPart(url.get(), CURLUPART_URL);
  if (!text) return tl::unexpected(BadUrl());
  return ParsedUrl{std::move(url), std::move(*text)};
}

// Per-check state seen by the socket callbacks. Lives on the stack of one Check call.
struct AddressGuard {
  const std::vector<Cidr>* allow = nullptr;
  bool refused = false;  // some address was refused during the current transfer

  bool Permit(const IpAddress& ip) {
    if (Classify(ip).IsPublic()) return true;
    for (const Cidr& cidr : *allow) {
      if (cidr.Contains(ip)) return true;
    }
    refused = true;
    return false;
  }
};

std::optional<IpAddress> FromSockaddr(const curl_sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  const auto* raw = reinterpret_cast<const unsigned char*>(&address->addr);
  if (address->family == AF_INET && address->addrlen >= sizeof(sockaddr_in)) {
    sockaddr_in sin{};
    std::memcpy(&sin, raw, sizeof(sin));
    std::array<uint8_t, 4> b{};
    std::memcpy(b.data(), &sin.sin_addr, 4);
    return IpAddress::V4(b);
  }
  if (address->family == AF_INET6 && address->addrlen >= sizeof(sockaddr_in6)) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, raw, sizeof(sin6));
    std::array<uint8_t, 16> b{};
    std::memcpy(b.data(), &sin6.sin6_addr, 16);
    return IpAddress::V6(b);
  }
  return std::nullopt;  // AF_UNIX or anything else: never
}

// Runs after resolution, before connect(): the one place that sees the real address, so DNS
// rebinding and alternative IP spellings cannot get past it.
curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<AddressGuard*>(clientp);
  const std::optional<IpAddress> ip = FromSockaddr(address);
  if (purpose != CURLSOCKTYPE_IPCXN || !ip || !guard->Permit(*ip)) {
    guard->refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

// Second check on the connected peer, just before the request is sent (also covers a
// reused connection).
int BeforeRequest(void* clientp, char* conn_primary_ip, char* /*conn_local_ip*/,
                  int /*conn_primary_port*/, int /*conn_local_port*/) {
  auto* guard = static_cast<AddressGuard*>(clientp);
  const Result<IpAddress> ip =
      ParseIpAddress(conn_primary_ip == nullptr ? std::string_view() : conn_primary_ip);
  if (!ip || !guard->Permit(*ip)) {
    guard->refused = true;
    return CURL_PREREQFUNC_ABORT;
  }
  return CURL_PREREQFUNC_OK;
}

struct BodySink {
  size_t cap = 0;
  size_t received = 0;
  bool capped = false;
};

// Discards the body; aborts the transfer (CURLE_WRITE_ERROR) once it passes the cap.
size_t DiscardBody(char* /*ptr*/, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<BodySink*>(userdata);
  const size_t n = size * nmemb;
  if (n > sink->cap - sink->received) {
    sink->capped = true;
    return 0;
  }
  sink->received += n;
  return n;
}

struct Attempt {
  CURLcode code = CURLE_OK;
  long status = 0;
  bool refused = false;
  bool capped = false;
};

class CurlLinkChecker final : public LinkChecker {
 public:
  CurlLinkChecker(LinkCheckOptions options, std::vector<Cidr> allow)
      : options_(std::move(options)), allow_(std::move(allow)) {}

  LinkCheckResult Check(const std::string& url) override {
    const SteadyClock::time_point start = SteadyClock::now();
    LinkCheckResult result = Run(url, start);
    result.elapsed_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
    return result;
  }

 private:
  enum class Method { kHead, kRangedGet, kGet };

  static LinkCheckResult Failed(LinkCheckResult r, const Failure& f) {
    r.reachable = false;
    r.error_code = f.code;
    r.error = f.message;
    return r;
  }

  // Options that never change within a check.
  bool Configure(CURL* easy, AddressGuard* guard, BodySink* sink) const {
    bool ok = true;
    auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
    set(curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"));
    set(curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L));
    set(curl_easy_setopt(easy, CURLOPT_PROXY, ""));  // ignore *_proxy environment variables
    set(curl_easy_setopt(easy, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED)));
    set(curl_easy_setopt(easy, CURLOPT_USERAGENT, kUserAgent));
    set(curl_easy_setopt(easy, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket));
    set(curl_easy_setopt(easy, CURLOPT_OPENSOCKETDATA, guard));
    set(curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &BeforeRequest));
    set(curl_easy_setopt(easy, CURLOPT_PREREQDATA, guard));
    set(curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &DiscardBody));
    set(curl_easy_setopt(easy, CURLOPT_WRITEDATA, sink));
    return ok;
  }

  // One request; nullopt when the time budget is already spent.
  std::optional<Attempt> Perform(CURL* easy, CURLU* url, Method method, AddressGuard* guard,
                                 BodySink* sink, SteadyClock::time_point deadline) const {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (remaining.count() <= 0) return std::nullopt;
    // 0 means "libcurl default" (300 s) to libcurl, so never pass it.
    const auto connect =
        std::max(std::chrono::milliseconds(1), std::min(remaining, options_.connect_timeout));
    const std::string range = "0-" + std::to_string(options_.max_body_bytes - 1);
    bool ok = true;
    auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
    set(curl_easy_setopt(easy, CURLOPT_CURLU, url));
    set(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count())));
    set(curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect.count())));
    if (method == Method::kHead) {
      set(curl_easy_setopt(easy, CURLOPT_NOBODY, 1L));
      set(curl_easy_setopt(easy, CURLOPT_RANGE, nullptr));
    } else {
      set(curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L));
      set(curl_easy_setopt(easy, CURLOPT_RANGE,
                           method == Method::kRangedGet ? range.c_str() : nullptr));
    }
    Attempt a;
    if (!ok) {
      a.code = CURLE_FAILED_INIT;
      return a;
    }
    guard->refused = false;
    *sink = BodySink{options_.max_body_bytes, 0, false};
    a.code = curl_easy_perform(easy);
    a.refused = guard->refused;
    a.capped = sink->capped;
    if (curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &a.status) != CURLE_OK) a.status = 0;
    return a;
  }

  LinkCheckResult Run(const std::string& raw_url, SteadyClock::time_point start) const {
    LinkCheckResult result;
    result.final_url = raw_url;
    if (!EnsureCurlInitialized()) return Failed(std::move(result), Internal());
    auto parsed = ParseUrl(raw_url);
    if (!parsed) return Failed(std::move(result), parsed.error());
    ParsedUrl current = std::move(*parsed);

    EasyPtr easy(curl_easy_init());
    AddressGuard guard{&allow_, false};
    BodySink sink;
    if (!easy || !Configure(easy.get(), &guard, &sink)) {
      return Failed(std::move(result), Internal());
    }
    const SteadyClock::time_point deadline = start + options_.total_timeout;

    for (;;) {
      result.final_url = current.text;
      // HEAD first; GET (ranged, then plain if the range itself is refused) only when the
      // server does not do HEAD.
      std::optional<Attempt> a;
      for (Method m : {Method::kHead, Method::kRangedGet, Method::kGet}) {
        a = Perform(easy.get(), current.handle.get(), m, &guard, &sink, deadline);
        if (!a || a->refused || a->code != CURLE_OK) break;
        const bool retry = m == Method::kHead ? (a->status == 405 || a->status == 501)
                                              : (m == Method::kRangedGet && a->status == 416);
        if (!retry) break;
      }
      if (!a) return Failed(std::move(result), Timeout());
      if (a->refused) return Failed(std::move(result), Blocked());
      result.status = static_cast<int>(a->status);
      // Cutting the body at the cap is expected, not a failure.
      if (a->code != CURLE_OK && !(a->code == CURLE_WRITE_ERROR && a->capped)) {
        return Failed(std::move(result), FromCurlCode(a->code));
      }

      if (a->status >= 300 && a->status < 400) {
        char* location = nullptr;  // owned by the easy handle
        if (curl_easy_getinfo(easy.get(), CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
            location != nullptr) {
          if (result.hops >= options_.max_redirects) {
            return Failed(
                std::move(result),
                {"too_many_redirects",
                 "链接重定向次数过多（超过 " + std::to_string(options_.max_redirects) + " 次）"});
          }
          auto next = ParseUrl(location);
          if (!next) {
            Failure f = next.error();
            if (f.code == "bad_url") f = {"bad_redirect", "链接重定向到了无效的地址"};
            return Failed(std::move(result), f);
          }
          ++result.hops;
          current = std::move(*next);
          continue;
        }
        // A Location curl could not turn into a URL is a broken redirect, not an arrival.
        curl_header* h = nullptr;
        if (curl_easy_header(easy.get(), "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
          return Failed(std::move(result), {"bad_redirect", "链接重定向到了无效的地址"});
        }
      }
      if (a->status >= 200 && a->status < 400) {
        result.reachable = true;
        return result;
      }
      return Failed(std::move(result),
                    {"http_status", "链接返回 HTTP 状态码 " + std::to_string(a->status)});
    }
  }

  const LinkCheckOptions options_;
  const std::vector<Cidr> allow_;
};

}  // namespace

Status ValidateLinkCheckOptions(const LinkCheckOptions& options) {
  std::vector<FieldError> fields;
  if (options.connect_timeout.count() <= 0) {
    fields.push_back({"connect_timeout", "连接超时", "必须大于 0"});
  }
  if (options.total_timeout.count() <= 0) {
    fields.push_back({"total_timeout", "总超时", "必须大于 0"});
  }
  if (options.max_redirects < 0) {
    fields.push_back({"max_redirects", "最大重定向次数", "不能为负数"});
  }
  if (options.max_body_bytes == 0) {
    fields.push_back({"max_body_bytes", "最大读取字节数", "必须大于 0"});
  }
  for (const std::string& cidr : options.test_allow_cidrs) {
    if (!ParseCidr(cidr)) {
      fields.push_back({"test_allow_cidrs", "测试放行地址段", "无法解析：" + cidr});
    }
  }
  if (!fields.empty()) return Fail(Error::InvalidArgument("链接检查配置不正确", std::move(fields)));
  return Ok();
}

std::unique_ptr<LinkChecker> NewCurlLinkChecker(LinkCheckOptions options) {
  EnsureCurlInitialized();
  std::vector<Cidr> allow;
  for (const std::string& text : options.test_allow_cidrs) {
    if (Result<Cidr> cidr = ParseCidr(text)) allow.push_back(*cidr);
  }
  if (options.max_body_bytes == 0) options.max_body_bytes = 1;
  return std::make_unique<CurlLinkChecker>(std::move(options), std::move(allow));
}

}  // namespace lep::linkcheck
