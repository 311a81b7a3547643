#include "orgs/bulk_units.h"

#include <map>
#include <set>

#include "auth/authorizer.h"
#include "auth/auth_service.h"
#include "core/text.h"
#include "security/audit_chain.h"

namespace lep::orgs {
namespace {

using auth::Authorizer;
using auth::Role;

struct Column {
  const char* field;
  const char* label;
  bool required;
  const char* rule;
};

const std::vector<Column>& Columns() {
  static const std::vector<Column> kColumns = {
      {"name", "单位名称", true, "2–100 个字；不能与本单位已有的下级单位或表中其他行重名"},
      {"kind", "单位类型", false,
       "选填：本单位只能开设一种下级单位时可不填；否则填写单位类型的中文名称（如 省属院校、"
       "部属高等学校）"},
      {"username", "账号用户名", false,
       "选填：填写则同时为该单位开设一个账号（3–32 位字母、数字、下划线、点或连字符，以字母"
       "开头）；账号通过一次性激活链接设置密码"},
      {"display_name", "姓名", false, "选填：账号使用人姓名，不超过 50 个字；不填则同用户名"},
      {"role", "角色", false, "选填：单位管理员（默认）、录入员；审核员只能设在一级单位"},
  };
  return kColumns;
}

// Header text without spaces, "*" and a trailing （必填）/(必填)/（选填）/(选填).
std::string NormaliseHeader(std::string h) {
  std::string out;
  for (char c : text::Trim(h)) {
    if (c != ' ' && c != '*' && c != '\t') out.push_back(c);
  }
  for (const char* suffix : {"（必填）", "(必填)", "（选填）", "(选填)"}) {
    std::string s(suffix);
    if (out.size() > s.size() && out.compare(out.size() - s.size(), s.size(), s) == 0) {
      out.resize(out.size() - s.size());
    }
  }
  return out;
}

std::optional<OrgKind> KindOf(const std::string& text) {
  if (auto k = ParseKind(text)) return k;
  for (OrgKind k : AllKinds()) {
    if (KindLabel(k) == text) return k;
  }
  // Common short forms.
  if (text == "部属高校") return OrgKind::kMinistryUniversity;
  if (text == "省属高校" || text == "院校" || text == "学院") return OrgKind::kProvincialCollege;
  return std::nullopt;
}

std::optional<Role> RoleOf(const std::string& text) {
  if (auto r = auth::ParseRole(text)) return r;
  for (Role r : auth::AllRoles()) {
    if (auth::RoleLabel(r) == text) return r;
  }
  if (text == "管理员") return Role::kUnitAdmin;
  return std::nullopt;
}

std::string KindLabels(const std::vector<OrgKind>& kinds) {
  std::string out;
  for (OrgKind k : kinds) {
    if (!out.empty()) out += "、";
    out += std::string(KindLabel(k));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& BulkUnitsHeader() {
  static const std::vector<std::string> kHeader = [] {
    std::vector<std::string> h;
    for (const auto& c : Columns()) h.emplace_back(c.label);
    return h;
  }();
  return kHeader;
}

std::vector<std::string> BulkUnitsExampleRow() {
  return {"示例职业技术学院（示例行，请删除）", "省属院校", "shili_admin", "张老师", "单位管理员"};
}

std::vector<std::vector<std::string>> BulkUnitsHelp() {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : Columns()) rows.push_back({c.label, c.required ? "必填" : "选填", c.rule});
  rows.push_back({"说明", "",
                  "第一行为表头，列的顺序可以调整；每行开设一个下级单位（及一个账号）；先全部"
                  "检查，任何一行有错误都不会开设任何单位；开设完成后请下载账号与激活链接清单，"
                  "链接只显示这一次，请转交各单位联系人。"});
  return rows;
}

Result<BulkUnitsReport> BulkUnits::Import(const auth::Principal& p, std::optional<OrgId> parent_id,
                                          const BulkUnitsSheet& sheet, bool dry_run) {
  if (!parent_id) {
    if (!p.org) return Fail(Error::PermissionDenied("只有单位账号可以批量开设下级单位"));
    parent_id = p.org->id;
  }
  LEP_ASSIGN_OR_RETURN(Org parent, org_service_.Get(p, *parent_id));
  if (p.role != Role::kPlatformAdmin &&
      !(p.role == Role::kUnitAdmin && p.org && p.org->id == parent.id)) {
    return Fail(Error::PermissionDenied("只有本单位管理员可以在本单位下开设单位"));
  }
  const std::vector<OrgKind> allowed = AllowedChildKinds(parent.kind);
  if (allowed.empty()) {
    return Fail(Error::FailedPrecondition("“" + parent.name + "”不能开设下级单位"));
  }
  BulkUnitsReport report;
  report.dry_run = dry_run;
  report.total_rows = static_cast<int>(sheet.rows.size());
  auto sheet_error = [&](std::string message) {
    report.errors.push_back({1, "", "", std::move(message)});
  };
  if (sheet.rows.size() > kMaxBulkUnitRows) {
    return Fail(Error::InvalidArgument(
        "一次最多开设 " + std::to_string(kMaxBulkUnitRows) + " 个单位，请分成多个文件",
        {{"file", "文件", "数据行超过 " + std::to_string(kMaxBulkUnitRows) + " 行"}}));
  }
  // Header → column index per field.
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < sheet.header.size(); ++i) {
    std::string h = NormaliseHeader(sheet.header[i]);
    if (h.empty()) continue;
    const Column* match = nullptr;
    for (const auto& c : Columns()) {
      if (h == c.label || h == c.field) match = &c;
    }
    if (!match && (h == "用户名" || h == "账号")) match = &Columns()[2];
    if (!match && h == "类型") match = &Columns()[1];
    if (!match) {
      report.unknown_columns.push_back(text::Trim(sheet.header[i]));
      continue;
    }
    if (!col.emplace(match->field, i).second) sheet_error("表头“" + std::string(match->label) + "”重复出现");
  }
  for (const auto& c : Columns()) {
    if (c.required && !col.count(c.field)) sheet_error("缺少必填列“" + std::string(c.label) + "”");
  }
  if (sheet.rows.empty()) sheet_error("表格中没有数据行");
  if (!report.errors.empty()) return report;

  LEP_ASSIGN_OR_RETURN(auto siblings, orgs_.Children(parent.id));
  std::map<std::string, std::string> taken_names;  // name → where ("本单位已有" / "第 N 行")
  for (const auto& s : siblings) taken_names[s.name] = "本单位已有同名的下级单位";
  std::map<std::string, int> usernames;  // lower-case → row
  struct Planned {
    int row;
    std::string name;
    OrgKind kind;
    std::optional<auth::NewUser> account;
  };
  std::vector<Planned> plan;
  for (size_t i = 0; i < sheet.rows.size(); ++i) {
    const int row_no =
        i < sheet.row_numbers.size() ? sheet.row_numbers[i] : static_cast<int>(i) + 2;
    const auto& row = sheet.rows[i];
    auto cell = [&](const char* field) -> std::string {
      auto it = col.find(field);
      return it != col.end() && it->second < row.size() ? text::Trim(row[it->second]) : "";
    };
    const size_t before = report.errors.size();
    auto error = [&](const char* field, const char* label, std::string message) {
      report.errors.push_back({row_no, field, label, std::move(message)});
    };
    std::string name = cell("name");
    if (auto e = ValidateOrgName(name)) {
      error("name", "单位名称", name.empty() ? "单位名称为必填项，不能为空" : *e);
    } else if (auto [it, fresh] =
                   taken_names.emplace(name, "第 " + std::to_string(row_no) + " 行");
               !fresh) {
      error("name", "单位名称", "单位名称“" + name + "”与" + it->second + "重名");
    }
    std::optional<OrgKind> kind;
    std::string kind_text = cell("kind");
    if (kind_text.empty()) {
      if (allowed.size() == 1) {
        kind = allowed.front();
      } else {
        error("kind", "单位类型", "请填写单位类型（可选：" + KindLabels(allowed) + "）");
      }
    } else if (!(kind = KindOf(kind_text))) {
      error("kind", "单位类型",
            "单位类型“" + kind_text + "”无效（可选：" + KindLabels(allowed) + "）");
    } else if (auto ok = Authorizer::CheckOpenChild(p, parent, *kind); !ok) {
      if (!ok.error().Is(ErrorCode::kInvalidArgument)) return Fail(ok.error());
      error("kind", "单位类型",
            "“" + parent.name + "”下不能开设" + std::string(KindLabel(*kind)) + "（可选：" +
                KindLabels(allowed) + "）");
    }
    std::string username = cell("username");
    std::string display_name = cell("display_name");
    std::string role_text = cell("role");
    std::optional<auth::NewUser> account;
    if (!username.empty()) {
      auth::NewUser u;
      u.username = username;
      u.display_name = display_name;
      std::optional<Role> role = role_text.empty() ? Role::kUnitAdmin : RoleOf(role_text);
      if (auto e = auth::ValidateUsername(username)) {
        error("username", "账号用户名", *e);
      } else {
        std::string key = text::ToLowerAscii(username);
        if (auto [it, fresh] = usernames.emplace(key, row_no); !fresh) {
          error("username", "账号用户名",
                "用户名“" + username + "”与第 " + std::to_string(it->second) + " 行重复");
        } else {
          LEP_ASSIGN_OR_RETURN(auto existing, users_.GetByUsername(username));
          if (existing) error("username", "账号用户名", "用户名“" + username + "”已被使用");
        }
      }
      if (!text::IsValidUtf8(display_name) || text::CodePointCount(display_name) > 50) {
        error("display_name", "姓名", "姓名不能超过 50 个字");
      }
      if (!role) {
        error("role", "角色", "角色“" + role_text + "”无效（可选：单位管理员、录入员、审核员）");
      } else if (kind) {
        Org future;  // the unit this row opens, for the role rule
        future.parent_id = parent.id;
        future.kind = *kind;
        future.path = parent.path;
        if (auto ok = Authorizer::CheckCreateUser(p, future, *role); !ok) {
          if (!ok.error().Is(ErrorCode::kInvalidArgument) &&
              !ok.error().Is(ErrorCode::kPermissionDenied)) {
            return Fail(ok.error());
          }
          error("role", "角色", ok.error().message);
        }
        u.role = *role;
      }
      account = std::move(u);
    } else if (!display_name.empty() || !role_text.empty()) {
      error("username", "账号用户名", "填写了姓名或角色时须同时填写账号用户名");
    }
    if (report.errors.size() == before && kind) {
      ++report.valid_rows;
      if (account) ++report.accounts;
      plan.push_back({row_no, name, *kind, std::move(account)});
    }
  }
  if (dry_run || !report.errors.empty()) return report;

  for (auto& item : plan) {
    auto unit = org_service_.OpenChild(p, parent.id, item.name, std::string(KindName(item.kind)));
    if (!unit) {
      Error e = unit.error();
      e.message = "第 " + std::to_string(item.row) + " 行：" + e.message;
      report.stopped = std::move(e);
      break;
    }
    BulkUnitCreated done;
    done.row = item.row;
    done.unit = *unit;
    if (item.account) {
      auto made = accounts_.CreateAccount(p, unit->id, *item.account, auth::Delivery::kLink);
      if (!made) {
        report.created.push_back(std::move(done));
        Error e = made.error();
        e.message = "第 " + std::to_string(item.row) + " 行（单位已开设）：" + e.message;
        report.stopped = std::move(e);
        break;
      }
      done.user = std::move(made->first);
      done.credential = std::move(made->second);
    }
    report.created.push_back(std::move(done));
  }
  int accounts = 0;
  for (const auto& c : report.created) accounts += c.user ? 1 : 0;
  LEP_RETURN_IF_ERROR(tx_.Transaction([&](storage::SqlExecutor& tx) -> Status {
    security::AuditRecord a;
    a.at = clock_.NowMs();
    a.actor_id = p.user_id.value;
    if (p.org) a.org_id = p.org->id.value;
    a.ip = p.ip;
    a.action = "org.bulk_create";
    a.object = "org:" + std::to_string(parent.id.value);
    a.result = report.stopped ? "partial" : "ok";
    a.detail = "在“" + parent.name + "”下批量开设单位 " + std::to_string(report.created.size()) +
               " 个、账号 " + std::to_string(accounts) + " 个" +
               (report.stopped ? "；中途停止：" + report.stopped->message : "");
    return security::AppendAudit(tx, a).map([](auto&&) {});
  }));
  return report;
}

}  // namespace lep::orgs
