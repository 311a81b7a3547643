#include "resources/resource.h"

#include "core/text.h"

namespace lep::resources {

std::string_view TypeCode(ResourceType t) {
  switch (t) {
    case ResourceType::kVideo: return "A01";
    case ResourceType::kAudio: return "A02";
    case ResourceType::kCourse: return "A03";
  }
  return "";
}

std::string_view TypeLabel(ResourceType t) {
  switch (t) {
    case ResourceType::kVideo: return "视频资源";
    case ResourceType::kAudio: return "音频资源";
    case ResourceType::kCourse: return "网络课程";
  }
  return "";
}

std::optional<ResourceType> ParseType(std::string_view raw) {
  std::string s = text::Trim(raw);
  for (auto t : {ResourceType::kVideo, ResourceType::kAudio, ResourceType::kCourse}) {
    std::string code(TypeCode(t));
    std::string label(TypeLabel(t));
    std::string lower = text::ToLowerAscii(s);
    if (lower == text::ToLowerAscii(code) || s == label || s == code + " " + label ||
        s == code + label) {
      return t;
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& Domains() {
  static const std::vector<std::string> kDomains = {"学历继续教育", "非学历教育培训", "老年教育",
                                                    "社区教育"};
  return kDomains;
}

std::optional<std::string> ParseDomain(std::string_view raw) {
  std::string s = text::Trim(raw);
  for (const auto& d : Domains()) {
    if (s == d) return d;
  }
  static const std::pair<const char*, const char*> kAliases[] = {
      {"degree", "学历继续教育"}, {"non_degree", "非学历教育培训"},
      {"senior", "老年教育"},     {"community", "社区教育"},
  };
  for (const auto& [alias, name] : kAliases) {
    if (text::ToLowerAscii(s) == alias) return std::string(name);
  }
  return std::nullopt;
}

namespace {
struct StateInfo {
  ResourceState state;
  std::string_view name;
  std::string_view label;
};
constexpr StateInfo kStates[] = {
    {ResourceState::kDraft, "draft", "草稿"},
    {ResourceState::kSubmitted, "submitted", "已提交"},
    {ResourceState::kFirstReview, "first_review", "初审中"},
    {ResourceState::kFinalReview, "final_review", "终审中"},
    {ResourceState::kApproved, "approved", "已通过"},
    {ResourceState::kPublished, "published", "已发布"},
    {ResourceState::kReturned, "returned", "退回修改"},
    {ResourceState::kRejected, "rejected", "未通过"},
    {ResourceState::kWithdrawn, "withdrawn", "已下线"},
};
}  // namespace

std::string_view StateName(ResourceState s) {
  for (const auto& i : kStates) {
    if (i.state == s) return i.name;
  }
  return "";
}

std::string_view StateLabel(ResourceState s) {
  for (const auto& i : kStates) {
    if (i.state == s) return i.label;
  }
  return "";
}

std::optional<ResourceState> ParseState(std::string_view s) {
  for (const auto& i : kStates) {
    if (i.name == s) return i.state;
  }
  return std::nullopt;
}

std::string_view DeliveryName(CourseDelivery d) {
  return d == CourseDelivery::kFiles ? "files" : "link";
}

std::string_view DeliveryLabel(CourseDelivery d) {
  return d == CourseDelivery::kFiles ? "实体资源" : "链接";
}

std::optional<CourseDelivery> ParseDelivery(std::string_view s) {
  for (std::string_view v : {"link", "链接", "课程链接", "资源链接"}) {
    if (s == v) return CourseDelivery::kLink;
  }
  for (std::string_view v : {"files", "实体资源", "上传课程视频", "课程视频"}) {
    if (s == v) return CourseDelivery::kFiles;
  }
  return std::nullopt;
}

bool IsEditable(ResourceState s) {
  return s == ResourceState::kDraft || s == ResourceState::kReturned;
}

const std::vector<FieldSpec>& FieldSpecs() {
  static const std::vector<FieldSpec> kSpecs = {
      {"id", "资源ID", false, "平台自动生成；新建资源留空，填写已有资源的资源ID 则更新该资源（仅草稿或退回修改状态）"},
      {"title", "资源名称", true, "必填，1–200 个字"},
      {"type", "资源类型", true, "必填，A01（视频资源）、A02（音频资源）或 A03（网络课程）"},
      {"domain", "征集内容范围", true, "必填，学历继续教育、非学历教育培训、老年教育、社区教育之一"},
      {"platform", "部署平台", false, "已在第三方平台部署的在线课程可填写，如：中国大学MOOC"},
      {"link", "资源链接", false, "http:// 或 https:// 开头的网址；以链接方式提交的网络课程（A03）必填"},
      {"series", "所属系列", false, "系列或合辑名称"},
      {"series_order", "所属顺序", false, "两位数字，如 01；同一单位同一系列内不能重复"},
      {"summary", "资源简介", true, "必填，纯文本"},
      {"duration", "资源时长", false, "hh:mm:ss，如 02:45:32；视频、音频以文件实测为准"},
      {"created_on", "创建时间", false, "yyyy-mm-dd，如 2022-03-23，不能晚于今天"},
      {"copyright_holder", "版权方", true, "必填，版权所属机构或个人名称"},
      {"presenters", "主讲人", true, "必填，多个主讲人用英文分号 ; 隔开，如：张建华;(藏族)班班多杰"},
      {"clicks", "点击量", false, "非负整数，如 36500"},
      {"learners", "学习人数", false, "非负整数，如 23500"},
      {"cover", "资源封面", true, "必填，JPG 图片，上传文件（不超过 5 MB）"},
      {"toc", "资源目录", false, "XML 格式字符串，不超过 256 KB，不得包含 DOCTYPE"},
      {"keywords", "关键词", false, "多个关键词用英文分号 ; 隔开，如：新媒体;人工智能"},
      {"category", "所属分类", false, "分类路径，用 - 连接，如：科学文化-航空知识-航空发动机"},
      {"delivery", "提交方式", false,
       "仅网络课程（A03）：链接（填写资源链接）或 实体资源（在平台上传课程视频）；留空为链接"},
  };
  return kSpecs;
}

std::string_view LabelOf(std::string_view json_name) {
  for (const auto& f : FieldSpecs()) {
    if (f.json == json_name) return f.label;
  }
  return json_name;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ";";
    out += v[i];
  }
  return out;
}

}  // namespace lep::resources
