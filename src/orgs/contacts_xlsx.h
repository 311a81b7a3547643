// The registration table (数字化学习资源联系人信息登记表, 附件3) as an xlsx file.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "orgs/contact.h"
#include "orgs/org.h"

namespace lep::orgs {

using OrgWithContact = std::pair<Org, std::optional<Contact>>;

// Returns the bytes of an .xlsx workbook; one row per unit, tree order.
[[nodiscard]] Result<std::string> BuildContactsXlsx(const std::vector<OrgWithContact>& rows);

}  // namespace lep::orgs
