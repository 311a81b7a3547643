// BulkUnits: opening many units (and one account each) from a spreadsheet under the caller's
// unit — e.g. the 75 部属高校 under 国家开放大学 or hundreds of colleges under a province
// (issue 17 §3). Every row is validated first (the row and the column named in Chinese; the
// child-kind rule, names unique among the parent's children and in the sheet, usernames free
// and unique, roles within Authorizer::CheckCreateUser); any error writes nothing. Then each
// unit is opened through OrgService::OpenChild and its account through
// AccountService::CreateAccount with a one-time activation link, so the rules and audit rows
// are those of the single paths. A failure after validation (a name taken meanwhile) stops
// the run; what was opened before it is reported with its links. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "auth/account_service.h"
#include "auth/user.h"
#include "auth/user_repository.h"
#include "orgs/org_repository.h"
#include "orgs/org_service.h"
#include "storage/db/database.h"

namespace lep::orgs {

// The columns of the template, in order (Chinese headers; spaces and "（必填）" ignored).
const std::vector<std::string>& BulkUnitsHeader();
// One example row and the help lines (column, required, rule) of the template.
std::vector<std::string> BulkUnitsExampleRow();
std::vector<std::vector<std::string>> BulkUnitsHelp();

// The sheet as read (header + rows, each row's number as the spreadsheet shows it).
struct BulkUnitsSheet {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_numbers;
};

struct BulkRowError {
  int row = 0;
  std::string field;  // name, kind, username, display_name, role ("" for the sheet)
  std::string label;  // the column's Chinese name
  std::string message;
};

struct BulkUnitCreated {
  int row = 0;
  Org unit;
  std::optional<auth::User> user;
  std::optional<auth::Credential> credential;
};

struct BulkUnitsReport {
  bool dry_run = true;
  int total_rows = 0;
  int valid_rows = 0;
  int accounts = 0;  // valid rows that open an account
  std::vector<BulkRowError> errors;  // non-empty: nothing was written
  std::vector<std::string> unknown_columns;
  std::vector<BulkUnitCreated> created;
  std::optional<Error> stopped;  // a failure after validation; `created` holds what was done
};

// The most rows one sheet may hold.
inline constexpr size_t kMaxBulkUnitRows = 2000;

class BulkUnits {
 public:
  BulkUnits(storage::Transactor& tx, OrgRepository& orgs, OrgService& org_service,
            auth::UserRepository& users, auth::AccountService& accounts, const Clock& clock)
      : tx_(tx), orgs_(orgs), org_service_(org_service), users_(users), accounts_(accounts),
        clock_(clock) {}

  // Units under `parent` (default: p's unit). Outside p's subtree kNotFound; not the
  // parent's admin (or a platform admin) kPermissionDenied.
  [[nodiscard]] Result<BulkUnitsReport> Import(const auth::Principal& p,
                                               std::optional<OrgId> parent,
                                               const BulkUnitsSheet& sheet, bool dry_run);

 private:
  storage::Transactor& tx_;
  OrgRepository& orgs_;
  OrgService& org_service_;
  auth::UserRepository& users_;
  auth::AccountService& accounts_;
  const Clock& clock_;
};

}  // namespace lep::orgs
