// The stamped (加盖公章) 登记表 scan a unit uploads (issue 17 §4): the stored record and the
// byte check that decides whether an upload is a PDF at all. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "orgs/org.h"

namespace lep::orgs {

// At most this many bytes (a scanned page or two at 300 dpi is far below).
inline constexpr size_t kMaxRegistrationFormBytes = 20u << 20;

// One upload. A newer upload becomes the current one; older ones stay as history (rows and
// files are kept: what a unit once sent upward is evidence).
struct RegistrationForm {
  int64_t id = 0;
  OrgId org_id;
  std::string blob;       // BlobStore id
  int64_t size = 0;       // bytes
  std::string sha256;     // hex
  std::string file_name;  // as the client named it (display only; never a storage path)
  int64_t uploaded_at = 0;
  int64_t uploaded_by = 0;  // user id
};

// A unit of the tree and its current form, if any (the parent's overview of its children).
struct UnitFormStatus {
  Org org;
  std::optional<RegistrationForm> current;
};

// Why bytes are not an acceptable PDF (Chinese, for the 登记表扫描件 field), or nothing. Checks
// the bytes only, never a name or a Content-Type: the `%PDF-` header with a version at the start,
// and the trailer (`startxref` and `%%EOF`, optionally followed by white space) in the last KiB.
std::optional<std::string> CheckPdfBytes(std::string_view bytes);

// A display file name: the client's base name trimmed to 100 characters, with control
// characters and path separators dropped; "登记表.pdf" when nothing is left.
std::string CleanFormFileName(std::string_view name);

}  // namespace lep::orgs
