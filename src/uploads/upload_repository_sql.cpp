#include "uploads/upload_repository.h"

namespace lep::uploads {
namespace {

constexpr const char* kCols =
    "id, resource_id, org_id, user_id, kind, filename, length, committed, hash_state, "
    "created_at, expires_at, completed_at, sha256, title";

Upload FromRow(const storage::Row& r) {
  Upload u;
  u.id = r.Text(0);
  u.resource_id = r.Int(1);
  u.org_id = r.Int(2);
  u.user_id = r.Int(3);
  u.kind = r.Text(4);
  u.filename = r.Text(5);
  u.length = static_cast<uint64_t>(r.Int(6));
  u.offset = static_cast<uint64_t>(r.Int(7));
  u.hash_state = r.Text(8);
  u.created_at = r.Int(9);
  u.expires_at = r.Int(10);
  u.completed_at = r.Int(11);
  u.sha256 = r.Text(12);
  u.title = r.Text(13);
  return u;
}

class SqlUploadRepository final : public UploadRepository {
 public:
  explicit SqlUploadRepository(storage::Database& db) : db_(db) {}

  Result<std::optional<Upload>> Get(const std::string& id) override {
    LEP_ASSIGN_OR_RETURN(auto row, db_.QueryOne(std::string("SELECT ") + kCols +
                                                    " FROM uploads WHERE id = ?",
                                                {id}));
    if (!row) return std::optional<Upload>();
    return std::optional<Upload>(FromRow(*row));
  }

  Status Insert(const Upload& u) override {
    return db_
        .Exec(std::string("INSERT INTO uploads (") + kCols +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {u.id, u.resource_id, u.org_id, u.user_id, u.kind, u.filename,
               static_cast<int64_t>(u.length), static_cast<int64_t>(u.offset), u.hash_state,
               u.created_at, u.expires_at, u.completed_at, u.sha256, u.title})
        .map([](auto&&) {});
  }

  Status SaveProgress(const std::string& id, uint64_t expected_offset, uint64_t offset,
                      const std::string& hash_state) override {
    LEP_ASSIGN_OR_RETURN(auto res,
                         db_.Exec("UPDATE uploads SET committed = ?, hash_state = ? WHERE id = ? "
                                  "AND committed = ? AND completed_at = 0",
                                  {static_cast<int64_t>(offset), hash_state, id,
                                   static_cast<int64_t>(expected_offset)}));
    if (res.affected == 0) {
      return Fail(Error::Conflict("上传进度已被另一个请求改变，请查询 Upload-Offset 后重试"));
    }
    return Ok();
  }

  Status MarkCompleted(const std::string& id, int64_t completed_at,
                       const std::string& sha256) override {
    return db_
        .Exec("UPDATE uploads SET completed_at = ?, sha256 = ? WHERE id = ?",
              {completed_at, sha256, id})
        .map([](auto&&) {});
  }

  Status Delete(const std::string& id) override {
    return db_.Exec("DELETE FROM uploads WHERE id = ?", {id}).map([](auto&&) {});
  }

  Result<std::vector<std::string>> Expired(int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto rows,
                         db_.Exec("SELECT id FROM uploads WHERE completed_at = 0 AND "
                                  "expires_at <= ?",
                                  {now}));
    std::vector<std::string> out;
    for (const auto& r : rows.rows) out.push_back(r.Text(0));
    return out;
  }

  Result<int64_t> CancelPending(storage::SqlExecutor& tx, int64_t resource_id) override {
    LEP_ASSIGN_OR_RETURN(
        auto r, tx.Exec("UPDATE uploads SET expires_at = 0 WHERE resource_id = ? AND "
                        "completed_at = 0",
                        {resource_id}));
    return r.affected;
  }

  Result<PendingTotals> Pending(int64_t org_id, int64_t user_id, int64_t now) override {
    LEP_ASSIGN_OR_RETURN(auto row,
                         db_.QueryOne("SELECT COALESCE(SUM(length), 0) FROM uploads WHERE "
                                      "org_id = ? AND completed_at = 0 AND expires_at > ?",
                                      {org_id, now}));
    PendingTotals t;
    t.unit_bytes = static_cast<uint64_t>(row->Int(0));
    LEP_ASSIGN_OR_RETURN(auto mine,
                         db_.QueryOne("SELECT COUNT(*) FROM uploads WHERE user_id = ? AND "
                                      "completed_at = 0 AND expires_at > ?",
                                      {user_id, now}));
    t.account_uploads = mine->Int(0);
    return t;
  }

 private:
  storage::Database& db_;
};

}  // namespace

std::unique_ptr<UploadRepository> NewSqlUploadRepository(storage::Database& db) {
  return std::make_unique<SqlUploadRepository>(db);
}

}  // namespace lep::uploads
