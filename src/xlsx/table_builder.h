// Internal: collects the non-blank rows of a sheet (in any order) into a rectangular Table,
// enforcing the cell cap. One builder per read; not thread-safe, not shared.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "xlsx/spreadsheet.h"

namespace lep::xlsx::internal {

class TableBuilder {
 public:
  explicit TableBuilder(size_t max_cells) : max_cells_(max_cells) {}

  // cells may end with empty strings; a row of only empty/whitespace cells is dropped.
  [[nodiscard]] Status AddRow(int row_number, std::vector<std::string> cells);
  // First row (by row number) becomes the header; all rows are padded to the widest one.
  [[nodiscard]] Result<Table> Finish() &&;

 private:
  size_t max_cells_;
  size_t stored_cells_ = 0;
  size_t width_ = 0;
  bool sorted_ = true;
  std::vector<std::pair<int, std::vector<std::string>>> rows_;
};

// The error for a sheet over the cell cap (shared with the sparse-cell check of the reader).
Error TooManyCellsError(size_t max_cells);

}  // namespace lep::xlsx::internal
