// LinkChecker: checks that a submitted online-course URL (A03) is reachable from the Internet
// (HTTP 2xx/3xx after at most 5 redirects) without ever connecting to loopback, private,
// link-local or other non-public addresses (SSRF guard, SPEC §6). Only status metadata is
// returned, never the body. Implementations are thread-safe: Check may be called concurrently;
// each call uses its own connection state.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace lep::linkcheck {

struct LinkCheckResult {
  bool reachable = false;
  int status = 0;         // last HTTP status received, 0 if none
  std::string final_url;  // URL of the last request made (after redirects)
  int hops = 0;           // redirects followed
  int64_t elapsed_ms = 0;
  std::string error;  // Chinese, safe to show to the submitter; empty when reachable
  // Stable code, empty when reachable: "bad_url", "bad_scheme", "credentials_in_url",
  // "blocked_address", "dns", "connect", "timeout", "tls", "network", "too_many_redirects",
  // "bad_redirect", "http_status", "internal".
  std::string error_code;
};

struct LinkCheckOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{10000};  // for the whole check, all hops included
  int max_redirects = 5;
  size_t max_body_bytes = 65536;  // body bytes read before the transfer is cut (not an error)
  // Test-only: CIDRs ("127.0.0.1/32") whose addresses are allowed although not public.
  // Empty in production. Invalid entries are ignored (fail closed); see ValidateLinkCheckOptions.
  std::vector<std::string> test_allow_cidrs;
};

class LinkChecker {
 public:
  virtual ~LinkChecker() = default;
  virtual LinkCheckResult Check(const std::string& url) = 0;
};

// Rejects non-positive timeouts, negative redirect caps, a zero body cap and unparsable CIDRs.
// The composition root calls this at start-up.
[[nodiscard]] Status ValidateLinkCheckOptions(const LinkCheckOptions& options);

// libcurl-backed checker: http/https only, redirects followed by hand and re-validated, the
// connected address checked at connect time (defeats DNS rebinding and odd IP spellings),
// no proxy, cookies, netrc or credentials.
std::unique_ptr<LinkChecker> NewCurlLinkChecker(LinkCheckOptions options);

}  // namespace lep::linkcheck
