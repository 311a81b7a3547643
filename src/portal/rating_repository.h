// RatingRepository: learners' ratings and comments (使用评价): one per user and resource,
// pending until moderated. Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::portal {

struct Rating {
  int64_t id = 0;
  int64_t resource_id = 0;
  int64_t user_id = 0;
  std::string user_name;  // the rater's display name
  int64_t score = 0;      // 1–5
  std::string comment;
  std::string state;          // pending | approved | rejected
  std::string flagged_words;  // sensitive words found in the comment, ";"-separated
  int64_t created_at = 0;
  std::string resource_title;  // shown to moderators
};

struct NewRating {
  int64_t resource_id = 0;
  int64_t user_id = 0;
  int64_t score = 0;
  std::string comment;
  std::string flagged_words;
  int64_t at = 0;
};

struct RatingSummary {
  int64_t count = 0;
  double average = 0;
};

class RatingRepository {
 public:
  virtual ~RatingRepository() = default;
  // The new rating's id; kAlreadyExists when the user rated the resource before.
  [[nodiscard]] virtual Result<int64_t> Create(const NewRating& r) = 0;
  [[nodiscard]] virtual Result<std::optional<Rating>> Get(int64_t id) = 0;
  // Approved ratings of a resource: their number and average score, and the newest limit.
  [[nodiscard]] virtual Result<RatingSummary> ApprovedSummary(int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<std::vector<Rating>> ListApproved(int64_t resource_id,
                                                                 int limit) = 0;
  // Pending ratings of resources owned inside the unit subtree org_path_prefix ("" = all),
  // oldest first, at most limit.
  [[nodiscard]] virtual Result<std::vector<Rating>> ListPending(
      int limit, const std::string& org_path_prefix) = 0;
  // approved → "approved", else "rejected"; kNotFound for an unknown id.
  [[nodiscard]] virtual Status Moderate(int64_t id, bool approved, int64_t by, int64_t at) = 0;
};

std::unique_ptr<RatingRepository> NewSqlRatingRepository(storage::Database& db);

}  // namespace lep::portal
