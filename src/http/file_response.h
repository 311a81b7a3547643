// The conditional part of every file answer (media, covers, renditions, catalog files): 304 for
// a matching If-None-Match, one byte range (RFC 9110, honouring If-Range) as 206 or 416, else
// the whole file — all sent with sendfile(2) by the server. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "http/message.h"

namespace lep::http {

// Completes r, whose headers (ETag = etag, Content-Type, Cache-Control …) the caller has set,
// as the answer to req for the file at path of size bytes.
Response FileResponse(const Request& req, Response r, const std::string& path, uint64_t size,
                      const std::string& etag);

}  // namespace lep::http
