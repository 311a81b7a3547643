// CatalogFiles: the public catalog (国家终身教育数字化学习资源目录) prepared as files — one per
// format (JSON, CSV, xlsx) — rebuilt when the set of published resources changes and served
// as they are (sendfile, ETag, Range). Every published row, streamed in chunks; no row cap.
// The rule "only published resources are public" holds even when this server has not heard
// of a withdrawal: before a file is handed out, the change feed rows written since its build
// are checked (one read, then one batched primary-key read of the ones it lists); if any was
// withdrawn the files are rebuilt first. Counts and edits of still-published rows may lag
// kStaleMs. Thread-safe; RebuildIfDue() is what the background thread runs (tests call it).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "portal/feed_repository.h"
#include "resources/resource_repository.h"

namespace lep::portal {

// Writes one format of the catalog, chunk by chunk (the bytes to append each time).
class CatalogWriter {
 public:
  virtual ~CatalogWriter() = default;
  [[nodiscard]] virtual Result<std::string> Chunk(
      const std::vector<resources::PublishedResource>& rows) = 0;
  [[nodiscard]] virtual Result<std::string> Finish() = 0;
};

// A format of the catalog (what its bytes look like is the app's business).
struct CatalogFormat {
  std::string ext;  // "json", "csv", "xlsx": the file's extension and the format's name
  std::string content_type;
  std::function<std::unique_ptr<CatalogWriter>()> make;
};

// A prepared file.
struct CatalogFile {
  std::string path;
  std::string content_type;
  std::string etag;  // quoted, a hash of the bytes
  uint64_t size = 0;
  int64_t rows = 0;
  int64_t built_at = 0;  // ms
};

class CatalogFiles {
 public:
  static constexpr size_t kChunk = 500;
  // Outbox rows may commit out of seq order for this long (as in SearchFeed).
  static constexpr int64_t kSettleMs = 60'000;
  // Counts and edits of rows that stay published are refreshed at most this often.
  static constexpr int64_t kStaleMs = 10 * 60'000;

  CatalogFiles(resources::ResourceRepository& resources, FeedRepository& feed, const Clock& clock,
               std::string dir, std::vector<CatalogFormat> formats)
      : resources_(resources),
        feed_(feed),
        clock_(clock),
        dir_(std::move(dir)),
        formats_(std::move(formats)) {}
  ~CatalogFiles();
  CatalogFiles(const CatalogFiles&) = delete;
  CatalogFiles& operator=(const CatalogFiles&) = delete;

  // The current file of a format, built first if there is none or if something it lists was
  // withdrawn since. kNotFound for an unknown format.
  [[nodiscard]] Result<CatalogFile> Current(const std::string& ext);
  // Told which resources' public view changed (from the search feed; all = everything).
  void Changed(const std::set<int64_t>& ids, bool all);
  // Rebuilds now if a published resource was added or withdrawn since the last build, or if
  // a listed one changed more than kStaleMs ago. Returns whether it rebuilt.
  [[nodiscard]] Result<bool> RebuildIfDue();
  // Rebuilds all formats now.
  [[nodiscard]] Status Build();
  // How many builds this server made (for tests and metrics).
  int64_t builds() const;

  void Start(std::chrono::seconds every);
  void Stop();

 private:
  struct Built {
    int64_t mark = 0;          // feed rows up to this seq are reflected
    std::vector<int64_t> ids;  // sorted: what the files list
    std::map<std::string, CatalogFile> files;
    int64_t at = 0;
    uint64_t generation = 0;
  };
  Status BuildLocked();
  std::shared_ptr<const Built> Snapshot();
  // Whether b lists a resource that is not published now (by the feed since b's mark).
  Result<bool> ListsWithdrawn(const Built& b);

  resources::ResourceRepository& resources_;
  FeedRepository& feed_;
  const Clock& clock_;
  const std::string dir_;
  const std::vector<CatalogFormat> formats_;

  std::mutex build_mu_;  // one build at a time
  mutable std::mutex mu_;
  std::shared_ptr<const Built> built_;
  std::shared_ptr<const Built> previous_;  // kept until the next build: may still be sending
  std::set<int64_t> pending_;              // changed since the last build
  bool pending_all_ = false;
  int64_t first_pending_at_ = 0;
  int64_t builds_ = 0;
  uint64_t generation_ = 0;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lep::portal
