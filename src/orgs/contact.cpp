#include "orgs/contact.h"

#include "security/field_cipher.h"

#include <regex>

#include "core/text.h"

namespace lep::orgs {

bool IsValidMobile(std::string_view s) {
  static const std::regex re("^1[0-9]{10}$");
  return std::regex_match(s.begin(), s.end(), re);
}

bool IsValidLandline(std::string_view s) {
  // Area code (0 + 2–3 digits), number of 7–8 digits, optional extension.
  static const std::regex re("^0[0-9]{2,3}-[0-9]{7,8}(-[0-9]{1,6})?$");
  return std::regex_match(s.begin(), s.end(), re);
}

bool IsValidEmail(std::string_view s) {
  static const std::regex re(
      "^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.[A-Za-z]{2,24}$");
  return s.size() <= 254 && std::regex_match(s.begin(), s.end(), re);
}

Result<Contact> ValidateContact(Contact in) {
  std::vector<FieldError> errors;
  auto text_field = [&](std::string& v, const char* field, const char* label, size_t max) {
    v = text::Trim(v);
    if (!text::IsValidUtf8(v)) {
      errors.push_back({field, label, std::string(label) + "不是有效的文本"});
    } else if (v.empty()) {
      errors.push_back({field, label, std::string(label) + "不能为空"});
    } else if (text::CodePointCount(v) > max) {
      errors.push_back(
          {field, label, std::string(label) + "不能超过 " + std::to_string(max) + " 个字"});
    }
  };
  text_field(in.name, "name", "负责人姓名", 50);
  text_field(in.title, "title", "职务", 50);
  in.office_phone = text::Trim(in.office_phone);
  in.mobile = text::Trim(in.mobile);
  in.email = text::Trim(in.email);
  if (in.office_phone.empty()) {
    errors.push_back({"office_phone", "办公电话", "办公电话不能为空"});
  } else if (!IsValidLandline(in.office_phone)) {
    errors.push_back({"office_phone", "办公电话",
                      "办公电话应为“区号-号码”格式的座机号，例如 010-66096459"});
  }
  if (in.mobile.empty()) {
    errors.push_back({"mobile", "手机号码", "手机号码不能为空"});
  } else if (!IsValidMobile(in.mobile)) {
    errors.push_back({"mobile", "手机号码", "手机号码应为以 1 开头的 11 位数字"});
  }
  if (in.email.empty()) {
    errors.push_back({"email", "电子邮箱", "电子邮箱不能为空"});
  } else if (!IsValidEmail(in.email)) {
    errors.push_back({"email", "电子邮箱", "电子邮箱格式不正确，例如 name@example.org"});
  }
  if (!errors.empty()) {
    return Fail(Error::InvalidArgument("负责人信息有误，请按提示修改", std::move(errors)));
  }
  return in;
}

Contact MaskContact(Contact c) {
  c.name = security::MaskName(c.name);
  c.office_phone = security::MaskPhone(c.office_phone);
  c.mobile = security::MaskPhone(c.mobile);
  c.email = security::MaskEmail(c.email);
  c.masked = true;
  return c;
}

}  // namespace lep::orgs
