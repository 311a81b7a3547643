#include "ingest/media_repository.h"

namespace lep::ingest {
namespace {

using nlohmann::json;

constexpr const char* kCols =
    "resource_id, blob, sha256, size, filename, kind, playback_blob, playback_sha256, probe, "
    "report, passed, state, created_at";

MediaRecord FromRow(const storage::Row& row) {
  MediaRecord m;
  m.resource_id = row.Int(0);
  m.blob = row.Text(1);
  m.sha256 = row.Text(2);
  m.size = row.Int(3);
  m.filename = row.Text(4);
  m.kind = row.Text(5);
  m.playback_blob = row.Text(6);
  m.playback_sha256 = row.Text(7);
  m.probe = json::parse(row.Text(8), nullptr, false);
  m.report = json::parse(row.Text(9), nullptr, false);
  m.passed = row.Int(10) != 0;
  m.state = row.Text(11);
  m.created_at = row.Int(12);
  return m;
}

class SqlMediaRepository final : public MediaRepository {
 public:
  explicit SqlMediaRepository(storage::Database& db) : db_(db) {}

  Result<std::optional<MediaRecord>> Get(int64_t resource_id) override {
    return Get(db_, resource_id);
  }

  Result<std::optional<MediaRecord>> Get(storage::SqlExecutor& tx, int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCols +
                                                   " FROM media WHERE resource_id = ?",
                                               {resource_id}));
    if (!row) return std::optional<MediaRecord>();
    return std::optional<MediaRecord>(FromRow(*row));
  }

  Status Save(storage::SqlExecutor& tx, const MediaRecord& m) override {
    return tx
        .Exec(std::string("INSERT INTO media (") + kCols +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (resource_id) DO "
                  "UPDATE SET blob = excluded.blob, sha256 = excluded.sha256, size = "
                  "excluded.size, filename = excluded.filename, kind = excluded.kind, "
                  "playback_blob = excluded.playback_blob, playback_sha256 = "
                  "excluded.playback_sha256, probe = excluded.probe, report = excluded.report, "
                  "passed = excluded.passed, state = excluded.state, created_at = "
                  "excluded.created_at",
              {m.resource_id, m.blob, m.sha256, m.size, m.filename, m.kind, m.playback_blob,
               m.playback_sha256, m.probe.dump(), m.report.dump(), int64_t{m.passed}, m.state,
               m.created_at})
        .map([](auto&&) {});
  }

  Result<bool> SavePlayback(storage::SqlExecutor& tx, int64_t resource_id, const std::string& blob,
                            const std::string& playback_blob, const std::string& playback_sha256,
                            const json& report, bool passed, const json& probe) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE media SET playback_blob = ?, playback_sha256 = ?, report = ?, "
                           "passed = ?, probe = ?, state = 'ready' WHERE resource_id = ? AND "
                           "blob = ?",
                           {playback_blob, playback_sha256, report.dump(), int64_t{passed},
                            probe.dump(), resource_id, blob}));
    return res.affected == 1;
  }

  Status MarkReady(int64_t resource_id, const std::string& blob) override {
    return db_
        .Exec("UPDATE media SET state = 'ready' WHERE resource_id = ? AND blob = ?",
              {resource_id, blob})
        .map([](auto&&) {});
  }

  Status SaveLinkCheck(int64_t resource_id, const LinkCheckRecord& c) override {
    return UpsertLinkCheck(db_, resource_id, c);
  }

  Result<std::optional<LinkCheckRecord>> ReplaceLinkCheck(storage::SqlExecutor& tx,
                                                          int64_t resource_id,
                                                          const LinkCheckRecord& c) override {
    LEP_ASSIGN_OR_RETURN(auto before, ReadLinkCheck(tx, resource_id));
    LEP_RETURN_IF_ERROR(UpsertLinkCheck(tx, resource_id, c));
    return before;
  }

  Result<std::optional<LinkCheckRecord>> GetLinkCheck(int64_t resource_id) override {
    return ReadLinkCheck(db_, resource_id);
  }

  static Status UpsertLinkCheck(storage::SqlExecutor& ex, int64_t resource_id,
                                const LinkCheckRecord& c) {
    return ex
        .Exec("INSERT INTO link_checks (resource_id, url, reachable, status, final_url, hops, "
              "elapsed_ms, error_code, error, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (resource_id) DO UPDATE SET url = excluded.url, reachable = "
              "excluded.reachable, status = excluded.status, final_url = excluded.final_url, "
              "hops = excluded.hops, elapsed_ms = excluded.elapsed_ms, error_code = "
              "excluded.error_code, error = excluded.error, checked_at = excluded.checked_at",
              {resource_id, c.url, int64_t{c.reachable}, int64_t{c.status}, c.final_url,
               int64_t{c.hops}, c.elapsed_ms, c.error_code, c.error, c.checked_at})
        .map([](auto&&) {});
  }

  static Result<std::optional<LinkCheckRecord>> ReadLinkCheck(storage::SqlExecutor& ex,
                                                              int64_t resource_id) {
    LEP_ASSIGN_OR_RETURN(auto row,
                         ex.QueryOne("SELECT url, reachable, status, final_url, hops, "
                                     "elapsed_ms, error_code, error, checked_at FROM "
                                     "link_checks WHERE resource_id = ?",
                                     {resource_id}));
    if (!row) return std::optional<LinkCheckRecord>();
    const auto& r = *row;
    return std::optional<LinkCheckRecord>(LinkCheckRecord{
        r.Text(0), r.Int(1) != 0, static_cast<int>(r.Int(2)), r.Text(3),
        static_cast<int>(r.Int(4)), r.Int(5), r.Text(6), r.Text(7), r.Int(8)});
  }

  Result<std::vector<int64_t>> SameContent(const std::string& sha256, int64_t except_resource_id,
                                           int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT resource_id FROM media WHERE sha256 = ? AND "
                                             "resource_id <> ? ORDER BY resource_id LIMIT ?",
                                             {sha256, except_resource_id, int64_t{limit}}));
    std::vector<int64_t> ids;
    for (const auto& r : rows.rows) ids.push_back(r.Int(0));
    return ids;
  }

  Result<std::vector<FixityTarget>> FixityTargets() override {
    LEP_ASSIGN_OR_RETURN(auto rows, db_.Exec("SELECT resource_id, blob, sha256, playback_blob, "
                                             "playback_sha256 FROM media ORDER BY resource_id"));
    std::vector<FixityTarget> out;
    for (const auto& r : rows.rows) {
      for (int pair = 0; pair < 2; ++pair) {
        std::string blob = r.Text(1 + 2 * pair), sha = r.Text(2 + 2 * pair);
        if (blob.empty() || sha.empty()) continue;
        out.push_back({r.Int(0), std::move(blob), std::move(sha), pair == 1});
      }
    }
    return out;
  }

  Status RecordFixity(const FixityResult& f) override {
    return db_
        .Exec("INSERT INTO fixity_checks (resource_id, blob, expected_sha256, actual_sha256, ok, "
              "error, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {f.resource_id, f.blob, f.expected_sha256, f.actual_sha256,
               int64_t{f.ok ? 1 : 0}, f.error, f.checked_at})
        .map([](auto&&) {});
  }
 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<MediaRepository> NewSqlMediaRepository(storage::Database& db) {
  return std::make_unique<SqlMediaRepository>(db);
}

}  // namespace lep::ingest
