// LessonRepository: the lessons of A03 courses delivered as 实体资源 (`lessons`): each an
// uploaded video with its position in the course, title, original and playback copy, probe
// and per-rule 附件1 report. The only code that reads or writes `lessons`. Positions are
// 1, 2, … without gaps (unique per course). Implementations are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::ingest {

struct Lesson {
  int64_t id = 0;
  int64_t resource_id = 0;
  int64_t position = 0;  // 1-based order in the course
  std::string title;
  std::string blob;  // as uploaded
  std::string sha256;
  int64_t size = 0;
  std::string filename;
  std::string playback_blob;  // the original, or its faststart remux
  std::string playback_sha256;
  int64_t duration_s = 0;
  nlohmann::json probe;
  nlohmann::json report;
  bool passed = false;
  std::string state;  // "remuxing" | "ready"
  int64_t created_at = 0;
};

// Why a course's lessons do not pass 附件1 as a whole (no lesson; a lesson failing a rule,
// named with its position and title), nullopt when every one passes. Pure.
std::optional<std::string> LessonsTechnicalProblem(const std::vector<Lesson>& lessons);

class LessonRepository {
 public:
  virtual ~LessonRepository() = default;
  // In position order.
  [[nodiscard]] virtual Result<std::vector<Lesson>> List(int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<std::vector<Lesson>> List(storage::SqlExecutor& tx,
                                                         int64_t resource_id) = 0;
  [[nodiscard]] virtual Result<std::optional<Lesson>> Get(int64_t resource_id,
                                                          int64_t lesson_id) = 0;
  // Appends l after the course's last lesson (inside the caller's transaction, which holds
  // the resource's row lock); returns it with id and position.
  [[nodiscard]] virtual Result<Lesson> Append(storage::SqlExecutor& tx, const Lesson& l) = 0;
  // kNotFound when the lesson is not the course's.
  [[nodiscard]] virtual Status Rename(storage::SqlExecutor& tx, int64_t resource_id,
                                      int64_t lesson_id, const std::string& title) = 0;
  // Removes it and closes the gap; returns the removed lesson (its blobs are the caller's).
  [[nodiscard]] virtual Result<Lesson> Remove(storage::SqlExecutor& tx, int64_t resource_id,
                                              int64_t lesson_id) = 0;
  // ids must be exactly the course's lessons, in the new order (kInvalidArgument otherwise).
  [[nodiscard]] virtual Status Reorder(storage::SqlExecutor& tx, int64_t resource_id,
                                       const std::vector<int64_t>& ids) = 0;
  // The outcome of a remux, a compare-and-set on the original blob: false when the lesson was
  // removed meanwhile.
  [[nodiscard]] virtual Result<bool> SavePlayback(storage::SqlExecutor& tx, int64_t lesson_id,
                                                  const std::string& blob,
                                                  const std::string& playback_blob,
                                                  const std::string& playback_sha256,
                                                  const nlohmann::json& report, bool passed,
                                                  const nlohmann::json& probe) = 0;
  [[nodiscard]] virtual Status MarkReady(int64_t lesson_id, const std::string& blob) = 0;
  // Other courses with a lesson of exactly this SHA-256, lowest id first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<int64_t>> SameContent(const std::string& sha256,
                                                                 int64_t except_resource_id,
                                                                 int limit) = 0;
};

std::unique_ptr<LessonRepository> NewSqlLessonRepository(storage::Database& db);

}  // namespace lep::ingest
