// Issue 19 item 6: the demo showcase of `lep seed-demo` — dozens of published 演示 resources
// across the four domains, with real media (made by ffmpeg) that pass 附件1 and covers, taken
// through the real review and publication, and an item waiting in every demo role's queue.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "app/seed_showcase.h"
#include "integration/server_fixture.h"
#include "security/audit_chain.h"

namespace lep::testing {
namespace {

int64_t Count(app::AppContext& ctx, const std::string& sql) {
  auto r = ctx.db->QueryOne(sql);
  EXPECT_TRUE(r) << sql;
  return r && *r ? (*r)->Int(0) : -1;
}

TEST(ShowcaseTest, PublishesRealMediaThroughTheReviewAndLeavesWorkInEveryQueue) {
  TestServer server;
  server.clock().SetMs(1652140800000);  // 2022-05-10 08:00 Beijing
  auto& ctx = server.ctx();
  std::string work = ctx.config.data_dir + "/tmp/showcase";
  auto report = app::SeedShowcase(ctx, work);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_GE(report->published, 15);
  EXPECT_GE(report->waiting, 5);
  EXPECT_FALSE(std::filesystem::exists(work));  // generated files cleaned up

  // Published: every one marked 演示, with stored media that passed the check and a cover, in
  // all four domains, audio and video, one publication batch.
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM resources WHERE state = 'published'"),
            report->published);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM resources r JOIN media m ON m.resource_id = r.id "
                       "WHERE r.state = 'published' AND m.passed = 1 AND r.cover_blob <> '' "
                       "AND r.title LIKE '%（演示）' AND r.duration <> ''"),
            report->published);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(DISTINCT domain) FROM resources WHERE state = 'published'"),
            4);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(DISTINCT type) FROM resources WHERE state = 'published'"),
            2);
  EXPECT_GE(Count(ctx, "SELECT COUNT(DISTINCT series) FROM resources WHERE series <> ''"), 5);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM batches WHERE published_at > 0"), 1);
  // 使用评价: three shown, one waiting for moderation.
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM ratings WHERE state = 'approved'"), 3);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM ratings WHERE state = 'pending'"), 1);

  // The public sees them: the detail page and a video that plays with Range.
  Client anon{server.port()};
  int64_t video = Count(ctx, "SELECT MIN(id) FROM resources WHERE state = 'published' AND "
                             "type = 'A01'");
  auto media = anon.Request("GET", "/media/resources/" + std::to_string(video), "",
                            {{"Range", "bytes=0-1023"}});
  EXPECT_EQ(media.status, 206);
  EXPECT_EQ(media.body.size(), 1024u);
  auto detail = anon.Get("/api/v1/portal/resources/" + std::to_string(video));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_NE(detail.body.find("（演示）"), std::string::npos);

  // Every demo role has something waiting.
  auto queue_of = [&](const std::string& user) {
    Client c{server.port()};
    EXPECT_EQ(c.Login(user).status, 200) << user;
    auto q = c.Get("/api/v1/reviews/queue");
    EXPECT_EQ(q.status, 200) << q.body;
    return q.Json()["total"].get<int64_t>();
  };
  EXPECT_GE(queue_of("gd_reviewer"), 1);   // 初审
  EXPECT_GE(queue_of("nou_reviewer"), 1);  // 终审
  Client uploader{server.port()};
  ASSERT_EQ(uploader.Login("gd_uploader").status, 200);
  auto returned = uploader.Get("/api/v1/resources?state=returned");
  ASSERT_EQ(returned.status, 200);
  EXPECT_GE(returned.Json()["total"].get<int64_t>(), 1);  // 退回修改, with the comment
  EXPECT_GE(Count(ctx, "SELECT COUNT(*) FROM resources WHERE state = 'approved'"), 1);  // 待发布

  // Everything went through the audited services; the chain verifies. A second run is a no-op.
  auto chain = security::VerifyChain(*ctx.db);
  ASSERT_TRUE(chain);
  EXPECT_TRUE(chain->ok) << chain->reason;
  int64_t before = Count(ctx, "SELECT COUNT(*) FROM resources");
  auto again = app::SeedShowcase(ctx, work);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->published, 0);
  EXPECT_EQ(Count(ctx, "SELECT COUNT(*) FROM resources"), before);
}

}  // namespace
}  // namespace lep::testing
