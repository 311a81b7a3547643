// Database: the one client interface every repository talks to, whatever the backend.
// SQL uses `?` placeholders and the portable subset shared by SQLite and PostgreSQL
// (RETURNING for generated ids). Implementations are thread-safe: each call takes a
// connection from a pool; Transaction() holds one connection for its whole callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace lep::storage {

using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }
  int64_t Int(size_t i) const;
  double Real(size_t i) const;
  std::string Text(size_t i) const;  // "" for NULL
  std::optional<int64_t> OptInt(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  const Value& at(size_t i) const { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

struct QueryResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
};

// Anything that runs SQL: the database itself, or an open transaction.
class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;
  [[nodiscard]] virtual Result<QueryResult> Exec(std::string_view sql,
                                                 const std::vector<Value>& params = {}) = 0;

  // Convenience: first row or nullopt.
  [[nodiscard]] Result<std::optional<Row>> QueryOne(std::string_view sql,
                                                    const std::vector<Value>& params = {});
};

enum class Dialect { kSqlite, kPostgres };

// What a service holds to make several repository calls one unit of work: it opens a
// transaction and hands the open transaction to the repositories, never SQL of its own.
class Transactor {
 public:
  virtual ~Transactor() = default;
  // Runs fn inside one transaction; commits when fn succeeds, rolls back otherwise.
  [[nodiscard]] virtual Status Transaction(const std::function<Status(SqlExecutor&)>& fn) = 0;
};

class Database : public SqlExecutor, public Transactor {
 public:
  virtual Dialect dialect() const = 0;
};

// A round trip to the database (readiness checks).
[[nodiscard]] Status Ping(SqlExecutor& db);

// Opens the database named by url: "sqlite:PATH" (or a bare path), or "postgresql://…".
// pool_size: connections a PostgreSQL database keeps (SQLite ignores it).
[[nodiscard]] Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url,
                                                             int pool_size = 4);

}  // namespace lep::storage
