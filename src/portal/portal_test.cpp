// Unit tests of the portal's pure parts: signed visitor ids (no network, disk or wall clock).
#include <gtest/gtest.h>

#include <set>

#include "crypto/crypto.h"
#include "portal/visitor_ids.h"

namespace lep::portal {
namespace {

VisitorIds::Mac KeyedMac(const std::string& key) {
  return [key](std::string_view m) { return crypto::ToHex(crypto::KeyedHash(key, m)); };
}

TEST(VisitorIds, OnlyIdsSignedWithTheServerKeyAreAccepted) {
  FakeClock clock;
  VisitorIds ids(KeyedMac(std::string(32, 'k')), clock);
  auto issued = ids.Issue("10.0.0.1");
  ASSERT_TRUE(issued);
  EXPECT_EQ(issued->id.size(), 32u);
  EXPECT_EQ(ids.Verify(issued->cookie), issued->id);
  // Another server with the same key accepts it; one with another key does not.
  EXPECT_EQ(VisitorIds(KeyedMac(std::string(32, 'k')), clock).Verify(issued->cookie), issued->id);
  EXPECT_FALSE(VisitorIds(KeyedMac(std::string(32, 'x')), clock).Verify(issued->cookie));
  // Forged, tampered and unsigned (the old 32-hex format) values are refused.
  std::string tampered = issued->cookie;
  tampered[3] = tampered[3] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(ids.Verify(tampered));
  std::string resigned = issued->cookie;
  resigned.back() = resigned.back() == '0' ? '1' : '0';
  EXPECT_FALSE(ids.Verify(resigned));
  EXPECT_FALSE(ids.Verify(issued->id));
  EXPECT_FALSE(ids.Verify(""));
  EXPECT_FALSE(ids.Verify(std::string(65, 'a')));
  EXPECT_FALSE(ids.Verify(std::string(32, 'G') + "." + std::string(32, '0')));
}

TEST(VisitorIds, NewIdsAreRandomAndRationedPerAddress) {
  FakeClock clock;
  VisitorIds ids(KeyedMac(std::string(32, 'k')), clock, /*new_per_address_per_hour=*/50);
  std::set<std::string> seen;
  // A classroom behind one NAT address: every browser gets its own id.
  for (int i = 0; i < 50; ++i) {
    auto v = ids.Issue("10.0.0.1");
    ASSERT_TRUE(v) << i;
    seen.insert(v->id);
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_FALSE(ids.Issue("10.0.0.1"));  // a client that keeps no cookie stops counting
  EXPECT_TRUE(ids.Issue("10.0.0.2"));   // other addresses are not affected
  clock.Advance(std::chrono::minutes(61));
  EXPECT_TRUE(ids.Issue("10.0.0.1"));
}

}  // namespace
}  // namespace lep::portal
