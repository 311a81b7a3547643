// VisitorIds: the anonymous visitor id of the lep_vid cookie, "<32 hex random>.<32 hex MAC>".
// The MAC is a keyed hash with a server key (derived from the key file, shared by every
// server), so a client cannot mint ids of its own to add clicks or learners; a fresh id is
// random, never derived from the address or the User-Agent, so every browser of a classroom
// behind one NAT address counts. New ids are rationed per client address (a client that
// keeps no cookies could otherwise count a click with every request). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace lep::portal {

class VisitorIds {
 public:
  // mac(message) → a keyed hash (at least 16 bytes of hex) with the server key.
  using Mac = std::function<std::string(std::string_view message)>;
  static constexpr int kIdHex = 32;
  // New ids per client address and hour; beyond that a cookieless request counts nothing.
  static constexpr int kNewPerAddressPerHour = 600;

  VisitorIds(Mac mac, const Clock& clock, int new_per_address_per_hour = kNewPerAddressPerHour)
      : mac_(std::move(mac)), clock_(clock), new_per_hour_(new_per_address_per_hour) {}

  // The id carried by a cookie value, when its MAC is valid.
  std::optional<std::string> Verify(std::string_view cookie) const;
  // A new random id and its cookie value; nullopt when address has used up its new ids.
  struct Issued {
    std::string id;
    std::string cookie;
  };
  std::optional<Issued> Issue(const std::string& address);

 private:
  std::string Sign(std::string_view id) const;

  Mac mac_;
  const Clock& clock_;
  const int new_per_hour_;
  std::mutex mu_;
  int64_t window_start_ = 0;
  std::map<std::string, int> issued_;  // per address in the current hour
};

}  // namespace lep::portal
