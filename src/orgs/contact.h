// Contact person (负责人) of a unit, per 附件3 of the notice, and its validation.
// Pure; thread-safe.
#pragma once

#include <string>

#include "core/result.h"

namespace lep::orgs {

struct Contact {
  std::string name;          // 负责人姓名
  std::string title;         // 职务
  std::string office_phone;  // 办公电话（座机）, e.g. 010-66096459
  std::string mobile;        // 手机号码, 11 digits starting with 1
  std::string email;         // 电子邮箱
  int64_t updated_at = 0;
  bool masked = false;       // true when name, phones and e-mail are shown masked
};

// The contact as shown to roles that do not manage the unit: 张*, 138****1234,
// 010-****6459, z***@example.cn.
Contact MaskContact(Contact c);

// Trims every field and reports every failure at once (field + 标准字段名 + message).
[[nodiscard]] Result<Contact> ValidateContact(Contact in);

bool IsValidMobile(std::string_view s);
bool IsValidLandline(std::string_view s);
bool IsValidEmail(std::string_view s);

}  // namespace lep::orgs
