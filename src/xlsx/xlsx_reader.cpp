// ReadXlsx: zip (libzip, via ZipArchive) -> XML parts streamed through expat -> Table.
// No part is ever held whole or turned into a DOM: each is inflated in chunks and fed to a
// SAX-style pass that keeps only what the table needs, so memory follows the size of the
// result (capped by ReadLimits), not the size of the XML. Expat's own allocations are
// budgeted too (a start tag of megabytes is refused), DOCTYPE declarations are refused
// outright (no entity expansion of any kind), and every part counts its elements.
#include <expat.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "xlsx/cell_format.h"
#include "xlsx/spreadsheet.h"
#include "xlsx/table_builder.h"
#include "xlsx/zip_archive.h"

namespace lep::xlsx {
namespace {

using internal::NumFmtKind;

constexpr int kMaxRows = 1'048'576;  // Excel's sheet size
constexpr int kMaxColumns = 16'384;
// Parts other than the sheet: counts a real workbook never comes near.
constexpr size_t kMaxRelationships = 10'000;
constexpr size_t kMaxSheets = 10'000;
constexpr size_t kMaxCellStyles = 100'000;  // Excel stops at 64 000 cell formats
constexpr size_t kMaxNumberFormats = 10'000;
// What expat itself may allocate for one part (its token buffer and name tables).
constexpr size_t kExpatBudget = 32u << 20;
constexpr size_t kFeedBytes = 256u << 10;

Error Malformed(std::string_view part) {
  return Error::InvalidArgument("xlsx 文件内容已损坏（" + std::string(part) +
                                " 无法解析），请用 Excel 重新保存后上传");
}

Error TooLarge() { return Error::InvalidArgument("xlsx 文件内容过大，无法处理；请拆分后分批导入"); }

// Elements and attributes are matched by local name: some writers use prefixes ("x:row").
std::string_view LocalName(const char* qualified) {
  std::string_view s(qualified);
  size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

// The value of the attribute named exactly `name`, or nullptr.
const char* Attr(const XML_Char** atts, std::string_view name) {
  for (int i = 0; atts[i] != nullptr; i += 2) {
    if (name == atts[i]) return atts[i + 1];
  }
  return nullptr;
}

std::string_view AttrOr(const XML_Char** atts, std::string_view name) {
  const char* v = Attr(atts, name);
  return v == nullptr ? std::string_view() : std::string_view(v);
}

// The relationship id of a <sheet> is "r:id" whatever the prefix is called.
std::string_view RelId(const XML_Char** atts) {
  for (int i = 0; atts[i] != nullptr; i += 2) {
    if (std::strchr(atts[i], ':') && LocalName(atts[i]) == "id") return atts[i + 1];
  }
  return {};
}

// Leading decimal digits as pugixml's as_int/as_uint read them ("12x" -> 12, junk -> fallback).
long long LeadingInt(std::string_view s, long long fallback) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data() + i, s.data() + s.size(), v);
  return ec == std::errc() ? v : fallback;
}

// ---- expat with a memory budget ------------------------------------------------------------
// Expat's allocator hooks take no context, so the budget of the pass running on this thread
// is found through a thread-local pointer, set for the parser's whole life.
struct ExpatBudget {
  size_t used = 0;
  size_t cap = 0;
};
thread_local ExpatBudget* t_budget = nullptr;

struct alignas(std::max_align_t) BlockHeader {
  size_t size;
};

void* BudgetMalloc(size_t n) {
  if (t_budget->used + n > t_budget->cap) return nullptr;
  auto* h = static_cast<BlockHeader*>(std::malloc(sizeof(BlockHeader) + n));
  if (h == nullptr) return nullptr;
  h->size = n;
  t_budget->used += n;
  return h + 1;
}

void BudgetFree(void* p) {
  if (p == nullptr) return;
  auto* h = static_cast<BlockHeader*>(p) - 1;
  t_budget->used -= h->size;
  std::free(h);
}

void* BudgetRealloc(void* p, size_t n) {
  if (p == nullptr) return BudgetMalloc(n);
  auto* h = static_cast<BlockHeader*>(p) - 1;
  const size_t old = h->size;
  if (n > old && t_budget->used + (n - old) > t_budget->cap) return nullptr;
  auto* grown = static_cast<BlockHeader*>(std::realloc(h, sizeof(BlockHeader) + n));
  if (grown == nullptr) return nullptr;
  t_budget->used = t_budget->used - old + n;
  grown->size = n;
  return grown + 1;
}

const XML_Memory_Handling_Suite kBudgetedMemory = {&BudgetMalloc, &BudgetRealloc, &BudgetFree};

// One streaming pass over one XML part. Subclasses see element starts and ends with their
// depth (1 = the root element) and the character data directly inside the innermost open
// element; they stop the pass with Stop(error).
class XmlPass {
 public:
  virtual ~XmlPass() = default;

  Status Run(internal::ZipArchive& zip, const std::string& part, const ReadLimits& limits) {
    part_ = part;
    max_elements_ = limits.max_xml_elements;
    ExpatBudget budget{0, kExpatBudget};
    ExpatBudget* saved = std::exchange(t_budget, &budget);
    struct Restore {
      ExpatBudget* saved;
      ~Restore() { t_budget = saved; }
    } restore{saved};
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(
        XML_ParserCreate_MM(nullptr, &kBudgetedMemory, nullptr), &XML_ParserFree);
    if (!parser) return Fail(TooLarge());
    parser_ = parser.get();
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &XmlPass::StartThunk, &XmlPass::EndThunk);
    XML_SetCharacterDataHandler(parser_, &XmlPass::TextThunk);
    XML_SetStartDoctypeDeclHandler(parser_, &XmlPass::DoctypeThunk);
    Status streamed = zip.Stream(part, kFeedBytes, [&](std::string_view chunk) -> Status {
      return Feed(chunk.data(), static_cast<int>(chunk.size()), /*final=*/false);
    });
    LEP_RETURN_IF_ERROR(streamed);
    return Feed("", 0, /*final=*/true);
  }

 protected:
  virtual void OnStart(int depth, std::string_view local, const XML_Char** atts) = 0;
  virtual void OnEnd(int depth, std::string_view local) = 0;
  virtual void OnText(int depth, std::string_view text) = 0;

  void Stop(Error e) {
    if (error_) return;
    error_ = std::move(e);
    XML_StopParser(parser_, XML_FALSE);
  }
  bool stopped() const { return error_.has_value(); }
  const std::string& part() const { return part_; }

 private:
  Status Feed(const char* data, int n, bool final) {
    if (XML_Parse(parser_, data, n, final ? XML_TRUE : XML_FALSE) == XML_STATUS_OK) return Ok();
    if (error_) return Fail(*error_);
    if (XML_GetErrorCode(parser_) == XML_ERROR_NO_MEMORY) return Fail(TooLarge());
    return Fail(Malformed(part_));
  }

  static void StartThunk(void* self, const XML_Char* name, const XML_Char** atts) {
    auto* p = static_cast<XmlPass*>(self);
    if (p->stopped()) return;
    if (++p->elements_ > p->max_elements_) return p->Stop(TooLarge());
    p->OnStart(++p->depth_, LocalName(name), atts);
  }
  static void EndThunk(void* self, const XML_Char* name) {
    auto* p = static_cast<XmlPass*>(self);
    if (!p->stopped()) p->OnEnd(p->depth_, LocalName(name));
    --p->depth_;
  }
  static void TextThunk(void* self, const XML_Char* s, int len) {
    auto* p = static_cast<XmlPass*>(self);
    if (!p->stopped()) p->OnText(p->depth_, std::string_view(s, static_cast<size_t>(len)));
  }
  // Office files never carry a DTD; refusing it rules out every entity trick.
  static void DoctypeThunk(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* p = static_cast<XmlPass*>(self);
    p->Stop(Malformed(p->part_));
  }

  XML_Parser parser_ = nullptr;
  std::string part_;
  std::optional<Error> error_;
  int depth_ = 0;
  size_t elements_ = 0;
  size_t max_elements_ = 0;
};

// Resolves a relationship target against the folder of the part that owns the rels.
std::string ResolveTarget(std::string_view base_dir, std::string_view target) {
  std::string path;
  if (!target.empty() && target.front() == '/') {
    path = std::string(target.substr(1));
  } else {
    path = std::string(base_dir) + std::string(target);
  }
  // Normalise "a/b/../c" and "./".
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string seg = path.substr(start, end - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string DirOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? "" : std::string(path.substr(0, slash + 1));
}

std::string RelsPathOf(std::string_view part) {
  size_t slash = part.rfind('/');
  std::string file(slash == std::string_view::npos ? part : part.substr(slash + 1));
  return DirOf(part) + "_rels/" + file + ".rels";
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct Relationship {
  std::string type;
  std::string target;  // resolved to a zip entry name
};
using Relationships = std::unordered_map<std::string, Relationship>;

class RelsPass final : public XmlPass {
 public:
  explicit RelsPass(std::string base) : base_(std::move(base)) {}
  Relationships rels;

 private:
  void OnStart(int depth, std::string_view local, const XML_Char** atts) override {
    if (depth == 1) root_ok_ = local == "Relationships";
    if (depth != 2 || !root_ok_ || local != "Relationship") return;
    if (AttrOr(atts, "TargetMode") == "External") return;
    if (rels.size() >= kMaxRelationships) return Stop(TooLarge());
    rels[std::string(AttrOr(atts, "Id"))] = {std::string(AttrOr(atts, "Type")),
                                             ResolveTarget(base_, AttrOr(atts, "Target"))};
  }
  void OnEnd(int, std::string_view) override {}
  void OnText(int, std::string_view) override {}

  std::string base_;
  bool root_ok_ = false;
};

// Id -> relationship of one .rels part; empty if the part is absent.
Result<Relationships> ReadRels(internal::ZipArchive& zip, std::string_view owner,
                               const ReadLimits& limits) {
  std::string path = RelsPathOf(owner);
  if (!zip.Contains(path)) return Relationships{};
  RelsPass pass(DirOf(owner));
  LEP_RETURN_IF_ERROR(pass.Run(zip, path, limits));
  return std::move(pass.rels);
}

// The entry of the first relationship whose type ends with "/kind", or fallback.
std::string FindByType(const Relationships& rels, std::string_view kind, std::string fallback) {
  for (const auto& [id, rel] : rels) {
    if (EndsWith(rel.type, "/" + std::string(kind))) return rel.target;
  }
  return fallback;
}

struct Workbook {
  std::string sheet_path;
  std::string shared_strings_path;
  std::string styles_path;
  bool date1904 = false;
};

class WorkbookPass final : public XmlPass {
 public:
  struct SheetRef {
    std::string rel_id;
    std::string state;
  };
  bool date1904 = false;
  std::vector<SheetRef> sheets;

 private:
  void OnStart(int depth, std::string_view local, const XML_Char** atts) override {
    if (depth == 1) root_ok_ = local == "workbook";
    if (!root_ok_) return;
    if (depth == 2 && local == "workbookPr" && !seen_pr_) {
      seen_pr_ = true;
      std::string_view v = AttrOr(atts, "date1904");
      date1904 = v == "1" || v == "true";
    } else if (depth == 2 && local == "sheets" && !seen_sheets_) {
      seen_sheets_ = in_sheets_ = true;
    } else if (depth == 3 && in_sheets_ && local == "sheet") {
      if (sheets.size() >= kMaxSheets) return Stop(TooLarge());
      sheets.push_back({std::string(RelId(atts)), std::string(AttrOr(atts, "state"))});
    }
  }
  void OnEnd(int depth, std::string_view) override {
    if (depth == 2) in_sheets_ = false;
  }
  void OnText(int, std::string_view) override {}

  bool root_ok_ = false, seen_pr_ = false, seen_sheets_ = false, in_sheets_ = false;
};

Result<Workbook> LocateParts(internal::ZipArchive& zip, const ReadLimits& limits) {
  Workbook wb;
  LEP_ASSIGN_OR_RETURN(auto root_rels, ReadRels(zip, "", limits));
  std::string workbook_path = FindByType(root_rels, "officeDocument", "xl/workbook.xml");
  if (!zip.Contains(workbook_path)) {
    return Fail(Error::InvalidArgument(
        "文件不是有效的 xlsx 工作簿（缺少 workbook.xml），请确认上传的是 Excel 文件"));
  }
  WorkbookPass workbook;
  LEP_RETURN_IF_ERROR(workbook.Run(zip, workbook_path, limits));
  wb.date1904 = workbook.date1904;

  LEP_ASSIGN_OR_RETURN(auto rels, ReadRels(zip, workbook_path, limits));
  std::string base = DirOf(workbook_path);
  wb.shared_strings_path = FindByType(rels, "sharedStrings", base + "sharedStrings.xml");
  wb.styles_path = FindByType(rels, "styles", base + "styles.xml");

  // First worksheet in tab order (chart sheets skipped), preferring a visible one.
  std::string first_any, first_visible;
  for (const auto& sheet : workbook.sheets) {
    auto it = rels.find(sheet.rel_id);
    if (it == rels.end() || !EndsWith(it->second.type, "/worksheet")) continue;
    if (first_any.empty()) first_any = it->second.target;
    if (first_visible.empty() && sheet.state != "hidden" && sheet.state != "veryHidden") {
      first_visible = it->second.target;
    }
  }
  wb.sheet_path = !first_visible.empty() ? first_visible : first_any;
  if (wb.sheet_path.empty() || !zip.Contains(wb.sheet_path)) {
    return Fail(Error::InvalidArgument("xlsx 文件中没有找到工作表"));
  }
  return wb;
}

// Text of shared strings <si>: plain <t>, or rich-text runs <r><t>, in document order.
// Phonetic guides (<rPh>) are not part of the value.
class SharedStringsPass final : public XmlPass {
 public:
  explicit SharedStringsPass(const ReadLimits& limits) : limits_(limits) {}
  std::vector<std::string> strings;

 private:
  void OnStart(int depth, std::string_view local, const XML_Char**) override {
    if (depth == 1) root_ok_ = local == "sst";
    if (!root_ok_) return;
    if (depth == 2 && local == "si") {
      if (strings.size() >= limits_.max_cells) return Stop(TooLarge());
      in_si_ = true;
      current_.clear();
    } else if (depth == 3 && in_si_) {
      in_t_ = local == "t";
      in_r_ = local == "r";
    } else if (depth == 4 && in_r_ && local == "t") {
      in_t_ = true;
    }
  }
  void OnEnd(int depth, std::string_view) override {
    if (depth == 2 && in_si_) {
      in_si_ = false;
      std::string value = internal::DecodeXstring(current_);
      bytes_ += value.size();
      strings.push_back(std::move(value));
    } else if (depth == 3) {
      in_t_ = in_r_ = false;
    } else if (depth == 4 && in_r_) {
      in_t_ = false;
    }
  }
  void OnText(int depth, std::string_view text) override {
    if (!in_t_ || (depth != 3 && depth != 4)) return;
    if (bytes_ + current_.size() + text.size() > limits_.max_text_bytes) return Stop(TooLarge());
    current_.append(text);
  }

  const ReadLimits& limits_;
  bool root_ok_ = false, in_si_ = false, in_t_ = false, in_r_ = false;
  std::string current_;
  size_t bytes_ = 0;
};

Result<std::vector<std::string>> ReadSharedStrings(internal::ZipArchive& zip,
                                                   const std::string& path,
                                                   const ReadLimits& limits) {
  if (!zip.Contains(path)) return std::vector<std::string>{};
  SharedStringsPass pass(limits);
  LEP_RETURN_IF_ERROR(pass.Run(zip, path, limits));
  return std::move(pass.strings);
}

// Number-format kind of each cell style (index = the cell's s attribute).
class StylesPass final : public XmlPass {
 public:
  std::unordered_map<int, NumFmtKind> custom;
  std::vector<int> xf_format_ids;

 private:
  void OnStart(int depth, std::string_view local, const XML_Char** atts) override {
    if (depth == 1) root_ok_ = local == "styleSheet";
    if (!root_ok_) return;
    if (depth == 2) {
      in_fmts_ = local == "numFmts" && !seen_fmts_;
      in_xfs_ = local == "cellXfs" && !seen_xfs_;
      seen_fmts_ = seen_fmts_ || in_fmts_;
      seen_xfs_ = seen_xfs_ || in_xfs_;
    } else if (depth == 3 && in_fmts_ && local == "numFmt") {
      if (custom.size() >= kMaxNumberFormats) return Stop(TooLarge());
      custom[static_cast<int>(LeadingInt(AttrOr(atts, "numFmtId"), -1))] =
          internal::ClassifyNumFmtCode(AttrOr(atts, "formatCode"));
    } else if (depth == 3 && in_xfs_ && local == "xf") {
      if (xf_format_ids.size() >= kMaxCellStyles) return Stop(TooLarge());
      xf_format_ids.push_back(static_cast<int>(LeadingInt(AttrOr(atts, "numFmtId"), 0)));
    }
  }
  void OnEnd(int depth, std::string_view) override {
    if (depth == 2) in_fmts_ = in_xfs_ = false;
  }
  void OnText(int, std::string_view) override {}

  bool root_ok_ = false, in_fmts_ = false, in_xfs_ = false, seen_fmts_ = false, seen_xfs_ = false;
};

Result<std::vector<NumFmtKind>> ReadStyleKinds(internal::ZipArchive& zip, const std::string& path,
                                               const ReadLimits& limits) {
  std::vector<NumFmtKind> kinds;
  if (!zip.Contains(path)) return kinds;
  StylesPass pass;
  LEP_RETURN_IF_ERROR(pass.Run(zip, path, limits));
  kinds.reserve(pass.xf_format_ids.size());
  for (int id : pass.xf_format_ids) {
    auto it = pass.custom.find(id);
    kinds.push_back(it != pass.custom.end() ? it->second : internal::ClassifyBuiltinNumFmt(id));
  }
  return kinds;
}

// "BC12" -> column 55 (0-based 54). Returns -1 when there are no letters or too many columns.
int ColumnIndex(std::string_view ref) {
  int col = 0;
  size_t i = 0;
  for (; i < ref.size(); ++i) {
    char c = ref[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    col = col * 26 + (c - 'A' + 1);
    if (col > kMaxColumns) return -1;
  }
  return i == 0 ? -1 : col - 1;
}

struct SheetContext {
  const std::vector<std::string>& shared;
  const std::vector<NumFmtKind>& styles;
  bool date1904;
};

// What a <c> element carried, collected while it streamed past.
struct RawCell {
  std::string type;    // the t attribute
  size_t style = 0;    // the s attribute
  bool has_v = false;  // the first <v>
  std::string v;
  bool has_is = false;  // the first <is>
  std::string is_text;  // its <t> and <r><t> text, in order
};

Result<std::string> CellValue(const RawCell& c, const SheetContext& ctx) {
  const std::string& type = c.type;
  if (type == "inlineStr") {
    return internal::DecodeXstring(c.has_is ? c.is_text : c.v);
  }
  if (!c.has_v) return std::string();
  const std::string& raw = c.v;
  if (type == "s") {
    size_t idx = 0;
    auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), idx);
    if (ec != std::errc() || p != raw.data() + raw.size() || idx >= ctx.shared.size()) {
      return Fail(Malformed("sharedStrings.xml"));
    }
    return ctx.shared[idx];
  }
  if (type == "str") return internal::DecodeXstring(raw);
  if (type == "b") return std::string(raw == "1" || raw == "true" ? "TRUE" : "FALSE");
  if (type == "e") return raw;  // "#N/A", "#DIV/0!" as Excel shows them
  if (type == "d") return internal::FormatIsoDate(raw);
  // A number (t="n" or no t).
  double number = 0;
  auto [p, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), number);
  if (ec != std::errc() || p != raw.data() + raw.size()) return raw;
  NumFmtKind kind = c.style < ctx.styles.size() ? ctx.styles[c.style] : NumFmtKind::kNumber;
  if (kind != NumFmtKind::kNumber) {
    auto date = internal::FormatSerialDate(number, ctx.date1904, kind == NumFmtKind::kTime);
    if (date) return *date;
  }
  return internal::FormatNumber(number);
}

// worksheet(1) > sheetData(2) > row(3) > c(4) > v | is(5) > t | r(6) > t(7).
class SheetPass final : public XmlPass {
 public:
  SheetPass(const SheetContext& ctx, const ReadLimits& limits)
      : ctx_(ctx), limits_(limits), builder_(limits.max_cells) {}
  internal::TableBuilder& builder() { return builder_; }

 private:
  void OnStart(int depth, std::string_view local, const XML_Char** atts) override {
    switch (depth) {
      case 1:
        root_ok_ = local == "worksheet";
        break;
      case 2:
        in_data_ = root_ok_ && local == "sheetData" && !seen_data_;
        seen_data_ = seen_data_ || in_data_;
        break;
      case 3:
        if (in_data_ && local == "row") StartRow(atts);
        break;
      case 4:
        if (in_row_ && local == "c") StartCell(atts);
        break;
      case 5:
        if (!in_cell_) break;
        if (local == "v" && !cell_.has_v) {
          cell_.has_v = in_v_ = true;
        } else if (local == "is" && !cell_.has_is) {
          cell_.has_is = in_is_ = true;
        }
        break;
      case 6:
        if (in_is_) {
          in_t_ = local == "t";
          in_r_ = local == "r";
        }
        break;
      case 7:
        if (in_r_ && local == "t") in_t_ = true;
        break;
      default:
        break;
    }
  }

  void OnEnd(int depth, std::string_view) override {
    switch (depth) {
      case 2:
        in_data_ = false;
        break;
      case 3:
        if (in_row_) EndRow();
        break;
      case 4:
        if (in_cell_) EndCell();
        break;
      case 5:
        in_v_ = in_is_ = false;
        break;
      case 6:
        in_t_ = in_r_ = false;
        break;
      case 7:
        in_t_ = false;
        break;
      default:
        break;
    }
  }

  void OnText(int depth, std::string_view text) override {
    std::string* into = nullptr;
    if (in_v_ && depth == 5) into = &cell_.v;
    if (in_t_ && (depth == 6 || depth == 7)) into = &cell_.is_text;
    if (into == nullptr) return;
    if (text_bytes_ + cell_.v.size() + cell_.is_text.size() + text.size() >
        limits_.max_text_bytes) {
      return Stop(TooLarge());
    }
    into->append(text);
  }

  void StartRow(const XML_Char** atts) {
    const long long r = LeadingInt(AttrOr(atts, "r"), 0);
    row_number_ = r > 0 ? static_cast<int>(std::min<long long>(r, kMaxRows + 1))
                        : row_number_ + 1;  // rows without r follow the previous one
    if (row_number_ > kMaxRows) return Stop(Malformed(part()));
    in_row_ = true;
    cells_.clear();
    col_ = -1;
  }

  void EndRow() {
    in_row_ = false;
    Status added = builder_.AddRow(row_number_, std::move(cells_));
    cells_ = {};
    if (!added) Stop(added.error());
  }

  void StartCell(const XML_Char** atts) {
    const char* ref = Attr(atts, "r");
    col_ = ref != nullptr ? ColumnIndex(ref) : col_ + 1;  // cells without r follow the previous
    if (col_ < 0 || col_ >= kMaxColumns) return Stop(Malformed(part()));
    in_cell_ = true;
    cell_.type = AttrOr(atts, "t");
    const long long s = LeadingInt(AttrOr(atts, "s"), 0);
    cell_.style = s > 0 ? static_cast<size_t>(s) : 0;
    cell_.has_v = cell_.has_is = false;
    cell_.v.clear();
    cell_.is_text.clear();
  }

  void EndCell() {
    in_cell_ = in_v_ = in_is_ = in_t_ = in_r_ = false;
    Result<std::string> value = CellValue(cell_, ctx_);
    if (!value) return Stop(value.error());
    if (value->empty()) return;
    text_bytes_ += value->size();
    if (text_bytes_ > limits_.max_text_bytes) return Stop(TooLarge());
    const auto col = static_cast<size_t>(col_);
    if (col >= cells_.size()) {
      if (col >= limits_.max_cells) return Stop(internal::TooManyCellsError(limits_.max_cells));
      cells_.resize(col + 1);
    }
    cells_[col] = std::move(*value);
  }

  const SheetContext& ctx_;
  const ReadLimits& limits_;
  internal::TableBuilder builder_;
  bool root_ok_ = false, seen_data_ = false, in_data_ = false, in_row_ = false, in_cell_ = false,
       in_v_ = false, in_is_ = false, in_t_ = false, in_r_ = false;
  int row_number_ = 0;
  int col_ = -1;
  std::vector<std::string> cells_;
  RawCell cell_;
  size_t text_bytes_ = 0;
};

Result<Table> ReadXlsxUnchecked(std::string_view bytes, const ReadLimits& limits) {
  LEP_ASSIGN_OR_RETURN(
      internal::ZipArchive zip,
      internal::ZipArchive::Open(bytes, limits.max_uncompressed_bytes, limits.max_xml_bytes));
  LEP_ASSIGN_OR_RETURN(Workbook wb, LocateParts(zip, limits));
  LEP_ASSIGN_OR_RETURN(std::vector<std::string> shared,
                       ReadSharedStrings(zip, wb.shared_strings_path, limits));
  LEP_ASSIGN_OR_RETURN(std::vector<NumFmtKind> styles, ReadStyleKinds(zip, wb.styles_path, limits));
  SheetContext ctx{shared, styles, wb.date1904};
  SheetPass sheet(ctx, limits);
  LEP_RETURN_IF_ERROR(sheet.Run(zip, wb.sheet_path, limits));
  return std::move(sheet.builder()).Finish();
}

}  // namespace

Result<Table> ReadXlsx(std::string_view bytes, const ReadLimits& limits) {
  // Allocation failure on a hostile file must not escape as an exception.
  try {
    return ReadXlsxUnchecked(bytes, limits);
  } catch (const std::bad_alloc&) {
    return Fail(TooLarge());
  }
}

}  // namespace lep::xlsx
