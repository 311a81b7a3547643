// Backup, restore drill and fixity (数据备份恢复, 数据完整性) on a real data directory: a backup
// restores into a fresh directory with every file verified, the audit chain intact and the
// personal data decryptable; a damaged backup, a missing key or a non-empty target are
// refused; the fixity check names a media file whose bytes changed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "app/backup.h"
#include "integration/server_fixture.h"

namespace lep::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::getenv("LEP_TEST_PG_URL")) GTEST_SKIP() << "the drill below is for SQLite; PostgreSQL uses pg_dump";
    base_ = fs::temp_directory_path() / ("lep-backup-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter_++));
    fs::remove_all(base_);
    server_ = std::make_unique<TestServer>();
    auto& ctx = server_->ctx();
    // A unit contact (encrypted at rest) and one media file with its recorded SHA-256.
    Client admin(server_->port());
    ASSERT_EQ(admin.Login("gd_admin").status, 200);
    gd_ = (*ctx.db->QueryOne("SELECT id FROM orgs WHERE name = '广东省教育厅'"))->Int(0);
    ASSERT_EQ(admin.Send("PUT", "/api/v1/orgs/" + std::to_string(gd_) + "/contact",
                         {{"name", "王演示"}, {"title", "处长"}, {"office_phone", "020-83331234"},
                          {"mobile", "13912345678"}, {"email", "wang.demo@example.cn"}})
                  .status,
              200);
    auto org = (*ctx.db->QueryOne("SELECT id FROM orgs WHERE name = '岭南示范职业技术学院（演示）'"))->Int(0);
    auto res = ctx.db->QueryOne(
        "INSERT INTO resources (org_id, title, type, domain, summary, copyright_holder, presenters, "
        "created_at, updated_at) VALUES (?, '备份演练', 'A01', '老年教育', '简介', '某学院', '张三', 0, 0) "
        "RETURNING id",
        {org});
    ASSERT_TRUE(res && *res);
    resource_ = (*res)->Int(0);
    std::string bytes(3 << 20, 'v');
    for (size_t i = 0; i < bytes.size(); i += 4096) bytes[i] = static_cast<char>(i / 4096);
    auto blob = ctx.blobs->PutBytes(bytes);
    ASSERT_TRUE(blob);
    blob_ = *blob;
    auto sha = app::Sha256OfFile(*ctx.blobs->PathOf(blob_));
    ASSERT_TRUE(sha);
    ASSERT_TRUE(ctx.db->Exec(
        "INSERT INTO media (resource_id, blob, sha256, size, filename, kind, created_at) VALUES "
        "(?, ?, ?, ?, 'a.mp4', 'media', 0)",
        {resource_, blob_, *sha, static_cast<int64_t>(bytes.size())}));
  }
  void TearDown() override {
    server_.reset();
    if (!base_.empty()) fs::remove_all(base_);
  }

  Config Target(const std::string& name) {
    Config c;
    c.data_dir = (base_ / name).string();
    c.argon2_opslimit = 1;
    c.argon2_memlimit = 8192;
    return c;
  }

  static inline int counter_ = 0;
  fs::path base_;
  std::unique_ptr<TestServer> server_;
  int64_t gd_ = 0, resource_ = 0;
  std::string blob_;
};

TEST_F(BackupTest, RestoreDrillIntoAFreshDirectory) {
  auto& ctx = server_->ctx();
  std::string out = (base_ / "backup").string();
  auto rep = app::CreateBackup(ctx, {out, true});
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(fs::exists(base_ / "backup" / "manifest.json"));
  EXPECT_GE(rep->files, 4);  // database, blob, anchor, key
  // A backup never goes into a directory that holds something.
  EXPECT_FALSE(app::CreateBackup(ctx, {out, true}));

  app::RestoreOptions ro;
  ro.from_dir = out;
  ro.target = Target("restored");
  auto restored = app::RestoreBackup(ro);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(restored->files_verified, rep->files);
  EXPECT_GT(restored->audit_rows, 0);
  EXPECT_GE(restored->contacts_decrypted, 1);

  auto again = app::BuildAppContext(ro.target, nullptr, false);
  ASSERT_TRUE(again) << again.error().message;
  auto contact = (*again)->org_repo->GetContact(orgs::OrgId{gd_});
  ASSERT_TRUE(contact && *contact);
  EXPECT_EQ((*contact)->mobile, "13912345678");
  auto media = (*again)->db->QueryOne("SELECT blob, sha256 FROM media WHERE resource_id = ?",
                                      {resource_});
  ASSERT_TRUE(media && *media);
  EXPECT_EQ(*app::Sha256OfFile(*(*again)->blobs->PathOf((*media)->Text(0))), (*media)->Text(1));
  auto fixity = app::RunFixityCheck(**again);
  ASSERT_TRUE(fixity);
  EXPECT_EQ(fixity->checked, 1);
  EXPECT_TRUE(fixity->mismatches.empty());

  // Restoring over data is refused.
  auto twice = app::RestoreBackup(ro);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("已有数据"), std::string::npos);
}

TEST_F(BackupTest, DamagedBackupIsRefusedBeforeAnythingIsWritten) {
  std::string out = (base_ / "backup").string();
  ASSERT_TRUE(app::CreateBackup(server_->ctx(), {out, true}));
  std::string rel = "blobs/" + blob_.substr(0, 2) + "/" + blob_.substr(2, 2) + "/" + blob_;
  ASSERT_TRUE(fs::exists(base_ / "backup" / rel)) << rel;
  {
    std::fstream f(base_ / "backup" / rel, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('X');
  }
  app::RestoreOptions ro;
  ro.from_dir = out;
  ro.target = Target("restored");
  auto r = app::RestoreBackup(ro);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(rel), std::string::npos) << r.error().message;
  EXPECT_FALSE(fs::exists(base_ / "restored" / "lep.db"));
  ro.verify_only = true;
  EXPECT_FALSE(app::RestoreBackup(ro));
}

TEST_F(BackupTest, WithoutTheKeyRestoreNeedsIt) {
  std::string out = (base_ / "backup").string();
  auto rep = app::CreateBackup(server_->ctx(), {out, false});
  ASSERT_TRUE(rep);
  EXPECT_FALSE(fs::exists(base_ / "backup" / "secrets"));
  app::RestoreOptions ro;
  ro.from_dir = out;
  ro.target = Target("restored");
  auto r = app::RestoreBackup(ro);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--key"), std::string::npos);
  // A different key: the contacts do not decrypt, and restore says so.
  std::string other = (base_ / "other.key").string();
  ASSERT_TRUE(security::FieldCipher::FromKeyFile(other, true));
  ro.key_file = other;
  ro.target = Target("restored2");
  auto wrong = app::RestoreBackup(ro);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("密钥"), std::string::npos) << wrong.error().message;
  ro.key_file = server_->ctx().config.KeyFile();
  ro.target = Target("restored3");
  EXPECT_TRUE(app::RestoreBackup(ro));
}

TEST_F(BackupTest, FixityNamesAChangedMediaFile) {
  auto& ctx = server_->ctx();
  auto clean = app::RunFixityCheck(ctx);
  ASSERT_TRUE(clean);
  EXPECT_TRUE(clean->mismatches.empty());
  {
    std::fstream f(*ctx.blobs->PathOf(blob_), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12345);
    f.put('Z');
  }
  auto bad = app::RunFixityCheck(ctx);
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->mismatches.size(), 1u);
  EXPECT_NE(bad->mismatches[0].find("资源 " + std::to_string(resource_)), std::string::npos);
  auto row = ctx.db->QueryOne("SELECT ok, error FROM fixity_checks ORDER BY id DESC LIMIT 1");
  EXPECT_EQ((*row)->Int(0), 0);
  fs::remove(*ctx.blobs->PathOf(blob_));
  auto gone = app::RunFixityCheck(ctx);
  EXPECT_NE(gone->mismatches.at(0).find("缺失"), std::string::npos);
}

// Taken beside a live server (issue 14 item 10): media replaced while the backup copies
// (the old file is deleted once the database no longer names it) must still restore intact.
TEST_F(BackupTest, MediaReplacedDuringTheBackupRestoresIntact) {
  auto& ctx = server_->ctx();
  auto org = (*ctx.db->QueryOne("SELECT org_id FROM resources WHERE id = ?", {resource_}))->Int(0);
  auto second = (*ctx.db->QueryOne(
                     "INSERT INTO resources (org_id, title, type, domain, summary, "
                     "copyright_holder, presenters, created_at, updated_at) VALUES (?, '第二讲', "
                     "'A01', '老年教育', '简介', '某学院', '张三', 0, 0) RETURNING id",
                     {org}))
                    ->Int(0);
  auto put_media = [&](int64_t id, char fill) -> std::string {
    std::string bytes(1 << 20, fill);
    auto blob = ctx.blobs->PutBytes(bytes);
    EXPECT_TRUE(blob);
    EXPECT_TRUE(ctx.db->Exec(
        "INSERT INTO media (resource_id, blob, sha256, size, filename, kind, created_at) VALUES "
        "(?, ?, ?, ?, 'b.mp4', 'media', 0) ON CONFLICT (resource_id) DO UPDATE SET blob = "
        "excluded.blob, sha256 = excluded.sha256",
        {id, *blob, *app::Sha256OfFile(*ctx.blobs->PathOf(*blob)),
         static_cast<int64_t>(bytes.size())}));
    return *blob;
  };
  std::string old_second = put_media(second, 's');
  bool replaced = false;
  std::string out = (base_ / "backup").string();
  auto rep = app::CreateBackup(ctx, {out, true}, [&](int64_t, int64_t) {
    if (replaced) return;
    replaced = true;
    // Both media are replaced after the first file was copied; the old files go away.
    put_media(resource_, 'n');
    put_media(second, 'm');
    ASSERT_TRUE(ctx.blobs->Remove(blob_));
    ASSERT_TRUE(ctx.blobs->Remove(old_second));
  });
  ASSERT_TRUE(rep) << rep.error().message;
  ASSERT_TRUE(replaced);
  app::RestoreOptions ro;
  ro.from_dir = out;
  ro.target = Target("restored");
  ASSERT_TRUE(app::RestoreBackup(ro));
  auto again = app::BuildAppContext(ro.target, nullptr, false);
  ASSERT_TRUE(again) << again.error().message;
  auto fixity = app::RunFixityCheck(**again);
  ASSERT_TRUE(fixity);
  EXPECT_EQ(fixity->checked, 2);
  EXPECT_TRUE(fixity->mismatches.empty()) << fixity->mismatches.front();
}

// The server anchors the audit chain every few minutes, also while a backup runs: an anchor
// newer than the snapshot must not make the restored chain look cut off.
TEST_F(BackupTest, AnAnchorWrittenDuringTheBackupDoesNotBreakTheRestore) {
  auto& ctx = server_->ctx();
  std::string anchor = ctx.config.data_dir + "/audit.anchor";
  int calls = 0;
  std::string out = (base_ / "backup").string();
  auto rep = app::CreateBackup(ctx, {out, true}, [&](int64_t, int64_t) {
    if (++calls == 1) {
      ASSERT_TRUE(ctx.blobs->PutBytes(std::string(4096, 'x')));  // a new upload
    }
    security::AuditRecord r;
    r.at = server_->clock().NowMs();
    r.action = "test.during_backup";
    r.object = "backup";
    r.result = "ok";
    (void)ctx.audit->Record(r);
    ASSERT_TRUE(security::AnchorHead(*ctx.db, anchor, server_->clock()));
  });
  ASSERT_TRUE(rep) << rep.error().message;
  app::RestoreOptions ro;
  ro.from_dir = out;
  ro.target = Target("restored");
  auto restored = app::RestoreBackup(ro);
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_GT(restored->audit_rows, 0);
  EXPECT_GE(calls, 2) << "an anchor was written after the snapshot";
}

TEST_F(BackupTest, TheScheduledFixityRunsOncePerIntervalAndAuditsMismatches) {
  auto& ctx = server_->ctx();
  ASSERT_EQ(ctx.config.fixity_interval_hours, 168);
  EXPECT_FALSE(*app::MaybeRunScheduledFixity(ctx));  // first start: schedules only
  server_->clock().Advance(std::chrono::hours(167));
  EXPECT_FALSE(*app::MaybeRunScheduledFixity(ctx));
  {
    std::fstream f(*ctx.blobs->PathOf(blob_), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(7);
    f.put('Q');
  }
  server_->clock().Advance(std::chrono::hours(2));
  EXPECT_TRUE(*app::MaybeRunScheduledFixity(ctx));
  EXPECT_FALSE(*app::MaybeRunScheduledFixity(ctx));  // claimed: not twice in one interval
  auto row = ctx.db->QueryOne(
      "SELECT result, detail FROM audit_log WHERE action = 'fixity.check' ORDER BY id DESC");
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->Text(0), "mismatch");
  EXPECT_NE((*row)->Text(1).find("资源 " + std::to_string(resource_)), std::string::npos);
}

}  // namespace
}  // namespace lep::testing
