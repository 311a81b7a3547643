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

Response Report(AppContext& ctx, Request& req, const Principal& p) {
  auto base = ParseSubmissionsQuery(req);  // campaign_id, unit_id (group is not used)
  if (!base) return Response::FromError(base.error());
  auto campaigns = ctx.review->Campaigns();
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
    auto o = ctx.org_repo->Get(orgs::OrgId{*base->unit_id});
    if (!o) return Response::FromError(o.error());
    if (*o) scope = (*o)->name;
  }
  const std::string generated = text::FormatShanghai(ctx.clock->NowMs());
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
    auto rows = ctx.stats->Submissions(p, q);
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
    auto rows = ctx.stats->Submissions(p, q);
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

}  // namespace

void AddStatsReportRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/stats/report.xlsx", BindAuthed(ctx, Report), 1024,
              "征集进度统计表（xlsx，可直接上报）：按省份、单位、状态、征集范围、资源类型和征集批次，"
              "含标题、统计范围、生成时间和合计行；campaign_id（默认最新）、unit_id"});
}

}  // namespace lep::app
