// Category tree (所属分类): named nodes whose full path joins names with "-", e.g.
// 科学文化-航空知识-航空发动机. CategoryRepository persists it; CategoryIndex is an immutable
// in-memory snapshot for fast lookups and "did you mean" suggestions. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/db/database.h"

namespace lep::resources {

struct Category {
  int64_t id = 0;
  std::optional<int64_t> parent_id;
  std::string name;
  std::string path;  // "科学文化-航空知识"
  int64_t resource_count = 0;
};

class CategoryRepository {
 public:
  virtual ~CategoryRepository() = default;
  [[nodiscard]] virtual Result<std::vector<Category>> All() = 0;  // ordered by path
  [[nodiscard]] virtual Result<Category> Create(std::optional<int64_t> parent_id,
                                                const std::string& name, int64_t now) = 0;
  // Renames a node; descendants' paths and resources' category paths follow.
  [[nodiscard]] virtual Result<Category> Rename(int64_t id, const std::string& name) = 0;
  // Deletes a leaf no resource uses.
  [[nodiscard]] virtual Status Delete(int64_t id) = 0;
};

std::unique_ptr<CategoryRepository> NewSqlCategoryRepository(storage::Database& db);

// Validates one node name: 1–30 characters, no "-" (it separates levels).
std::optional<std::string> ValidateCategoryName(std::string_view name);

class CategoryIndex {
 public:
  explicit CategoryIndex(std::vector<Category> all);
  bool Contains(const std::string& path) const { return paths_.count(path) > 0; }
  // Up to `limit` existing paths nearest to path: same last name first, then edit distance.
  std::vector<std::string> Suggest(const std::string& path, size_t limit = 3) const;
  const std::vector<Category>& all() const { return all_; }

 private:
  std::vector<Category> all_;
  std::set<std::string> paths_;
};

// Seeds the default tree (containing 科学文化-航空知识-航空发动机) when the tree is empty.
[[nodiscard]] Status SeedDefaultCategories(CategoryRepository& repo, int64_t now);

}  // namespace lep::resources
