// WriteXlsx: libxlsxwriter 1.1.4 writes only to a path, so the workbook goes to a private
// mkstemp file that is read back and removed.
#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>

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

Status ValidateText(const SheetSpec& sheet) {
  if (!text::IsValidUtf8(sheet.name)) {
    return Fail(Error::InvalidArgument("工作表名称不是有效的 UTF-8 文本"));
  }
  auto check_row = [&](const std::vector<std::string>& cells, size_t row) -> Status {
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!text::IsValidUtf8(cells[c])) {
        return Fail(Error::InvalidArgument(SheetLabel(sheet) + "第 " + std::to_string(row) +
                                           " 行第 " + std::to_string(c + 1) +
                                           " 列不是有效的 UTF-8 文本"));
      }
    }
    return Ok();
  };
  LEP_RETURN_IF_ERROR(check_row(sheet.header, 1));
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    LEP_RETURN_IF_ERROR(check_row(sheet.rows[r], r + 2));
  }
  return Ok();
}

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

Status WriteSheet(lxw_workbook* wb, lxw_format* bold, const SheetSpec& sheet) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.name.c_str());
  if (!ws) return Fail(Error::Internal("生成 xlsx 文件失败"));
  for (size_t c = 0; c < sheet.column_widths.size(); ++c) {
    if (c >= LXW_COL_MAX) break;
    auto col = static_cast<lxw_col_t>(c);
    worksheet_set_column(ws, col, col, sheet.column_widths[c], nullptr);
  }
  auto write_row = [&](size_t r, const std::vector<std::string>& cells, lxw_format* fmt) -> Status {
    if (r >= LXW_ROW_MAX || cells.size() > LXW_COL_MAX) {
      return Fail(CellWriteError(LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE, sheet, r, 0));
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;  // an absent cell reads back as ""
      // worksheet_write_string stores a shared string (t="s"): Excel shows it as text and
      // never evaluates it, but editing the cell (F2, Enter) re-parses "=..." as a formula,
      // and a sheet saved as CSV carries it on. Hence the same escape as WriteCsv.
      // libxlsxwriter escapes control characters as _xHHHH_ but not a literal "_xHHHH_".
      std::string value = internal::EscapeLiteralXstring(NeutraliseFormula(cells[c]));
      lxw_error err = worksheet_write_string(ws, static_cast<lxw_row_t>(r),
                                             static_cast<lxw_col_t>(c), value.c_str(), fmt);
      if (err != LXW_NO_ERROR) return Fail(CellWriteError(err, sheet, r, c));
    }
    return Ok();
  };
  LEP_RETURN_IF_ERROR(write_row(0, sheet.header, bold));
  if (!sheet.header.empty()) worksheet_freeze_panes(ws, 1, 0);
  for (size_t r = 0; r < sheet.rows.size(); ++r) {
    LEP_RETURN_IF_ERROR(write_row(r + 1, sheet.rows[r], nullptr));
  }
  return Ok();
}

Result<std::string> WriteXlsxUnchecked(const std::vector<SheetSpec>& sheets) {
  if (sheets.empty()) return Fail(Error::InvalidArgument("至少需要一个工作表"));
  for (const auto& sheet : sheets) LEP_RETURN_IF_ERROR(ValidateText(sheet));

  TempFile tmp{(std::filesystem::temp_directory_path() / "lep-xlsx-XXXXXX").string()};
  int fd = mkstemp(tmp.path.data());
  if (fd < 0) {
    tmp.path.clear();
    return Fail(Error::Internal("无法创建临时文件"));
  }
  close(fd);

  WorkbookPtr wb(workbook_new(tmp.path.c_str()));
  if (!wb) return Fail(Error::Internal("生成 xlsx 文件失败"));
  lxw_format* bold = workbook_add_format(wb.get());
  format_set_bold(bold);
  for (const auto& sheet : sheets) {
    lxw_error err = workbook_validate_sheet_name(wb.get(), sheet.name.c_str());
    if (sheet.name.empty()) err = LXW_ERROR_PARAMETER_VALIDATION;
    if (err != LXW_NO_ERROR) return Fail(SheetNameError(err, sheet));
    LEP_RETURN_IF_ERROR(WriteSheet(wb.get(), bold, sheet));
  }
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

}  // namespace

Result<std::string> WriteXlsx(const std::vector<SheetSpec>& sheets) {
  try {
    return WriteXlsxUnchecked(sheets);
  } catch (const std::bad_alloc&) {
    return Fail(Error::Internal("生成 xlsx 文件时内存不足"));
  }
}

}  // namespace lep::xlsx
