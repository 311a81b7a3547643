// libFuzzer harness for the spreadsheet importer: bytes → xlsx::ReadSpreadsheet (xlsx or CSV)
// → the import mapping of ResourceService::Import (formula-prefix strip as app::SheetFromTable
// does, MapHeader, RowToInput, ValidateMetadata).
// Input modes, by prefix:
//   "PK\x03\x04"     an .xlsx file as uploaded;
//   "XLSXPARTS\n"    zip entries to pack into an .xlsx first, each "@@ NAME\n" + content, so the
//                    fuzzer mutates the XML parts instead of compressed bytes (see corpus/);
//   anything else    a CSV upload.
// Invariants: the table is rectangular with increasing row numbers and no blank rows; CSV and
// xlsx tables survive write → read; every row maps and validates (metadata_checks.h).
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"
#include "fuzz_check.h"
#include "metadata_checks.h"
#include "xlsx/spreadsheet.h"

namespace {

using lep::xlsx::Table;

constexpr std::string_view kPartsMagic = "XLSXPARTS\n";
constexpr size_t kMaxRowsValidated = 64;

// The reader's own caps, scaled down so one input costs milliseconds, not seconds.
lep::xlsx::ReadLimits FuzzLimits() {
  lep::xlsx::ReadLimits l;
  l.max_uncompressed_bytes = 16 << 20;
  l.max_xml_bytes = 8 << 20;
  l.max_cells = 200'000;
  l.max_text_bytes = 16 << 20;
  return l;
}

// "@@ name\n" sections → a stored (uncompressed) zip; "" if libzip refuses the entries.
std::string PackParts(std::string_view spec) {
  std::vector<std::pair<std::string, std::string>> parts;
  while (spec.substr(0, 3) == "@@ ") {
    const size_t nl = spec.find('\n');
    if (nl == std::string_view::npos) break;
    std::string name(spec.substr(3, nl - 3));
    spec.remove_prefix(nl + 1);
    const size_t next = spec.find("\n@@ ");
    parts.emplace_back(std::move(name), std::string(spec.substr(0, next)));
    spec = next == std::string_view::npos ? std::string_view() : spec.substr(next + 1);
  }
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* buf = zip_source_buffer_create(nullptr, 0, 0, &err);
  std::string out;
  if (buf == nullptr) return out;
  zip_source_keep(buf);
  zip_t* za = zip_open_from_source(buf, ZIP_TRUNCATE, &err);
  bool ok = za != nullptr;
  for (const auto& [name, data] : parts) {
    if (!ok) break;
    zip_source_t* s = zip_source_buffer(za, data.data(), data.size(), 0);
    const zip_int64_t idx = s ? zip_file_add(za, name.c_str(), s, ZIP_FL_OVERWRITE) : -1;
    if (idx < 0) {
      if (s) zip_source_free(s);
      continue;  // e.g. an empty name: leave the entry out
    }
    zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0);
  }
  if (ok && zip_close(za) != 0) {
    zip_discard(za);
    ok = false;
  }
  zip_stat_t st;
  if (ok && zip_source_stat(buf, &st) == 0 && zip_source_open(buf) == 0) {
    out.resize(st.size);
    if (zip_source_read(buf, out.data(), st.size) != static_cast<zip_int64_t>(st.size)) out.clear();
    zip_source_close(buf);
  }
  zip_source_free(buf);
  zip_error_fini(&err);
  return out;
}

bool Blank(const std::vector<std::string>& row) {
  for (const auto& c : row) {
    if (!lep::text::Trim(c).empty()) return false;
  }
  return true;
}

void CheckTable(const Table& t, bool csv) {
  const size_t width = t.header.size();
  FUZZ_CHECK(t.row_numbers.size() == t.rows.size());
  if (t.header.empty()) FUZZ_CHECK(t.rows.empty());
  if (width == 0) return;
  FUZZ_CHECK(!Blank(t.header));
  bool last_column_used = !t.header.back().empty();
  int previous = 1;  // the header's row number is at least 1
  for (size_t i = 0; i < t.rows.size(); ++i) {
    FUZZ_CHECK(t.rows[i].size() == width);
    FUZZ_CHECK(!Blank(t.rows[i]));
    last_column_used = last_column_used || !t.rows[i].back().empty();
    // CSV record numbers are distinct; an xlsx may repeat a row number (r="3" twice).
    FUZZ_CHECK(csv ? t.row_numbers[i] > previous : t.row_numbers[i] >= previous);
    previous = t.row_numbers[i];
    if (csv) {
      for (const auto& c : t.rows[i]) FUZZ_CHECK(lep::text::IsValidUtf8(c));
    }
  }
  FUZZ_CHECK(last_column_used);  // the width is that of the widest row, no wider
}

// The writers neutralise formula starts; the import restores them: compare after that.
bool SameCells(const Table& a, Table b) {
  for (auto& c : b.header) c = lep::xlsx::RestoreFormulaText(c);
  for (auto& row : b.rows) {
    for (auto& c : row) c = lep::xlsx::RestoreFormulaText(c);
  }
  return a.header == b.header && a.rows == b.rows;
}

void CheckCsvRoundTrip(const Table& t) {
  auto again = lep::xlsx::ReadCsv(lep::xlsx::WriteCsv(t), FuzzLimits());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(SameCells(t, *again));
  for (size_t i = 0; i < again->row_numbers.size(); ++i) {
    FUZZ_CHECK(again->row_numbers[i] == static_cast<int>(i) + 2);
  }
}

// WriteXlsx goes through a temporary file: only for small tables of text it can hold.
void CheckXlsxRoundTrip(const Table& t) {
  size_t cells = t.header.size() * (t.rows.size() + 1);
  if (cells == 0 || cells > 400) return;
  auto writable = [](const std::vector<std::string>& row) {
    for (const auto& c : row) {
      if (!lep::text::IsValidUtf8(c) || c.find('\0') != std::string::npos || c.size() > 32767) {
        return false;
      }
    }
    return true;
  };
  if (!writable(t.header)) return;
  for (const auto& r : t.rows) {
    if (!writable(r)) return;
  }
  auto bytes = lep::xlsx::WriteXlsx({lep::xlsx::SheetSpec{"导入", t.header, t.rows, {}}});
  FUZZ_CHECK(bytes.has_value());
  auto again = lep::xlsx::ReadXlsx(*bytes, FuzzLimits());
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(SameCells(t, *again));
}

// The importer's mapping, row by row (ResourceService::Import minus the database).
void Import(Table t) {
  for (auto& row : t.rows) {  // app::SheetFromTable: "'=1" was exported as a safe "=1"
    for (auto& cell : row) cell = lep::xlsx::RestoreFormulaText(cell);
  }
  const auto map = lep::resources::MapHeader(t.header);
  FUZZ_CHECK(map.fields.size() == t.header.size());
  for (const auto& f : map.fields) {
    if (f) FUZZ_CHECK(lep::fuzz::IsKnownField(*f));
  }
  for (size_t i = 0; i < t.rows.size() && i < kMaxRowsValidated; ++i) {
    const auto in = lep::resources::RowToInput(map, t.rows[i]);
    for (const auto& [key, value] : in) {
      FUZZ_CHECK(lep::fuzz::IsKnownField(key) && key != "id" && key != "cover");
    }
    (void)lep::fuzz::ValidateAndCheck(in);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string packed;
  if (bytes.substr(0, kPartsMagic.size()) == kPartsMagic) {
    packed = PackParts(bytes.substr(kPartsMagic.size()));
    if (packed.empty()) return 0;
    bytes = packed;
  }
  const bool csv = bytes.substr(0, 4) != std::string_view("PK\x03\x04", 4);
  auto table = lep::xlsx::ReadSpreadsheet(bytes, csv ? "import.csv" : "import.xlsx", FuzzLimits());
  if (!table) {
    FUZZ_CHECK(table.error().Is(lep::ErrorCode::kInvalidArgument));
    FUZZ_CHECK(lep::text::IsValidUtf8(table.error().message));
    return 0;
  }
  CheckTable(*table, csv);
  if (csv) {
    CheckCsvRoundTrip(*table);
  } else {
    CheckXlsxRoundTrip(*table);
  }
  Import(std::move(*table));
  return 0;
}
