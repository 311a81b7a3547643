// WriteXlsx and XlsxStream: libxlsxwriter 1.1.4 writes only to a path, so the workbook goes
// to a private mkstemp file that is read back and removed.
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string_view>

#include "core/text.h"
#include "xlsx/cell_format.h"
#include "xlsx/spreadsheet.h"

namespace lep::xlsx {
namespace {

// Owns the workbook until workbook_close() has taken it over.
struct WorkbookFree {
  void operator()(lxw_workbook* wb) const { lxw_workbook_free(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookFree>;

struct TempFile {
  std::string path;
  ~TempFile() {
    if (!path.empty()) std::remove(path.c_str());
  }
};

std::string SheetLabel(const SheetSpec& s) { return "工作表「" + s.name + "」"; }

Error SheetNameError(lxw_error err, const SheetSpec& sheet) {
  switch (err) {
    case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
      return Error::InvalidArgument(SheetLabel(sheet) + "的名称超过 31 个字符");
    case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
      return Error::InvalidArgument(SheetLabel(sheet) + "的名称不能包含 [ ] : * ? / \\ 字符");
    case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
      return Error::InvalidArgument(SheetLabel(sheet) + "的名称不能以单引号开头或结尾");
    case LXW_ERROR_SHEETNAME_ALREADY_USED:
      return Error::InvalidArgument(SheetLabel(sheet) + "的名称重复");
    default:
      return Error::InvalidArgument(SheetLabel(sheet) + "的名称无效");
  }
}

Error CellWriteError(lxw_error err, const SheetSpec& sheet, size_t row, size_t col) {
  std::string where = SheetLabel(sheet) + "第 " + std::to_string(row + 1) + " 行第 " +
                      std::to_string(col + 1) + " 列";
  if (err == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) {
    return Error::InvalidArgument(where + "的文本超过 Excel 单元格 32767 个字符的上限");
  }
  if (err == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE) {
    return Error::InvalidArgument(SheetLabel(sheet) + "的行数或列数超过 Excel 的上限");
  }
  return Error::Internal("生成 xlsx 文件失败");
}

// A plain decimal number ("12", "-3.5"): what a number column writes as a number cell.
bool IsPlainNumber(std::string_view s, double& out) {
  if (s.empty() || s.size() > 20) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  size_t digits = 0, dots = 0;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] >= '0' && s[k] <= '9') {
      ++digits;
    } else if (s[k] == '.' && dots == 0 && k > i && k + 1 < s.size()) {
      ++dots;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > 15) return false;
  if (s[i] == '0' && s.size() > i + 1 && s[i + 1] != '.') return false;  // "007" stays text
  out = std::strtod(std::string(s).c_str(), nullptr);
  return true;
}

Status CheckRowText(const SheetSpec& sheet, const std::vector<std::string>& cells, size_t row) {
  for (size_t c = 0; c < cells.size(); ++c) {
    if (!text::IsValidUtf8(cells[c])) {
      return Fail(Error::InvalidArgument(SheetLabel(sheet) + "第 " + std::to_string(row) +
                                         " 行第 " + std::to_string(c + 1) +
                                         " 列不是有效的 UTF-8 文本"));
    }
  }
  return Ok();
}

// Writes one worksheet top to bottom: title lines, header, rows, totals.
class SheetWriter {
 public:
  SheetWriter(lxw_worksheet* ws, const SheetSpec& layout, lxw_format* bold)
      : ws_(ws), layout_(layout), bold_(bold) {}

  Status Begin() {
    for (size_t c = 0; c < layout_.column_widths.size(); ++c) {
      if (c >= LXW_COL_MAX) break;
      auto col = static_cast<lxw_col_t>(c);
      worksheet_set_column(ws_, col, col, layout_.column_widths[c], nullptr);
    }
    for (size_t i = 0; i < layout_.title_lines.size(); ++i) {
      LEP_RETURN_IF_ERROR(CheckRowText(layout_, {layout_.title_lines[i]}, next_ + 1));
      LEP_RETURN_IF_ERROR(Write({layout_.title_lines[i]}, i == 0 ? bold_ : nullptr, false));
    }
    LEP_RETURN_IF_ERROR(CheckRowText(layout_, layout_.header, next_ + 1));
    LEP_RETURN_IF_ERROR(Write(layout_.header, bold_, false));
    if (!layout_.header.empty()) {
      worksheet_freeze_panes(ws_, static_cast<lxw_row_t>(next_), 0);
    }
    return Ok();
  }

  Status Row(const std::vector<std::string>& cells, bool totals = false) {
    LEP_RETURN_IF_ERROR(CheckRowText(layout_, cells, next_ + 1));
    return Write(cells, totals ? bold_ : nullptr, true);
  }

 private:
  Status Write(const std::vector<std::string>& cells, lxw_format* fmt, bool numbers) {
    size_t r = next_++;
    if (r >= LXW_ROW_MAX || cells.size() > LXW_COL_MAX) {
      return Fail(CellWriteError(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, layout_, r, 0));
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;  // an absent cell reads back as ""
      auto row = static_cast<lxw_row_t>(r);
      auto col = static_cast<lxw_col_t>(c);
      double number = 0;
      lxw_error err;
      if (numbers && c < layout_.number_columns.size() && layout_.number_columns[c] &&
          IsPlainNumber(cells[c], number)) {
        err = worksheet_write_number(ws_, row, col, number, fmt);
      } else {
        // worksheet_write_string stores a shared string (t="s"): Excel shows it as text and
        // never evaluates it, but editing the cell (F2, Enter) re-parses "=..." as a formula,
        // and a sheet saved as CSV carries it on. Hence the same escape as WriteCsv.
        // libxlsxwriter escapes control characters as _xHHHH_ but not a literal "_xHHHH_".
        std::string value = internal::EscapeLiteralXstring(NeutraliseFormula(cells[c]));
        err = worksheet_write_string(ws_, row, col, value.c_str(), fmt);
      }
      if (err != LXW_NO_ERROR) return Fail(CellWriteError(err, layout_, r, c));
    }
    return Ok();
  }

  lxw_worksheet* ws_;
  const SheetSpec& layout_;
  lxw_format* bold_;
  size_t next_ = 0;
};

Result<std::string> NewTempPath(TempFile& tmp) {
  tmp.path = (std::filesystem::temp_directory_path() / "lep-xlsx-XXXXXX").string();
  int fd = mkstemp(tmp.path.data());
  if (fd < 0) {
    tmp.path.clear();
    return Fail(Error::Internal("无法创建临时文件"));
  }
  close(fd);
  return tmp.path;
}

Result<std::string> CloseAndRead(WorkbookPtr wb, const TempFile& tmp) {
  // workbook_close frees the workbook whether or not it succeeds.
  if (workbook_close(wb.release()) != LXW_NO_ERROR) {
    return Fail(Error::Internal("生成 xlsx 文件失败"));
  }
  std::ifstream in(tmp.path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in || !ss) return Fail(Error::Internal("读取生成的 xlsx 文件失败"));
  return std::move(ss).str();
}

Result<lxw_worksheet*> AddSheet(lxw_workbook* wb, const SheetSpec& sheet) {
  if (!text::IsValidUtf8(sheet.name)) {
    return Fail(Error::InvalidArgument("工作表名称不是有效的 UTF-8 文本"));
  }
  lxw_error err = workbook_validate_sheet_name(wb, sheet.name.c_str());
  if (sheet.name.empty()) err = LXW_ERROR_PARAMETER_VALIDATION;
  if (err != LXW_NO_ERROR) return Fail(SheetNameError(err, sheet));
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
  if (!ws) return Fail(Error::Internal("生成 xlsx 文件失败"));
  return ws;
}

Result<std::string> WriteXlsxUnchecked(const std::vector<SheetSpec>& sheets) {
  if (sheets.empty()) return Fail(Error::InvalidArgument("至少需要一个工作表"));
  TempFile tmp;
  LEP_RETURN_IF_ERROR(NewTempPath(tmp));
  WorkbookPtr wb(workbook_new(tmp.path.c_str()));
  if (!wb) return Fail(Error::Internal("生成 xlsx 文件失败"));
  lxw_format* bold = workbook_add_format(wb.get());
  format_set_bold(bold);
  for (const auto& sheet : sheets) {
    LEP_ASSIGN_OR_RETURN(lxw_worksheet * ws, AddSheet(wb.get(), sheet));
    SheetWriter w(ws, sheet, bold);
    LEP_RETURN_IF_ERROR(w.Begin());
    for (const auto& row : sheet.rows) LEP_RETURN_IF_ERROR(w.Row(row));
    if (!sheet.totals.empty()) LEP_RETURN_IF_ERROR(w.Row(sheet.totals, true));
  }
  return CloseAndRead(std::move(wb), tmp);
}

}  // namespace

Result<std::string> WriteXlsx(const std::vector<SheetSpec>& sheets) {
  try {
    return WriteXlsxUnchecked(sheets);
  } catch (const std::bad_alloc&) {
    return Fail(Error::Internal("生成 xlsx 文件时内存不足"));
  }
}

struct XlsxStream::Impl {
  TempFile tmp;
  WorkbookPtr wb{nullptr};
  lxw_format* bold = nullptr;
  std::deque<SheetSpec> layouts;  // stable addresses: each writer refers to its layout
  std::unique_ptr<SheetWriter> writer;
  bool done = false;

  Status Begin(const SheetSpec& layout) {
    layouts.push_back(layout);
    layouts.back().rows.clear();
    layouts.back().totals.clear();
    LEP_ASSIGN_OR_RETURN(lxw_worksheet * ws, AddSheet(wb.get(), layouts.back()));
    writer = std::make_unique<SheetWriter>(ws, layouts.back(), bold);
    return writer->Begin();
  }
};

XlsxStream::XlsxStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XlsxStream::~XlsxStream() = default;

Result<std::unique_ptr<XlsxStream>> XlsxStream::Open(const SheetSpec& layout) {
  auto impl = std::make_unique<Impl>();
  LEP_RETURN_IF_ERROR(NewTempPath(impl->tmp));
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  impl->wb.reset(workbook_new_opt(impl->tmp.path.c_str(), &options));
  if (!impl->wb) return Fail(Error::Internal("生成 xlsx 文件失败"));
  impl->bold = workbook_add_format(impl->wb.get());
  format_set_bold(impl->bold);
  LEP_RETURN_IF_ERROR(impl->Begin(layout));
  return std::unique_ptr<XlsxStream>(new XlsxStream(std::move(impl)));
}

Status XlsxStream::AddRow(const std::vector<std::string>& cells) {
  if (impl_->done) return Fail(Error::Internal("xlsx 已生成，不能再写入"));
  LEP_RETURN_IF_ERROR(impl_->writer->Row(cells));
  ++rows_;
  return Ok();
}

Status XlsxStream::AddTotals(const std::vector<std::string>& cells) {
  if (impl_->done) return Fail(Error::Internal("xlsx 已生成，不能再写入"));
  return impl_->writer->Row(cells, true);
}

Status XlsxStream::NextSheet(const SheetSpec& layout) {
  if (impl_->done) return Fail(Error::Internal("xlsx 已生成，不能再写入"));
  return impl_->Begin(layout);
}

Result<std::string> XlsxStream::Finish() {
  if (impl_->done) return Fail(Error::Internal("xlsx 已生成"));
  impl_->done = true;
  return CloseAndRead(std::move(impl_->wb), impl_->tmp);
}

}  // namespace lep::xlsx
