// ReadXlsx: zip (libzip, via ZipArchive) -> XML parts (pugixml) -> Table.
#include <charconv>
#include <cstring>
#include <new>
#include <pugixml.hpp>
#include <unordered_map>

#include "xlsx/cell_format.h"
#include "xlsx/spreadsheet.h"
#include "xlsx/table_builder.h"
#include "xlsx/zip_archive.h"

namespace lep::xlsx {
namespace {

using internal::NumFmtKind;

constexpr int kMaxRows = 1'048'576;  // Excel's sheet size
constexpr int kMaxColumns = 16'384;

Error Malformed(std::string_view part) {
  return Error::InvalidArgument("xlsx 文件内容已损坏（" + std::string(part) +
                                " 无法解析），请用 Excel 重新保存后上传");
}

// Elements and attributes are matched by local name: some writers use prefixes ("x:row").
std::string_view LocalName(const char* qualified) {
  std::string_view s(qualified);
  size_t colon = s.find(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

pugi::xml_node Child(pugi::xml_node parent, std::string_view local) {
  for (pugi::xml_node n : parent.children()) {
    if (n.type() == pugi::node_element && LocalName(n.name()) == local) return n;
  }
  return {};
}

// Calls f for each element child with the given local name.
template <typename F>
void ForEachChild(pugi::xml_node parent, std::string_view local, F&& f) {
  for (pugi::xml_node n : parent.children()) {
    if (n.type() == pugi::node_element && LocalName(n.name()) == local) f(n);
  }
}

// The relationship id of a <sheet> is "r:id" whatever the prefix is called.
const char* RelId(pugi::xml_node sheet) {
  for (pugi::xml_attribute a : sheet.attributes()) {
    if (std::strchr(a.name(), ':') && LocalName(a.name()) == "id") return a.value();
  }
  return "";
}

// All character data of an element (text and CDATA), which pugixml may split.
std::string NodeText(pugi::xml_node n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

// Text of a shared string <si> or an inline <is>: plain <t>, or rich-text runs <r><t>.
// Phonetic guides (<rPh>) are not part of the value.
std::string RichText(pugi::xml_node n) {
  std::string out;
  for (pugi::xml_node c : n.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string_view name = LocalName(c.name());
    if (name == "t") {
      out += NodeText(c);
    } else if (name == "r") {
      ForEachChild(c, "t", [&](pugi::xml_node t) { out += NodeText(t); });
    }
  }
  return internal::DecodeXstring(out);
}

// Parses into doc; buffer must stay alive as long as doc (parsed in place to halve memory).
Status ParseXml(std::string& buffer, pugi::xml_document& doc, std::string_view part) {
  // parse_ws_pcdata_single keeps a cell whose whole text is spaces (<t xml:space=...> </t>).
  pugi::xml_parse_result r = doc.load_buffer_inplace(
      buffer.data(), buffer.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (r.status == pugi::status_out_of_memory) {
    return Fail(Error::InvalidArgument("xlsx 文件内容过大，无法处理"));
  }
  if (!r) return Fail(Malformed(part));
  return Ok();
}

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

// Id -> relationship of one .rels part; empty if the part is absent.
Result<std::unordered_map<std::string, Relationship>> ReadRels(internal::ZipArchive& zip,
                                                               std::string_view owner) {
  std::unordered_map<std::string, Relationship> rels;
  std::string path = RelsPathOf(owner);
  if (!zip.Contains(path)) return rels;
  LEP_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  pugi::xml_document doc;
  LEP_RETURN_IF_ERROR(ParseXml(xml, doc, path));
  std::string base = DirOf(owner);
  ForEachChild(Child(doc, "Relationships"), "Relationship", [&](pugi::xml_node r) {
    if (std::string_view(r.attribute("TargetMode").value()) == "External") return;
    rels[r.attribute("Id").value()] = {r.attribute("Type").value(),
                                       ResolveTarget(base, r.attribute("Target").value())};
  });
  return rels;
}

// The entry of the first relationship whose type ends with "/kind", or fallback.
std::string FindByType(const std::unordered_map<std::string, Relationship>& rels,
                       std::string_view kind, std::string fallback) {
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

Result<Workbook> LocateParts(internal::ZipArchive& zip) {
  Workbook wb;
  LEP_ASSIGN_OR_RETURN(auto root_rels, ReadRels(zip, ""));
  std::string workbook_path = FindByType(root_rels, "officeDocument", "xl/workbook.xml");
  if (!zip.Contains(workbook_path)) {
    return Fail(Error::InvalidArgument(
        "文件不是有效的 xlsx 工作簿（缺少 workbook.xml），请确认上传的是 Excel 文件"));
  }
  LEP_ASSIGN_OR_RETURN(std::string xml, zip.Read(workbook_path));
  pugi::xml_document doc;
  LEP_RETURN_IF_ERROR(ParseXml(xml, doc, workbook_path));
  pugi::xml_node workbook = Child(doc, "workbook");
  std::string_view date1904 = Child(workbook, "workbookPr").attribute("date1904").value();
  wb.date1904 = date1904 == "1" || date1904 == "true";

  LEP_ASSIGN_OR_RETURN(auto rels, ReadRels(zip, workbook_path));
  std::string base = DirOf(workbook_path);
  wb.shared_strings_path = FindByType(rels, "sharedStrings", base + "sharedStrings.xml");
  wb.styles_path = FindByType(rels, "styles", base + "styles.xml");

  // First worksheet in tab order (chart sheets skipped), preferring a visible one.
  std::string first_any, first_visible;
  ForEachChild(Child(workbook, "sheets"), "sheet", [&](pugi::xml_node sheet) {
    auto it = rels.find(RelId(sheet));
    if (it == rels.end() || !EndsWith(it->second.type, "/worksheet")) return;
    if (first_any.empty()) first_any = it->second.target;
    std::string_view state = sheet.attribute("state").value();
    if (first_visible.empty() && state != "hidden" && state != "veryHidden") {
      first_visible = it->second.target;
    }
  });
  wb.sheet_path = !first_visible.empty() ? first_visible : first_any;
  if (wb.sheet_path.empty() || !zip.Contains(wb.sheet_path)) {
    return Fail(Error::InvalidArgument("xlsx 文件中没有找到工作表"));
  }
  return wb;
}

Result<std::vector<std::string>> ReadSharedStrings(internal::ZipArchive& zip,
                                                   const std::string& path) {
  std::vector<std::string> strings;
  if (!zip.Contains(path)) return strings;
  LEP_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  pugi::xml_document doc;
  LEP_RETURN_IF_ERROR(ParseXml(xml, doc, path));
  ForEachChild(Child(doc, "sst"), "si",
               [&](pugi::xml_node si) { strings.push_back(RichText(si)); });
  return strings;
}

// Number-format kind of each cell style (index = the cell's s attribute).
Result<std::vector<NumFmtKind>> ReadStyleKinds(internal::ZipArchive& zip, const std::string& path) {
  std::vector<NumFmtKind> kinds;
  if (!zip.Contains(path)) return kinds;
  LEP_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  pugi::xml_document doc;
  LEP_RETURN_IF_ERROR(ParseXml(xml, doc, path));
  pugi::xml_node style_sheet = Child(doc, "styleSheet");
  std::unordered_map<int, NumFmtKind> custom;
  ForEachChild(Child(style_sheet, "numFmts"), "numFmt", [&](pugi::xml_node f) {
    custom[f.attribute("numFmtId").as_int(-1)] =
        internal::ClassifyNumFmtCode(f.attribute("formatCode").value());
  });
  ForEachChild(Child(style_sheet, "cellXfs"), "xf", [&](pugi::xml_node xf) {
    int id = xf.attribute("numFmtId").as_int(0);
    auto it = custom.find(id);
    kinds.push_back(it != custom.end() ? it->second : internal::ClassifyBuiltinNumFmt(id));
  });
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

Result<std::string> CellValue(pugi::xml_node c, const SheetContext& ctx) {
  std::string_view type = c.attribute("t").value();
  if (type == "inlineStr") {
    pugi::xml_node is = Child(c, "is");
    return is ? RichText(is) : internal::DecodeXstring(NodeText(Child(c, "v")));
  }
  pugi::xml_node v = Child(c, "v");
  if (!v) return std::string();
  std::string raw = NodeText(v);
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
  size_t style = c.attribute("s").as_uint(0);
  NumFmtKind kind = style < ctx.styles.size() ? ctx.styles[style] : NumFmtKind::kNumber;
  if (kind != NumFmtKind::kNumber) {
    auto date = internal::FormatSerialDate(number, ctx.date1904, kind == NumFmtKind::kTime);
    if (date) return *date;
  }
  return internal::FormatNumber(number);
}

Result<Table> ReadSheet(internal::ZipArchive& zip, const std::string& path, const SheetContext& ctx,
                        const ReadLimits& limits) {
  const size_t max_cells = limits.max_cells;
  size_t text_bytes = 0;
  LEP_ASSIGN_OR_RETURN(std::string xml, zip.Read(path));
  pugi::xml_document doc;
  LEP_RETURN_IF_ERROR(ParseXml(xml, doc, path));
  pugi::xml_node sheet_data = Child(Child(doc, "worksheet"), "sheetData");
  internal::TableBuilder builder(max_cells);
  int row_number = 0;
  for (pugi::xml_node row : sheet_data.children()) {
    if (row.type() != pugi::node_element || LocalName(row.name()) != "row") continue;
    int r = row.attribute("r").as_int(0);
    row_number = r > 0 ? r : row_number + 1;  // rows without r follow the previous one
    if (row_number > kMaxRows) return Fail(Malformed(path));
    std::vector<std::string> cells;
    int col = -1;
    for (pugi::xml_node c : row.children()) {
      if (c.type() != pugi::node_element || LocalName(c.name()) != "c") continue;
      pugi::xml_attribute ref = c.attribute("r");
      col = ref ? ColumnIndex(ref.value()) : col + 1;  // cells without r follow the previous
      if (col < 0 || col >= kMaxColumns) return Fail(Malformed(path));
      LEP_ASSIGN_OR_RETURN(std::string value, CellValue(c, ctx));
      if (value.empty()) continue;
      text_bytes += value.size();
      if (text_bytes > limits.max_text_bytes) {
        return Fail(Error::InvalidArgument("xlsx 文件内容过大，无法处理；请拆分后分批导入"));
      }
      if (static_cast<size_t>(col) >= cells.size()) {
        if (static_cast<size_t>(col) >= max_cells)
          return Fail(internal::TooManyCellsError(max_cells));
        cells.resize(static_cast<size_t>(col) + 1);
      }
      cells[static_cast<size_t>(col)] = std::move(value);
    }
    LEP_RETURN_IF_ERROR(builder.AddRow(row_number, std::move(cells)));
  }
  return std::move(builder).Finish();
}

Result<Table> ReadXlsxUnchecked(std::string_view bytes, const ReadLimits& limits) {
  LEP_ASSIGN_OR_RETURN(
      internal::ZipArchive zip,
      internal::ZipArchive::Open(bytes, limits.max_uncompressed_bytes, limits.max_xml_bytes));
  LEP_ASSIGN_OR_RETURN(Workbook wb, LocateParts(zip));
  LEP_ASSIGN_OR_RETURN(std::vector<std::string> shared,
                       ReadSharedStrings(zip, wb.shared_strings_path));
  LEP_ASSIGN_OR_RETURN(std::vector<NumFmtKind> styles, ReadStyleKinds(zip, wb.styles_path));
  return ReadSheet(zip, wb.sheet_path, SheetContext{shared, styles, wb.date1904}, limits);
}

}  // namespace

Result<Table> ReadXlsx(std::string_view bytes, const ReadLimits& limits) {
  // Allocation failure on a hostile file must not escape as an exception.
  try {
    return ReadXlsxUnchecked(bytes, limits);
  } catch (const std::bad_alloc&) {
    return Fail(Error::InvalidArgument("xlsx 文件内容过大，无法处理"));
  }
}

}  // namespace lep::xlsx
