#include "oai/oai_service.h"

#include <time.h>

#include <charconv>
#include <map>
#include <set>
#include <sstream>

#include <pugixml.hpp>

#include "core/date.h"
#include "crypto/crypto.h"
#include "resources/resource.h"

namespace lep::oai {
namespace {

constexpr const char* kOaiNs = "http://www.openarchives.org/OAI/2.0/";
constexpr const char* kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
constexpr const char* kOaiDcNs = "http://www.openarchives.org/OAI/2.0/oai_dc/";
constexpr const char* kDcNs = "http://purl.org/dc/elements/1.1/";
constexpr const char* kOaiDc = "oai_dc";

const std::vector<resources::ResourceType>& SetTypes() {
  static const std::vector<resources::ResourceType> kTypes = {resources::ResourceType::kVideo,
                                                              resources::ResourceType::kAudio,
                                                              resources::ResourceType::kCourse};
  return kTypes;
}

// The XSD's pattern for metadataPrefix and each setSpec segment: URI unreserved characters.
bool IsUnreservedToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              std::string_view("-_.!~*'()").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

bool IsSetSpec(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t colon = s.find(':', start);
    if (!IsUnreservedToken(s.substr(start, colon == std::string_view::npos ? colon : colon - start))) {
      return false;
    }
    if (colon == std::string_view::npos) return true;
    start = colon + 1;
  }
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "2022-05-10" in Asia/Shanghai: the day the notice's readers would say it was published.
std::string ShanghaiDay(int64_t ms) { return DateFromUnixMs(ms, 8).ToString(); }

std::string_view DcmiType(resources::ResourceType t) {
  switch (t) {
    case resources::ResourceType::kVideo: return "MovingImage";
    case resources::ResourceType::kAudio: return "Sound";
    case resources::ResourceType::kCourse: return "InteractiveResource";
  }
  return "Text";
}

std::string_view MimeType(resources::ResourceType t) {
  switch (t) {
    case resources::ResourceType::kVideo: return "video/mp4";
    case resources::ResourceType::kAudio: return "audio/mpeg";
    case resources::ResourceType::kCourse: return "text/html";
  }
  return "text/html";
}

struct StringWriter final : pugi::xml_writer {
  std::string out;
  void write(const void* data, size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

// Which arguments each verb takes: required, optional, exclusive (resumptionToken).
struct VerbRule {
  std::set<std::string> required, optional;
  bool token = false;
};

const std::map<std::string, VerbRule>& Verbs() {
  static const std::map<std::string, VerbRule> kVerbs = {
      {"Identify", {{}, {}, false}},
      {"ListMetadataFormats", {{}, {"identifier"}, false}},
      {"ListSets", {{}, {}, true}},
      {"GetRecord", {{"identifier", "metadataPrefix"}, {}, false}},
      {"ListIdentifiers", {{"metadataPrefix"}, {"from", "until", "set"}, true}},
      {"ListRecords", {{"metadataPrefix"}, {"from", "until", "set"}, true}},
  };
  return kVerbs;
}

}  // namespace

std::optional<int64_t> ParseUtcDatestamp(std::string_view s, bool until, bool* seconds) {
  auto digits = [&](size_t at, size_t n) -> std::optional<int> {
    if (at + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  bool long_form = s.size() == 20;
  if (s.size() != 10 && !long_form) return std::nullopt;
  if (s[4] != '-' || s[7] != '-') return std::nullopt;
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2);
  if (!y || !mo || !d) return std::nullopt;
  int h = 0, mi = 0, sec = 0;
  if (long_form) {
    if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z') return std::nullopt;
    auto hh = digits(11, 2), mm = digits(14, 2), ss = digits(17, 2);
    if (!hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
    h = *hh, mi = *mm, sec = *ss;
  }
  // A real calendar day: the same check the rest of the product uses.
  char day[11];
  std::snprintf(day, sizeof day, "%04d-%02d-%02d", *y, *mo, *d);
  if (!ParseIsoDate(day)) return std::nullopt;
  struct tm tm {};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  if (until) ms += long_form ? 999 : 86'400'000 - 1;
  if (seconds) *seconds = long_form;
  return ms;
}

std::string FormatUtcDatestamp(int64_t ms) {
  time_t secs = static_cast<time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

tl::expected<OaiRequest, OaiError> ParseOaiRequest(const OaiArgs& args) {
  auto bad = [](std::string code, std::string message) {
    return tl::unexpected(OaiError{std::move(code), std::move(message)});
  };
  std::map<std::string, std::string> seen;
  int verbs = 0;
  for (const auto& [k, v] : args) {
    if (k == "verb") ++verbs;
    if (k != "verb" && seen.count(k)) return bad("badArgument", "参数 " + k + " 重复出现");
    seen[k] = v;
  }
  if (verbs == 0) return bad("badVerb", "缺少参数 verb");
  if (verbs > 1) return bad("badVerb", "参数 verb 重复出现");
  OaiRequest r;
  r.verb = seen["verb"];
  auto rule = Verbs().find(r.verb);
  if (rule == Verbs().end()) return bad("badVerb", "不支持的 verb：" + r.verb);
  seen.erase("verb");
  if (rule->second.token && seen.count("resumptionToken")) {
    if (seen.size() > 1) {
      return bad("badArgument", "resumptionToken 只能与 verb 一起使用，不能带其他参数");
    }
    r.resumption_token = seen["resumptionToken"];
    return r;
  }
  for (const auto& [k, v] : seen) {
    if (!rule->second.required.count(k) && !rule->second.optional.count(k)) {
      return bad("badArgument", r.verb + " 不接受参数 " + k);
    }
  }
  for (const auto& k : rule->second.required) {
    if (!seen.count(k)) return bad("badArgument", r.verb + " 缺少必填参数 " + k);
  }
  if (seen.count("identifier")) {
    r.identifier = seen["identifier"];
    if (r.identifier.empty()) return bad("badArgument", "参数 identifier 不能为空");
  }
  if (seen.count("metadataPrefix")) {
    r.metadata_prefix = seen["metadataPrefix"];
    if (!IsUnreservedToken(r.metadata_prefix)) {
      return bad("badArgument", "参数 metadataPrefix 格式不正确");
    }
  }
  if (seen.count("set")) {
    r.set = seen["set"];
    if (!IsSetSpec(r.set)) return bad("badArgument", "参数 set 格式不正确");
  }
  bool from_seconds = false, until_seconds = false;
  if (seen.count("from")) {
    r.from = ParseUtcDatestamp(seen["from"], false, &from_seconds);
    if (!r.from) {
      return bad("badArgument", "参数 from 应为 YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ssZ（UTC）");
    }
  }
  if (seen.count("until")) {
    r.until = ParseUtcDatestamp(seen["until"], true, &until_seconds);
    if (!r.until) {
      return bad("badArgument", "参数 until 应为 YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ssZ（UTC）");
    }
  }
  if (r.from && r.until) {
    if (from_seconds != until_seconds) {
      return bad("badArgument", "参数 from 与 until 的时间粒度不同");
    }
    if (*r.from > *r.until) return bad("badArgument", "参数 from 晚于 until");
  }
  return r;
}

std::string XmlSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    uint32_t cp = 0;
    bool ok = len > 0 && i + len <= s.size();
    if (ok) {
      cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (size_t k = 1; k < len && ok; ++k) {
        unsigned char cc = static_cast<unsigned char>(s[i + k]);
        ok = (cc & 0xC0) == 0x80;
        cp = (cp << 6) | (cc & 0x3F);
      }
      static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = ok && cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    bool allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp != 0xFFFE && cp != 0xFFFF);
    if (allowed) out.append(s.substr(i, len));
    i += len;
  }
  return out;
}

// The response document: envelope, responseDate and request element, then one verb element.
class OaiService::Doc {
 public:
  Doc(const std::string& base, int64_t now_ms) : base_(base) {
    auto decl = doc_.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root_ = doc_.append_child("OAI-PMH");
    root_.append_attribute("xmlns") = kOaiNs;
    root_.append_attribute("xmlns:xsi") = kXsiNs;
    root_.append_attribute("xsi:schemaLocation") =
        "http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd";
    Text(root_.append_child("responseDate"), FormatUtcDatestamp(now_ms));
    request_ = root_.append_child("request");
    Text(request_, base_ + "/oai");
  }
  // The request's arguments as attributes (only for requests without badVerb/badArgument).
  void EchoArguments(const OaiArgs& args) {
    for (const auto& [k, v] : args) request_.append_attribute(k.c_str()) = XmlSafe(v).c_str();
  }
  pugi::xml_node Verb(const std::string& verb) { return root_.append_child(verb.c_str()); }
  void Fail(const OaiError& e) {
    auto n = root_.append_child("error");
    n.append_attribute("code") = e.code.c_str();
    Text(n, e.message);
  }
  static void Text(pugi::xml_node n, std::string_view text) {
    n.append_child(pugi::node_pcdata).set_value(XmlSafe(text).c_str());
  }
  static pugi::xml_node Child(pugi::xml_node parent, const char* name, std::string_view text) {
    auto n = parent.append_child(name);
    Text(n, text);
    return n;
  }
  std::string Render() {
    StringWriter w;
    doc_.save(w, "", pugi::format_raw, pugi::encoding_utf8);
    return std::move(w.out);
  }

 private:
  const std::string& base_;
  pugi::xml_document doc_;
  pugi::xml_node root_;
  pugi::xml_node request_;
};

OaiService::OaiService(OaiRepository& records, resources::ResourceRepository& resources,
                       const Clock& clock, OaiOptions options, TokenMac mac)
    : records_(records),
      resources_(resources),
      clock_(clock),
      options_(std::move(options)),
      mac_(std::move(mac)) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  std::string_view host = options_.base_url;
  if (size_t scheme = host.find("://"); scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  host = host.substr(0, host.find('/'));
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  host_ = std::string(host);
  if (options_.page_size < 1) options_.page_size = 1;
}

std::string OaiService::Identifier(int64_t resource_id) const {
  return "oai:" + host_ + ":" + std::to_string(resource_id);
}

std::string OaiService::PageUrl(int64_t resource_id) const {
  return options_.base_url + "/resources/" + std::to_string(resource_id);
}

std::optional<int64_t> OaiService::ParseIdentifier(std::string_view s) const {
  std::string prefix = "oai:" + host_ + ":";
  if (s.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto id = ParseInt(s.substr(prefix.size()));
  if (!id || *id <= 0 || std::to_string(*id) != s.substr(prefix.size())) return std::nullopt;
  return id;
}

// token = "v1.<verb>.<from>.<until>.<set, hex>.<after id>.<complete size>.<cursor>.<mac>": readable,
// URL-safe, and any change to it is found by the MAC (badResumptionToken).
std::string OaiService::SignToken(const std::string& body) const {
  return body + "." + mac_(body).substr(0, 32);
}

std::optional<std::string> OaiService::VerifyToken(const std::string& token) const {
  size_t dot = token.rfind('.');
  if (dot == std::string::npos || token.size() > 512) return std::nullopt;
  std::string body = token.substr(0, dot);
  std::string expected = mac_(body).substr(0, 32);
  if (!crypto::ConstantTimeEqual(expected, token.substr(dot + 1)) || expected.size() != 32) {
    return std::nullopt;
  }
  return body;
}

Result<std::string> OaiService::Handle(const OaiArgs& args, bool bad_encoding) {
  Doc doc(options_.base_url, clock_.NowMs());
  if (bad_encoding) {
    doc.Fail({"badArgument", "请求参数编码不正确（百分号转义无效）"});
    return doc.Render();
  }
  auto parsed = ParseOaiRequest(args);
  if (!parsed) {
    doc.Fail(parsed.error());
    return doc.Render();
  }
  doc.EchoArguments(args);
  LEP_ASSIGN_OR_RETURN(auto error, Answer(*parsed, doc));
  if (error) doc.Fail(*error);
  return doc.Render();
}

Result<std::optional<OaiError>> OaiService::Answer(const OaiRequest& r, Doc& doc) {
  using Err = std::optional<OaiError>;
  if (r.verb == "Identify") {
    LEP_ASSIGN_OR_RETURN(auto earliest, records_.Earliest());
    auto n = doc.Verb("Identify");
    Doc::Child(n, "repositoryName", options_.repository_name);
    Doc::Child(n, "baseURL", options_.base_url + "/oai");
    Doc::Child(n, "protocolVersion", "2.0");
    Doc::Child(n, "adminEmail", options_.admin_email);
    Doc::Child(n, "earliestDatestamp", FormatUtcDatestamp(earliest.value_or(0) / 1000 * 1000));
    Doc::Child(n, "deletedRecord", "persistent");
    Doc::Child(n, "granularity", "YYYY-MM-DDThh:mm:ssZ");
    return Err();
  }
  if (r.verb == "ListMetadataFormats") {
    if (!r.identifier.empty()) {
      auto id = ParseIdentifier(r.identifier);
      std::optional<RecordHeader> header;
      if (id) {
        LEP_ASSIGN_OR_RETURN(header, records_.Get(*id));
      }
      if (!header) return Err(OaiError{"idDoesNotExist", "没有这条记录：" + r.identifier});
    }
    auto f = doc.Verb("ListMetadataFormats").append_child("metadataFormat");
    Doc::Child(f, "metadataPrefix", kOaiDc);
    Doc::Child(f, "schema", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd");
    Doc::Child(f, "metadataNamespace", kOaiDcNs);
    return Err();
  }
  if (r.verb == "ListSets") {
    if (!r.resumption_token.empty()) {
      return Err(OaiError{"badResumptionToken", "集合列表一次给出，没有续传标记"});
    }
    auto n = doc.Verb("ListSets");
    for (auto t : SetTypes()) {
      auto s = n.append_child("set");
      Doc::Child(s, "setSpec", resources::TypeCode(t));
      Doc::Child(s, "setName", resources::TypeLabel(t));
    }
    return Err();
  }
  if (r.verb == "GetRecord") {
    if (r.metadata_prefix != kOaiDc) {
      return Err(OaiError{"cannotDisseminateFormat", "只提供 oai_dc 格式：" + r.metadata_prefix});
    }
    auto id = ParseIdentifier(r.identifier);
    std::optional<RecordHeader> header;
    if (id) {
      LEP_ASSIGN_OR_RETURN(header, records_.Get(*id));
    }
    if (!header) return Err(OaiError{"idDoesNotExist", "没有这条记录：" + r.identifier});
    return List(r, doc);
  }
  return List(r, doc);
}

Result<std::optional<OaiError>> OaiService::List(const OaiRequest& r, Doc& doc) {
  using Err = std::optional<OaiError>;
  RecordQuery q;
  std::string verb = r.verb;
  int64_t total = -1, cursor = 0;
  std::vector<RecordHeader> headers;
  bool more = false;
  if (r.verb == "GetRecord") {
    LEP_ASSIGN_OR_RETURN(auto h, records_.Get(*ParseIdentifier(r.identifier)));
    headers.push_back(*h);
  } else {
    if (!r.resumption_token.empty()) {
      auto body = VerifyToken(r.resumption_token);
      std::vector<std::string> f;
      if (body) {
        std::stringstream ss(*body);
        for (std::string part; std::getline(ss, part, '.');) f.push_back(part);
        if (!body->empty() && body->back() == '.') f.push_back("");
      }
      std::optional<int64_t> from, until, after, size, at;
      if (f.size() == 8) {
        from = ParseInt(f[2]), until = ParseInt(f[3]), after = ParseInt(f[5]);
        size = ParseInt(f[6]), at = ParseInt(f[7]);
      }
      if (!body || f.size() != 8 || f[0] != "v1" || f[1] != r.verb || !from || !until || !after ||
          !size || !at) {
        return Err(OaiError{"badResumptionToken", "续传标记无效或已被改动，请重新开始收割"});
      }
      auto set = crypto::FromHex(f[4]);
      if (!set) return Err(OaiError{"badResumptionToken", "续传标记无效或已被改动，请重新开始收割"});
      q.from = *from, q.until = *until, q.set_spec = *set, q.after_id = *after;
      total = *size, cursor = *at;
    } else {
      if (r.metadata_prefix != kOaiDc) {
        return Err(OaiError{"cannotDisseminateFormat", "只提供 oai_dc 格式：" + r.metadata_prefix});
      }
      q.from = r.from.value_or(0);
      q.until = r.until.value_or(INT64_MAX);
      q.set_spec = r.set;
    }
    LEP_ASSIGN_OR_RETURN(headers, records_.List(q, options_.page_size + 1));
    more = static_cast<int>(headers.size()) > options_.page_size;
    if (more) headers.pop_back();
    if (headers.empty()) return Err(OaiError{"noRecordsMatch", "没有符合条件的记录"});
    if (total < 0) {
      if (more) {
        LEP_ASSIGN_OR_RETURN(total, records_.Count(q));
      } else {
        total = static_cast<int64_t>(headers.size());
      }
    }
  }
  // The records' metadata: one batched read of what is published now.
  std::map<int64_t, resources::PublishedResource> published;
  if (verb != "ListIdentifiers") {
    std::vector<resources::ResourceId> ids;
    for (const auto& h : headers) {
      if (!h.deleted) ids.push_back({h.resource_id});
    }
    if (!ids.empty()) {
      LEP_ASSIGN_OR_RETURN(auto rows, resources_.GetPublished(ids));
      for (auto& p : rows) published.emplace(p.resource.id.value, std::move(p));
    }
  }
  auto list = doc.Verb(verb);
  for (const auto& h : headers) {
    auto it = published.find(h.resource_id);
    // A header says "live" but the row is no longer published (it changed between the two
    // reads): report it deleted rather than give a record without metadata.
    bool deleted = h.deleted || (verb != "ListIdentifiers" && it == published.end());
    pugi::xml_node parent = verb == "ListIdentifiers" ? list : list.append_child("record");
    auto header = parent.append_child("header");
    if (deleted) header.append_attribute("status") = "deleted";
    Doc::Child(header, "identifier", Identifier(h.resource_id));
    Doc::Child(header, "datestamp", FormatUtcDatestamp(h.datestamp));
    if (!h.set_spec.empty()) Doc::Child(header, "setSpec", h.set_spec);
    if (verb == "ListIdentifiers" || deleted) continue;
    const resources::PublishedResource& p = it->second;
    const resources::Metadata& m = p.resource.meta;
    auto dc = parent.append_child("metadata").append_child("oai_dc:dc");
    dc.append_attribute("xmlns:oai_dc") = kOaiDcNs;
    dc.append_attribute("xmlns:dc") = kDcNs;
    dc.append_attribute("xmlns:xsi") = kXsiNs;
    dc.append_attribute("xsi:schemaLocation") =
        "http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd";
    Doc::Child(dc, "dc:title", m.title);
    for (const auto& person : m.presenters) Doc::Child(dc, "dc:creator", person);
    if (!p.unit_name.empty()) Doc::Child(dc, "dc:creator", p.unit_name);
    for (const auto& k : m.keywords) Doc::Child(dc, "dc:subject", k);
    if (!m.category.empty()) Doc::Child(dc, "dc:subject", m.category);
    if (!m.domain.empty()) Doc::Child(dc, "dc:subject", m.domain);
    Doc::Child(dc, "dc:description", m.summary);
    Doc::Child(dc, "dc:publisher", options_.repository_name);
    if (p.resource.workflow.published_at > 0) {
      Doc::Child(dc, "dc:date", ShanghaiDay(p.resource.workflow.published_at));
    }
    Doc::Child(dc, "dc:type", DcmiType(m.type));
    Doc::Child(dc, "dc:type", resources::TypeLabel(m.type));
    Doc::Child(dc, "dc:format", MimeType(m.type));
    if (!m.duration.empty()) Doc::Child(dc, "dc:format", m.duration);
    Doc::Child(dc, "dc:identifier", PageUrl(h.resource_id));
    if (!m.link.empty()) Doc::Child(dc, "dc:relation", m.link);
    Doc::Child(dc, "dc:language", "zh");
    Doc::Child(dc, "dc:rights", "版权所有：" + m.copyright_holder);
  }
  if (verb != "GetRecord" && (more || cursor > 0)) {
    auto token = list.append_child("resumptionToken");
    token.append_attribute("completeListSize") = std::to_string(total).c_str();
    token.append_attribute("cursor") = std::to_string(cursor).c_str();
    if (more) {
      std::string body = "v1." + verb + "." + std::to_string(q.from) + "." +
                         std::to_string(q.until) + "." + crypto::ToHex(q.set_spec) + "." +
                         std::to_string(headers.back().resource_id) + "." + std::to_string(total) +
                         "." + std::to_string(cursor + static_cast<int64_t>(headers.size()));
      Doc::Text(token, SignToken(body));
    }
  }
  return Err();
}

}  // namespace lep::oai
