#include "review/sensitive_word_list.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "auth/authorizer.h"

namespace lep::review {

SensitiveWordList::SensitiveWordList(std::string path, security::AuditRecorder& audit)
    : path_(std::move(path)), audit_(audit) {}

Status SensitiveWordList::Load(const std::vector<std::string>& defaults) {
  std::ifstream in(path_);
  std::vector<std::string> words;
  if (in) {
    std::ostringstream ss;
    ss << in.rdbuf();
    auto parsed = ParseWordList(ss.str());
    if (parsed) words = std::move(*parsed);
  } else {
    words = defaults;
  }
  return Replace(words);
}

Result<std::vector<std::string>> SensitiveWordList::Words(const auth::Principal& p) const {
  if (!auth::Authorizer::CanReadSensitiveWords(p)) {
    return Fail(Error::PermissionDenied("只有安全管理员可以查看敏感词表"));
  }
  std::lock_guard lock(mu_);
  return words_;
}

Status SensitiveWordList::Replace(const auth::Principal& p, const std::vector<std::string>& words) {
  if (!auth::Authorizer::CanEditSensitiveWords(p)) {
    return Fail(Error::PermissionDenied("只有安全管理员可以维护敏感词表"));
  }
  LEP_RETURN_IF_ERROR(Replace(words));
  return audit_.Record(auth::AuditActorOf(p), "sensitive_words.replace", "sensitive_words",
                       std::to_string(words.size()) + " 个词");
}

Status SensitiveWordList::Replace(const std::vector<std::string>& words) {
  LEP_ASSIGN_OR_RETURN(auto screen, SensitiveWordScreen::Create(words));
  // Several servers may share the data directory: a temporary name of our own, then rename.
  std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# 敏感词表：每行一个词，# 开头为注释\n";
    for (const auto& w : words) out << w << "\n";
    if (!out) return Fail(Error::Internal("无法保存敏感词表"));
  }
  std::filesystem::rename(tmp, path_);
  std::error_code ec;
  Swap(std::move(screen), words, std::filesystem::last_write_time(path_, ec));
  return Ok();
}

void SensitiveWordList::ReloadIfChanged() {
  std::error_code ec;
  auto mtime = std::filesystem::last_write_time(path_, ec);
  if (ec) return;
  {
    std::lock_guard lock(mu_);
    if (mtime == file_time_) return;
  }
  std::ifstream in(path_);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto words = ParseWordList(ss.str());
  if (!words) return;
  auto screen = SensitiveWordScreen::Create(*words);
  if (!screen) return;
  Swap(std::move(*screen), std::move(*words), mtime);
}

std::vector<SensitiveHit> SensitiveWordList::Screen(const std::vector<ScreenField>& fields) const {
  auto screen = Snapshot();
  return screen ? screen->Screen(fields) : std::vector<SensitiveHit>{};
}

std::vector<SensitiveHit> SensitiveWordList::ScreenText(std::string_view field,
                                                        std::string_view text) const {
  auto screen = Snapshot();
  return screen ? screen->ScreenText(field, text) : std::vector<SensitiveHit>{};
}

std::shared_ptr<const SensitiveWordScreen> SensitiveWordList::Snapshot() const {
  std::lock_guard lock(mu_);
  return screen_;
}

void SensitiveWordList::Swap(SensitiveWordScreen screen, std::vector<std::string> words,
                             std::filesystem::file_time_type file_time) {
  auto next = std::make_shared<const SensitiveWordScreen>(std::move(screen));
  std::lock_guard lock(mu_);
  screen_ = std::move(next);
  words_ = std::move(words);
  file_time_ = file_time;
}

}  // namespace lep::review
