// Minimal multipart/form-data reader: finds the first part that carries a file. Enough for
// browser uploads of one spreadsheet or image; large media use tus instead. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lep::http {

struct FilePart {
  std::string field_name;
  std::string filename;  // as the client sent it: never used as a storage path
  std::string content_type;
  std::string_view data;  // points into the body
};

// nullopt when content_type is not multipart/form-data or no file part is found.
std::optional<FilePart> FirstFilePart(std::string_view content_type, std::string_view body);

}  // namespace lep::http
