#include "ingest/lesson_repository.h"

#include <algorithm>

namespace lep::ingest {
namespace {

using nlohmann::json;

constexpr const char* kCols =
    "id, resource_id, position, title, blob, sha256, size, filename, playback_blob, "
    "playback_sha256, duration_s, probe, report, passed, state, created_at";

Lesson FromRow(const storage::Row& row) {
  Lesson l;
  l.id = row.Int(0);
  l.resource_id = row.Int(1);
  l.position = row.Int(2);
  l.title = row.Text(3);
  l.blob = row.Text(4);
  l.sha256 = row.Text(5);
  l.size = row.Int(6);
  l.filename = row.Text(7);
  l.playback_blob = row.Text(8);
  l.playback_sha256 = row.Text(9);
  l.duration_s = row.Int(10);
  l.probe = json::parse(row.Text(11), nullptr, false);
  l.report = json::parse(row.Text(12), nullptr, false);
  l.passed = row.Int(13) != 0;
  l.state = row.Text(14);
  l.created_at = row.Int(15);
  return l;
}

class SqlLessonRepository final : public LessonRepository {
 public:
  explicit SqlLessonRepository(storage::Database& db) : db_(db) {}

  Result<std::vector<Lesson>> List(int64_t resource_id) override { return List(db_, resource_id); }

  Result<std::vector<Lesson>> List(storage::SqlExecutor& tx, int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(auto rows, tx.Exec(std::string("SELECT ") + kCols +
                                                " FROM lessons WHERE resource_id = ? ORDER BY "
                                                "position",
                                            {resource_id}));
    std::vector<Lesson> out;
    for (const auto& r : rows.rows) out.push_back(FromRow(r));
    return out;
  }

  Result<std::optional<Lesson>> Get(int64_t resource_id, int64_t lesson_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM lessons WHERE id = ? AND "
                                                    "resource_id = ?",
                                                {lesson_id, resource_id}));
    if (!row) return std::optional<Lesson>();
    return std::optional<Lesson>(FromRow(*row));
  }

  Result<Lesson> Append(storage::SqlExecutor& tx, const Lesson& l) override {
    LEP_ASSIGN_OR_RETURN(auto last, tx.QueryOne("SELECT COALESCE(MAX(position), 0) FROM lessons "
                                                "WHERE resource_id = ?",
                                                {l.resource_id}));
    Lesson out = l;
    out.position = (last ? last->Int(0) : 0) + 1;
    LEP_ASSIGN_OR_RETURN(
        auto row,
        tx.QueryOne("INSERT INTO lessons (resource_id, position, title, blob, sha256, size, "
                    "filename, playback_blob, playback_sha256, duration_s, probe, report, passed, "
                    "state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id",
                    {out.resource_id, out.position, out.title, out.blob, out.sha256, out.size,
                     out.filename, out.playback_blob, out.playback_sha256, out.duration_s,
                     out.probe.dump(), out.report.dump(), int64_t{out.passed}, out.state,
                     out.created_at}));
    if (!row) return Fail(Error::Internal("课时未能保存"));
    out.id = row->Int(0);
    return out;
  }

  Status Rename(storage::SqlExecutor& tx, int64_t resource_id, int64_t lesson_id,
                const std::string& title) override {
    LEP_ASSIGN_OR_RETURN(auto res, tx.Exec("UPDATE lessons SET title = ? WHERE id = ? AND "
                                           "resource_id = ?",
                                           {title, lesson_id, resource_id}));
    if (res.affected == 0) return Fail(Error::NotFound("课时不存在或已删除"));
    return Ok();
  }

  Result<Lesson> Remove(storage::SqlExecutor& tx, int64_t resource_id,
                        int64_t lesson_id) override {
    LEP_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCols +
                                                   " FROM lessons WHERE id = ? AND "
                                                   "resource_id = ?",
                                               {lesson_id, resource_id}));
    if (!row) return Fail(Error::NotFound("课时不存在或已删除"));
    Lesson gone = FromRow(*row);
    LEP_RETURN_IF_ERROR(tx.Exec("DELETE FROM lessons WHERE id = ?", {lesson_id}));
    // Close the gap in two steps: the unique (course, position) holds after each statement.
    LEP_RETURN_IF_ERROR(tx.Exec("UPDATE lessons SET position = -position WHERE resource_id = ? "
                                "AND position > ?",
                                {resource_id, gone.position}));
    LEP_RETURN_IF_ERROR(tx.Exec("UPDATE lessons SET position = -position - 1 WHERE "
                                "resource_id = ? AND position < 0",
                                {resource_id}));
    return gone;
  }

  Status Reorder(storage::SqlExecutor& tx, int64_t resource_id,
                 const std::vector<int64_t>& ids) override {
    LEP_ASSIGN_OR_RETURN(auto current, List(tx, resource_id));
    std::vector<int64_t> have, want = ids;
    for (const auto& l : current) have.push_back(l.id);
    std::sort(have.begin(), have.end());
    std::sort(want.begin(), want.end());
    if (have != want) {
      return Fail(Error::InvalidArgument(
          "课时顺序应列出本课程的全部课时，每个一次（课程已有 " +
              std::to_string(current.size()) + " 个课时）",
          {{"lesson_ids", "课时顺序", "应列出本课程的全部课时，每个一次"}}));
    }
    LEP_RETURN_IF_ERROR(tx.Exec("UPDATE lessons SET position = -position WHERE resource_id = ?",
                                {resource_id}));
    for (size_t i = 0; i < ids.size(); ++i) {
      LEP_RETURN_IF_ERROR(tx.Exec("UPDATE lessons SET position = ? WHERE id = ? AND "
                                  "resource_id = ?",
                                  {static_cast<int64_t>(i + 1), ids[i], resource_id}));
    }
    return Ok();
  }

  Result<bool> SavePlayback(storage::SqlExecutor& tx, int64_t lesson_id, const std::string& blob,
                            const std::string& playback_blob, const std::string& playback_sha256,
                            const json& report, bool passed, const json& probe) override {
    LEP_ASSIGN_OR_RETURN(
        auto res, tx.Exec("UPDATE lessons SET playback_blob = ?, playback_sha256 = ?, report = ?, "
                          "passed = ?, probe = ?, state = 'ready' WHERE id = ? AND blob = ?",
                          {playback_blob, playback_sha256, report.dump(), int64_t{passed},
                           probe.dump(), lesson_id, blob}));
    return res.affected == 1;
  }

  Status MarkReady(int64_t lesson_id, const std::string& blob) override {
    return db_
        .Exec("UPDATE lessons SET state = 'ready' WHERE id = ? AND blob = ?", {lesson_id, blob})
        .map([](auto&&) {});
  }

  Result<std::vector<int64_t>> SameContent(const std::string& sha256, int64_t except_resource_id,
                                           int limit) override {
    LEP_ASSIGN_OR_RETURN(auto rows,
                         db_.Exec("SELECT DISTINCT resource_id FROM lessons WHERE sha256 = ? AND "
                                  "resource_id <> ? ORDER BY resource_id LIMIT ?",
                                  {sha256, except_resource_id, int64_t{limit}}));
    std::vector<int64_t> ids;
    for (const auto& r : rows.rows) ids.push_back(r.Int(0));
    return ids;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<LessonRepository> NewSqlLessonRepository(storage::Database& db) {
  return std::make_unique<SqlLessonRepository>(db);
}

}  // namespace lep::ingest
