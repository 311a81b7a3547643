#include "portal/visitor_ids.h"

#include "crypto/crypto.h"

namespace lep::portal {

std::string VisitorIds::Sign(std::string_view id) const {
  return mac_("lep_vid:" + std::string(id)).substr(0, kIdHex);
}

std::optional<std::string> VisitorIds::Verify(std::string_view cookie) const {
  if (cookie.size() != 2 * kIdHex + 1 || cookie[kIdHex] != '.') return std::nullopt;
  std::string_view id = cookie.substr(0, kIdHex);
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  if (!crypto::ConstantTimeEqual(Sign(id), cookie.substr(kIdHex + 1))) return std::nullopt;
  return std::string(id);
}

std::optional<VisitorIds::Issued> VisitorIds::Issue(const std::string& address) {
  {
    std::lock_guard lock(mu_);
    int64_t now = clock_.NowMs();
    if (now - window_start_ >= 3'600'000 || now < window_start_) {
      window_start_ = now;
      issued_.clear();
    }
    int& n = issued_[address];
    if (n >= new_per_hour_) return std::nullopt;
    ++n;
    if (issued_.size() > 100'000) issued_.clear();  // bounded memory
  }
  Issued out;
  out.id = crypto::RandomHex(kIdHex / 2);
  out.cookie = out.id + "." + Sign(out.id);
  return out;
}

}  // namespace lep::portal
