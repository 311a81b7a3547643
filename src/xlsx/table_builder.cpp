#include "xlsx/table_builder.h"

#include <algorithm>
#include <string_view>

namespace lep::xlsx::internal {
namespace {

// Only ASCII whitespace and U+3000 (what text::Trim removes), without allocating: this runs
// for every cell of every row.
bool IsBlank(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (s.substr(i, 3) == "\xE3\x80\x80") {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

Error TooManyCellsError(size_t max_cells) {
  return Error::InvalidArgument("表格过大：单元格数量超过 " + std::to_string(max_cells) +
                                " 个的上限，请拆分后分批导入");
}

Status TableBuilder::AddRow(int row_number, std::vector<std::string> cells) {
  while (!cells.empty() && cells.back().empty()) cells.pop_back();
  bool blank =
      std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return IsBlank(c); });
  if (blank) return Ok();
  stored_cells_ += cells.size();
  width_ = std::max(width_, cells.size());
  // Checked as we go so a sheet of sparse far-right cells is refused before it fills memory.
  if (stored_cells_ > max_cells_ || width_ * (rows_.size() + 1) > max_cells_) {
    return Fail(TooManyCellsError(max_cells_));
  }
  if (!rows_.empty() && rows_.back().first > row_number) sorted_ = false;
  rows_.emplace_back(row_number, std::move(cells));
  return Ok();
}

Result<Table> TableBuilder::Finish() && {
  if (!sorted_) {
    std::stable_sort(rows_.begin(), rows_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  Table table;
  if (rows_.empty()) return table;
  table.header = std::move(rows_.front().second);
  table.header.resize(width_);
  table.rows.reserve(rows_.size() - 1);
  table.row_numbers.reserve(rows_.size() - 1);
  for (size_t i = 1; i < rows_.size(); ++i) {
    rows_[i].second.resize(width_);
    table.rows.push_back(std::move(rows_[i].second));
    table.row_numbers.push_back(rows_[i].first);
  }
  return table;
}

}  // namespace lep::xlsx::internal
