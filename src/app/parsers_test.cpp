// The adapters' request parsers, without a server: JSON bodies and query strings to the
// services' input types, with every problem reported as a named field error.
#include <gtest/gtest.h>

#include "app/security_parsers.h"

namespace lep::app {
namespace {

TEST(SecurityParsers, PolicyPatchTakesIntegersAndReportsEveryWrongMember) {
  auto ok = PolicyPatchFromJson({{"password_min_length", 12}, {"unknown", "x"}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->password_min_length, 12);
  EXPECT_FALSE(ok->lockout_threshold);
  auto bad = PolicyPatchFromJson(
      {{"password_min_length", "12"}, {"lockout_minutes", 1.5}, {"totp_grace_days", 1LL << 40}});
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().fields.size(), 3u);
  EXPECT_EQ(bad.error().fields[0].field, "password_min_length");
  EXPECT_EQ(bad.error().fields[0].label, "密码最小长度");
  EXPECT_EQ(bad.error().fields[1].field, "lockout_minutes");
  EXPECT_EQ(bad.error().fields[2].field, "totp_grace_days");
}

TEST(SecurityParsers, AuditQueryClampsAndIgnoresMalformedNumbers) {
  http::Request req;
  req.query = {{"before_id", "42"}, {"action", "auth."}, {"actor", "gd_admin"},
               {"from", "12x"},     {"to", "99"},       {"limit", "100000"}};
  auto q = AuditQueryFrom(req);
  EXPECT_EQ(q.before_id, 42);
  EXPECT_EQ(q.action_prefix, "auth.");
  EXPECT_EQ(q.actor_username, "gd_admin");
  EXPECT_FALSE(q.from_ms);
  EXPECT_EQ(q.to_ms, 99);
  EXPECT_EQ(q.limit, 500);
  http::Request none;
  EXPECT_EQ(AuditQueryFrom(none).limit, 100);
}

}  // namespace
}  // namespace lep::app
