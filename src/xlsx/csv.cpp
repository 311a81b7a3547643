// ReadCsv / WriteCsv: RFC 4180 with the relaxations Excel applies when it reads CSV; the
// formula-injection escape shared with the xlsx writer.
#include <new>

#include "core/text.h"
#include "xlsx/spreadsheet.h"
#include "xlsx/table_builder.h"

namespace lep::xlsx {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

Error NotUtf8Error(int record) {
  return Error::InvalidArgument("第 " + std::to_string(record) +
                                " 行包含无效的 UTF-8 字符，文件可能是 GBK 等其他编码。"
                                "请另存为 UTF-8 编码的 CSV 后重新上传");
}

Result<Table> ReadCsvUnchecked(std::string_view bytes, const ReadLimits& limits) {
  if (bytes.starts_with(kUtf8Bom)) bytes.remove_prefix(kUtf8Bom.size());
  if (bytes.starts_with("\xFF\xFE") || bytes.starts_with("\xFE\xFF")) {
    return Fail(
        Error::InvalidArgument("文件是 UTF-16 编码的文本，请另存为 UTF-8 编码的 CSV 后重新上传"));
  }
  if (bytes.find('\0') != std::string_view::npos) {
    return Fail(Error::InvalidArgument(
        "文件包含二进制内容，不是 CSV 文本；请上传 .xlsx 文件或 UTF-8 编码的 CSV"));
  }
  internal::TableBuilder builder(limits.max_cells);
  std::vector<std::string> record;
  std::string field;
  int record_number = 1;
  size_t record_start = 0;
  bool record_started = false;  // distinguishes "" (empty last line) from a single empty field
  bool in_quotes = false;
  size_t quote_record_start = 0;

  auto end_record = [&](size_t end) -> Status {
    record.push_back(std::move(field));
    field.clear();
    if (!text::IsValidUtf8(bytes.substr(record_start, end - record_start))) {
      return Fail(NotUtf8Error(record_number));
    }
    LEP_RETURN_IF_ERROR(builder.AddRow(record_number, std::move(record)));
    record.clear();
    ++record_number;
    record_started = false;
    return Ok();
  };

  size_t i = 0;
  while (i < bytes.size()) {
    char c = bytes[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < bytes.size() && bytes[i + 1] == '"') {
          field += '"';
          i += 2;
          continue;
        }
        in_quotes = false;
      } else {
        field += c;
      }
      ++i;
      continue;
    }
    if (c == '"' && field.empty()) {
      // A quote opens a quoted section only at the start of a field; elsewhere (and after
      // the closing quote) characters are kept as they are, as Excel does.
      in_quotes = true;
      quote_record_start = static_cast<size_t>(record_number);
      record_started = true;
      ++i;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      record_started = true;
      ++i;
    } else if (c == '\r' || c == '\n') {
      LEP_RETURN_IF_ERROR(end_record(i));
      i += (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') ? 2 : 1;
      record_start = i;
    } else {
      field += c;
      record_started = true;
      ++i;
    }
  }
  if (in_quotes) {
    return Fail(Error::InvalidArgument("第 " + std::to_string(quote_record_start) +
                                       " 行的引号没有闭合，请检查该行内容"));
  }
  if (record_started) LEP_RETURN_IF_ERROR(end_record(bytes.size()));
  return std::move(builder).Finish();
}

bool NeedsQuotes(std::string_view s) {
  return s.find_first_of(",\"\r\n") != std::string_view::npos;
}

void AppendRecord(std::string& out, const std::vector<std::string>& cells) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) out += ',';
    const std::string cell = NeutraliseFormula(cells[i]);
    if (!NeedsQuotes(cell)) {
      out += cell;
      continue;
    }
    out += '"';
    for (char c : cell) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  out += "\r\n";
}

// The first character of s is one a spreadsheet starts a formula (or DDE command) with.
bool StartsFormula(std::string_view s) {
  if (s.empty()) return false;
  switch (s.front()) {
    case '=':
    case '+':
    case '-':
    case '@':
    case '\t':
    case '\r':
      return true;
    default:
      break;
  }
  // Full-width ＝ U+FF1D, ＋ U+FF0B, － U+FF0D, ＠ U+FF20 (an IME may turn them into the
  // ASCII forms, and some spreadsheet versions treat them alike).
  for (std::string_view w : {"\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0"}) {
    if (s.starts_with(w)) return true;
  }
  return false;
}

// s is the escaped form of something: apostrophes, then a formula start.
bool IsEscaped(std::string_view s) {
  size_t quotes = s.find_first_not_of('\'');
  return quotes != 0 && quotes != std::string_view::npos && StartsFormula(s.substr(quotes));
}

}  // namespace

std::string NeutraliseFormula(std::string_view cell) {
  if (StartsFormula(cell) || IsEscaped(cell)) return "'" + std::string(cell);
  return std::string(cell);
}

std::string RestoreFormulaText(std::string_view cell) {
  if (IsEscaped(cell)) cell.remove_prefix(1);
  return std::string(cell);
}

Result<Table> ReadCsv(std::string_view bytes, const ReadLimits& limits) {
  try {
    return ReadCsvUnchecked(bytes, limits);
  } catch (const std::bad_alloc&) {
    return Fail(Error::InvalidArgument("CSV 文件内容过大，无法处理"));
  }
}

std::string WriteCsv(const Table& table) {
  std::string out(kUtf8Bom);
  AppendRecord(out, table.header);
  for (const auto& row : table.rows) AppendRecord(out, row);
  return out;
}

}  // namespace lep::xlsx
