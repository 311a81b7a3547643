// SensitiveWordList: the platform's sensitive-word list — the file DATA/sensitive_words.txt,
// shared by every server on the data directory, and the screen built from it. A change
// replaces file and screen as a whole; another server's change is picked up by
// ReloadIfChanged (the file's time). Thread-safe: screening works on a snapshot, so a
// replacement never waits for a running screen.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user.h"
#include "core/result.h"
#include "review/sensitive_words.h"
#include "security/audit_recorder.h"

namespace lep::review {

class SensitiveWordList {
 public:
  // path: the list file; audit: where an administrator's replacement is recorded.
  SensitiveWordList(std::string path, security::AuditRecorder& audit);

  // Reads the file, or starts from `defaults` when there is none; the list read is written
  // back as the file (an unreadable list becomes an empty one). Start-up only.
  [[nodiscard]] Status Load(const std::vector<std::string>& defaults);

  // The list, for the security administrator (403 for anyone else).
  [[nodiscard]] Result<std::vector<std::string>> Words(const auth::Principal& p) const;
  // Replaces the list on behalf of the security administrator (403 for anyone else); audited
  // as sensitive_words.replace.
  [[nodiscard]] Status Replace(const auth::Principal& p, const std::vector<std::string>& words);
  // Replaces the list (file and screen), unaudited: start-up and command-line tools.
  [[nodiscard]] Status Replace(const std::vector<std::string>& words);

  // Picks up a list written by another server on the shared data directory; cheap when
  // nothing changed. Run by the maintenance tick every few seconds.
  void ReloadIfChanged();

  std::vector<SensitiveHit> Screen(const std::vector<ScreenField>& fields) const;
  std::vector<SensitiveHit> ScreenText(std::string_view field, std::string_view text) const;

 private:
  std::shared_ptr<const SensitiveWordScreen> Snapshot() const;
  void Swap(SensitiveWordScreen screen, std::vector<std::string> words,
            std::filesystem::file_time_type file_time);

  const std::string path_;
  security::AuditRecorder& audit_;
  mutable std::mutex mu_;
  std::shared_ptr<const SensitiveWordScreen> screen_;
  std::vector<std::string> words_;
  // When the file was written as the list above (another server's change shows as a newer
  // time).
  std::filesystem::file_time_type file_time_;
};

}  // namespace lep::review
