#include "app/review_requests.h"

#include <charconv>

#include "app/api_common.h"
#include "core/text.h"

namespace lep::app {
namespace {

using json = nlohmann::json;

Error Invalid(std::vector<FieldError> errors) {
  std::string message = errors[0].message;
  return Error::InvalidArgument(std::move(message), std::move(errors));
}

std::optional<int64_t> IntMember(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// "scheduled_at": absent → nullopt; null → {nullopt}; Unix ms → {ms}; anything else a field
// error.
std::optional<std::optional<int64_t>> ScheduledAt(const json& body,
                                                  std::vector<FieldError>& errors) {
  auto it = body.find("scheduled_at");
  if (it == body.end()) return std::nullopt;
  if (it->is_null()) return std::optional<int64_t>{};
  if (it->is_number_integer()) return std::optional<int64_t>{it->get<int64_t>()};
  errors.push_back({"scheduled_at", "定时发布时间", "定时发布时间应为 Unix 毫秒数或 null"});
  return std::nullopt;
}

// An optional positive integer in the query string; a field error when malformed.
std::optional<int64_t> PositiveQuery(const std::map<std::string, std::string>& query,
                                     const char* name, const char* label,
                                     std::vector<FieldError>& errors) {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return std::nullopt;
  const std::string& v = it->second;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < 1) {
    errors.push_back({name, label, std::string(label) + "应为正整数"});
    return std::nullopt;
  }
  return n;
}

std::optional<std::string> NonEmptyQuery(const std::map<std::string, std::string>& query,
                                         const char* name) {
  auto it = query.find(name);
  if (it == query.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<review::ReviewRequest> ParseReviewRequest(const json& body,
                                                 std::optional<review::Action> fixed) {
  review::ReviewRequest r;
  std::vector<FieldError> errors;
  if (fixed) {
    r.action = *fixed;
  } else {
    std::string name = StringField(body, "action", "审核操作", errors);
    if (auto a = review::ParseAction(name)) {
      r.action = *a;
    } else {
      errors.push_back({"action", "审核操作", "审核操作无效：" + name});
    }
  }
  r.comment = StringField(body, "comment", "意见", errors);
  if (auto reason = body.find("reason");
      reason != body.end() && reason->is_string() && r.comment.empty()) {
    r.comment = reason->get<std::string>();
  }
  if (auto c = body.find("checklist"); c != body.end() && c->is_object()) {
    auto tick = [&](const char* k) {
      auto it = c->find(k);
      return it != c->end() && it->is_boolean() && it->get<bool>();
    };
    r.checklist = {tick("ideology"), tick("copyright"), tick("secrecy"), tick("science")};
  }
  if (auto a = body.find("attestation"); a != body.end() && !a->is_null()) {
    if (a->is_boolean()) {
      r.attestation = a->get<bool>();
    } else {
      errors.push_back({"attestation", "承诺", "承诺应为 true 或 false"});
    }
  }
  r.expected_version = IntMember(body, "version");
  r.campaign_id = IntMember(body, "campaign_id");
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  return r;
}

Result<BulkApproveBody> ParseBulkApprove(const json& body) {
  BulkApproveBody out;
  LEP_ASSIGN_OR_RETURN(out.request, ParseReviewRequest(body, review::Action::kApprove));
  auto ids = body.find("ids");
  if (ids == body.end() || !ids->is_array()) {
    return Fail(Error::InvalidArgument("请选择资源", {{"ids", "资源", "ids 应为资源 ID 列表"}}));
  }
  for (const auto& v : *ids) {
    if (v.is_number_integer()) out.ids.push_back(v.get<int64_t>());
  }
  return out;
}

Result<BulkReturnBody> ParseBulkReturn(const json& body) {
  BulkReturnBody out;
  std::vector<FieldError> errors;
  auto comment = body.find("comment");
  if (comment != body.end() && !comment->is_null()) {
    if (comment->is_string()) {
      out.comment = comment->get<std::string>();
    } else {
      errors.push_back({"comment", "退回意见", "退回意见应为文字"});
    }
  }
  auto items = body.find("items");
  auto ids = body.find("ids");
  if (items != body.end() && items->is_array()) {
    for (size_t i = 0; i < items->size(); ++i) {
      const json& e = (*items)[i];
      const std::string at = "items[" + std::to_string(i) + "]";
      const std::string label = "第 " + std::to_string(i + 1) + " 个资源";
      auto id = e.is_object() ? IntMember(e, "id") : std::nullopt;
      if (!id || *id < 1) {
        errors.push_back({at + ".id", label, label + "的 id 应为正整数"});
        continue;
      }
      review::BulkItem item{*id, std::nullopt};
      auto v = e.find("version");
      if (v != e.end() && !v->is_null()) {
        if (!v->is_number_integer()) {
          errors.push_back({at + ".version", label, label + "的 version 应为整数"});
          continue;
        }
        item.version = v->get<int64_t>();
      }
      out.items.push_back(item);
    }
  } else if (ids != body.end() && ids->is_array()) {
    for (size_t i = 0; i < ids->size(); ++i) {
      const json& e = (*ids)[i];
      if (!e.is_number_integer() || e.get<int64_t>() < 1) {
        const std::string label = "第 " + std::to_string(i + 1) + " 个资源";
        errors.push_back({"ids[" + std::to_string(i) + "]", label, label + "的 id 应为正整数"});
        continue;
      }
      out.items.push_back({e.get<int64_t>(), std::nullopt});
    }
  } else {
    errors.push_back({"items", "资源", "items 应为 [{id, version}] 列表"});
  }
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  return out;
}

Result<review::Campaign> ParseCampaign(const json& body, int64_t id) {
  std::vector<FieldError> errors;
  review::Campaign c;
  c.id = id;
  c.name = StringField(body, "name", "批次名称", errors);
  // A year that is not a number is left 0: the service names the field.
  c.year = IntMember(body, "year").value_or(0);
  c.description = StringField(body, "description", "说明", errors);
  c.contact_deadline = StringField(body, "contact_deadline", "联系人报送截止日期", errors);
  c.submission_deadline = StringField(body, "submission_deadline", "资源提交截止日期", errors);
  c.first_review_deadline = StringField(body, "first_review_deadline", "初审截止日期", errors);
  c.final_review_deadline = StringField(body, "final_review_deadline", "终审截止日期", errors);
  c.starts = StringField(body, "starts", "征集开始时间", errors);
  if (!errors.empty()) return Fail(Error::InvalidArgument("请求格式错误", std::move(errors)));
  return c;
}

Result<review::QueueFilter> ParseQueueFilter(const std::map<std::string, std::string>& query) {
  std::vector<FieldError> errors;
  review::QueueFilter f;
  f.campaign_id = PositiveQuery(query, "campaign_id", "征集批次", errors);
  f.unit_id = PositiveQuery(query, "org_id", "单位", errors);
  f.domain = NonEmptyQuery(query, "domain");
  f.type = NonEmptyQuery(query, "type");
  f.state = NonEmptyQuery(query, "state");
  f.overdue_only = NonEmptyQuery(query, "overdue").value_or("") == "true";
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  return f;
}

Result<NewBatchBody> ParseNewBatch(const json& body) {
  std::vector<FieldError> errors;
  NewBatchBody out;
  out.name = StringField(body, "name", "批次名称", errors);
  if (auto ids = body.find("resource_ids"); ids != body.end() && ids->is_array()) {
    for (const auto& v : *ids) {
      if (v.is_number_integer()) out.resource_ids.push_back(v.get<int64_t>());
    }
  }
  if (auto scheduled = ScheduledAt(body, errors)) out.scheduled_at = *scheduled;
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  return out;
}

Result<review::ReviewService::BatchUpdate> ParseBatchUpdate(const json& body) {
  std::vector<FieldError> errors;
  review::ReviewService::BatchUpdate u;
  u.scheduled_at = ScheduledAt(body, errors);
  if (body.contains("name")) u.name = StringField(body, "name", "批次名称", errors);
  if (auto ids = body.find("resource_ids"); ids != body.end()) {
    std::vector<int64_t> list;
    bool ok = ids->is_array();
    if (ok) {
      for (const auto& v : *ids) {
        if (!v.is_number_integer()) {
          ok = false;
          break;
        }
        list.push_back(v.get<int64_t>());
      }
    }
    if (ok) {
      u.resource_ids = std::move(list);
    } else {
      errors.push_back({"resource_ids", "资源", "resource_ids 应为资源 ID（整数）列表"});
    }
  }
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  return u;
}

Result<std::string> ParseUnitDeadline(const json& body) {
  std::vector<FieldError> errors;
  auto it = body.find("submission_deadline");
  if (it == body.end() || !(it->is_string() || it->is_null())) {
    errors.push_back({"submission_deadline", "本单位提交截止时间",
                      "submission_deadline 应为 yyyy-mm-dd HH:MM 文本，或空串表示取消"});
    return Fail(Invalid(std::move(errors)));
  }
  return it->is_null() ? std::string() : it->get<std::string>();
}

Result<std::vector<std::string>> ParseSensitiveWordsBody(const json& body) {
  auto list = body.find("words");
  if (list == body.end() || !list->is_array()) {
    return Fail(
        Error::InvalidArgument("words 应为词语列表", {{"words", "敏感词", "应为词语列表"}}));
  }
  std::vector<std::string> words;
  for (const auto& w : *list) {
    if (!w.is_string()) continue;
    std::string word = text::Trim(w.get<std::string>());
    if (!word.empty()) words.push_back(std::move(word));
  }
  return words;
}

Result<InboxQuery> ParseInboxQuery(const std::map<std::string, std::string>& query) {
  std::vector<FieldError> errors;
  InboxQuery q;
  auto limit = PositiveQuery(query, "limit", "条数", errors);
  q.before_id = PositiveQuery(query, "before_id", "起始通知", errors);
  if (limit && *limit > 200) errors.push_back({"limit", "条数", "条数最多为 200"});
  if (!errors.empty()) return Fail(Invalid(std::move(errors)));
  if (limit) q.limit = static_cast<int>(*limit);
  std::string unread = NonEmptyQuery(query, "unread").value_or("");
  q.unread_only = unread == "1" || unread == "true";
  return q;
}

}  // namespace lep::app
