#include <algorithm>
#include <map>
#include <set>

#include "resources/metadata.h"
#include "resources/resource_repository.h"

namespace lep::resources {
namespace {

using storage::Row;
using storage::Value;

// The whole row. Values() writes the columns after id up to updated_at (a new row); the
// workflow columns at the end are read only (ChangeState writes them).
constexpr const char* kCols =
    "id, org_id, created_by, state, version, title, type, domain, platform, link, series, "
    "series_order, summary, duration, created_on, copyright_holder, presenters, clicks, "
    "learners, toc, keywords, category, cover_blob, cover_thumb_blob, cover_width, "
    "cover_height, created_at, updated_at, campaign_id, claimed_by, attested_by, attested_at, "
    "batch_id, published_at, delivery";
constexpr const char* kInsertCols =
    "org_id, created_by, state, version, title, type, domain, platform, link, series, "
    "series_order, summary, duration, created_on, copyright_holder, presenters, clicks, "
    "learners, toc, keywords, category, cover_blob, cover_thumb_blob, cover_width, "
    "cover_height, created_at, updated_at, delivery";

// kCols with every column prefixed by a table alias ("r.id, r.org_id, ...").
std::string Prefixed(const std::string& alias) {
  const std::string cols = kCols;
  std::string out;
  size_t start = 0;
  while (start < cols.size()) {
    size_t end = cols.find(", ", start);
    if (end == std::string::npos) end = cols.size();
    if (!out.empty()) out += ", ";
    out += alias + cols.substr(start, end - start);
    start = end + 2;
  }
  return out;
}

Resource FromRow(const Row& r) {
  Resource x;
  x.id = ResourceId{r.Int(0)};
  x.org_id = orgs::OrgId{r.Int(1)};
  x.created_by = r.Int(2);
  x.state = ParseState(r.Text(3)).value_or(ResourceState::kDraft);
  x.version = r.Int(4);
  Metadata& m = x.meta;
  m.title = r.Text(5);
  m.type = ParseType(r.Text(6)).value_or(ResourceType::kVideo);
  m.domain = r.Text(7);
  m.platform = r.Text(8);
  m.link = r.Text(9);
  m.series = r.Text(10);
  m.series_order = r.Text(11);
  m.summary = r.Text(12);
  m.duration = r.Text(13);
  m.created_on = r.Text(14);
  m.copyright_holder = r.Text(15);
  m.presenters = SplitList(r.Text(16));
  m.clicks = r.Int(17);
  m.learners = r.Int(18);
  m.toc = r.Text(19);
  m.keywords = SplitList(r.Text(20));
  m.category = r.Text(21);
  if (!r.Text(22).empty()) {
    x.cover = Cover{r.Text(22), r.Text(23), static_cast<int>(r.Int(24)),
                    static_cast<int>(r.Int(25))};
  }
  x.created_at = r.Int(26);
  x.updated_at = r.Int(27);
  WorkflowFacts& w = x.workflow;
  w.campaign_id = r.OptInt(28);
  w.claimed_by = r.Int(29);
  w.attested_by = r.Int(30);
  w.attested_at = r.Int(31);
  w.batch_id = r.OptInt(32);
  w.published_at = r.Int(33);
  m.delivery = r.Text(34) == "files" ? CourseDelivery::kFiles : CourseDelivery::kLink;
  return x;
}

// Values for every column after id, in kCols order.
std::vector<Value> Values(const Resource& x) {
  const Metadata& m = x.meta;
  Cover c = x.cover.value_or(Cover{});
  return {x.org_id.value,      x.created_by,        std::string(StateName(x.state)),
          x.version,           m.title,             std::string(TypeCode(m.type)),
          m.domain,            m.platform,          m.link,
          m.series,            m.series_order,      m.summary,
          m.duration,          m.created_on,        m.copyright_holder,
          JoinList(m.presenters), m.clicks,         m.learners,
          m.toc,               JoinList(m.keywords), m.category,
          c.blob,              c.thumb_blob,        int64_t{c.width},
          int64_t{c.height},   x.created_at,        x.updated_at,
          std::string(DeliveryName(m.delivery))};
}

// Media and cover change only while the resource is editable, at the version the caller read
// before its (costly) work began: only reviewed bytes may ever become public.
Error Moved(const std::string& what) {
  return Error::Conflict("资源已被他人修改，本次" + what + "未被采用，请刷新后重新上传");
}

Status CheckEditableAt(const std::optional<Resource>& current, int64_t expected_version,
                       const std::string& what) {
  if (!current) return Fail(Error::NotFound("资源不存在"));
  if (!IsEditable(current->state)) {
    return Fail(Error::FailedPrecondition(
        "资源当前状态为“" + std::string(StateLabel(current->state)) + "”，不能再更换" + what +
        "（只有草稿或退回修改的资源可以更换）"));
  }
  if (current->version != expected_version) return Fail(Moved(what));
  return Ok();
}

Error SeriesTaken(const Resource& r) {
  std::string msg = "所属系列“" + r.meta.series + "”中已有顺序为 " + r.meta.series_order +
                    " 的资源";
  return Error::AlreadyExists(msg, {{"series_order", "所属顺序", msg}});
}

class SqlResourceRepository final : public ResourceRepository {
 public:
  explicit SqlResourceRepository(storage::Database& db) : db_(db) {}

  Result<Resource> Create(const Resource& r) override {
    LEP_ASSIGN_OR_RETURN(auto v, CreateMany({r}));
    return v.front();
  }

  Result<std::vector<Resource>> CreateMany(const std::vector<Resource>& rs) override {
    std::vector<Resource> out;
    auto st = db_.Transaction([&](storage::SqlExecutor& tx) -> Status {
      LEP_ASSIGN_OR_RETURN(out, CreateMany(tx, rs));
      return Ok();
    });
    if (!st) return Fail(st.error());
    return out;
  }

  Result<std::vector<Resource>> CreateMany(storage::SqlExecutor& tx,
                                           const std::vector<Resource>& rs) override {
    std::vector<Resource> out;
    out.reserve(rs.size());
    std::string sql =
        std::string("INSERT INTO resources (") + kInsertCols +
        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?) RETURNING id";
    for (const Resource& r : rs) {
      auto row = tx.QueryOne(sql, Values(r));
      if (!row) {
        if (row.error().Is(ErrorCode::kAlreadyExists)) return Fail(SeriesTaken(r));
        return Fail(row.error());
      }
      Resource created = r;
      created.id = ResourceId{(*row)->Int(0)};
      out.push_back(std::move(created));
    }
    return out;
  }

  Result<std::optional<Resource>> Get(ResourceId id) override { return Get(db_, id); }

  Result<std::optional<Resource>> Get(storage::SqlExecutor& tx, ResourceId id) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCols +
                                                   " FROM resources WHERE id = ?",
                                               {id.value}));
    if (!row) return std::optional<Resource>();
    return std::optional<Resource>(FromRow(*row));
  }

  Result<std::vector<Resource>> GetMany(const std::vector<ResourceId>& ids) override {
    std::vector<Resource> out;
    std::map<int64_t, Resource> found;
    // Bounded IN lists: both databases take these, and a page never asks for more.
    for (size_t start = 0; start < ids.size(); start += 500) {
      size_t end = std::min(ids.size(), start + 500);
      std::string sql = std::string("SELECT ") + kCols + " FROM resources WHERE id IN (";
      std::vector<Value> params;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "?" : ", ?";
        params.push_back(ids[i].value);
      }
      LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql + ")", params));
      for (const auto& row : rows.rows) {
        Resource r = FromRow(row);
        found.emplace(r.id.value, std::move(r));
      }
    }
    for (ResourceId id : ids) {
      if (auto it = found.find(id.value); it != found.end()) out.push_back(it->second);
    }
    return out;
  }

  Result<Resource> Update(const Resource& r, int64_t expected_version) override {
    return Update(db_, r, expected_version);
  }

  Result<Resource> Update(storage::SqlExecutor& tx, const Resource& r,
                          int64_t expected_version) override {
    Resource next = r;
    next.version = expected_version + 1;
    const Metadata& m = r.meta;
    auto res = tx.Exec(
        "UPDATE resources SET version = ?, title = ?, type = ?, domain = ?, platform = ?, "
        "link = ?, series = ?, series_order = ?, summary = ?, duration = ?, created_on = ?, "
        "copyright_holder = ?, presenters = ?, clicks = ?, learners = ?, toc = ?, keywords = ?, "
        "category = ?, delivery = ?, updated_at = ? WHERE id = ? AND version = ?",
        {next.version, m.title, std::string(TypeCode(m.type)), m.domain, m.platform, m.link,
         m.series, m.series_order, m.summary, m.duration, m.created_on, m.copyright_holder,
         JoinList(m.presenters), m.clicks, m.learners, m.toc, JoinList(m.keywords), m.category,
         std::string(DeliveryName(m.delivery)), r.updated_at, r.id.value, expected_version});
    if (!res) {
      if (res.error().Is(ErrorCode::kAlreadyExists)) return Fail(SeriesTaken(r));
      return Fail(res.error());
    }
    if (res->affected == 0) {
      return Fail(Error::Conflict("资源已被他人修改，请刷新后重试"));
    }
    return next;
  }

  Result<int64_t> ChangeState(storage::SqlExecutor& tx, ResourceId id,
                              const StateChange& c) override {
    std::string sql = "UPDATE resources SET state = ?, version = version + 1, updated_at = ?";
    std::vector<Value> params = {std::string(StateName(c.to)), c.at};
    auto set = [&](const char* col, Value v) {
      sql += std::string(", ") + col + " = ?";
      params.push_back(std::move(v));
    };
    if (c.claimed_by) set("claimed_by", *c.claimed_by);
    if (c.campaign_id) set("campaign_id", *c.campaign_id);
    if (c.attested_by) {
      set("attested_by", *c.attested_by);
      set("attested_at", c.at);
    }
    if (c.batch_id) set("batch_id", *c.batch_id);
    if (c.published) set("published_at", c.at);
    sql += " WHERE id = ? AND state = ?";
    params.push_back(id.value);
    params.push_back(std::string(StateName(c.from)));
    if (c.expected_version) {
      sql += " AND version = ?";
      params.push_back(*c.expected_version);
    }
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec(sql + " RETURNING version", params));
    if (res.rows.empty()) {
      return Fail(Error::Conflict("该资源已被他人处理（状态或版本已变化），请刷新后重试"));
    }
    return res.rows.front().Int(0);
  }

  Result<std::optional<Cover>> SetCover(storage::SqlExecutor& tx, ResourceId id,
                                        int64_t expected_version, const Cover& cover,
                                        int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto current, Get(tx, id));
    LEP_RETURN_IF_ERROR(CheckEditableAt(current, expected_version, "封面"));
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE resources SET cover_blob = ?, cover_thumb_blob = ?, "
                          "cover_width = ?, cover_height = ?, version = version + 1, "
                          "updated_at = ? WHERE id = ? AND version = ? AND state IN ('draft', "
                          "'returned')",
                          {cover.blob, cover.thumb_blob, int64_t{cover.width},
                           int64_t{cover.height}, at, id.value, expected_version}));
    if (res.affected == 0) return Fail(Moved("封面"));
    return current->cover;
  }

  Status SetMeasuredDuration(storage::SqlExecutor& tx, ResourceId id, int64_t expected_version,
                             const std::string& duration, int64_t at) override {
    LEP_ASSIGN_OR_RETURN(auto current, Get(tx, id));
    LEP_RETURN_IF_ERROR(CheckEditableAt(current, expected_version, "音视频文件"));
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE resources SET duration = ?, version = version + 1, "
                          "updated_at = ? WHERE id = ? AND version = ? AND state IN ('draft', "
                          "'returned')",
                          {duration, at, id.value, expected_version}));
    if (res.affected == 0) return Fail(Moved("音视频文件"));
    return Ok();
  }

  Result<int64_t> BeginLessonsChange(storage::SqlExecutor& tx, ResourceId id,
                                     std::optional<int64_t> expected_version,
                                     int64_t at) override {
    // The row lock first, then the state and version as they are under it.
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("UPDATE resources SET version = version + 1, "
                                           "updated_at = ? WHERE id = ? AND state IN ('draft', "
                                           "'returned')",
                                           {at, id.value}));
    LEP_ASSIGN_OR_RETURN(auto current, Get(tx, id));
    if (res.affected == 0 || !current) {
      LEP_RETURN_IF_ERROR(CheckEditableAt(current, current ? current->version : 0, "课程视频"));
      return Fail(Moved("课程视频"));
    }
    if (expected_version && current->version != *expected_version + 1) {
      return Fail(Error::Conflict("资源已被他人修改，请刷新后重试"));
    }
    return current->version;
  }

  Status SetLessonsDuration(storage::SqlExecutor& tx, ResourceId id,
                            const std::string& duration) override {
    return tx.Exec("UPDATE resources SET duration = ? WHERE id = ?", {duration, id.value})
        .map([](auto&&) {});
  }

  Status AddUsage(storage::SqlExecutor& tx, const std::vector<UsageDelta>& deltas) override {
    for (const UsageDelta& d : deltas) {
      if (d.clicks == 0 && d.learners == 0) continue;
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE resources SET clicks = clicks + ?, learners = learners "
                                  "+ ? WHERE id = ?",
                                  {d.clicks, d.learners, d.id.value}));
    }
    return Ok();
  }

  Status Delete(ResourceId id, int64_t expected_version) override {
    return Delete(db_, id, expected_version);
  }

  Status Delete(storage::SqlExecutor& tx, ResourceId id, int64_t expected_version) override {
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("DELETE FROM resources WHERE id = ? AND version = ?",
                                            {id.value, expected_version}));
    if (res.affected == 0) return Fail(Error::Conflict("资源已被他人修改，请刷新后重试"));
    return Ok();
  }

  Result<ResourcePage> List(const ResourceFilter& f) override {
    std::string where = " WHERE 1 = 1";
    std::vector<Value> params;
    if (f.org_path_prefix) {
      where += " AND r.org_id IN (SELECT id FROM orgs WHERE substr(path, 1, ?) = ?)";
      params.push_back(static_cast<int64_t>(f.org_path_prefix->size()));
      params.push_back(*f.org_path_prefix);
    }
    auto eq = [&](const std::optional<std::string>& v, const char* col) {
      if (!v) return;
      where += std::string(" AND r.") + col + " = ?";
      params.push_back(*v);
    };
    eq(f.type, "type");
    eq(f.domain, "domain");
    eq(f.state, "state");
    eq(f.series, "series");
    if (f.q && !f.q->empty()) {
      // "col contains q", case-sensitive, no wildcards: instr() is SQLite-only, strpos()
      // PostgreSQL-only and LIKE folds ASCII case on SQLite only; replace() means the same in both.
      where += " AND (replace(r.title, ?, '') <> r.title OR replace(r.summary, ?, '') <> r.summary "
               "OR replace(r.presenters, ?, '') <> r.presenters "
               "OR replace(r.keywords, ?, '') <> r.keywords)";
      for (int i = 0; i < 4; ++i) params.push_back(*f.q);
    }
    LEP_ASSIGN_OR_RETURN(auto count, db_.QueryOne("SELECT COUNT(*) FROM resources r" + where, params));
    ResourcePage page;
    page.total = count ? count->Int(0) : 0;
    const std::string prefixed = Prefixed("r.");
    int size = std::clamp(f.page_size, 1, 10000);
    int64_t offset = static_cast<int64_t>(std::max(1, f.page) - 1) * size;
    params.push_back(int64_t{size});
    params.push_back(offset);
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT " + prefixed + " FROM resources r" + where +
                                                 " ORDER BY r.id DESC LIMIT ? OFFSET ?",
                                             params));
    for (const auto& row : rows.rows) page.items.push_back(FromRow(row));
    return page;
  }

  Result<std::optional<ResourceId>> SeriesOrderOwner(orgs::OrgId org, const std::string& series,
                                                     const std::string& order) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT id FROM resources WHERE org_id = ? AND "
                                                "series = ? AND series_order = ?",
                                                {org.value, series, order}));
    if (!row) return std::optional<ResourceId>();
    return std::optional<ResourceId>(ResourceId{row->Int(0)});
  }

  Result<std::vector<SeriesInfo>> ListSeries(orgs::OrgId org) override {
    LEP_ASSIGN_OR_RETURN(auto rows,
                         db_.Exec("SELECT series, id, title, series_order, state FROM resources "
                                  "WHERE org_id = ? AND series <> '' ORDER BY series, "
                                  "series_order = '', series_order, id",
                                  {org.value}));
    std::vector<SeriesInfo> out;
    for (const auto& r : rows.rows) {
      if (out.empty() || out.back().name != r.Text(0)) out.push_back({r.Text(0), {}});
      out.back().items.push_back({ResourceId{r.Int(1)}, r.Text(2), r.Text(3),
                                  ParseState(r.Text(4)).value_or(ResourceState::kDraft)});
    }
    return out;
  }


  Status SetImportFiles(storage::SqlExecutor& tx, ResourceId id,
                        const ImportFiles& files) override {
    return tx
        .Exec("INSERT INTO resource_import_files (resource_id, media_file, cover_file) "
              "VALUES (?, ?, ?) ON CONFLICT (resource_id) DO UPDATE SET "
              "media_file = excluded.media_file, cover_file = excluded.cover_file",
              {id.value, files.media, files.cover})
        .map([](auto&&) {});
  }

  Result<std::map<int64_t, ImportFiles>> GetImportFiles(
      const std::vector<ResourceId>& ids) override {
    std::map<int64_t, ImportFiles> out;
    for (size_t start = 0; start < ids.size(); start += 500) {
      size_t end = std::min(ids.size(), start + 500);
      std::string sql =
          "SELECT resource_id, media_file, cover_file FROM resource_import_files "
          "WHERE resource_id IN (";
      std::vector<Value> params;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "?" : ", ?";
        params.push_back(ids[i].value);
      }
      LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql + ")", params));
      for (const auto& r : rows.rows) out[r.Int(0)] = {r.Text(1), r.Text(2)};
    }
    return out;
  }


  // --- Reads of published resources (the portal) ---

  Result<std::vector<PublishedResource>> GetPublished(const std::vector<ResourceId>& ids) override {
    std::map<int64_t, PublishedResource> found;
    for (size_t start = 0; start < ids.size(); start += 500) {
      size_t end = std::min(ids.size(), start + 500);
      std::string sql = PublishedSelect() + " AND r.id IN (";
      std::vector<Value> params;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "?" : ", ?";
        params.push_back(ids[i].value);
      }
      LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql + ")", params));
      for (const auto& row : rows.rows) {
        PublishedResource p = PublishedFromRow(row);
        int64_t id = p.resource.id.value;
        found.emplace(id, std::move(p));
      }
    }
    std::vector<PublishedResource> out;
    for (ResourceId id : ids) {
      if (auto it = found.find(id.value); it != found.end()) out.push_back(it->second);
    }
    return out;
  }

  Result<std::vector<PublishedResource>> ListPublishedAfter(ResourceId after, int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(PublishedSelect() + " AND r.id > ? ORDER BY r.id LIMIT ?",
                                             {after.value, int64_t{std::max(1, limit)}}));
    std::vector<PublishedResource> out;
    for (const auto& row : rows.rows) out.push_back(PublishedFromRow(row));
    return out;
  }

  Result<std::vector<PublishedResource>> TopPublished(PublishedOrder order, int limit) override {
    const char* by = order == PublishedOrder::kClicks     ? "r.clicks DESC, r.id DESC"
                     : order == PublishedOrder::kLearners ? "r.learners DESC, r.id DESC"
                                                          : "r.published_at DESC, r.id DESC";
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(PublishedSelect() + " ORDER BY " + by + " LIMIT ?",
                                             {int64_t{std::max(1, limit)}}));
    std::vector<PublishedResource> out;
    for (const auto& row : rows.rows) out.push_back(PublishedFromRow(row));
    return out;
  }

  Result<std::vector<SeriesItem>> PublishedSeries(orgs::OrgId org, const std::string& series,
                                                  int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows,
                         db_.Exec("SELECT id, title, series_order FROM resources WHERE org_id = ? "
                                  "AND series = ? AND state = 'published' ORDER BY "
                                  "series_order = '', series_order, id LIMIT ?",
                                  {org.value, series, int64_t{std::max(1, limit)}}));
    std::vector<SeriesItem> out;
    for (const auto& r : rows.rows) {
      out.push_back({ResourceId{r.Int(0)}, r.Text(1), r.Text(2), ResourceState::kPublished});
    }
    return out;
  }

  Result<int64_t> CountPublished() override {
    LEP_ASSIGN_OR_RETURN(auto row,
                         db_.QueryOne("SELECT COUNT(*) FROM resources WHERE state = 'published'"));
    return row ? row->Int(0) : int64_t{0};
  }

  Result<std::map<std::string, int64_t>> CountPublishedByDomain() override {
    return CountPublishedBy("domain");
  }
  Result<std::map<std::string, int64_t>> CountPublishedByCategory() override {
    return CountPublishedBy("category");
  }

  Result<std::vector<CatalogKey>> CatalogKeys() override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT id, COALESCE(batch_id, 0) FROM resources "
                                             "WHERE state = 'published' ORDER BY "
                                             "COALESCE(batch_id, 0), id"));
    std::vector<CatalogKey> out;
    out.reserve(rows.rows.size());
    for (const auto& r : rows.rows) out.push_back({ResourceId{r.Int(0)}, r.Int(1)});
    return out;
  }

  Result<std::vector<ResourceId>> FilterPublished(const std::vector<ResourceId>& ids) override {
    std::vector<ResourceId> out;
    if (ids.empty()) return out;
    std::set<int64_t> published;
    for (size_t start = 0; start < ids.size(); start += 500) {
      size_t end = std::min(ids.size(), start + 500);
      std::string sql = "SELECT id FROM resources WHERE state = 'published' AND id IN (";
      std::vector<Value> params;
      for (size_t i = start; i < end; ++i) {
        sql += i == start ? "?" : ", ?";
        params.push_back(ids[i].value);
      }
      LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec(sql + ")", params));
      for (const auto& row : rows.rows) published.insert(row.Int(0));
    }
    for (ResourceId id : ids) {
      if (published.count(id.value)) out.push_back(id);
    }
    return out;
  }

 private:
  static std::string PublishedSelect() {
    return "SELECT " + Prefixed("r.") +
           ", o.name, o.region FROM resources r JOIN orgs o ON o.id = r.org_id WHERE r.state = "
           "'published'";
  }
  static PublishedResource PublishedFromRow(const Row& row) {
    std::vector<Value> values;
    for (size_t i = 0; i + 2 < row.size(); ++i) values.push_back(row.at(i));
    PublishedResource p;
    p.resource = FromRow(Row(std::move(values)));
    p.unit_name = row.Text(row.size() - 2);
    p.unit_region = row.Text(row.size() - 1);
    return p;
  }
  Result<std::map<std::string, int64_t>> CountPublishedBy(const std::string& column) {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT " + column + ", COUNT(*) FROM resources "
                                             "WHERE state = 'published' AND " + column +
                                             " <> '' GROUP BY " + column));
    std::map<std::string, int64_t> out;
    for (const auto& r : rows.rows) out[r.Text(0)] = r.Int(1);
    return out;
  }

  storage::Database& db_;
};

}  // namespace

std::unique_ptr<ResourceRepository> NewSqlResourceRepository(storage::Database& db) {
  return std::make_unique<SqlResourceRepository>(db);
}

}  // namespace lep::resources
