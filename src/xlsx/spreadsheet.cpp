// ReadSpreadsheet: picks the reader by content, never by the name the client sent.
#include "xlsx/spreadsheet.h"

#include "core/text.h"

namespace lep::xlsx {

ConcurrencyLimiter& SpreadsheetReadLimiter() {
  static ConcurrencyLimiter limiter(
      "电子表格导入", {.capacity = 2, .max_waiting = 2, .max_wait = std::chrono::seconds(2)});
  return limiter;
}

Result<Table> ReadSpreadsheet(std::string_view bytes, std::string_view filename_or_content_type,
                              const ReadLimits& limits) {
  LEP_ASSIGN_OR_RETURN(ConcurrencyLimiter::Permit permit, SpreadsheetReadLimiter().Acquire());
  if (bytes.starts_with("PK\x03\x04")) return ReadXlsx(bytes, limits);
  // OLE2 compound file: a legacy .xls, or any password-protected Office file.
  if (bytes.starts_with("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
    return Fail(Error::InvalidArgument(
        "不支持旧版 .xls 或加密的 Excel 文件，请另存为 .xlsx（不设密码）或 UTF-8 编码的 CSV"));
  }
  Result<Table> csv = ReadCsv(bytes, limits);
  if (!csv) {
    std::string label = text::ToLowerAscii(filename_or_content_type);
    bool says_excel = label.ends_with(".xlsx") || label.ends_with(".xls") ||
                      label.find("spreadsheetml") != std::string::npos ||
                      label.find("ms-excel") != std::string::npos;
    if (says_excel) {
      return Fail(
          Error::InvalidArgument("文件不是有效的 Excel (.xlsx) 文件，请用 Excel 重新保存后上传"));
    }
  }
  return csv;
}

}  // namespace lep::xlsx
