// PostgresDatabase: Database over PostgreSQL via libpq. A small pool of connections; each
// Exec borrows one, Transaction() holds one for BEGIN..COMMIT (READ COMMITTED, the server's
// default). `?` placeholders become $1..$n; a broken connection is reopened on its next use.
// Thread-safe like every Database; libpq-fe.h is included only by the .cpp.
#pragma once

#include <memory>
#include <string>

#include "storage/db/database.h"

namespace lep::storage {

class PostgresDatabase final : public Database {
 public:
  // conninfo: a libpq URL ("postgresql://user@host/db?...") or key=value string.
  static Result<std::unique_ptr<Database>> Open(const std::string& conninfo, int pool_size = 4);
  ~PostgresDatabase() override;

  Result<QueryResult> Exec(std::string_view sql, const std::vector<Value>& params) override;
  Status Transaction(const std::function<Status(SqlExecutor&)>& fn) override;
  Dialect dialect() const override { return Dialect::kPostgres; }

  struct Impl;

 private:
  explicit PostgresDatabase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Rewrites `?` placeholders to $1..$n, leaving string literals, quoted identifiers and
// comments alone. Exposed for tests.
std::string RewritePlaceholders(std::string_view sql, int* count = nullptr);

}  // namespace lep::storage
