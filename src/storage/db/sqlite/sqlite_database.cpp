#include "storage/db/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <condition_variable>
#include <mutex>
#include <unordered_map>

namespace lep::storage {
namespace {

Error SqlError(sqlite3* db, std::string_view what) {
  int code = sqlite3_extended_errcode(db);
  std::string detail = std::string(what) + ": " + sqlite3_errmsg(db);
  if ((code & 0xff) == SQLITE_CONSTRAINT) {
    Error e = Error::Conflict("数据冲突：" + detail);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      e.code = ErrorCode::kAlreadyExists;
      e.message = "记录已存在";
    }
    return e;
  }
  if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED) {
    return Error{ErrorCode::kUnavailable, "数据库繁忙，请稍后重试", {}, std::nullopt};
  }
  return Error::Internal("数据库错误：" + detail);
}

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

// One sqlite3 handle with its prepared-statement cache. Used by one thread at a time.
class Connection final : public SqlExecutor {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection() override {
    cache_.clear();
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  static Result<std::unique_ptr<Connection>> Open(const std::string& path) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                SQLITE_OPEN_URI;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
      std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close_v2(db);
      return Fail(Error::Internal("无法打开数据库 " + path + "：" + msg));
    }
    auto conn = std::make_unique<Connection>(db);
    sqlite3_busy_timeout(db, 10'000);
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON",
                               "PRAGMA synchronous=NORMAL"}) {
      LEP_RETURN_IF_ERROR(conn->Exec(pragma, {}));
    }
    return conn;
  }

  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override {
    std::string key(sql);
    auto it = cache_.find(key);
    sqlite3_stmt* stmt = nullptr;
    if (it == cache_.end()) {
      if (sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                             SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
        return Fail(SqlError(db_, "prepare"));
      }
      it = cache_.emplace(key, StmtPtr(stmt)).first;
    }
    stmt = it->second.get();
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    if (static_cast<size_t>(sqlite3_bind_parameter_count(stmt)) != params.size()) {
      return Fail(Error::Internal("SQL 参数个数不匹配"));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      int rc = std::visit(
          [&](const auto& v) -> int {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              return sqlite3_bind_null(stmt, idx);
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return sqlite3_bind_int64(stmt, idx, v);
            } else if constexpr (std::is_same_v<T, double>) {
              return sqlite3_bind_double(stmt, idx, v);
            } else {
              return sqlite3_bind_text(stmt, idx, v.data(), static_cast<int>(v.size()),
                                       SQLITE_TRANSIENT);
            }
          },
          params[i]);
      if (rc != SQLITE_OK) return Fail(SqlError(db_, "bind"));
    }
    QueryResult result;
    int ncol = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = SqlError(db_, "step");
        sqlite3_reset(stmt);
        return Fail(std::move(e));
      }
      std::vector<Value> values;
      values.reserve(ncol);
      for (int c = 0; c < ncol; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_INTEGER: values.emplace_back(int64_t{sqlite3_column_int64(stmt, c)}); break;
          case SQLITE_FLOAT: values.emplace_back(sqlite3_column_double(stmt, c)); break;
          case SQLITE_NULL: values.emplace_back(nullptr); break;
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            int n = sqlite3_column_bytes(stmt, c);
            values.emplace_back(std::string(p ? p : "", static_cast<size_t>(n)));
          }
        }
      }
      result.rows.emplace_back(std::move(values));
    }
    result.affected = sqlite3_changes64(db_);
    sqlite3_reset(stmt);
    return result;
  }

 private:
  sqlite3* db_;
  std::unordered_map<std::string, StmtPtr> cache_;
};

}  // namespace

struct SqliteDatabase::Impl {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::unique_ptr<Connection>> idle;

  // Borrowed connection, returned to the pool on destruction.
  struct Lease {
    Impl* impl;
    std::unique_ptr<Connection> conn;
    ~Lease() {
      std::lock_guard lock(impl->mu);
      impl->idle.push_back(std::move(conn));
      impl->cv.notify_one();
    }
  };
  Lease Acquire() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return !idle.empty(); });
    auto c = std::move(idle.back());
    idle.pop_back();
    return Lease{this, std::move(c)};
  }
};

SqliteDatabase::SqliteDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteDatabase::~SqliteDatabase() = default;

Result<std::unique_ptr<Database>> SqliteDatabase::Open(const std::string& path, int pool_size) {
  auto impl = std::make_unique<Impl>();
  if (path == ":memory:" || path.empty()) pool_size = 1;
  for (int i = 0; i < pool_size; ++i) {
    LEP_ASSIGN_OR_RETURN(auto conn, Connection::Open(path.empty() ? ":memory:" : path));
    impl->idle.push_back(std::move(conn));
  }
  return std::unique_ptr<Database>(new SqliteDatabase(std::move(impl)));
}

Result<QueryResult> SqliteDatabase::Exec(std::string_view sql, const std::vector<Value>& params) {
  auto lease = impl_->Acquire();
  return lease.conn->Exec(sql, params);
}

Status SqliteDatabase::Transaction(const std::function<Status(SqlExecutor&)>& fn) {
  auto lease = impl_->Acquire();
  LEP_RETURN_IF_ERROR(lease.conn->Exec("BEGIN IMMEDIATE", {}));
  Status st = fn(*lease.conn);
  if (!st) {
    (void)lease.conn->Exec("ROLLBACK", {});
    return st;
  }
  auto commit = lease.conn->Exec("COMMIT", {});
  if (!commit) {
    (void)lease.conn->Exec("ROLLBACK", {});
    return Fail(commit.error());
  }
  return Ok();
}

}  // namespace lep::storage
