#include "linkcheck/address_classifier.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace lep::linkcheck {
namespace {

using V4 = std::array<uint8_t, 4>;
using V6 = std::array<uint8_t, 16>;

uint32_t ToU32(const V4& b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// True when the first `bits` bits of `addr` equal those of `prefix` (both big-endian).
bool V4In(uint32_t addr, uint32_t prefix, int bits) {
  if (bits == 0) return true;
  const uint32_t mask = bits >= 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> bits);
  return (addr & mask) == (prefix & mask);
}

bool PrefixMatch(const uint8_t* a, const uint8_t* b, int bits) {
  const int full = bits / 8;
  if (std::memcmp(a, b, static_cast<size_t>(full)) != 0) return false;
  const int rest = bits % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

// Prefix given as its leading 16-bit groups, e.g. V6In(b, {0x2001, 0x0db8}, 32).
bool V6In(const V6& addr, std::initializer_list<uint16_t> groups, int bits) {
  V6 prefix{};
  size_t i = 0;
  for (uint16_t g : groups) {
    prefix[i++] = static_cast<uint8_t>(g >> 8);
    prefix[i++] = static_cast<uint8_t>(g & 0xFF);
  }
  return PrefixMatch(addr.data(), prefix.data(), bits);
}

AddressVerdict Verdict(AddressClass kind) {
  AddressVerdict v;
  v.kind = kind;
  return v;
}

// An IPv6 address carrying an IPv4 one: blocked with the IPv4's class when that is blocked,
// otherwise `if_public` (kPublic, or a class that is blocked whatever it carries).
AddressVerdict Embedded(EmbeddedForm form, const V4& v4, AddressClass if_public) {
  AddressVerdict inner = ClassifyIpv4(v4);
  AddressVerdict v;
  v.embedded = form;
  v.embedded_v4 = IpAddress::V4(v4);
  v.kind = inner.IsBlocked() ? inner.kind : if_public;
  return v;
}

V4 Slice4(const V6& b, size_t offset) {
  return {b[offset], b[offset + 1], b[offset + 2], b[offset + 3]};
}

}  // namespace

IpAddress IpAddress::V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return V4(std::array<uint8_t, 4>{a, b, c, d});
}

IpAddress IpAddress::V4(const std::array<uint8_t, 4>& b) {
  IpAddress ip;
  ip.family = Family::kV4;
  std::memcpy(ip.bytes.data(), b.data(), 4);
  return ip;
}

IpAddress IpAddress::V6(const std::array<uint8_t, 16>& b) {
  IpAddress ip;
  ip.family = Family::kV6;
  ip.bytes = b;
  return ip;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  const int af = IsV4() ? AF_INET : AF_INET6;
  if (inet_ntop(af, bytes.data(), buf, sizeof(buf)) == nullptr) return "?";
  return buf;
}

Result<IpAddress> ParseIpAddress(std::string_view text) {
  // inet_pton is strict (no "127.1", hex or octal) but needs a NUL-terminated string.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return Fail(Error::InvalidArgument("IP 地址格式不正确"));
  }
  const std::string s(text);
  if (std::array<uint8_t, 4> v4{}; inet_pton(AF_INET, s.c_str(), v4.data()) == 1) {
    return IpAddress::V4(v4);
  }
  if (std::array<uint8_t, 16> v6{}; inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) {
    return IpAddress::V6(v6);
  }
  return Fail(Error::InvalidArgument("IP 地址格式不正确"));
}

AddressVerdict ClassifyIpv4(const std::array<uint8_t, 4>& bytes) {
  const uint32_t a = ToU32(bytes);
  struct Range {
    uint32_t prefix;
    int bits;
    AddressClass kind;
  };
  // Order matters only where ranges nest (broadcast inside 240/4).
  static constexpr Range kRanges[] = {
      {0x00000000, 8, AddressClass::kUnspecified},     // 0.0.0.0/8 "this network"
      {0x0A000000, 8, AddressClass::kPrivate},         // 10/8
      {0x64400000, 10, AddressClass::kCgnat},          // 100.64/10
      {0x7F000000, 8, AddressClass::kLoopback},        // 127/8
      {0xA9FE0000, 16, AddressClass::kLinkLocal},      // 169.254/16
      {0xAC100000, 12, AddressClass::kPrivate},        // 172.16/12
      {0xC0000000, 24, AddressClass::kIetfProtocol},   // 192.0.0/24
      {0xC0000200, 24, AddressClass::kDocumentation},  // 192.0.2/24 TEST-NET-1
      {0xC0586300, 24, AddressClass::kReserved},       // 192.88.99/24 deprecated 6to4 relay
      {0xC0A80000, 16, AddressClass::kPrivate},        // 192.168/16
      {0xC6120000, 15, AddressClass::kBenchmark},      // 198.18/15
      {0xC6336400, 24, AddressClass::kDocumentation},  // 198.51.100/24 TEST-NET-2
      {0xCB007100, 24, AddressClass::kDocumentation},  // 203.0.113/24 TEST-NET-3
      {0xE0000000, 4, AddressClass::kMulticast},       // 224/4
      {0xFFFFFFFF, 32, AddressClass::kBroadcast},      // 255.255.255.255
      {0xF0000000, 4, AddressClass::kReserved},        // 240/4
  };
  for (const Range& r : kRanges) {
    if (V4In(a, r.prefix, r.bits)) return Verdict(r.kind);
  }
  return Verdict(AddressClass::kPublic);
}

AddressVerdict ClassifyIpv6(const std::array<uint8_t, 16>& b) {
  static constexpr V6 kZero{};
  const bool first12_zero = std::memcmp(b.data(), kZero.data(), 12) == 0;
  if (first12_zero) {
    const V4 tail = Slice4(b, 12);
    if (ToU32(tail) == 0) return Verdict(AddressClass::kUnspecified);  // ::
    if (ToU32(tail) == 1) return Verdict(AddressClass::kLoopback);     // ::1
    // ::a.b.c.d, deprecated (RFC 4291 2.5.5.1): never a destination we need.
    return Embedded(EmbeddedForm::kIpv4Compatible, tail, AddressClass::kIpv4Compatible);
  }
  // ::ffff:a.b.c.d — a dual-stack socket connects to a.b.c.d itself.
  if (std::memcmp(b.data(), kZero.data(), 10) == 0 && b[10] == 0xFF && b[11] == 0xFF) {
    return Embedded(EmbeddedForm::kIpv4Mapped, Slice4(b, 12), AddressClass::kPublic);
  }
  // 64:ff9b::/96 well-known NAT64 prefix: the translator connects to the embedded IPv4.
  if (V6In(b, {0x0064, 0xff9b, 0, 0, 0, 0}, 96)) {
    return Embedded(EmbeddedForm::kNat64, Slice4(b, 12), AddressClass::kPublic);
  }
  if (V6In(b, {0x0064, 0xff9b, 0x0001}, 48)) return Verdict(AddressClass::kIetfProtocol);
  if (V6In(b, {0x0100, 0, 0, 0}, 64)) return Verdict(AddressClass::kDiscardOnly);
  if (V6In(b, {0x2001, 0x0000}, 32)) return Verdict(AddressClass::kTeredo);
  if (V6In(b, {0x2001, 0x0002, 0x0000}, 48)) return Verdict(AddressClass::kBenchmark);
  if (V6In(b, {0x2001, 0x0db8}, 32)) return Verdict(AddressClass::kDocumentation);
  // The rest of 2001::/23 (ORCHID, AMT, AS112, …): infrastructure, not course hosts.
  if (V6In(b, {0x2001, 0x0000}, 23)) return Verdict(AddressClass::kIetfProtocol);
  if (V6In(b, {0x2002}, 16)) {
    return Embedded(EmbeddedForm::k6to4, Slice4(b, 2), AddressClass::kPublic);
  }
  if (V6In(b, {0x3fff}, 20)) return Verdict(AddressClass::kDocumentation);
  if (V6In(b, {0xfc00}, 7)) return Verdict(AddressClass::kUniqueLocal);
  if (V6In(b, {0xfe80}, 10)) return Verdict(AddressClass::kLinkLocal);
  if (V6In(b, {0xfec0}, 10)) return Verdict(AddressClass::kSiteLocal);
  if (V6In(b, {0xff00}, 8)) return Verdict(AddressClass::kMulticast);
  // Only 2000::/3 is allocated as global unicast; treat everything else as reserved
  // (an allow-list, not a deny-list, for the IPv6 space).
  if (!V6In(b, {0x2000}, 3)) return Verdict(AddressClass::kReserved);
  return Verdict(AddressClass::kPublic);
}

AddressVerdict Classify(const IpAddress& address) {
  if (address.IsV4()) return ClassifyIpv4(Slice4(address.bytes, 0));
  return ClassifyIpv6(address.bytes);
}

std::string_view AddressClassName(AddressClass kind) {
  switch (kind) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link_local";
    case AddressClass::kCgnat:
      return "cgnat";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
    case AddressClass::kBenchmark:
      return "benchmark";
    case AddressClass::kDocumentation:
      return "documentation";
    case AddressClass::kIetfProtocol:
      return "ietf_protocol";
    case AddressClass::kUniqueLocal:
      return "unique_local";
    case AddressClass::kSiteLocal:
      return "site_local";
    case AddressClass::kTeredo:
      return "teredo";
    case AddressClass::kDiscardOnly:
      return "discard_only";
    case AddressClass::kIpv4Compatible:
      return "ipv4_compatible";
  }
  return "unknown";
}

std::string_view EmbeddedFormName(EmbeddedForm form) {
  switch (form) {
    case EmbeddedForm::kNone:
      return "none";
    case EmbeddedForm::kIpv4Mapped:
      return "ipv4_mapped";
    case EmbeddedForm::kIpv4Compatible:
      return "ipv4_compatible";
    case EmbeddedForm::kNat64:
      return "nat64";
    case EmbeddedForm::k6to4:
      return "6to4";
  }
  return "unknown";
}

std::string AddressVerdict::Describe() const {
  std::string out(AddressClassName(kind));
  if (embedded != EmbeddedForm::kNone && embedded_v4) {
    out += " (via ";
    out += EmbeddedFormName(embedded);
    out += ' ';
    out += embedded_v4->ToString();
    out += ')';
  }
  return out;
}

bool Cidr::Contains(const IpAddress& address) const {
  const IpAddress* candidate = &address;
  IpAddress unmapped;
  if (base.IsV4() && !address.IsV4()) {
    const AddressVerdict v = ClassifyIpv6(address.bytes);
    if (v.embedded != EmbeddedForm::kIpv4Mapped || !v.embedded_v4) return false;
    unmapped = *v.embedded_v4;
    candidate = &unmapped;
  }
  if (candidate->family != base.family) return false;
  return PrefixMatch(candidate->bytes.data(), base.bytes.data(), prefix_len);
}

Result<Cidr> ParseCidr(std::string_view text) {
  const auto slash = text.find('/');
  LEP_ASSIGN_OR_RETURN(IpAddress base, ParseIpAddress(text.substr(0, slash)));
  const int max_len = base.IsV4() ? 32 : 128;
  int len = max_len;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || len < 0 ||
        len > max_len) {
      return Fail(Error::InvalidArgument("CIDR 前缀长度不正确"));
    }
  }
  // Host bits set usually means a typo ("10.0.0.1/8"); refuse rather than guess.
  IpAddress masked = base;
  for (int bit = len; bit < max_len; ++bit) {
    masked.bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (!(masked == base)) return Fail(Error::InvalidArgument("CIDR 的主机位必须为 0"));
  return Cidr{base, len};
}

}  // namespace lep::linkcheck
