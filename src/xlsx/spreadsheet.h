// Spreadsheet import/export for bulk metadata: reads the first worksheet of an .xlsx or a UTF-8
// CSV into a rectangular table of strings, and writes CSV and multi-sheet .xlsx files.
// Untrusted input is bounded by ReadLimits (zip bombs, huge sparse sheets) and never crashes.
// All functions are thread-safe; the only state shared between calls is the concurrency
// limiter of ReadSpreadsheet.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/concurrency_limiter.h"
#include "core/result.h"

namespace lep::xlsx {

// One worksheet as strings. Every row (and the header) has the same number of cells: the
// widest non-empty row, padded with "". Fully blank rows (only empty or whitespace cells) are
// skipped; the first non-blank row is the header.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  // For each entry of rows: its 1-based row number as the spreadsheet shows it (for CSV, the
  // record number), so error messages can say "第 N 行" even after blank rows were skipped.
  std::vector<int> row_numbers;
};

// Caps on what one upload may cost. Exceeding one is an InvalidArgument error, not a crash.
// The defaults keep any file within the import route's 32 MiB under 256 MiB of memory and
// about a second of CPU (docs/security.md, "解析炸弹"): XML parts are streamed, never held
// whole, so memory follows the table (cells and text), and CPU follows the bytes inflated.
struct ReadLimits {
  size_t max_uncompressed_bytes = size_t{128} << 20;  // all zip parts read, together
  size_t max_xml_bytes = size_t{96} << 20;            // any one XML part
  size_t max_xml_elements = 3'000'000;                // elements of any one XML part
  size_t max_cells = 500'000;                         // rows x columns after padding
  // All cell text together, and all shared strings together: one shared string repeated in
  // every cell costs this much memory.
  size_t max_text_bytes = size_t{16} << 20;
};

// The first visible worksheet of an .xlsx (resolved through workbook.xml and its rels).
// Numbers render like Excel's General format (integers without ".0", at most 15 significant
// digits); date-formatted numbers render as "yyyy-mm-dd" or "yyyy-mm-dd hh:mm:ss".
[[nodiscard]] Result<Table> ReadXlsx(std::string_view bytes, const ReadLimits& limits = {});

// RFC 4180 CSV in UTF-8 (BOM optional; CRLF, LF or CR line ends). Other encodings such as GBK
// are rejected with a message naming the row.
[[nodiscard]] Result<Table> ReadCsv(std::string_view bytes, const ReadLimits& limits = {});

// Chooses by content: a zip (PK\x03\x04) is read as .xlsx, anything else as CSV.
// filename_or_content_type only improves the error for a mislabelled or legacy .xls file.
// At most SpreadsheetReadLimiter() calls run at once in the process; one that finds no slot
// in time fails with kUnavailable (503 + Retry-After) instead of holding its thread.
[[nodiscard]] Result<Table> ReadSpreadsheet(std::string_view bytes,
                                            std::string_view filename_or_content_type,
                                            const ReadLimits& limits = {});

// The process-wide limiter of ReadSpreadsheet (2 at once, 2 more may wait up to 2 s).
ConcurrencyLimiter& SpreadsheetReadLimiter();

// Formula injection: a cell that starts with = + - @, a tab or a CR, or with the full-width
// ＝ ＋ － ＠, is run as a formula (or DDE command) by Excel, WPS or LibreOffice when a
// CSV is opened, and when a text cell of an .xlsx is edited. NeutraliseFormula prefixes such a
// cell with an apostrophe (shown as text everywhere), and also a cell that already starts with
// apostrophes followed by such a character, so that RestoreFormulaText (used by the import)
// gives back exactly the original: RestoreFormulaText(NeutraliseFormula(s)) == s for every s.
std::string NeutraliseFormula(std::string_view cell);
std::string RestoreFormulaText(std::string_view cell);

// UTF-8 with BOM (so Excel detects the encoding), CRLF line ends, fields quoted when they
// contain a comma, quote, CR or LF. Writes header then rows, every cell through
// NeutraliseFormula; row_numbers are ignored.
std::string WriteCsv(const Table& table);

struct SheetSpec {
  std::string name;  // 1-31 characters, none of []:*?/\, unique within the workbook
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<double> column_widths;  // in Excel character units; missing = default width
  // The layout an office forwards upward (统计报表): lines above the header (the first one is
  // the title, in bold; e.g. then "生成时间：…"), a last row in bold (合计; empty = none),
  // and the columns whose cells are numbers (a cell of such a column that is a plain
  // decimal number is written as a number cell, anything else as text).
  std::vector<std::string> title_lines = {};
  std::vector<std::string> totals = {};
  std::vector<bool> number_columns = {};
};

// An .xlsx with one worksheet per spec, header row bold and frozen. Every cell is written as
// a string (never a formula), so "01" stays "01", and through NeutraliseFormula like the CSV,
// so that editing a cell cannot turn it into a formula either. Input must be valid UTF-8.
[[nodiscard]] Result<std::string> WriteXlsx(const std::vector<SheetSpec>& sheets);

// One worksheet written row by row in libxlsxwriter's constant_memory mode: each row goes to
// a temporary file as it is added, so memory stays flat however many rows an export has
// (strings are stored inline, which every reader, ReadXlsx included, accepts). The same cell
// rules as WriteXlsx. Not thread-safe; one per export.
class XlsxStream {
 public:
  // layout: name, header, column widths, title lines and number columns (rows and totals are
  // added below).
  [[nodiscard]] static Result<std::unique_ptr<XlsxStream>> Open(const SheetSpec& layout);
  ~XlsxStream();
  XlsxStream(const XlsxStream&) = delete;
  XlsxStream& operator=(const XlsxStream&) = delete;
  [[nodiscard]] Status AddRow(const std::vector<std::string>& cells);
  [[nodiscard]] Status AddTotals(const std::vector<std::string>& cells);
  // Continues on a new worksheet (e.g. past a sheet's 1 048 576 rows); rows go there after.
  [[nodiscard]] Status NextSheet(const SheetSpec& layout);
  // Closes the workbook and returns its bytes; the stream is done afterwards.
  [[nodiscard]] Result<std::string> Finish();
  size_t rows() const { return rows_; }

 private:
  struct Impl;
  explicit XlsxStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  size_t rows_ = 0;
};

}  // namespace lep::xlsx
