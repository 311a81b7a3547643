#include "resources/metadata.h"

#include <cstdio>
#include <regex>

#include "core/text.h"
#include "resources/toc.h"

namespace lep::resources {
namespace {

class Errors {
 public:
  void Add(std::string_view field, std::string message) {
    list_.push_back({std::string(field), std::string(LabelOf(field)), std::move(message)});
  }
  std::vector<FieldError> Take() { return std::move(list_); }
  bool empty() const { return list_.empty(); }

 private:
  std::vector<FieldError> list_;
};

bool HasControlChars(std::string_view s, bool allow_newlines) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) return true;
    if (u == 0x7f) return true;
  }
  return false;
}

// Trimmed text with length and character checks; "" when absent.
std::string TextField(const MetadataInput& in, std::string_view field, bool required,
                      size_t max_chars, bool multiline, Errors& errors) {
  auto it = in.find(std::string(field));
  std::string v = it == in.end() ? "" : text::Trim(it->second);
  std::string label(LabelOf(field));
  if (!text::IsValidUtf8(v)) {
    errors.Add(field, label + "包含无效字符（不是 UTF-8 文本）");
    return "";
  }
  if (v.empty()) {
    if (required) errors.Add(field, label + "为必填项，不能为空");
    return "";
  }
  if (HasControlChars(v, multiline)) {
    errors.Add(field, label + "包含不可见的控制字符");
    return "";
  }
  size_t n = text::CodePointCount(v);
  if (n > max_chars) {
    errors.Add(field, label + "不能超过 " + std::to_string(max_chars) + " 个字（当前 " +
                          std::to_string(n) + " 个字）");
  }
  return v;
}

std::optional<int64_t> NonNegative(const MetadataInput& in, std::string_view field,
                                   Errors& errors) {
  auto it = in.find(std::string(field));
  std::string v = it == in.end() ? "" : text::Trim(it->second);
  if (v.empty()) return 0;
  std::string label(LabelOf(field));
  if (!text::IsValidUtf8(v)) {  // the message below quotes the value
    errors.Add(field, label + "包含无效字符（不是 UTF-8 文本）");
    return std::nullopt;
  }
  if (v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) {
    errors.Add(field, label + "应为不小于 0 的整数，如 36500（当前为“" + v + "”）");
    return std::nullopt;
  }
  return std::stoll(v);
}

std::vector<std::string> ListField(const MetadataInput& in, std::string_view field,
                                   bool required, size_t max_items, size_t max_chars,
                                   Errors& errors) {
  auto it = in.find(std::string(field));
  std::string raw = it == in.end() ? "" : it->second;
  std::string label(LabelOf(field));
  if (!text::IsValidUtf8(raw)) {
    errors.Add(field, label + "包含无效字符（不是 UTF-8 文本）");
    return {};
  }
  auto items = SplitList(raw);
  if (field == "presenters") {
    // The standard's examples write 主讲人：张建华；朱新 — accept that prefix, as often as it is
    // repeated, so that the normalised list never starts with it (export → import is stable).
    while (!items.empty()) {
      std::string_view first = items.front();
      size_t prefix = 0;
      for (std::string_view p : {std::string_view("主讲人："), std::string_view("主讲人:")}) {
        if (first.substr(0, p.size()) == p) prefix = p.size();
      }
      if (prefix == 0) break;
      items.front() = text::Trim(first.substr(prefix));
      if (items.front().empty()) items.erase(items.begin());
    }
  }
  if (items.empty()) {
    if (required) errors.Add(field, label + "为必填项，多个之间用英文分号 ; 隔开");
    return {};
  }
  if (items.size() > max_items) {
    errors.Add(field, label + "最多 " + std::to_string(max_items) + " 个");
  }
  for (const auto& item : items) {
    if (text::CodePointCount(item) > max_chars) {
      errors.Add(field, label + "“" + item + "”过长（每项不超过 " + std::to_string(max_chars) +
                            " 个字），多个之间请用分号 ; 隔开");
      break;
    }
    if (HasControlChars(item, false)) {
      errors.Add(field, label + "包含不可见的控制字符");
      break;
    }
  }
  return items;
}

// A tag: "<", optional spaces and "/", a letter, then anything up to the next "<" or ">" that
// is a ">" (what the regex <\s*/?\s*[A-Za-z][A-Za-z0-9]*[^<>]*> matches). Written out by hand
// because std::regex recurses once per character and overflows the stack on a long summary.
bool LooksLikeHtml(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
  };
  auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  for (size_t i = s.find('<'); i != std::string_view::npos; i = s.find('<', i + 1)) {
    size_t j = i + 1;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j < s.size() && s[j] == '/') ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || !is_letter(s[j])) continue;
    const size_t end = s.find_first_of("<>", j + 1);
    if (end != std::string_view::npos && s[end] == '>') return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> SplitList(std::string_view s) {
  std::string normalised;
  normalised.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.substr(i, 3) == "\xEF\xBC\x9B") {  // full-width ；
      normalised.push_back(';');
      i += 2;
    } else {
      normalised.push_back(s[i]);
    }
  }
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= normalised.size()) {
    size_t end = normalised.find(';', start);
    if (end == std::string::npos) end = normalised.size();
    std::string item = text::Trim(std::string_view(normalised).substr(start, end - start));
    if (!item.empty()) out.push_back(std::move(item));
    start = end + 1;
  }
  return out;
}

int64_t ParseDuration(std::string_view s) {
  static const std::regex re("^([0-9]{2,3}):([0-5][0-9]):([0-5][0-9])$");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(s.begin(), s.end(), m, re)) return -1;
  return std::stoll(m[1].str()) * 3600 + std::stoll(m[2].str()) * 60 + std::stoll(m[3].str());
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  return buf;
}

bool IsValidHttpUrl(std::string_view s) {
  static const std::regex re(
      "^[Hh][Tt][Tt][Pp][Ss]?://"
      "([A-Za-z0-9\\-._~\\x80-\\xff]+|\\[[0-9A-Fa-f:.]+\\])"  // host (IDN bytes allowed)
      "(:[0-9]{1,5})?"                                      // port
      "([/?#][^\\s]*)?$");
  if (s.size() > 2048) return false;
  if (!std::regex_match(s.begin(), s.end(), re)) return false;
  // No user:password@ before the host.
  size_t scheme_end = s.find("://") + 3;
  size_t host_end = s.find_first_of("/?#", scheme_end);
  std::string_view authority = s.substr(scheme_end, host_end - scheme_end);
  return authority.find('@') == std::string_view::npos && !authority.empty() &&
         authority.front() != '.' && authority.front() != ':';
}

Result<Metadata> ValidateMetadata(const MetadataInput& in, const ValidationContext& ctx) {
  Errors errors;
  Metadata m;
  m.title = TextField(in, "title", true, 200, false, errors);

  std::string type_raw = TextField(in, "type", true, 20, false, errors);
  bool type_ok = false;
  if (!type_raw.empty()) {
    if (auto t = ParseType(type_raw)) {
      m.type = *t;
      type_ok = true;
    } else {
      errors.Add("type", "资源类型应为 A01（视频资源）、A02（音频资源）或 A03（网络课程），当前为“" +
                             type_raw + "”");
    }
  }

  std::string domain_raw = TextField(in, "domain", true, 20, false, errors);
  if (!domain_raw.empty()) {
    if (auto d = ParseDomain(domain_raw)) {
      m.domain = *d;
    } else {
      errors.Add("domain",
                 "征集内容范围应为 学历继续教育、非学历教育培训、老年教育、社区教育 之一，当前为“" +
                     domain_raw + "”");
    }
  }

  m.platform = TextField(in, "platform", false, 100, false, errors);
  m.link = TextField(in, "link", false, 2048, false, errors);
  if (!m.link.empty() && !IsValidHttpUrl(m.link)) {
    errors.Add("link", "资源链接应为以 http:// 或 https:// 开头的完整网址（不含空格和账号密码）");
  }
  std::string delivery = TextField(in, "delivery", false, 20, false, errors);
  if (!delivery.empty()) {
    if (auto d = ParseDelivery(delivery)) {
      // Only a course has a choice; A01/A02 are always uploaded files.
      if (type_ok && m.type == ResourceType::kCourse) m.delivery = *d;
    } else {
      errors.Add("delivery", "提交方式应为“链接”或“实体资源”（当前为“" + delivery + "”）");
    }
  }
  if (type_ok && m.type == ResourceType::kCourse && m.delivery == CourseDelivery::kLink &&
      m.link.empty()) {
    errors.Add("link", "以链接方式提交的网络课程（A03）须填写资源链接（或将提交方式改为“实体资源”并上传课程视频）");
  }

  m.series = TextField(in, "series", false, 100, false, errors);
  std::string order = TextField(in, "series_order", false, 10, false, errors);
  if (!order.empty()) {
    // Spreadsheets turn 01 into 1: accept one digit and pad it.
    if (order.size() == 1 && order[0] >= '1' && order[0] <= '9') order = "0" + order;
    if (order.size() != 2 || order.find_first_not_of("0123456789") != std::string::npos ||
        order == "00") {
      errors.Add("series_order", "所属顺序应为两位数字，如 01、02（当前为“" + order + "”）");
    } else if (m.series.empty()) {
      errors.Add("series_order", "填写所属顺序时须同时填写所属系列");
    }
    m.series_order = order;
  }

  m.summary = TextField(in, "summary", true, 5000, true, errors);
  if (!m.summary.empty() && LooksLikeHtml(m.summary)) {
    errors.Add("summary", "资源简介应为纯文本，不能包含 HTML 标签");
  }

  std::string duration = TextField(in, "duration", false, 12, false, errors);
  if (type_ok && m.type != ResourceType::kCourse) {
    // A01/A02: measured from the uploaded file, never taken from input.
  } else if (!duration.empty()) {
    if (ParseDuration(duration) < 0) {
      errors.Add("duration", "资源时长格式应为 hh:mm:ss（分、秒小于 60），如 02:45:32");
    } else {
      m.duration = duration;
    }
  }

  std::string created_on = TextField(in, "created_on", false, 20, false, errors);
  if (!created_on.empty()) {
    auto d = ParseIsoDate(created_on);
    if (!d) {
      errors.Add("created_on", "创建时间应为真实存在的日期，格式 yyyy-mm-dd，如 2022-03-23（当前为“" +
                                   created_on + "”）");
    } else if (*d > ctx.today) {
      errors.Add("created_on", "创建时间不能晚于今天（" + ctx.today.ToString() + "）");
    } else {
      m.created_on = d->ToString();
    }
  }

  m.copyright_holder = TextField(in, "copyright_holder", true, 200, false, errors);
  m.presenters = ListField(in, "presenters", true, 50, 60, errors);
  m.keywords = ListField(in, "keywords", false, 30, 30, errors);
  if (auto c = NonNegative(in, "clicks", errors)) m.clicks = *c;
  if (auto l = NonNegative(in, "learners", errors)) m.learners = *l;

  auto toc_it = in.find("toc");
  std::string toc = toc_it == in.end() ? "" : text::Trim(toc_it->second);
  if (!toc.empty()) {
    auto parsed = ParseToc(toc);
    if (!parsed) {
      errors.Add("toc", parsed.error().message);
    } else {
      m.toc = toc;
    }
  }

  std::string category = TextField(in, "category", false, 300, false, errors);
  if (!category.empty()) {
    // Normalise spaces around separators: "科学文化 - 航空知识" → "科学文化-航空知识".
    std::string norm;
    bool empty_level = false;
    size_t pos = 0;
    while (pos <= category.size()) {
      size_t end = category.find('-', pos);
      if (end == std::string::npos) end = category.size();
      std::string part = text::Trim(std::string_view(category).substr(pos, end - pos));
      if (part.empty()) empty_level = true;
      if (!norm.empty()) norm += "-";
      norm += part;
      pos = end + 1;
    }
    if (empty_level) {
      errors.Add("category", "所属分类的每一级都不能为空，如：科学文化-航空知识-航空发动机");
    } else
    if (ctx.category_exists && !ctx.category_exists(norm)) {
      std::string msg = "所属分类“" + category + "”不在分类目录中";
      if (ctx.suggest_categories) {
        auto suggestions = ctx.suggest_categories(norm);
        if (!suggestions.empty()) {
          msg += "，您是否要填：";
          for (size_t i = 0; i < suggestions.size(); ++i) {
            if (i) msg += "、";
            msg += suggestions[i];
          }
        }
      }
      errors.Add("category", msg);
    } else {
      m.category = norm;
    }
  }

  if (!errors.empty()) {
    auto fields = errors.Take();
    std::string msg = "资源信息有 " + std::to_string(fields.size()) + " 处错误：";
    for (size_t i = 0; i < fields.size() && i < 3; ++i) {
      if (i) msg += "；";
      msg += fields[i].message;
    }
    if (fields.size() > 3) msg += "……";
    return Fail(Error::InvalidArgument(msg, std::move(fields)));
  }
  return m;
}

}  // namespace lep::resources
