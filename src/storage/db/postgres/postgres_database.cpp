#include "storage/db/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstring>
#include <iterator>
#include <mutex>

namespace lep::storage {
namespace {

// Type OIDs from pg_type.h (stable since forever; the server header is not in libpq-dev).
constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

Error Unavailable() {
  return Error{ErrorCode::kUnavailable, "数据库连接中断，请稍后重试", {}, std::nullopt};
}

// Maps a failed statement to an Error by SQLSTATE. res may be null (libpq out of memory or
// the connection is gone).
Error SqlError(PGconn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string detail = Trim(primary ? primary : PQerrorMessage(conn));
  std::string code = state ? state : "";
  if (code == "23505") {
    return Error{ErrorCode::kAlreadyExists, "记录已存在", {}, std::nullopt};
  }
  if (code.rfind("23", 0) == 0) return Error::Conflict("数据冲突：" + detail);
  if (code == "40001" || code == "40P01") {
    return Error{ErrorCode::kUnavailable, "数据库繁忙，请稍后重试", {}, std::nullopt};
  }
  // Class 08 is "connection exception", 57P0x "operator intervention" (server shutting down).
  if (code.empty() || code.rfind("08", 0) == 0 || code.rfind("57P0", 0) == 0 ||
      PQstatus(conn) != CONNECTION_OK) {
    return Unavailable();
  }
  return Error::Internal("数据库错误：" + detail);
}

// Text form of a parameter; libpq sends it untyped so the server infers the type from context
// (as it would for a quoted literal).
std::optional<std::string> ParamText(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::optional<std::string> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>) {
          char buf[64];
          auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);  // shortest round-trip
          return std::string(buf, end);
        } else {
          return x;
        }
      },
      v);
}

Value CellValue(const PGresult* res, int row, int col) {
  if (PQgetisnull(res, row, col)) return nullptr;
  const char* p = PQgetvalue(res, row, col);
  size_t n = static_cast<size_t>(PQgetlength(res, row, col));
  switch (PQftype(res, col)) {
    case kBoolOid:
      return int64_t{p[0] == 't' ? 1 : 0};
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(p, p + n, v);
      if (ec == std::errc() && end == p + n) return v;
      break;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      // strtod, not from_chars: it also spells NaN/Infinity the way the server prints them.
      std::string s(p, n);
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (end == s.c_str() + s.size()) return v;
      break;
    }
    default:
      break;
  }
  return std::string(p, n);
}

// One libpq connection. Used by one thread at a time.
class Connection final : public SqlExecutor {
 public:
  explicit Connection(ConnPtr conn) : conn_(std::move(conn)) {}

  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo) {
    ConnPtr conn(PQconnectdb(conninfo.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
      return Fail(Error{
          ErrorCode::kUnavailable,
          "无法连接 PostgreSQL 数据库：" + (conn ? Trim(PQerrorMessage(conn.get())) : "内存不足"),
          {},
          std::nullopt});
    }
    // Notices (e.g. "relation already exists, skipping") would go to stderr by default.
    PQsetNoticeProcessor(
        conn.get(), [](void*, const char*) {}, nullptr);
    auto c = std::make_unique<Connection>(std::move(conn));
    LEP_RETURN_IF_ERROR(c->Exec("SET client_encoding = 'UTF8'", {}));
    return c;
  }

  // Healthy and outside any transaction: fit to hand to the next caller.
  bool Reusable() const {
    return PQstatus(conn_.get()) == CONNECTION_OK &&
           PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
  }

  // A statement failed inside BEGIN..: PostgreSQL ignores everything up to the end of the
  // block and turns COMMIT into a silent ROLLBACK.
  bool InFailedTransaction() const { return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR; }

  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override {
    int count = 0;
    std::string text = RewritePlaceholders(sql, &count);
    if (static_cast<size_t>(count) != params.size()) {
      return Fail(Error::Internal("SQL 参数个数不匹配"));
    }
    std::vector<std::optional<std::string>> owned;
    owned.reserve(params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const Value& v : params) {
      owned.push_back(ParamText(v));
      values.push_back(owned.back() ? owned.back()->c_str() : nullptr);
    }
    ResultPtr res(PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()),
                               /*paramTypes=*/nullptr, values.data(), /*paramLengths=*/nullptr,
                               /*paramFormats=*/nullptr, /*resultFormat=text*/ 0));
    ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Fail(SqlError(conn_.get(), res.get()));
    }
    QueryResult out;
    int nrows = PQntuples(res.get());
    int ncols = PQnfields(res.get());
    out.rows.reserve(static_cast<size_t>(nrows));
    for (int r = 0; r < nrows; ++r) {
      std::vector<Value> values_out;
      values_out.reserve(static_cast<size_t>(ncols));
      for (int c = 0; c < ncols; ++c) values_out.push_back(CellValue(res.get(), r, c));
      out.rows.emplace_back(std::move(values_out));
    }
    const char* affected = PQcmdTuples(res.get());
    if (affected && *affected) {
      std::from_chars(affected, affected + std::strlen(affected), out.affected);
    }
    return out;
  }

 private:
  ConnPtr conn_;
};

}  // namespace

std::string RewritePlaceholders(std::string_view sql, int* count) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  size_t i = 0;
  auto copy_until = [&](size_t from, std::string_view close, bool backslash_escapes) {
    // Copies sql[from..] through the closing delimiter (or to the end).
    size_t j = from;
    while (j < sql.size()) {
      if (backslash_escapes && sql[j] == '\\' && j + 1 < sql.size()) {
        j += 2;
        continue;
      }
      if (sql.compare(j, close.size(), close) == 0) {
        // A doubled quote inside a literal is an escaped quote, not the end.
        if (close.size() == 1 && j + 1 < sql.size() && sql[j + 1] == close[0]) {
          j += 2;
          continue;
        }
        j += close.size();
        break;
      }
      ++j;
    }
    out.append(sql.substr(i, j - i));
    i = j;
  };
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'') {
      bool e_string = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      copy_until(i + 1, "'", e_string);
    } else if (c == '"') {
      copy_until(i + 1, "\"", false);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      copy_until(i + 2, "\n", false);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      copy_until(i + 2, "*/", false);
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  if (count) *count = n;
  return out;
}

struct PostgresDatabase::Impl {
  std::string conninfo;
  std::mutex mu;
  std::condition_variable cv;
  // A null entry is a slot whose connection broke; it is reopened when next borrowed.
  std::vector<std::unique_ptr<Connection>> idle;

  // Borrowed connection, returned to the pool on destruction (or dropped if unfit).
  struct Lease {
    Impl* impl;
    std::unique_ptr<Connection> conn;
    Lease(Impl* i, std::unique_ptr<Connection> c) : impl(i), conn(std::move(c)) {}
    Lease(Lease&& o) noexcept : impl(o.impl), conn(std::move(o.conn)) { o.impl = nullptr; }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (!impl) return;
      if (conn && !conn->Reusable()) conn.reset();
      std::lock_guard lock(impl->mu);
      impl->idle.push_back(std::move(conn));
      impl->cv.notify_one();
    }
  };

  Result<Lease> Acquire() {
    std::unique_ptr<Connection> c;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !idle.empty(); });
      // Prefer a live connection over a slot that needs reconnecting.
      auto live =
          std::find_if(idle.rbegin(), idle.rend(), [](const auto& p) { return p != nullptr; });
      auto pick = live != idle.rend() ? std::prev(live.base()) : idle.end() - 1;
      c = std::move(*pick);
      idle.erase(pick);
    }
    Lease lease(this, std::move(c));
    if (!lease.conn) {
      // Reconnect outside the lock; on failure the empty slot goes back to the pool.
      LEP_ASSIGN_OR_RETURN(lease.conn, Connection::Open(conninfo));
    }
    return lease;
  }
};

PostgresDatabase::PostgresDatabase(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresDatabase::~PostgresDatabase() = default;

Result<std::unique_ptr<Database>> PostgresDatabase::Open(const std::string& conninfo,
                                                         int pool_size) {
  auto impl = std::make_unique<Impl>();
  impl->conninfo = conninfo;
  for (int i = 0; i < std::max(1, pool_size); ++i) {
    LEP_ASSIGN_OR_RETURN(auto conn, Connection::Open(conninfo));
    impl->idle.push_back(std::move(conn));
  }
  return std::unique_ptr<Database>(new PostgresDatabase(std::move(impl)));
}

Result<QueryResult> PostgresDatabase::Exec(std::string_view sql, const std::vector<Value>& params) {
  LEP_ASSIGN_OR_RETURN(auto lease, impl_->Acquire());
  return lease.conn->Exec(sql, params);
}

Status PostgresDatabase::Transaction(const std::function<Status(SqlExecutor&)>& fn) {
  LEP_ASSIGN_OR_RETURN(auto lease, impl_->Acquire());
  LEP_RETURN_IF_ERROR(lease.conn->Exec("BEGIN", {}));
  Status st = fn(*lease.conn);
  if (!st) {
    // A failed ROLLBACK leaves the connection non-idle; the lease then drops it.
    (void)lease.conn->Exec("ROLLBACK", {});
    return st;
  }
  if (lease.conn->InFailedTransaction()) {
    (void)lease.conn->Exec("ROLLBACK", {});
    return Fail(Error::Internal("数据库错误：事务中有语句失败，已回滚"));
  }
  auto commit = lease.conn->Exec("COMMIT", {});
  if (!commit) {
    (void)lease.conn->Exec("ROLLBACK", {});
    return Fail(commit.error());
  }
  return Ok();
}

}  // namespace lep::storage
