#include "storage/db/database.h"

#include "storage/db/postgres/postgres_database.h"
#include "storage/db/sqlite/sqlite_database.h"

namespace lep::storage {

int64_t Row::Int(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<int64_t>(&v)) return *p;
  if (auto p = std::get_if<double>(&v)) return static_cast<int64_t>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::stoll(*p);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<double>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto p = std::get_if<std::string>(&v)) return std::stod(*p);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = values_.at(i);
  if (auto p = std::get_if<std::string>(&v)) return *p;
  if (auto p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto p = std::get_if<double>(&v)) return std::to_string(*p);
  return {};
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<std::optional<Row>> SqlExecutor::QueryOne(std::string_view sql,
                                                 const std::vector<Value>& params) {
  LEP_ASSIGN_OR_RETURN(QueryResult r, Exec(sql, params));
  if (r.rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(r.rows.front()));
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url, int pool_size) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return PostgresDatabase::Open(url, pool_size);
  }
  std::string path = url;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  return SqliteDatabase::Open(path);
}

Status Ping(SqlExecutor& db) { return db.Exec("SELECT 1").map([](auto&&) {}); }

}  // namespace lep::storage
