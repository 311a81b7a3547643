// Backup and restore of a whole installation (数据备份恢复), and the fixity check of stored
// media (数据完整性).
//
// A backup directory holds: manifest.json (every file with size and SHA-256), the database
// (a consistent online snapshot: SQLite VACUUM INTO, or pg_dump --format=custom), every blob
// (media, covers), the sensitive-word list and the audit anchor file, and — unless left out —
// the personal-data key under secrets/. It is taken beside running servers: blobs are copied
// before and after the snapshot (a blob replaced meanwhile is still there for the snapshot
// that names it) and anchors newer than the snapshot are left out. Restore verifies every
// file against the manifest before it writes anything, refuses a target that already holds
// data, then checks the schema, the audit chain and that the key decrypts the personal data.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/app_context.h"
#include "core/result.h"

namespace lep::app {

struct BackupOptions {
  std::string out_dir;       // must not exist yet, or be empty
  bool include_key = true;   // copy the key file to out_dir/secrets/
};

struct BackupReport {
  int64_t files = 0;
  int64_t bytes = 0;
  std::vector<std::string> warnings;  // Chinese
};

[[nodiscard]] Result<BackupReport> CreateBackup(
    AppContext& ctx, const BackupOptions& opt,
    const std::function<void(int64_t done, int64_t total)>& progress = {});

struct RestoreOptions {
  std::string from_dir;
  Config target;             // data_dir (and database_url for PostgreSQL) to restore into
  std::string key_file;      // the key to use; default: the backup's secrets/lep.key
  bool verify_only = false;  // check the backup, write nothing
};

struct RestoreReport {
  int64_t files_verified = 0;
  int64_t bytes_verified = 0;
  int64_t audit_rows = 0;
  int64_t contacts_decrypted = 0;
  int64_t resources_indexed = 0;
};

[[nodiscard]] Result<RestoreReport> RestoreBackup(const RestoreOptions& opt);

struct FixityReport {
  int64_t checked = 0;
  int64_t bytes = 0;
  std::vector<std::string> mismatches;  // "资源 12：…" (Chinese)
};

// Re-hashes every stored media file (original and remuxed playback copy) against the
// SHA-256 recorded at upload, stores one fixity_checks row per file and returns the result.
[[nodiscard]] Result<FixityReport> RunFixityCheck(AppContext& ctx);

// The background fixity job (server only): at most once per `fixity_interval_hours`, across
// all servers of one database (the run is claimed by a compare-and-set on table settings).
// Returns true when this call ran the check; mismatches are written to the audit log
// (action fixity.check, result mismatch) for the security administrator.
[[nodiscard]] Result<bool> MaybeRunScheduledFixity(AppContext& ctx);

// Runs MaybeRunScheduledFixity every 10 minutes on its own thread until destroyed.
class FixityJob {
 public:
  explicit FixityJob(AppContext& ctx);
  ~FixityJob();
  FixityJob(const FixityJob&) = delete;
  FixityJob& operator=(const FixityJob&) = delete;

 private:
  AppContext& ctx_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// Hex SHA-256 of a file, streamed.
[[nodiscard]] Result<std::string> Sha256OfFile(const std::string& path, int64_t* size = nullptr);

}  // namespace lep::app
