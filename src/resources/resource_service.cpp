#include "resources/resource_service.h"

#include <map>
#include <set>

#include "auth/authorizer.h"
#include "resources/sheet_mapping.h"

namespace lep::resources {

using auth::Authorizer;

namespace {

Error SeriesConflict(const Metadata& m) {
  std::string msg = "所属系列“" + m.series + "”中已有顺序为 " + m.series_order + " 的资源";
  return Error::AlreadyExists(msg, {{"series_order", "所属顺序", msg}});
}

// Merges a uniqueness failure into a validation result so all errors come back together.
Result<Metadata> WithSeriesCheck(Result<Metadata> validated, bool taken, const MetadataInput& in,
                                 const ValidationContext&) {
  if (!taken) return validated;
  if (validated) return Fail(SeriesConflict(*validated));
  Error e = validated.error();
  std::string series = in.count("series") ? in.at("series") : "";
  std::string msg = "所属系列“" + series + "”中已有相同顺序的资源";
  e.fields.push_back({"series_order", "所属顺序", msg});
  return Fail(std::move(e));
}

}  // namespace

Result<CategoryIndex> ResourceService::Categories() {
  LEP_ASSIGN_OR_RETURN(auto all, categories_.All());
  return CategoryIndex(std::move(all));
}

ValidationContext ResourceService::MakeContext(const CategoryIndex& index) const {
  ValidationContext ctx;
  ctx.today = ShanghaiToday(clock_);
  ctx.category_exists = [&index](const std::string& p) { return index.Contains(p); };
  ctx.suggest_categories = [&index](const std::string& p) { return index.Suggest(p); };
  return ctx;
}

Result<orgs::Org> ResourceService::WritableUnit(const auth::Principal& p,
                                                std::optional<orgs::OrgId> unit) {
  if (!unit) {
    if (!p.org) return Fail(Error::PermissionDenied("只有单位账号可以录入资源"));
    unit = p.org->id;
  }
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*unit));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckWriteResources(p, *org));
  return *org;
}

Result<VisibleResource> ResourceService::LoadVisible(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto r, repo_.Get(id));
  if (!r) return Fail(Error::NotFound("资源不存在"));
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(r->org_id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("资源不存在"));
  return VisibleResource{std::move(*r), std::move(*org)};
}

Result<VisibleResource> ResourceService::LoadWritable(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto loaded, LoadVisible(p, id));
  LEP_RETURN_IF_ERROR(Authorizer::CheckWriteResources(p, loaded.owner));
  return loaded;
}

Result<Resource> ResourceService::LoadReadable(
    const std::function<std::optional<auth::Principal>()>& caller, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto r, repo_.Get(id));
  if (!r) return Fail(Error::NotFound("资源不存在"));
  if (r->state == ResourceState::kPublished) return std::move(*r);
  auto p = caller();
  if (!p) return Fail(Error::NotFound("资源不存在"));
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(r->org_id));
  if (!org || !Authorizer::CanSeeOrg(*p, *org)) return Fail(Error::NotFound("资源不存在"));
  return std::move(*r);
}

Result<Metadata> ResourceService::Validate(const auth::Principal& p, const MetadataInput& in) {
  LEP_ASSIGN_OR_RETURN(CategoryIndex index, Categories());
  ValidationContext ctx = MakeContext(index);
  auto validated = ValidateMetadata(in, ctx);
  bool taken = false;
  if (validated && p.org && !validated->series_order.empty()) {
    LEP_ASSIGN_OR_RETURN(auto owner, repo_.SeriesOrderOwner(p.org->id, validated->series,
                                                            validated->series_order));
    taken = owner.has_value();
  }
  return WithSeriesCheck(std::move(validated), taken, in, ctx);
}

Result<Resource> ResourceService::Create(const auth::Principal& p, const MetadataInput& in) {
  LEP_ASSIGN_OR_RETURN(orgs::Org org, WritableUnit(p, std::nullopt));
  LEP_ASSIGN_OR_RETURN(Metadata meta, Validate(p, in));
  Resource r;
  r.org_id = org.id;
  r.created_by = p.user_id.value;
  r.state = ResourceState::kDraft;
  r.meta = std::move(meta);
  // 点击量/学习人数 are imported initial values or counted by the portal, never typed in.
  r.meta.clicks = 0;
  r.meta.learners = 0;
  r.created_at = r.updated_at = clock_.NowMs();
  return repo_.Create(r);
}

Result<Resource> ResourceService::Get(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto loaded, LoadVisible(p, id));
  return std::move(loaded.resource);
}

Result<Resource> ResourceService::Update(const auth::Principal& p, ResourceId id,
                                         const MetadataInput& in,
                                         std::optional<int64_t> expected_version) {
  LEP_ASSIGN_OR_RETURN(auto loaded, LoadWritable(p, id));
  auto& [current, org] = loaded;
  if (!IsEditable(current.state)) {
    return Fail(Error::FailedPrecondition("资源当前状态为“" +
                                          std::string(StateLabel(current.state)) +
                                          "”，只有草稿或退回修改的资源可以编辑"));
  }
  if (expected_version && *expected_version != current.version) {
    return Fail(Error::Conflict("资源已被他人修改，请刷新后重试"));
  }
  LEP_ASSIGN_OR_RETURN(CategoryIndex index, Categories());
  ValidationContext ctx = MakeContext(index);
  auto validated = ValidateMetadata(in, ctx);
  bool taken = false;
  if (validated && !validated->series_order.empty()) {
    LEP_ASSIGN_OR_RETURN(auto owner, repo_.SeriesOrderOwner(org.id, validated->series,
                                                            validated->series_order));
    taken = owner && *owner != id;
  }
  LEP_ASSIGN_OR_RETURN(Metadata meta, WithSeriesCheck(std::move(validated), taken, in, ctx));
  if (meta.type != ResourceType::kCourse && meta.type == current.meta.type) {
    meta.duration = current.meta.duration;  // measured from the media, never from input
  }
  // Counted by the portal (or imported once), never edited by hand.
  meta.clicks = current.meta.clicks;
  meta.learners = current.meta.learners;
  Resource next = current;
  next.meta = std::move(meta);
  next.updated_at = clock_.NowMs();
  return repo_.Update(next, current.version);
}

Status ResourceService::Delete(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto loaded, LoadWritable(p, id));
  if (loaded.resource.state != ResourceState::kDraft) {
    return Fail(Error::FailedPrecondition("只有草稿状态的资源可以删除"));
  }
  return repo_.Delete(id, loaded.resource.version);
}

Result<ResourcePage> ResourceService::List(const auth::Principal& p, ResourceFilter filter,
                                           std::optional<orgs::OrgId> unit) {
  if (unit) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*unit));
    if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
    filter.org_path_prefix = org->path;
  } else if (!Authorizer::CanSeeAll(p)) {
    if (!p.org) return ResourcePage{};
    filter.org_path_prefix = p.org->path;
  }
  return repo_.List(filter);
}

Result<std::vector<SeriesInfo>> ResourceService::Series(const auth::Principal& p,
                                                        orgs::OrgId org_id) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  return repo_.ListSeries(org_id);
}

Result<ImportReport> ResourceService::Import(const auth::Principal& p,
                                             std::optional<orgs::OrgId> unit,
                                             const SheetData& sheet, bool dry_run,
                                             const std::function<void(int, int)>& progress) {
  LEP_ASSIGN_OR_RETURN(orgs::Org org, WritableUnit(p, unit));
  ImportReport report;
  report.dry_run = dry_run;
  report.total_rows = static_cast<int>(sheet.rows.size());
  HeaderMap map = MapHeader(sheet.header);
  report.unknown_columns = map.unknown;
  const int header_row = 1;
  for (const auto& d : map.duplicate) {
    report.errors.push_back({header_row, "", "", "表头“" + d + "”重复出现"});
  }
  std::set<std::string> present;
  for (const auto& f : map.fields) {
    if (f) present.insert(*f);
  }
  for (const auto& spec : FieldSpecs()) {
    if (spec.required && spec.json != "cover" && !present.count(std::string(spec.json))) {
      report.errors.push_back({header_row, std::string(spec.json), std::string(spec.label),
                               "缺少必填列“" + std::string(spec.label) + "”"});
    }
  }
  if (sheet.rows.empty()) {
    report.errors.push_back({header_row, "", "", "表格中没有数据行"});
  }

  LEP_ASSIGN_OR_RETURN(CategoryIndex index, Categories());
  ValidationContext ctx = MakeContext(index);
  // Existing (series, order) pairs of the unit, and those claimed by earlier rows.
  std::map<std::pair<std::string, std::string>, int> claimed;  // → row (0: in database)
  LEP_ASSIGN_OR_RETURN(auto existing_series, repo_.ListSeries(org.id));
  for (const auto& s : existing_series) {
    for (const auto& item : s.items) {
      if (!item.order.empty()) claimed[{s.name, item.order}] = 0;
    }
  }
  std::vector<Resource> to_create;
  int64_t now = clock_.NowMs();
  for (size_t i = 0; i < sheet.rows.size(); ++i) {
    int row_no = i < sheet.row_numbers.size() ? sheet.row_numbers[i] : static_cast<int>(i) + 2;
    MetadataInput in = RowToInput(map, sheet.rows[i]);
    auto validated = ValidateMetadata(in, ctx);
    if (!validated) {
      for (const auto& f : validated.error().fields) {
        report.errors.push_back({row_no, f.field, f.label, f.message});
      }
    } else {
      const Metadata& m = *validated;
      if (!m.series_order.empty()) {
        auto [it, inserted] = claimed.emplace(std::make_pair(m.series, m.series_order), row_no);
        if (!inserted) {
          std::string where = it->second == 0 ? "本单位已有资源"
                                              : "第 " + std::to_string(it->second) + " 行";
          report.errors.push_back({row_no, "series_order", "所属顺序",
                                   "所属系列“" + m.series + "”的顺序 " + m.series_order +
                                       " 与" + where + "重复"});
          if (progress && (i + 1) % 500 == 0) progress(static_cast<int>(i + 1), report.total_rows);
          continue;
        }
      }
      ++report.valid_rows;
      Resource r;
      r.org_id = org.id;
      r.created_by = p.user_id.value;
      r.meta = *validated;
      r.created_at = r.updated_at = now;
      to_create.push_back(std::move(r));
    }
    if (progress && (i + 1) % 500 == 0) progress(static_cast<int>(i + 1), report.total_rows);
  }
  if (progress) progress(report.total_rows, report.total_rows);
  if (dry_run || !report.errors.empty()) return report;
  LEP_ASSIGN_OR_RETURN(auto created, repo_.CreateMany(to_create));
  for (const auto& r : created) report.created.push_back(r.id);
  return report;
}

Result<SheetData> ResourceService::Export(const auth::Principal& p, ResourceFilter filter,
                                          std::optional<orgs::OrgId> unit) {
  filter.page = 1;
  filter.page_size = 10000;
  SheetData out;
  out.header = ExportHeader();
  for (int page = 1;; ++page) {
    filter.page = page;
    LEP_ASSIGN_OR_RETURN(auto result, List(p, filter, unit));
    for (const auto& r : result.items) out.rows.push_back(ExportRow(r));
    if (result.items.size() < static_cast<size_t>(filter.page_size)) break;
  }
  // Oldest first reads naturally in a spreadsheet.
  std::reverse(out.rows.begin(), out.rows.end());
  for (size_t i = 0; i < out.rows.size(); ++i) out.row_numbers.push_back(static_cast<int>(i) + 2);
  return out;
}

}  // namespace lep::resources
