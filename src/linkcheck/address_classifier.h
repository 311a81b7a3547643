// Address classifier: decides whether an IPv4/IPv6 address is a public Internet destination
// or one the link checker must never connect to (loopback, private, link-local, …), following
// the IANA special-purpose registries. IPv4 embedded in IPv6 (mapped, compatible, NAT64, 6to4)
// is classified too. Pure functions on value types; safe to call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lep::linkcheck {

// An IPv4 or IPv6 address as raw network-order bytes (IPv4 uses the first 4 bytes).
struct IpAddress {
  enum class Family { kV4, kV6 };
  Family family = Family::kV4;
  std::array<uint8_t, 16> bytes{};

  static IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
  static IpAddress V4(const std::array<uint8_t, 4>& b);
  static IpAddress V6(const std::array<uint8_t, 16>& b);
  bool IsV4() const { return family == Family::kV4; }
  // Canonical text: dotted quad, or RFC 5952 IPv6 without brackets.
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// Strict text form only: dotted-quad IPv4 ("127.0.0.1", no "127.1" or hex) or IPv6 without
// brackets or zone ("::ffff:127.0.0.1"). Anything else is kInvalidArgument.
[[nodiscard]] Result<IpAddress> ParseIpAddress(std::string_view text);

enum class AddressClass {
  kPublic,
  kUnspecified,     // 0.0.0.0/8, ::/128
  kLoopback,        // 127/8, ::1
  kPrivate,         // 10/8, 172.16/12, 192.168/16
  kLinkLocal,       // 169.254/16, fe80::/10
  kCgnat,           // 100.64/10 shared address space
  kMulticast,       // 224/4, ff00::/8
  kBroadcast,       // 255.255.255.255
  kReserved,        // 240/4, 192.88.99/24, IPv6 outside 2000::/3, other IETF-reserved blocks
  kBenchmark,       // 198.18/15, 2001:2::/48
  kDocumentation,   // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  kIetfProtocol,    // 192.0.0/24, 2001::/23 (except Teredo/benchmark), 64:ff9b:1::/48
  kUniqueLocal,     // fc00::/7
  kSiteLocal,       // fec0::/10 (deprecated)
  kTeredo,          // 2001::/32, blocked whatever it embeds
  kDiscardOnly,     // 100::/64
  kIpv4Compatible,  // ::a.b.c.d (deprecated), blocked even when a.b.c.d is public
};

// How an IPv4 address was embedded in the IPv6 address being classified.
enum class EmbeddedForm { kNone, kIpv4Mapped, kIpv4Compatible, kNat64, k6to4 };

struct AddressVerdict {
  AddressClass kind = AddressClass::kPublic;
  // Set when the address carries an IPv4 address; `kind` then reflects the embedded address
  // when that one is blocked.
  EmbeddedForm embedded = EmbeddedForm::kNone;
  std::optional<IpAddress> embedded_v4;

  bool IsPublic() const { return kind == AddressClass::kPublic; }
  bool IsBlocked() const { return !IsPublic(); }
  // Short English description for logs, e.g. "loopback (via ipv4_mapped 127.0.0.1)".
  std::string Describe() const;
};

// Stable lower-case names, e.g. "loopback", "unique_local".
std::string_view AddressClassName(AddressClass kind);
std::string_view EmbeddedFormName(EmbeddedForm form);

AddressVerdict ClassifyIpv4(const std::array<uint8_t, 4>& bytes);
AddressVerdict ClassifyIpv6(const std::array<uint8_t, 16>& bytes);
AddressVerdict Classify(const IpAddress& address);

// A CIDR block such as "127.0.0.1/32" or "fd00::/8"; used for the test-only allow-list.
struct Cidr {
  IpAddress base;  // host bits are zero
  int prefix_len = 0;
  // An IPv4-mapped IPv6 address matches an IPv4 block (it is the same destination).
  bool Contains(const IpAddress& address) const;
};

// "a.b.c.d/n" or "v6/n"; a bare address means a single host. Host bits must be zero.
[[nodiscard]] Result<Cidr> ParseCidr(std::string_view text);

}  // namespace lep::linkcheck
