// ResourceService: the rules for resources — who may create, read, edit and delete them,
// metadata validation with series uniqueness, bulk import (all or nothing) and export.
// Access goes through auth::Authorizer. Every create, edit, delete and import commits together
// with its audit row (who, from which address). Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "resources/category.h"
#include "resources/metadata.h"
#include "resources/resource_repository.h"

namespace lep::resources {

struct RowError {
  int row = 0;  // as the spreadsheet shows it
  std::string field;
  std::string label;
  std::string message;
};

struct ImportReport {
  bool dry_run = true;
  int total_rows = 0;
  int valid_rows = 0;
  std::vector<RowError> errors;        // non-empty: nothing was written
  std::vector<std::string> unknown_columns;
  std::vector<ResourceId> created;
};

struct SheetData {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_numbers;  // spreadsheet row number of each row
};

// A resource together with the unit that owns it.
struct VisibleResource {
  Resource resource;
  orgs::Org owner;
};

class ResourceService {
 public:
  ResourceService(storage::Transactor& db, ResourceRepository& repo,
                  CategoryRepository& categories, orgs::OrgRepository& orgs, const Clock& clock)
      : db_(db), repo_(repo), categories_(categories), orgs_(orgs), clock_(clock) {}

  // Validates without storing (series uniqueness checked within p's unit).
  [[nodiscard]] Result<Metadata> Validate(const auth::Principal& p, const MetadataInput& in);
  [[nodiscard]] Result<Resource> Create(const auth::Principal& p, const MetadataInput& in);
  [[nodiscard]] Result<Resource> Get(const auth::Principal& p, ResourceId id);
  // expected_version: the version the editor saw (optional: then the current one).
  [[nodiscard]] Result<Resource> Update(const auth::Principal& p, ResourceId id,
                                        const MetadataInput& in,
                                        std::optional<int64_t> expected_version);
  [[nodiscard]] Status Delete(const auth::Principal& p, ResourceId id);
  // Lists resources visible to p; filter.org_path_prefix is narrowed to p's subtree.
  [[nodiscard]] Result<ResourcePage> List(const auth::Principal& p, ResourceFilter filter,
                                          std::optional<orgs::OrgId> unit);
  [[nodiscard]] Result<std::vector<SeriesInfo>> Series(const auth::Principal& p, orgs::OrgId org);
  // Bulk import into unit (default: p's unit). progress(done, total) is called now and then.
  [[nodiscard]] Result<ImportReport> Import(const auth::Principal& p,
                                            std::optional<orgs::OrgId> unit,
                                            const SheetData& sheet, bool dry_run,
                                            const std::function<void(int, int)>& progress = {});
  // Rows for export (header + one row per resource) under the same visibility as List.
  [[nodiscard]] Result<SheetData> Export(const auth::Principal& p, ResourceFilter filter,
                                         std::optional<orgs::OrgId> unit);

  [[nodiscard]] Result<CategoryIndex> Categories();
  ValidationContext MakeContext(const CategoryIndex& index) const;

  // The one visibility rule: the resource and its owning unit when p may see them — p's
  // own subtree, or everything for platform roles. Anything else is kNotFound, so that a unit
  // outside the caller's subtree cannot be told apart from one that does not exist.
  [[nodiscard]] Result<VisibleResource> LoadVisible(const auth::Principal& p, ResourceId id);
  // The same for changes: visible, and p may write the owner's resources (kPermissionDenied).
  [[nodiscard]] Result<VisibleResource> LoadWritable(const auth::Principal& p, ResourceId id);
  // Files and pages anyone may read: a published resource for everybody, anything else as
  // LoadVisible for the caller — who is asked for only then (no session lookup for public
  // reads; nullopt: an anonymous visitor).
  [[nodiscard]] Result<Resource> LoadReadable(
      const std::function<std::optional<auth::Principal>()>& caller, ResourceId id);

 private:
  Result<orgs::Org> WritableUnit(const auth::Principal& p, std::optional<orgs::OrgId> unit);

  storage::Transactor& db_;
  ResourceRepository& repo_;
  CategoryRepository& categories_;
  orgs::OrgRepository& orgs_;
  const Clock& clock_;
};

}  // namespace lep::resources
