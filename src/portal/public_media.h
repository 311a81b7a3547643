// PublicMedia: the media files of published resources served without a session lookup or a
// database read per request. The first request for a resource's media resolves it (one read:
// published? which file?) and leaves a public link `<dir>/<id>` (a symlink to the file) in the
// data directory that every server shares; later requests on any server only check that the
// link is still there. A withdrawal removes the link — on the server that withdraws (its
// service reports the change at once) and on every other when the change feed reaches it —
// so a server whose feed is behind stops serving the file as soon as the withdrawing server
// has. The links are also what nginx sends itself (X-Accel-Redirect to an internal location).
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "core/result.h"
#include "resources/resource_repository.h"

namespace lep::portal {

struct PublicMediaFile {
  std::string path;  // the file itself
  std::string content_type;
  std::string etag;  // unquoted
};

class PublicMedia {
 public:
  static constexpr size_t kMaxCached = 200'000;
  // The media of a resource if it is published now and has one (nullopt otherwise).
  using Resolver = std::function<Result<std::optional<PublicMediaFile>>(resources::ResourceId id)>;

  PublicMedia(resources::ResourceRepository& resources, std::string dir, Resolver resolve)
      : resources_(resources), dir_(std::move(dir)), resolve_(std::move(resolve)) {}

  // The public file of a published resource; nullopt if it is not public (the caller then
  // decides with the session, for the unit's own users).
  [[nodiscard]] Result<std::optional<PublicMediaFile>> Find(resources::ResourceId id);
  // Told which resources' public view changed: the links of those no longer published are
  // removed, the others re-resolved on their next request (all: every link).
  void Changed(const std::set<int64_t>& ids, bool all);
  // The link of id (what nginx's internal location serves).
  std::string LinkPath(resources::ResourceId id) const;
  // How many requests needed the database (for tests).
  int64_t resolves() const;

 private:
  void Unlink(int64_t id);

  resources::ResourceRepository& resources_;
  const std::string dir_;
  Resolver resolve_;
  mutable std::mutex mu_;
  std::map<int64_t, PublicMediaFile> cache_;
  int64_t resolves_ = 0;
};

}  // namespace lep::portal
