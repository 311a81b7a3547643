#include "resources/sheet_mapping.h"

#include <map>

#include "core/text.h"

namespace lep::resources {
namespace {

// Header text without spaces (ASCII and U+3000) and with full-width brackets folded.
std::string NormaliseHeader(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    if (raw.substr(i, 3) == "\xE3\x80\x80") {  // U+3000
      i += 2;
      continue;
    }
    if (c == '*') continue;  // "资源名称*" marks required columns in some templates
    out.push_back(c);
  }
  // Drop a trailing "（必填）" / "(必填)".
  for (const char* suffix : {"（必填）", "(必填)"}) {
    std::string s(suffix);
    if (out.size() > s.size() && out.compare(out.size() - s.size(), s.size(), s) == 0) {
      out.resize(out.size() - s.size());
    }
  }
  return text::ToLowerAscii(out);
}

const std::map<std::string, std::string>& Aliases() {
  static const std::map<std::string, std::string> kAliases = [] {
    std::map<std::string, std::string> m;
    for (const auto& f : FieldSpecs()) {
      m[NormaliseHeader(f.label)] = std::string(f.json);
      m[NormaliseHeader(f.json)] = std::string(f.json);
    }
    m[NormaliseHeader("资源唯一标识符")] = "id";
    m[NormaliseHeader("内容范围")] = "domain";
    m[NormaliseHeader("所属领域")] = "domain";
    m[NormaliseHeader("资源领域")] = "domain";
    m[NormaliseHeader("领域")] = "domain";
    m[NormaliseHeader("资源类型代码")] = "type";
    m[NormaliseHeader("链接")] = "link";
    m[NormaliseHeader("简介")] = "summary";
    m[NormaliseHeader("时长")] = "duration";
    m[NormaliseHeader("封面")] = "cover";
    m[NormaliseHeader("目录")] = "toc";
    m[NormaliseHeader("分类")] = "category";
    m[NormaliseHeader("课程提交方式")] = "delivery";
    // Not a metadata field: the version an update row was exported at (optional).
    m[NormaliseHeader("版本号")] = "version";
    m[NormaliseHeader("version")] = "version";
    // Not metadata either: the files the bulk upload page matches to the row.
    for (const char* h : {"媒体文件名", "音视频文件名", "视频文件名", "音频文件名", "media_file"}) {
      m[NormaliseHeader(h)] = "media_file";
    }
    for (const char* h : {"封面文件名", "cover_file"}) m[NormaliseHeader(h)] = "cover_file";
    return m;
  }();
  return kAliases;
}

}  // namespace

HeaderMap MapHeader(const std::vector<std::string>& header) {
  HeaderMap map;
  std::map<std::string, int> seen;
  for (const auto& h : header) {
    std::string norm = NormaliseHeader(h);
    if (norm.empty()) {
      map.fields.emplace_back();
      continue;
    }
    auto it = Aliases().find(norm);
    if (it == Aliases().end()) {
      map.fields.emplace_back();
      map.unknown.push_back(text::Trim(h));
      continue;
    }
    if (seen[it->second]++) {
      map.duplicate.push_back(text::Trim(h));
      map.fields.emplace_back();
      continue;
    }
    map.fields.emplace_back(it->second);
  }
  return map;
}

MetadataInput RowToInput(const HeaderMap& map, const std::vector<std::string>& row) {
  MetadataInput in;
  for (size_t i = 0; i < map.fields.size() && i < row.size(); ++i) {
    if (!map.fields[i] || *map.fields[i] == "id" || *map.fields[i] == "cover" ||
        *map.fields[i] == "version" || *map.fields[i] == "media_file" ||
        *map.fields[i] == "cover_file") {
      continue;
    }
    in[*map.fields[i]] = row[i];
  }
  return in;
}

std::vector<std::string> ExportHeader() {
  std::vector<std::string> h;
  for (const auto& f : FieldSpecs()) h.emplace_back(f.label);
  return h;
}

std::vector<std::string> ExportRow(const Resource& r) {
  const Metadata& m = r.meta;
  std::string cover = r.cover ? "/api/v1/resources/" + std::to_string(r.id.value) + "/cover" : "";
  return {std::to_string(r.id.value),
          m.title,
          std::string(TypeCode(m.type)),
          m.domain,
          m.platform,
          m.link,
          m.series,
          m.series_order,
          m.summary,
          m.duration,
          m.created_on,
          m.copyright_holder,
          JoinList(m.presenters),
          std::to_string(m.clicks),
          std::to_string(m.learners),
          cover,
          m.toc,
          JoinList(m.keywords),
          m.category,
          m.type == ResourceType::kCourse ? std::string(DeliveryLabel(m.delivery)) : ""};
}

std::vector<std::string> TemplateExampleRow() {
  return {"",
          "航空发动机原理入门（示例）",
          "A01",
          "社区教育",
          "",
          "",
          "航空知识系列（示例）",
          "01",
          "用通俗的语言介绍航空发动机的基本结构与工作原理。",
          "",
          "2022-03-23",
          "演示职业技术学院",
          "张演示;(藏族)班班多杰",
          "36500",
          "23500",
          "",
          "<toc><chapter title=\"第一讲 发动机概述\"/><chapter title=\"第二讲 压气机\"/></toc>",
          "航空;发动机;科普",
          "科学文化-航空知识-航空发动机",
          ""};
}

}  // namespace lep::resources
