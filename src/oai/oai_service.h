// OaiService: the national catalog as an OAI-PMH 2.0 repository (Identify, ListMetadataFormats,
// ListSets, ListIdentifiers, ListRecords, GetRecord) with Dublin Core (oai_dc) records of the
// published resources, tombstones of withdrawn ones (deletedRecord=persistent), sets by
// resource type and stateless resumption tokens signed with a key shared by every server.
// Every answer, protocol errors included, is an XML document built with pugixml. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "oai/oai_repository.h"
#include "resources/resource_repository.h"

namespace lep::oai {

struct OaiOptions {
  std::string base_url;  // public base URL without a trailing slash, "https://lep.example.cn"
  std::string repository_name = "国家终身教育数字化学习资源平台";
  std::string admin_email;
  int page_size = 100;  // records or headers per ListRecords / ListIdentifiers answer
};

// A keyed MAC of a resumption token's body (hex; the same key on every server).
using TokenMac = std::function<std::string(std::string_view)>;

using OaiArgs = std::vector<std::pair<std::string, std::string>>;  // in order, repeats kept

// The six verbs' arguments after the protocol's checks.
struct OaiRequest {
  std::string verb;
  std::string identifier;
  std::string metadata_prefix;
  std::optional<int64_t> from, until;  // ms, inclusive
  std::string set;
  std::string resumption_token;
};

// A protocol error: its code ("badArgument", …) and an explanation in Chinese.
struct OaiError {
  std::string code;
  std::string message;
};

// "YYYY-MM-DD" (until: the day's last millisecond) or "YYYY-MM-DDThh:mm:ssZ"; nullopt when
// malformed or not a real instant. second_granularity tells which form it was.
std::optional<int64_t> ParseUtcDatestamp(std::string_view s, bool until, bool* second_granularity);
std::string FormatUtcDatestamp(int64_t ms);  // "2022-05-10T00:00:00Z"
// The checks of OAI-PMH §3.1–3.6 that need no data: verb, allowed / required / exclusive /
// repeated arguments, datestamp syntax and order.
tl::expected<OaiRequest, OaiError> ParseOaiRequest(const OaiArgs& args);
// Drops what XML 1.0 cannot carry (C0 controls but tab/newline/return, U+FFFE/U+FFFF) and
// replaces malformed UTF-8, so that any stored text becomes a well-formed document.
std::string XmlSafe(std::string_view s);

class OaiService {
 public:
  OaiService(OaiRepository& records, resources::ResourceRepository& resources, const Clock& clock,
             OaiOptions options, TokenMac mac);

  // The response document for one request (arguments in order; malformed ones already
  // reported by the adapter as bad_argument). Database failures are errors, not documents.
  [[nodiscard]] Result<std::string> Handle(const OaiArgs& args, bool bad_encoding = false);
  // oai:<host>:<id> of a resource, and its portal page.
  std::string Identifier(int64_t resource_id) const;
  std::string PageUrl(int64_t resource_id) const;

 private:
  class Doc;
  Result<std::optional<OaiError>> Answer(const OaiRequest& r, Doc& doc);
  Result<std::optional<OaiError>> List(const OaiRequest& r, Doc& doc);
  std::optional<int64_t> ParseIdentifier(std::string_view s) const;
  std::string SignToken(const std::string& body) const;
  std::optional<std::string> VerifyToken(const std::string& token) const;

  OaiRepository& records_;
  resources::ResourceRepository& resources_;
  const Clock& clock_;
  OaiOptions options_;
  TokenMac mac_;
  std::string host_;  // the base URL's host: the repository identifier
};

}  // namespace lep::oai
