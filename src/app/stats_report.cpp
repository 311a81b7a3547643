// The progress report as an xlsx download (issue 17 §4): one workbook that an office forwards
// upward — campaign submissions by 省份, 单位, 状态, 征集范围 and 资源类型, and every campaign's
// totals — each sheet with a title, the scope, the time it was generated (Beijing), a header,
// counts as number cells and a bold 合计 row. Transport only: stats::StatsService (scoped to
// the caller's subtree) answers each sheet.
#include <ctime>

#include "app/api_common.h"
#include "app/portal_catalog.h"
#include "app/portal_requests.h"
#include "app/routes.h"
#include "core/text.h"
#include "stats/stats_service.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {
namespace {

using Deps = StatsReportRouteDeps;

using auth::Principal;
using http::Request;
using http::Response;

xlsx::SheetSpec ReportSheet(const std::string& name, const std::string& title,
                            const std::string& scope, const std::string& generated,
                            const std::string& group_label,
                            const std::vector<stats::SubmissionCount>& rows) {
  xlsx::SheetSpec s{name, {"序号", group_label, "资源数", "其中逾期"}, {}, {8, 40, 12, 12}};
  s.title_lines = {title, "统计范围：" + scope, "生成时间：" + generated + "（北京时间）"};
  s.number_columns = {true, false, true, true};
  int64_t count = 0, overdue = 0;
  int n = 0;
  for (const auto& r : rows) {
    s.rows.push_back({std::to_string(++n), r.label, std::to_string(r.count),
                      std::to_string(r.overdue)});
    count += r.count;
    overdue += r.overdue;
  }
  s.totals = {"合计", "", std::to_string(count), std::to_string(overdue)};
  return s;
}

Response Report(const Deps& d, Request& req, const Principal& p) {
  auto base = ParseSubmissionsQuery(req);  // campaign_id, unit_id (group is not used)
  if (!base) return Response::FromError(base.error());
  auto campaigns = d.review.Campaigns();
  if (!campaigns) return Response::FromError(campaigns.error());
  std::optional<review::Campaign> campaign;
  for (const auto& c : *campaigns) {
    if (base->campaign_id ? c.id == *base->campaign_id : (!campaign || c.id > campaign->id)) {
      campaign = c;
    }
  }
  if (base->campaign_id && !campaign) {
    return Response::FromError(Error::NotFound("征集批次不存在"));
  }
  std::string scope = p.org ? p.org->name : "全部";
  if (base->unit_id) {
    auto o = d.org_repo.Get(orgs::OrgId{*base->unit_id});
    if (!o) return Response::FromError(o.error());
    if (*o) scope = (*o)->name;
  }
  const std::string generated = text::FormatShanghai(d.clock.NowMs());
  const std::string name = campaign ? campaign->name : "（尚无征集批次）";
  std::vector<xlsx::SheetSpec> sheets;
  using G = stats::SubmissionGroup;
  const std::vector<std::tuple<G, const char*, const char*>> groups = {
      {G::kProvince, "按省份", "省份（一级单位）"}, {G::kUnit, "按单位", "单位"},
      {G::kState, "按状态", "状态"},                {G::kDomain, "按征集范围", "征集内容范围"},
      {G::kType, "按资源类型", "资源类型"}};
  for (const auto& [group, sheet, label] : groups) {
    stats::SubmissionsQuery q = *base;
    q.group = group;
    if (campaign) q.campaign_id = campaign->id;
    auto rows = d.stats.Submissions(p, q);
    if (!rows) return Response::FromError(rows.error());
    sheets.push_back(ReportSheet(sheet, name + "征集进度统计（" + sheet + "）", scope, generated,
                                 label, *rows));
  }
  // Every campaign's totals, newest first.
  std::vector<stats::SubmissionCount> per_campaign;
  for (auto it = campaigns->rbegin(); it != campaigns->rend(); ++it) {
    stats::SubmissionsQuery q = *base;
    q.group = G::kState;
    q.campaign_id = it->id;
    auto rows = d.stats.Submissions(p, q);
    if (!rows) return Response::FromError(rows.error());
    stats::SubmissionCount sum{std::to_string(it->id), it->name};
    for (const auto& r : *rows) {
      sum.count += r.count;
      sum.overdue += r.overdue;
    }
    per_campaign.push_back(sum);
  }
  sheets.push_back(ReportSheet("按征集批次", "各征集批次资源报送统计", scope, generated, "征集批次",
                               per_campaign));
  auto bytes = xlsx::WriteXlsx(sheets);
  if (!bytes) return Response::FromError(bytes.error());
  auto r = Response::Text(200, std::move(*bytes),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  r.SetHeader("Content-Disposition", ContentDisposition("progress.xlsx", "征集进度统计.xlsx"));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

// The units below the caller's that have not registered their 负责人 (附件3) by the campaign's
// contact deadline: JSON for the console, and the same list as a workbook to chase them with.
Result<stats::MissingContacts> MissingContactsOf(const Deps& d, Request& req, const Principal& p) {
  auto q = ParseSubmissionsQuery(req);  // campaign_id, unit_id
  if (!q) return Fail(q.error());
  return d.stats.MissingContactList(p, q->campaign_id, q->unit_id);
}

std::string DeadlineText(const stats::MissingContacts& m) {
  if (!m.campaign) return "（尚无征集批次）";
  if (!m.deadline) return "（" + m.campaign->name + "未设联系人报送截止时间）";
  return m.deadline->text + (m.overdue ? "（已截止）" : "（未截止）");
}

Response MissingContactsJson(const Deps& d, Request& req, const Principal& p) {
  auto m = MissingContactsOf(d, req, p);
  if (!m) return Response::FromError(m.error());
  json items = json::array();
  for (const auto& r : m->rows) {
    items.push_back({{"org", OrgJson(r.org)},
                     {"parent_name", r.parent_name},
                     {"registered", r.registered},
                     {"missing", r.missing}});
  }
  json campaign = nullptr;
  if (m->campaign) campaign = {{"id", m->campaign->id}, {"name", m->campaign->name}};
  return Response::Json(
      200, {{"campaign", campaign},
            {"deadline", m->deadline ? json(m->deadline->text) : json(nullptr)},
            {"deadline_at", m->deadline ? json(m->deadline->at_ms) : json(nullptr)},
            {"overdue", m->overdue},
            {"units", m->units},
            {"items", items}});
}

Response MissingContactsXlsx(const Deps& d, Request& req, const Principal& p) {
  auto m = MissingContactsOf(d, req, p);
  if (!m) return Response::FromError(m.error());
  xlsx::SheetSpec s{"未登记负责人单位",
                    {"序号", "单位名称", "单位类型", "上级单位", "情况", "缺少或有误的项目"},
                    {},
                    {8, 40, 24, 30, 14, 50}};
  s.title_lines = {"未按时登记负责人（联系人）的单位", "统计范围：" + m->scope + "的下级单位",
                   "联系人报送截止：" + DeadlineText(*m),
                   "生成时间：" + text::FormatShanghai(d.clock.NowMs()) + "（北京时间）"};
  s.number_columns = {true, false, false, false, false, false};
  int n = 0;
  for (const auto& r : m->rows) {
    std::string missing;
    for (const auto& f : r.missing) missing += (missing.empty() ? "" : "、") + f;
    s.rows.push_back({std::to_string(++n), r.org.name, std::string(orgs::KindLabel(r.org.kind)),
                      r.parent_name, r.registered ? "信息不完整" : "未登记", missing});
  }
  s.totals = {"合计", std::to_string(m->rows.size()) + " 个单位（共 " +
                          std::to_string(m->units) + " 个单位应登记）",
              "", "", "", ""};
  auto bytes = xlsx::WriteXlsx({s});
  if (!bytes) return Response::FromError(bytes.error());
  auto r = Response::Text(200, std::move(*bytes),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  r.SetHeader("Content-Disposition",
              ContentDisposition("missing-contacts.xlsx", "未登记负责人单位.xlsx"));
  r.SetHeader("Cache-Control", "no-store");
  return r;
}

}  // namespace

void AddStatsReportRoutes(http::Router& router, const StatsReportRouteDeps& d) {
  router.Add({"GET", "/api/v1/stats/missing-contacts", BindAuthed(d, MissingContactsJson), 1024,
              "下级单位中未登记负责人（附件3）或信息不完整的单位，及征集批次的联系人报送截止时间；"
              "campaign_id（默认最新）、unit_id"});
  router.Add({"GET", "/api/v1/stats/missing-contacts.xlsx", BindAuthed(d, MissingContactsXlsx),
              1024, "未登记负责人单位名单（xlsx，可直接下发催报）；参数同 missing-contacts"});
  router.Add(
      {"GET", "/api/v1/stats/report.xlsx", BindAuthed(d, Report), 1024,
       "征集进度统计表（xlsx，可直接上报）：按省份、单位、状态、征集范围、资源类型和征集批次，"
       "含标题、统计范围、生成时间和合计行；campaign_id（默认最新）、unit_id"});
}

}  // namespace lep::app
