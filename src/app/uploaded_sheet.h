// The spreadsheet a client uploaded for an import (resources, units + accounts): the raw body
// or the first file part of a multipart form, read by xlsx::ReadSpreadsheet (xlsx or UTF-8
// CSV, bounded). An empty upload is a field error on `file`.
#pragma once

#include "core/result.h"
#include "http/message.h"
#include "xlsx/spreadsheet.h"

namespace lep::app {

[[nodiscard]] Result<xlsx::Table> ReadUploadedSheet(const http::Request& req);

}  // namespace lep::app
