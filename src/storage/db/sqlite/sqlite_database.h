// SqliteDatabase: Database over SQLite 3 (WAL, foreign keys, busy timeout).
// A small pool of connections; each Exec borrows one. Writes inside Transaction()
// use BEGIN IMMEDIATE so concurrent writers queue on the busy timeout instead of failing.
// sqlite3.h is included only by the .cpp.
#pragma once

#include <memory>
#include <string>

#include "storage/db/database.h"

namespace lep::storage {

class SqliteDatabase final : public Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const std::string& path, int pool_size = 4);
  ~SqliteDatabase() override;

  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override;
  Status Transaction(const std::function<Status(SqlExecutor&)>& fn) override;
  Dialect dialect() const override { return Dialect::kSqlite; }

  struct Impl;

 private:
  explicit SqliteDatabase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lep::storage
