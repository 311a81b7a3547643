#include "resources/resource_service.h"

#include <map>
#include <set>
#include <tuple>

#include "auth/authorizer.h"
#include "core/text.h"
#include "resources/sheet_mapping.h"
#include "security/audit_chain.h"

namespace lep::resources {

using auth::Authorizer;

namespace {

// A01/A02 and courses of uploaded lessons: the duration comes from the files (the lessons'
// total), never from input.
bool HasMeasuredDuration(const Metadata& m) {
  return m.type != ResourceType::kCourse || m.delivery == CourseDelivery::kFiles;
}

// An edit or an update row that does not mention 提交方式 keeps the course's current one (a
// sheet or a client older than the column must not turn uploaded lessons into a link course).
MetadataInput WithCurrentDelivery(const MetadataInput& in, const Resource& current) {
  if (in.count("delivery")) return in;
  MetadataInput out = in;
  out["delivery"] = std::string(DeliveryName(current.meta.delivery));
  return out;
}

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

// The audit row of a change, appended in the change's transaction (security/audit_chain.h).
Status Audit(storage::SqlExecutor& tx, const auth::Principal& p, int64_t at,
             const std::string& action, ResourceId id, const std::string& detail) {
  security::AuditRecord a;
  a.at = at;
  a.actor_id = p.user_id.value;
  if (p.org) a.org_id = p.org->id.value;
  a.ip = p.ip;
  a.action = action;
  a.object = id.value ? "resource:" + std::to_string(id.value) : "resources";
  a.detail = detail;
  return security::AppendAudit(tx, a).map([](auto&&) {});
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

Result<orgs::Org> ResourceService::ImportUnit(const auth::Principal& p,
                                              std::optional<orgs::OrgId> unit) {
  if (!unit || (p.org && p.org->id == *unit)) return WritableUnit(p, unit);
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*unit));
  if (!org || !Authorizer::CanSeeOrg(p, *org)) return Fail(Error::NotFound("单位不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckImportFor(p, *org));
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
  Resource created;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(auto rows, repo_.CreateMany(tx, {r}));
    created = std::move(rows.front());
    return Audit(tx, p, r.created_at, "resource.create", created.id, created.meta.title);
  }));
  return created;
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
  auto validated = ValidateMetadata(WithCurrentDelivery(in, current), ctx);
  bool taken = false;
  if (validated && !validated->series_order.empty()) {
    LEP_ASSIGN_OR_RETURN(auto owner, repo_.SeriesOrderOwner(org.id, validated->series,
                                                            validated->series_order));
    taken = owner && *owner != id;
  }
  LEP_ASSIGN_OR_RETURN(Metadata meta, WithSeriesCheck(std::move(validated), taken, in, ctx));
  if (HasMeasuredDuration(meta) && meta.type == current.meta.type) {
    meta.duration = current.meta.duration;  // measured from the media, never from input
  }
  // Counted by the portal (or imported once), never edited by hand.
  meta.clicks = current.meta.clicks;
  meta.learners = current.meta.learners;
  Resource next = current;
  next.meta = std::move(meta);
  next.updated_at = clock_.NowMs();
  Resource stored;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(stored, repo_.Update(tx, next, current.version));
    return Audit(tx, p, next.updated_at, "resource.update", id,
                 "v" + std::to_string(current.version) + "→v" + std::to_string(stored.version));
  }));
  return stored;
}

Status ResourceService::Delete(const auth::Principal& p, ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto loaded, LoadWritable(p, id));
  if (loaded.resource.state != ResourceState::kDraft) {
    return Fail(Error::FailedPrecondition("只有草稿状态的资源可以删除"));
  }
  return db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(repo_.Delete(tx, id, loaded.resource.version));
    return Audit(tx, p, clock_.NowMs(), "resource.delete", id, loaded.resource.meta.title);
  });
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

namespace {

// A positive decimal integer cell ("12", " 12 ", "12.0" as spreadsheets store numbers).
std::optional<int64_t> IdCell(std::string cell) {
  cell = text::Trim(cell);
  if (cell.size() > 2 && cell.compare(cell.size() - 2, 2, ".0") == 0) cell.resize(cell.size() - 2);
  if (cell.empty() || cell.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : cell) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

// The file name of a cell that may hold a path ("D:\\资源\\第一讲.mp4" → "第一讲.mp4").
std::string BaseName(const std::string& cell) {
  size_t cut = cell.find_last_of("/\\");
  return cut == std::string::npos ? cell : cell.substr(cut + 1);
}

std::string CellOf(const HeaderMap& map, const std::vector<std::string>& row, const char* field) {
  for (size_t i = 0; i < map.fields.size() && i < row.size(); ++i) {
    if (map.fields[i] && *map.fields[i] == field) return text::Trim(row[i]);
  }
  return "";
}

}  // namespace

Result<ImportReport> ResourceService::Import(const auth::Principal& p,
                                             std::optional<orgs::OrgId> unit,
                                             const SheetData& sheet, bool dry_run,
                                             const std::function<void(int, int)>& progress) {
  LEP_ASSIGN_OR_RETURN(orgs::Org org, ImportUnit(p, unit));
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

  // The resources the rows name by 资源ID, read once.
  const bool has_id = present.count("id") > 0;
  std::map<int64_t, Resource> existing;
  if (has_id) {
    std::vector<ResourceId> ids;
    for (const auto& row : sheet.rows) {
      if (auto id = IdCell(CellOf(map, row, "id"))) ids.push_back(ResourceId{*id});
    }
    if (ids.size() > 0) {
      LEP_ASSIGN_OR_RETURN(auto found, repo_.GetMany(ids));
      for (auto& r : found) {
        int64_t key = r.id.value;
        existing.emplace(key, std::move(r));
      }
    }
  }

  LEP_ASSIGN_OR_RETURN(CategoryIndex index, Categories());
  ValidationContext ctx = MakeContext(index);
  // Existing (series, order) pairs of the unit, and those claimed by earlier rows:
  // → (row, resource): row 0 = held in the database by that resource.
  std::map<std::pair<std::string, std::string>, std::pair<int, int64_t>> claimed;
  LEP_ASSIGN_OR_RETURN(auto existing_series, repo_.ListSeries(org.id));
  for (const auto& s : existing_series) {
    for (const auto& item : s.items) {
      if (!item.order.empty()) claimed[{s.name, item.order}] = {0, item.id.value};
    }
  }
  std::vector<Resource> to_create;
  const bool has_files = present.count("media_file") || present.count("cover_file");
  std::vector<ResourceRepository::ImportFiles> create_files;
  struct PendingUpdate {
    Resource next;
    int64_t expected_version = 0;
    ResourceRepository::ImportFiles files;
  };
  std::vector<PendingUpdate> to_update;
  std::map<int64_t, int> id_rows;  // 资源ID → the row that updates it
  int64_t now = clock_.NowMs();
  for (size_t i = 0; i < sheet.rows.size(); ++i) {
    int row_no = i < sheet.row_numbers.size() ? sheet.row_numbers[i] : static_cast<int>(i) + 2;
    const auto& row = sheet.rows[i];
    size_t errors_before = report.errors.size();
    auto row_error = [&](const char* field, const char* label, std::string message) {
      report.errors.push_back({row_no, field, label, std::move(message)});
    };
    // 资源ID: an update of that resource, when it may be updated through this import.
    const Resource* current = nullptr;
    std::string id_text = has_id ? CellOf(map, row, "id") : "";
    if (id_text == "0") id_text.clear();  // a row made by ExportRow of an unsaved resource
    if (!id_text.empty()) {
      auto id = IdCell(id_text);
      auto found = id ? existing.find(*id) : existing.end();
      std::optional<orgs::Org> owner;
      if (found != existing.end()) {
        LEP_ASSIGN_OR_RETURN(owner, orgs_.Get(found->second.org_id));
      }
      if (!id) {
        row_error("id", "资源ID", "资源ID“" + id_text + "”应为平台生成的数字编号（新建资源请留空）");
      } else if (found == existing.end() || !owner || !Authorizer::CanSeeOrg(p, *owner)) {
        row_error("id", "资源ID", "资源ID " + id_text + " 不存在或不在您的管理范围内");
      } else if (owner->id != org.id) {
        row_error("id", "资源ID",
                  "资源ID " + id_text + " 属于“" + owner->name + "”，不属于本次导入的单位“" +
                      org.name + "”");
      } else if (!IsEditable(found->second.state)) {
        row_error("id", "资源ID",
                  "资源ID " + id_text + " 当前状态为“" +
                      std::string(StateLabel(found->second.state)) +
                      "”，只有草稿或退回修改的资源可以通过导入更新");
      } else if (auto [seen, fresh] = id_rows.emplace(*id, row_no); !fresh) {
        row_error("id", "资源ID",
                  "资源ID " + id_text + " 与第 " + std::to_string(seen->second) + " 行重复");
      } else {
        current = &found->second;
        std::string version_text = CellOf(map, row, "version");
        if (!version_text.empty()) {
          auto v = IdCell(version_text);
          if (!v) {
            row_error("version", "版本号", "版本号“" + version_text + "”应为正整数");
          } else if (*v != current->version) {
            row_error("version", "版本号",
                      "资源ID " + id_text + " 已被修改（当前版本号 " +
                          std::to_string(current->version) + "，表中为 " + version_text +
                          "），请重新导出后再修改导入");
          }
        }
      }
    }
    MetadataInput in = RowToInput(map, row);
    if (current) in = WithCurrentDelivery(in, *current);
    auto validated = ValidateMetadata(in, ctx);
    if (!validated) {
      for (const auto& f : validated.error().fields) {
        report.errors.push_back({row_no, f.field, f.label, f.message});
      }
    } else {
      const Metadata& m = *validated;
      const int64_t self = current ? current->id.value : 0;
      // (A row whose 资源ID is refused is not also told about its series order.)
      if (!m.series_order.empty() && report.errors.size() == errors_before) {
        auto key = std::make_pair(m.series, m.series_order);
        auto it = claimed.find(key);
        if (it != claimed.end() && !(it->second.first == 0 && it->second.second == self && self)) {
          std::string where = it->second.first == 0
                                  ? "本单位已有资源"
                                  : "第 " + std::to_string(it->second.first) + " 行";
          row_error("series_order", "所属顺序",
                    "所属系列“" + m.series + "”的顺序 " + m.series_order + " 与" + where + "重复");
        } else {
          claimed[key] = {row_no, self};
        }
      }
    }
    ResourceRepository::ImportFiles files{BaseName(CellOf(map, row, "media_file")),
                                          BaseName(CellOf(map, row, "cover_file"))};
    for (auto [value, field, label] :
         {std::tuple{&files.media, "media_file", "媒体文件名"},
          std::tuple{&files.cover, "cover_file", "封面文件名"}}) {
      if (value->size() > 255 || !text::IsValidUtf8(*value)) {
        row_error(field, label, std::string(label) + "过长或不是有效的文字（不超过 255 字节）");
      }
    }
    if (validated && report.errors.size() == errors_before) {
      ++report.valid_rows;
      if (current) {
        ++report.update_rows;
        Resource next = *current;
        next.meta = *validated;
        if (HasMeasuredDuration(next.meta) && next.meta.type == current->meta.type) {
          next.meta.duration = current->meta.duration;  // measured, never imported over
        }
        next.meta.clicks = current->meta.clicks;  // counted by the portal
        next.meta.learners = current->meta.learners;
        next.updated_at = now;
        to_update.push_back({std::move(next), current->version, files});
      } else {
        Resource r;
        r.org_id = org.id;
        r.created_by = p.user_id.value;
        r.meta = *validated;
        r.created_at = r.updated_at = now;
        to_create.push_back(std::move(r));
        create_files.push_back(files);
      }
    }
    if (progress && (i + 1) % 500 == 0) progress(static_cast<int>(i + 1), report.total_rows);
  }
  if (progress) progress(report.total_rows, report.total_rows);
  if (dry_run || !report.errors.empty()) return report;
  LEP_RETURN_IF_ERROR(db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    report.created.clear();
    report.updated.clear();
    if (!to_create.empty()) {
      LEP_ASSIGN_OR_RETURN(auto created, repo_.CreateMany(tx, to_create));
      for (size_t i = 0; i < created.size(); ++i) {
        report.created.push_back(created[i].id);
        if (!create_files[i].media.empty() || !create_files[i].cover.empty()) {
          LEP_RETURN_IF_ERROR(repo_.SetImportFiles(tx, created[i].id, create_files[i]));
        }
      }
    }
    for (const auto& u : to_update) {
      auto stored = repo_.Update(tx, u.next, u.expected_version);
      if (!stored) {
        if (stored.error().code != ErrorCode::kConflict) return Fail(stored.error());
        return Fail(Error::Conflict("资源ID " + std::to_string(u.next.id.value) +
                                    " 在导入期间被他人修改，未写入任何数据，请重新导入"));
      }
      report.updated.push_back(stored->id);
      if (has_files) LEP_RETURN_IF_ERROR(repo_.SetImportFiles(tx, stored->id, u.files));
      LEP_RETURN_IF_ERROR(Audit(tx, p, now, "resource.update", stored->id,
                                "导入更新 v" + std::to_string(u.expected_version) + "→v" +
                                    std::to_string(stored->version)));
    }
    std::string detail = org.name + "：导入 " + std::to_string(report.created.size()) + " 条";
    if (!report.updated.empty()) detail += "，更新 " + std::to_string(report.updated.size()) + " 条";
    if (!p.org || p.org->id != org.id) detail += "（代" + org.name + "导入）";
    return Audit(tx, p, now, "resource.import", ResourceId{0}, detail);
  }));
  return report;
}

namespace {

// A name compared loosely: ASCII lower-case, without spaces (ASCII and U+3000).
std::string MatchKey(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == ' ' || c == '\t') continue;
    if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 2;
      continue;
    }
    out.push_back(c);
  }
  return text::ToLowerAscii(out);
}

// "media" / "cover" / "" by the file's extension.
std::string KindOfFile(const std::string& name) {
  size_t dot = name.rfind('.');
  if (dot == std::string::npos) return "";
  std::string ext = text::ToLowerAscii(name.substr(dot + 1));
  if (ext == "jpg" || ext == "jpeg") return "cover";
  for (const char* m : {"mp4", "m4v", "mov", "mp3", "m4a", "aac", "wav", "flac", "mkv", "webm"}) {
    if (ext == m) return "media";
  }
  return "";
}

std::string Stem(const std::string& name) {
  size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace

Result<std::vector<FileMatch>> ResourceService::MatchFiles(const auth::Principal& p,
                                                         const std::vector<std::string>& names) {
  LEP_ASSIGN_OR_RETURN(orgs::Org org, WritableUnit(p, std::nullopt));
  if (names.size() > kMaxMatchFiles) {
    const std::string msg = "一次最多匹配 " + std::to_string(kMaxMatchFiles) + " 个文件，请分批上传";
    return Fail(Error::InvalidArgument(msg, {{"files", "文件", msg}}));
  }
  // The unit's editable resources (its own, not its sub-units': those upload themselves).
  std::vector<Resource> editable;
  for (const char* state : {"draft", "returned"}) {
    ResourceFilter f;
    f.org_path_prefix = org.path;
    f.state = state;
    f.page_size = 10000;
    for (f.page = 1;; ++f.page) {
      LEP_ASSIGN_OR_RETURN(auto page, repo_.List(f));
      for (auto& r : page.items) {
        if (r.org_id == org.id) editable.push_back(std::move(r));
      }
      if (page.items.size() < static_cast<size_t>(f.page_size)) break;
    }
  }
  std::vector<ResourceId> ids;
  for (const auto& r : editable) ids.push_back(r.id);
  LEP_ASSIGN_OR_RETURN(auto files, repo_.GetImportFiles(ids));
  std::multimap<std::string, size_t> by_media_file, by_cover_file, by_title;
  for (size_t i = 0; i < editable.size(); ++i) {
    auto f = files.find(editable[i].id.value);
    if (f != files.end()) {
      if (!f->second.media.empty()) by_media_file.emplace(MatchKey(f->second.media), i);
      if (!f->second.cover.empty()) by_cover_file.emplace(MatchKey(f->second.cover), i);
    }
    by_title.emplace(MatchKey(editable[i].meta.title), i);
  }
  std::vector<FileMatch> out;
  std::map<std::pair<int64_t, std::string>, std::vector<size_t>> taken;  // (resource, kind) → files
  for (const std::string& raw : names) {
    FileMatch m;
    m.name = raw;
    m.kind = KindOfFile(raw);
    if (m.kind.empty()) {
      m.status = "unsupported";
      m.message = "不支持的文件类型：封面请用 JPG 图片，音视频请用 MP4、MP3 等文件";
      out.push_back(std::move(m));
      continue;
    }
    auto pick = [&](const std::multimap<std::string, size_t>& index, const std::string& key) {
      std::vector<size_t> hits;
      auto [b, e] = index.equal_range(key);
      for (auto it = b; it != e; ++it) {
        const Resource& r = editable[it->second];
        if (m.kind == "media" && r.meta.type == ResourceType::kCourse) continue;
        hits.push_back(it->second);
      }
      return hits;
    };
    std::vector<size_t> hits =
        pick(m.kind == "media" ? by_media_file : by_cover_file, MatchKey(raw));
    m.matched_by = "file_column";
    if (hits.empty()) {
      hits = pick(by_title, MatchKey(Stem(raw)));
      m.matched_by = "title";
    }
    if (hits.empty()) {
      m.status = "unmatched";
      m.matched_by.clear();
      m.message = "没有找到对应的资源：请确认本单位有名为“" + Stem(raw) +
                  "”的草稿或退回修改资源，或在导入表的" +
                  (m.kind == "media" ? "“媒体文件名”" : "“封面文件名”") + "列填写该文件名";
    } else if (hits.size() > 1) {
      m.status = "ambiguous";
      m.message = "有 " + std::to_string(hits.size()) + " 个资源与该文件对应，请在导入表中填写文件名列以区分";
      for (size_t h : hits) m.candidates.push_back(editable[h]);
    } else {
      m.status = "matched";
      m.resource = editable[hits.front()];
      taken[{m.resource->id.value, m.kind}].push_back(out.size());
    }
    out.push_back(std::move(m));
  }
  for (const auto& [key, which] : taken) {
    if (which.size() < 2) continue;
    for (size_t i : which) {
      FileMatch& m = out[i];
      m.status = "ambiguous";
      m.message = "多个文件对应同一资源“" + m.resource->meta.title + "”的" +
                  (m.kind == "media" ? "音视频" : "封面") + "，请只保留一个";
      m.candidates = {*m.resource};
      m.resource.reset();
    }
  }
  return out;
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
