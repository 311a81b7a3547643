// Request and Response: the transport-neutral HTTP messages that handlers see.
// Handlers never include Beast; the server converts at the edge. Value types.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"

namespace lep::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as received, e.g. "/api/v1/orgs/3?x=1"
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  std::string body;
  std::string remote_ip;
  std::string request_id;
  std::map<std::string, std::string> params;  // path parameters from the route pattern
  // Set by the server when the route's fast handler passed the request on: its guards have
  // run already (a rate limit must not count it twice).
  bool guards_done = false;

  std::optional<std::string_view> Header(std::string_view lower_name) const;
  std::optional<std::string> Cookie(std::string_view name) const;
  std::optional<std::string> Query(const std::string& name) const;
  std::string Param(const std::string& name) const;
  // Path parameter as a positive integer id, or nullopt if malformed.
  std::optional<int64_t> IdParam(const std::string& name) const;
  bool IsUnsafeMethod() const;
};

// A byte range of a file sent as the response body (sendfile; never copied into memory).
struct FileBody {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::optional<FileBody> file;  // when set, replaces body

  static Response Json(int status, const nlohmann::json& body);
  static Response Text(int status, std::string body, std::string content_type);
  static Response NoContent();
  static Response FromError(const Error& error);
  void SetHeader(std::string name, std::string value);
};

// Percent-decodes s; returns nullopt on malformed escapes.
std::optional<std::string> PercentDecode(std::string_view s, bool plus_as_space);
// Splits "a=1&b=2" into a map (last one wins).
std::map<std::string, std::string> ParseQuery(std::string_view q);

}  // namespace lep::http
