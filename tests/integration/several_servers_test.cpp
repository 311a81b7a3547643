// Two servers on one database and one shared data directory behave like one (issue 9): a tus
// upload whose PATCHes alternate between them, concurrent PATCHes to one upload on both, a
// click counted once, a resource published through one found by search on the other once the
// change feed is applied. A session opened on one server is honoured by the other throughout.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "http/asio.h"
#include "integration/server_fixture.h"
#include "portal/search_feed.h"
#include "search/search_index.h"
#include "uploads/tus_headers.h"

namespace lep::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Sha256Hex(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
  static const char* k = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += k[out[i] >> 4];
    hex += k[out[i] & 15];
  }
  return hex;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SeveralServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(
        (fs::temp_directory_path() / ("lep-2srv-" + std::to_string(::getpid()))).string());
    fs::create_directories(*dir_);
    int rc = std::system(("ffmpeg -v error -y -f lavfi -i testsrc=size=640x360:rate=25 -f lavfi "
                          "-i sine=frequency=440:sample_rate=44100 -t 2 -c:v libx264 -pix_fmt yuv420p -c:a aac "
                          "-movflags +faststart " +
                          *dir_ + "/clip.mp4")
                             .c_str());
    ASSERT_EQ(rc, 0);
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  void SetUp() override {
    ASSERT_EQ(up_a_.Login("gd_uploader").status, 200);
    // The session lives in the database: the same cookie works on server B.
    up_b_.cookie = up_a_.cookie;
    up_b_.csrf = up_a_.csrf;
    ASSERT_EQ(up_b_.Get("/api/v1/me").status, 200);
    auto r = up_a_.Send("POST", "/api/v1/resources",
                        {{"title", "太极拳第一讲"},
                         {"type", "A01"},
                         {"domain", "老年教育"},
                         {"summary", "示例"},
                         {"copyright_holder", "演示学院"},
                         {"presenters", "张演示"},
                         {"category", "健康养生-太极拳"}});
    ASSERT_EQ(r.status, 201) << r.body;
    resource_id_ = r.Json()["id"];
  }

  std::map<std::string, std::string> Tus(const Client& c) {
    return {{"Tus-Resumable", "1.0.0"}, {"X-CSRF-Token", c.csrf}};
  }

  std::string Create(Client& c, uint64_t length) {
    auto h = Tus(c);
    h["Upload-Length"] = std::to_string(length);
    h["Upload-Metadata"] = "resource_id " + uploads::Base64Encode(std::to_string(resource_id_)) +
                           ",filename " + uploads::Base64Encode("第一讲.mp4") + ",kind " +
                           uploads::Base64Encode("media");
    auto r = c.Request("POST", "/api/v1/uploads/", "", h);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.headers["location"];
  }

  HttpResult Patch(Client& c, const std::string& loc, uint64_t offset, std::string_view data) {
    auto h = Tus(c);
    h["Upload-Offset"] = std::to_string(offset);
    h["Content-Type"] = "application/offset+octet-stream";
    return c.Request("PATCH", loc, std::string(data), h);
  }

  uint64_t Offset(Client& c, const std::string& loc) {
    auto r = c.Request("HEAD", loc, "", Tus(c));
    EXPECT_EQ(r.status, 200);
    return std::stoull(r.headers["upload-offset"]);
  }

  // The stored media file of the resource and the SHA-256 recorded for it.
  std::pair<std::string, std::string> StoredMedia() {
    auto row = a_.ctx().db->QueryOne("SELECT blob, sha256 FROM media WHERE resource_id = ?",
                                     {resource_id_});
    EXPECT_TRUE(row && *row);
    if (!row || !*row) return {};
    auto path = a_.ctx().blobs->PathOf((*row)->Text(0));
    EXPECT_TRUE(path);
    return {path ? ReadFile(*path) : "", (*row)->Text(1)};
  }

  static inline std::string* dir_ = nullptr;
  TestServer a_;
  TestServer b_{a_};  // destroyed first: a_ owns the directory and the database
  Client up_a_{a_.port()};
  Client up_b_{b_.port()};
  int64_t resource_id_ = 0;
};

TEST_F(SeveralServersTest, PatchesAlternatingBetweenServersEndWithTheRightSha256) {
  std::string clip = ReadFile(*dir_ + "/clip.mp4");
  ASSERT_GT(clip.size(), 10000u);
  std::string loc = Create(up_a_, clip.size());
  size_t chunk = clip.size() / 5 + 1;
  Client* servers[] = {&up_a_, &up_b_};
  uint64_t offset = 0;
  for (int i = 0; offset < clip.size(); ++i) {
    Client& c = *servers[i % 2];
    Client& other = *servers[(i + 1) % 2];
    // Each server learns the offset from the database, not from its own memory.
    ASSERT_EQ(Offset(other, loc), offset);
    std::string_view part = std::string_view(clip).substr(offset, chunk);
    auto r = Patch(c, loc, offset, part);
    ASSERT_EQ(r.status, 204) << r.body;
    offset += part.size();
    ASSERT_EQ(r.headers["upload-offset"], std::to_string(offset));
  }
  // A stale offset sent to the server that did not take the last PATCH is refused.
  EXPECT_EQ(Patch(up_a_, loc, chunk, "x").status, 409);
  auto [bytes, sha] = StoredMedia();
  EXPECT_EQ(sha, Sha256Hex(clip));
  EXPECT_EQ(Sha256Hex(bytes), Sha256Hex(clip));
}

TEST_F(SeveralServersTest, APatchHeldByOneServerLocksTheUploadOnTheOther) {
  const size_t length = 1 << 20;
  std::string body(length, 'b');
  std::string loc = Create(up_a_, length);
  namespace net = boost::asio;
  net::io_context ioc;
  net::ip::tcp::socket slow(ioc);
  slow.connect({net::ip::make_address("127.0.0.1"), a_.port()});
  std::string head = "PATCH " + loc +
                     " HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n"
                     "Content-Type: application/offset+octet-stream\r\nContent-Length: " +
                     std::to_string(length) + "\r\nX-CSRF-Token: " + up_a_.csrf +
                     "\r\nCookie: " + up_a_.cookie + "\r\n\r\n";
  net::write(slow, net::buffer(head));
  net::write(slow, net::buffer(body.data(), 1000));
  // Wait until A's PATCH holds the upload by asking the kernel, not by probing with PATCHes
  // on B: a probe holds the lock for its own short PATCH, and an A that begins exactly then is
  // (rightly) refused with 423, which would leave nothing for this test to observe.
  std::string part = a_.ctx().config.data_dir + "/blobs/tmp/uploads/" +
                     loc.substr(loc.rfind('/') + 1) + ".part";
  ASSERT_TRUE(WaitUntilFileLocked(part, std::chrono::seconds(30)));
  HttpResult second = Patch(up_b_, loc, 5, "c");  // a wrong offset, but the lock comes first
  EXPECT_EQ(second.status, 423) << second.body;
  // Termination through B is refused too while A writes.
  auto del = up_b_.Request("DELETE", loc, "", Tus(up_b_));
  EXPECT_EQ(del.status, 423);
  net::write(slow, net::buffer(body.data() + 1000, length - 1000));
  boost::beast::flat_buffer buf;
  boost::beast::http::response<boost::beast::http::string_body> res;
  boost::beast::http::read(slow, buf, res);
  EXPECT_EQ(res.result_int(), 204);
  auto row = a_.ctx().db->QueryOne("SELECT committed, sha256 FROM uploads WHERE id = ?",
                                   {loc.substr(loc.rfind('/') + 1)});
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Int(0), static_cast<int64_t>(length));
  EXPECT_EQ((*row)->Text(1), Sha256Hex(body));
}

TEST_F(SeveralServersTest, ConcurrentPatchesOnBothServersOneWinsTheFileIsIntact) {
  std::string clip = ReadFile(*dir_ + "/clip.mp4");
  for (int round = 0; round < 3; ++round) {
    if (round > 0) {
      // A fresh resource each round (the media of the last one is stored).
      auto r = up_a_.Send("POST", "/api/v1/resources",
                          {{"title", "太极拳第" + std::to_string(round + 1) + "讲"},
                           {"type", "A01"},
                           {"domain", "老年教育"},
                           {"summary", "示例"},
                           {"copyright_holder", "演示学院"},
                           {"presenters", "张演示"}});
      ASSERT_EQ(r.status, 201) << r.body;
      resource_id_ = r.Json()["id"];
    }
    std::string loc = Create(up_a_, clip.size());
    HttpResult results[2];
    std::thread ta([&] { results[0] = Patch(up_a_, loc, 0, clip); });
    std::thread tb([&] { results[1] = Patch(up_b_, loc, 0, clip); });
    ta.join();
    tb.join();
    int won = 0;
    for (const auto& r : results) {
      if (r.status == 204) {
        ++won;
      } else {
        // The loser either found the upload locked or found it already complete/advanced.
        EXPECT_TRUE(r.status == 423 || r.status == 409) << r.status << " " << r.body;
      }
    }
    EXPECT_EQ(won, 1) << results[0].status << " " << results[1].status;
    auto [bytes, sha] = StoredMedia();
    EXPECT_EQ(sha, Sha256Hex(clip));
    EXPECT_EQ(Sha256Hex(bytes), Sha256Hex(clip));
  }
}

class SeveralServersPortalTest : public SeveralServersTest {
 protected:
  // Published through server A the way the review workflow leaves it.
  void Publish(int64_t id) {
    ASSERT_TRUE(
        a_.ctx().db->Exec("UPDATE resources SET state = 'published', published_at = ? WHERE id = ?",
                          {a_.clock().NowMs(), id}));
    EXPECT_TRUE(a_.ctx().search_feed->Sync({id}));  // what A's review service does after publishing
  }
  int64_t Found(Client& c, const std::string& q_escaped) {
    auto r = c.Get("/api/v1/portal/search?q=" + q_escaped).Json();
    return r["total"].get<int64_t>();
  }
};

TEST_F(SeveralServersPortalTest, AClickIsCountedOnceAcrossServers) {
  Publish(resource_id_);
  std::string url = "/api/v1/portal/resources/" + std::to_string(resource_id_);
  Client on_a(a_.port());
  auto first = on_a.Request("POST", url + "/view");
  ASSERT_EQ(first.status, 200);
  for (const auto& c : first.set_cookies) {
    if (c.rfind("lep_vid=", 0) == 0) on_a.cookie = c.substr(0, c.find(';'));
  }
  ASSERT_FALSE(on_a.cookie.empty());
  Client on_b(b_.port());
  on_b.cookie = on_a.cookie;  // the same browser, balanced to the other server
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(on_b.Request("POST", url + "/view").status, 200);
    ASSERT_EQ(on_a.Request("POST", url + "/view").status, 200);
  }
  b_.ctx().counters->Flush();
  a_.ctx().counters->Flush();
  auto clicks = [&] {
    return (*a_.ctx().db->QueryOne("SELECT clicks FROM resources WHERE id = ?", {resource_id_}))
        ->Int(0);
  };
  EXPECT_EQ(clicks(), 1);
  // After the window a view on B counts again, and then not on A.
  a_.clock().Advance(std::chrono::minutes(31));
  ASSERT_EQ(on_b.Request("POST", url + "/view").status, 200);
  b_.ctx().counters->Flush();
  ASSERT_EQ(on_a.Request("POST", url + "/view").status, 200);
  a_.ctx().counters->Flush();
  EXPECT_EQ(clicks(), 2);
}

TEST_F(SeveralServersPortalTest, PublishedOnOneServerIsFoundOnTheOtherAfterTheFeed) {
  const std::string q = "%E5%A4%AA%E6%9E%81%E6%8B%B3";  // 太极拳
  Client anon_a(a_.port());
  Client anon_b(b_.port());
  EXPECT_EQ(Found(anon_b, q), 0);
  Publish(resource_id_);
  EXPECT_EQ(Found(anon_a, q), 1);
  EXPECT_EQ(Found(anon_b, q), 0);  // B has not applied the feed yet
  auto applied = b_.ctx().search_feed->ApplyOnce();
  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(*applied, 1);
  EXPECT_EQ(Found(anon_b, q), 1);
  // Applying again changes nothing; withdrawing through A reaches B the same way.
  EXPECT_EQ(*b_.ctx().search_feed->ApplyOnce(), 0);
  ASSERT_TRUE(
      a_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {resource_id_}));
  ASSERT_TRUE(b_.ctx().search_feed->ApplyOnce());
  EXPECT_EQ(Found(anon_b, q), 0);
  // A rename of the owning unit re-indexes its published resources (the unit name is
  // searchable): republish, rename, and B finds it by the new name.
  Publish(resource_id_);
  auto org = a_.ctx().db->QueryOne("SELECT org_id FROM resources WHERE id = ?", {resource_id_});
  ASSERT_TRUE(org && *org);
  ASSERT_TRUE(a_.ctx().db->Exec("UPDATE orgs SET name = ? WHERE id = ?",
                                {std::string("岭南长寿示范学院"), (*org)->Int(0)}));
  ASSERT_TRUE(b_.ctx().search_feed->ApplyOnce());
  EXPECT_EQ(Found(anon_b, "%E9%95%BF%E5%AF%BF"), 1);  // 长寿
  // Once the rows have settled the mark moves on and a restart of B re-applies nothing old.
  a_.clock().Advance(std::chrono::minutes(2));
  ASSERT_TRUE(b_.ctx().search_feed->ApplyOnce());
  auto mark = b_.ctx().search->GetMeta("outbox_seq");
  ASSERT_TRUE(mark);
  auto max_seq = a_.ctx().db->QueryOne("SELECT MAX(seq) FROM portal_outbox");
  EXPECT_EQ(*mark, std::to_string((*max_seq)->Int(0)));
}

// Issue 16: only published resources are public, also on a server whose index and caches are
// behind. Withdrawn through A; B has not applied the feed (its index still holds the
// resource, its caches still have the pages) and shows nothing of it.
TEST_F(SeveralServersPortalTest, AServerBehindTheFeedShowsNothingWithdrawn) {
  Publish(resource_id_);
  ASSERT_TRUE(b_.ctx().search_feed->ApplyOnce());
  const std::string q = "%E5%A4%AA%E6%9E%81%E6%8B%B3";  // 太极拳
  const std::string detail = "/api/v1/portal/resources/" + std::to_string(resource_id_);
  Client anon_b(b_.port());
  auto has = [&](const nlohmann::json& items) {
    for (const auto& i : items) {
      if (i["id"] == resource_id_) return true;
    }
    return false;
  };
  // B has it in its index and its caches.
  ASSERT_TRUE(has(anon_b.Get("/api/v1/portal/search?q=" + q).Json()["items"]));
  ASSERT_EQ(anon_b.Get(detail).status, 200);
  ASSERT_TRUE(has(anon_b.Get("/api/v1/portal/home").Json()["newest"]));
  ASSERT_TRUE(has(anon_b.Get("/api/v1/portal/catalog").Json()["items"]));
  ASSERT_TRUE(
      a_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {resource_id_}));
  // Until A reports the change, B's pages come from memory (no database read per request) ...
  EXPECT_EQ(anon_b.Get(detail).status, 200);
  // ... A reports it the way its review service does after a withdrawal (the public-change
  // handler): the shared withdrawal mark moves on.
  ASSERT_TRUE(a_.ctx().search_feed->Sync({resource_id_}));
  // B's index still holds it (no feed applied) ...
  auto indexed = b_.ctx().search->Search([&] {
    search::SearchQuery sq;
    sq.q = "太极拳";
    return sq;
  }());
  ASSERT_TRUE(indexed);
  ASSERT_EQ(indexed->hits.size(), 1u);
  // ... yet nothing of it is shown: search items, detail, home, catalog, media, the beacon.
  EXPECT_FALSE(has(anon_b.Get("/api/v1/portal/search?q=" + q).Json()["items"]));
  EXPECT_EQ(anon_b.Get(detail).status, 404);
  EXPECT_FALSE(has(anon_b.Get("/api/v1/portal/home").Json()["newest"]));
  EXPECT_FALSE(has(anon_b.Get("/api/v1/portal/catalog").Json()["items"]));
  EXPECT_EQ(anon_b.Get("/media/resources/" + std::to_string(resource_id_)).status, 404);
  EXPECT_EQ(anon_b.Request("POST", detail + "/view").status, 404);
}

// Issue 16 item 6: published media are served without a session lookup or a database read
// per request, on every server; a withdrawal through A stops B at once, although B has not
// applied the feed (the public link in the shared data directory is gone).
TEST_F(SeveralServersPortalTest, PublicMediaNeedNoDatabaseReadAndStopAtWithdrawal) {
  std::string clip = ReadFile(*dir_ + "/clip.mp4");
  std::string loc = Create(up_a_, clip.size());
  ASSERT_EQ(Patch(up_a_, loc, 0, clip).status, 204);
  const std::string url = "/media/resources/" + std::to_string(resource_id_);
  Client anon_a(a_.port());
  Client anon_b(b_.port());
  EXPECT_EQ(anon_b.Get(url).status, 404);  // not published yet
  Publish(resource_id_);
  auto whole = anon_b.Get(url);
  ASSERT_EQ(whole.status, 200);
  EXPECT_EQ(Sha256Hex(whole.body), Sha256Hex(clip));
  EXPECT_EQ(whole.headers["cache-control"], "public, max-age=3600");
  const int64_t resolved_b = b_.ctx().public_media->resolves();
  for (int i = 0; i < 20; ++i) {
    auto part = anon_b.Request("GET", url, "", {{"Range", "bytes=100-199"}});
    ASSERT_EQ(part.status, 206);
    ASSERT_EQ(part.body, clip.substr(100, 100));
    ASSERT_EQ(anon_a.Request("HEAD", url).status, 200);
  }
  EXPECT_EQ(b_.ctx().public_media->resolves(), resolved_b);  // no database read per request
  EXPECT_LE(a_.ctx().public_media->resolves(), 1);
  // Behind nginx (which sets X-Lep-Accel): an empty answer naming the public link.
  auto accel = anon_b.Request("GET", url, "", {{"X-Lep-Accel", "/_lep_public_media/"}});
  EXPECT_EQ(accel.status, 200);
  EXPECT_EQ(accel.headers["x-accel-redirect"],
            "/_lep_public_media/" + std::to_string(resource_id_));
  EXPECT_TRUE(accel.body.empty());
  auto odd = anon_b.Request("GET", url, "", {{"X-Lep-Accel", "/../etc/"}});
  EXPECT_EQ(odd.headers.count("x-accel-redirect"), 0u);
  EXPECT_EQ(odd.body.size(), clip.size());
  // Withdrawn through A (its review service reports the change the way Publish does).
  ASSERT_TRUE(
      a_.ctx().db->Exec("UPDATE resources SET state = 'withdrawn' WHERE id = ?", {resource_id_}));
  ASSERT_TRUE(a_.ctx().search_feed->Sync({resource_id_}));
  EXPECT_EQ(anon_b.Get(url).status, 404);  // B has not applied the feed
  EXPECT_EQ(anon_a.Get(url).status, 404);
  // The unit's own uploader still plays it (the session path).
  EXPECT_EQ(up_b_.Get(url).status, 200);
  // Published again: public again on both.
  Publish(resource_id_);
  EXPECT_EQ(anon_b.Get(url).status, 200);
  EXPECT_EQ(anon_a.Get(url).status, 200);
}

TEST_F(SeveralServersPortalTest, AFreshServerRebuildsItsIndexFromTheDatabase) {
  Publish(resource_id_);
  TestServer c(a_);  // a third server, new empty index: rebuilt at start
  Client anon(c.port());
  EXPECT_EQ(Found(anon, "%E5%A4%AA%E6%9E%81%E6%8B%B3"), 1);
  auto mark = c.ctx().search->GetMeta("outbox_seq");
  ASSERT_TRUE(mark);
  EXPECT_FALSE(mark->empty());
}

TEST_F(SeveralServersPortalTest, AServerBehindPrunedRowsRebuildsItsIndex) {
  ASSERT_TRUE(b_.ctx().search_feed->ApplyOnce());
  Publish(resource_id_);
  // Age the rows by a day and prune them through A: B never saw this publication in the feed.
  ASSERT_TRUE(a_.ctx().db->Exec("UPDATE portal_outbox SET at = at - ?",
                                {portal::SearchFeed::kKeepMs + 60'000}));
  a_.ctx().search_feed->Prune();
  EXPECT_EQ((*a_.ctx().db->QueryOne("SELECT COUNT(*) FROM portal_outbox"))->Int(0), 0);
  auto pruned = a_.ctx().db->QueryOne("SELECT value FROM settings WHERE key = ?",
                                      {std::string("search.outbox_pruned_seq")});
  ASSERT_TRUE(pruned && *pruned);
  auto rebuilt = b_.ctx().search_feed->ApplyOnce();  // its mark lies before the pruned rows
  ASSERT_TRUE(rebuilt) << rebuilt.error().message;
  EXPECT_EQ(*rebuilt, 1);  // the published resources, re-read from the database
  Client anon(b_.port());
  EXPECT_EQ(Found(anon, "%E5%A4%AA%E6%9E%81%E6%8B%B3"), 1);
  EXPECT_EQ(*b_.ctx().search->GetMeta("outbox_seq"), (*pruned)->Text(0));
}

}  // namespace
}  // namespace lep::testing
