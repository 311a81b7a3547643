// OaiRepository: the harvestable record headers (`oai_records`, kept by triggers): which
// resources were ever public, whether they still are, when that last changed, their set.
// Thread-safe (each call is one statement on the thread-safe Database).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::oai {

struct RecordHeader {
  int64_t resource_id = 0;
  int64_t datestamp = 0;  // Unix ms
  bool deleted = false;
  std::string set_spec;  // the resource type code, "A01"
};

// A selective harvest: datestamps within [from, until] (ms, inclusive), an optional set,
// resource ids above after_id (the paging cursor).
struct RecordQuery {
  int64_t from = 0;
  int64_t until = INT64_MAX;
  std::string set_spec;  // "" = all
  int64_t after_id = 0;
};

class OaiRepository {
 public:
  virtual ~OaiRepository() = default;
  // Headers matching q, by resource id, at most limit.
  [[nodiscard]] virtual Result<std::vector<RecordHeader>> List(const RecordQuery& q,
                                                               int limit) = 0;
  // How many headers match q (after_id ignored).
  [[nodiscard]] virtual Result<int64_t> Count(const RecordQuery& q) = 0;
  [[nodiscard]] virtual Result<std::optional<RecordHeader>> Get(int64_t resource_id) = 0;
  // The smallest datestamp (nullopt when nothing was ever published).
  [[nodiscard]] virtual Result<std::optional<int64_t>> Earliest() = 0;
};

std::unique_ptr<OaiRepository> NewSqlOaiRepository(storage::Database& db);

}  // namespace lep::oai
