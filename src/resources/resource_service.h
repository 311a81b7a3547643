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
  int update_rows = 0;                 // valid rows naming an existing 资源ID (updates)
  std::vector<ResourceId> created;
  std::vector<ResourceId> updated;
};

struct SheetData {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_numbers;  // spreadsheet row number of each row
};

// Where one dropped file goes on the bulk upload page (issue 17 §3).
struct FileMatch {
  std::string name;
  std::string kind;     // "media", "cover", or "" (a file type that is neither)
  std::string status;   // "matched", "unmatched", "ambiguous", "unsupported"
  std::string matched_by;  // "file_column" (媒体/封面文件名 of the import) or "title"
  std::string message;  // Chinese, for anything but "matched"
  std::optional<Resource> resource;   // matched
  std::vector<Resource> candidates;   // ambiguous
};

// The most file names one match request may hold.
inline constexpr size_t kMaxMatchFiles = 2000;

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
  // Bulk import into unit (default: p's unit; another unit of p's subtree on its behalf, see
  // Authorizer::CheckImportFor; outside the subtree kNotFound). A row with a 资源ID updates
  // that resource instead of creating one: it must be visible to p, owned by the unit and
  // editable (草稿/退回修改), and at the 版本号 given in the row if that column is filled; the
  // updates are written as compare-and-set at the versions read, so a resource changed
  // meanwhile fails the whole import (kConflict). All or nothing: any row error writes
  // nothing. progress(done, total) is called now and then.
  [[nodiscard]] Result<ImportReport> Import(const auth::Principal& p,
                                            std::optional<orgs::OrgId> unit,
                                            const SheetData& sheet, bool dry_run,
                                            const std::function<void(int, int)>& progress = {});
  // Rows for export (header + one row per resource) under the same visibility as List.
  [[nodiscard]] Result<SheetData> Export(const auth::Principal& p, ResourceFilter filter,
                                         std::optional<orgs::OrgId> unit);

  // Matches dropped files to the caller's own unit's editable resources (草稿/退回修改): a
  // .jpg/.jpeg is a cover, an audio/video file media (not for A03 courses); first by the
  // file name an import row gave (媒体文件名 / 封面文件名), else by 资源名称 = the file name
  // without its extension (spaces ignored). Two resources for one file, or two files for one
  // resource's media (or cover), are "ambiguous": nothing of them is uploaded until resolved.
  [[nodiscard]] Result<std::vector<FileMatch>> MatchFiles(const auth::Principal& p,
                                                         const std::vector<std::string>& names);

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
  Result<orgs::Org> ImportUnit(const auth::Principal& p, std::optional<orgs::OrgId> unit);

  storage::Transactor& db_;
  ResourceRepository& repo_;
  CategoryRepository& categories_;
  orgs::OrgRepository& orgs_;
  const Clock& clock_;
};

}  // namespace lep::resources
