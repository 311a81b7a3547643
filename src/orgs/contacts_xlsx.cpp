#include "orgs/contacts_xlsx.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lep::orgs {

Result<std::string> BuildContactsXlsx(const std::vector<OrgWithContact>& rows) {
  // libxlsxwriter 1.1.4 writes to a path: use a private temporary file, then read it back.
  std::string tmpl = (std::filesystem::temp_directory_path() / "lep-xlsx-XXXXXX").string();
  int fd = mkstemp(tmpl.data());
  if (fd < 0) return Fail(Error::Internal("无法创建临时文件"));
  close(fd);
  struct Cleanup {
    std::string path;
    ~Cleanup() { std::remove(path.c_str()); }
  } cleanup{tmpl};

  lxw_workbook* wb = workbook_new(tmpl.c_str());
  if (!wb) return Fail(Error::Internal("无法生成登记表"));
  lxw_worksheet* ws = workbook_add_worksheet(wb, "登记表");
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 14);
  format_set_align(title, LXW_ALIGN_CENTER);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_border(head, LXW_BORDER_THIN);
  format_set_bg_color(head, 0xDDEBF7);
  lxw_format* cell = workbook_add_format(wb);
  format_set_border(cell, LXW_BORDER_THIN);

  const char* headers[] = {"序号", "单位名称", "负责人姓名", "职务", "办公电话（座机）",
                           "手机号码", "电子邮箱"};
  const double widths[] = {6, 40, 14, 16, 18, 16, 28};
  worksheet_merge_range(ws, 0, 0, 0, 6, "数字化学习资源联系人信息登记表", title);
  for (lxw_col_t c = 0; c < 7; ++c) {
    worksheet_set_column(ws, c, c, widths[c], nullptr);
    worksheet_write_string(ws, 1, c, headers[c], head);
  }
  lxw_row_t r = 2;
  for (const auto& [org, contact] : rows) {
    worksheet_write_number(ws, r, 0, static_cast<double>(r - 1), cell);
    worksheet_write_string(ws, r, 1, org.name.c_str(), cell);
    const Contact empty{};
    const Contact& c = contact ? *contact : empty;
    worksheet_write_string(ws, r, 2, c.name.c_str(), cell);
    worksheet_write_string(ws, r, 3, c.title.c_str(), cell);
    worksheet_write_string(ws, r, 4, c.office_phone.c_str(), cell);
    worksheet_write_string(ws, r, 5, c.mobile.c_str(), cell);
    worksheet_write_string(ws, r, 6, c.email.c_str(), cell);
    ++r;
  }
  if (workbook_close(wb) != LXW_NO_ERROR) return Fail(Error::Internal("无法生成登记表"));
  std::ifstream in(tmpl, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace lep::orgs
