// Contract suite of ResourceRepository (the only code that writes `resources`), the ingest
// module's MediaRepository and the uploads' UploadRepository, on SQLite and, with
// LEP_TEST_PG_URL, PostgreSQL.
#include <gtest/gtest.h>

#include "app/schema.h"
#include "contract/migrated_backend.h"
#include "ingest/lesson_repository.h"
#include "ingest/media_repository.h"
#include "orgs/org_repository_sql.h"
#include "resources/resource_repository.h"
#include "security/field_cipher.h"
#include "storage/db/migrations.h"
#include "test_database.h"
#include "uploads/upload_repository.h"

namespace lep {
namespace {

using resources::Resource;
using resources::ResourceId;
using resources::ResourceState;
using resources::StateChange;

class ResourceContract : public MigratedBackend {
 protected:
  void SetUp() override {
    MigratedBackend::SetUp();
    if (!db_) return;
    orgs_ = orgs::NewSqlOrgRepository(*db_, cipher_);
    repo_ = resources::NewSqlResourceRepository(*db_);
    media_ = ingest::NewSqlMediaRepository(*db_);
    org_ = orgs_->Create(std::nullopt, orgs::OrgKind::kOpenUniversity, "国家开放大学", "", 1)
               ->id;
  }
  void TearDown() override {
    media_.reset();
    repo_.reset();
    orgs_.reset();
    MigratedBackend::TearDown();
  }

  Resource Draft(const std::string& title) {
    Resource r;
    r.org_id = org_;
    r.created_by = 7;
    r.meta.title = title;
    r.meta.summary = "简介";
    r.meta.domain = "老年教育";
    r.meta.copyright_holder = "演示学院";
    r.meta.presenters = {"张演示"};
    r.created_at = r.updated_at = 100;
    return *repo_->Create(r);
  }

  Status InTx(const std::function<Status(storage::SqlExecutor&)>& fn) {
    return db_->Transaction(fn);
  }

  security::FieldCipher cipher_ = *security::FieldCipher::FromKey(std::string(32, 'k'));
  std::unique_ptr<orgs::OrgRepository> orgs_;
  std::unique_ptr<resources::ResourceRepository> repo_;
  std::unique_ptr<ingest::MediaRepository> media_;
  orgs::OrgId org_;
};

TEST_P(ResourceContract, StateChangesAreCompareAndSetAndFillTheWorkflowFacts) {
  Resource r = Draft("太极拳");
  StateChange submit;
  submit.from = ResourceState::kDraft;
  submit.expected_version = r.version;
  submit.to = ResourceState::kFirstReview;
  submit.campaign_id = 3;
  submit.attested_by = 7;
  submit.at = 200;
  int64_t v = 0;
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(v, repo_->ChangeState(tx, r.id, submit));
    return Ok();
  }));
  EXPECT_EQ(v, r.version + 1);
  // The same step again: the row has moved on.
  auto again = InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->ChangeState(tx, r.id, submit).map([](auto) {});
  });
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().Is(ErrorCode::kConflict));
  auto got = **repo_->Get(r.id);
  EXPECT_EQ(got.state, ResourceState::kFirstReview);
  EXPECT_EQ(got.workflow.campaign_id, 3);
  EXPECT_EQ(got.workflow.attested_by, 7);
  EXPECT_EQ(got.workflow.attested_at, 200);
  EXPECT_EQ(got.workflow.published_at, 0);
  // A state-only step (batch publication) without a version.
  StateChange approve{ResourceState::kFirstReview, std::nullopt, ResourceState::kApproved};
  approve.claimed_by = 9;
  approve.at = 300;
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->ChangeState(tx, r.id, approve).map([](auto) {});
  }));
  StateChange publish{ResourceState::kApproved, std::nullopt, ResourceState::kPublished};
  publish.batch_id = 5;
  publish.published = true;
  publish.at = 400;
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->ChangeState(tx, r.id, publish).map([](auto) {});
  }));
  got = **repo_->Get(r.id);
  EXPECT_EQ(got.workflow.claimed_by, 9);
  EXPECT_EQ(got.workflow.batch_id, 5);
  EXPECT_EQ(got.workflow.published_at, 400);
  EXPECT_EQ(got.workflow.campaign_id, 3);  // kept
}

// A metadata edit writes the metadata only: a cover stored meanwhile survives, and the edit of
// a stale version is refused.
TEST_P(ResourceContract, MetadataUpdatesNeverTouchCoverStateOrWorkflow) {
  Resource r = Draft("八段锦");
  resources::Cover cover{std::string(32, 'a'), std::string(32, 'b'), 640, 360};
  std::optional<resources::Cover> old;
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(old, repo_->SetCover(tx, r.id, r.version, cover, 150));
    return Ok();
  }));
  EXPECT_FALSE(old);
  Resource edited = r;  // read before the cover was stored
  edited.meta.title = "八段锦（修订）";
  auto stale = repo_->Update(edited, r.version);
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().Is(ErrorCode::kConflict));
  auto fresh = **repo_->Get(r.id);
  fresh.meta.title = "八段锦（修订）";
  fresh.cover.reset();  // even a caller that lost the cover cannot remove it this way
  ASSERT_TRUE(repo_->Update(fresh, fresh.version));
  auto got = **repo_->Get(r.id);
  EXPECT_EQ(got.meta.title, "八段锦（修订）");
  ASSERT_TRUE(got.cover);
  EXPECT_EQ(got.cover->width, 640);
  EXPECT_EQ(got.state, ResourceState::kDraft);
}

TEST_P(ResourceContract, FilesChangeOnlyWhileEditableAndAtTheVersionRead) {
  Resource r = Draft("书法入门");
  resources::Cover cover{std::string(32, 'c'), std::string(32, 'd'), 800, 450};
  // A stale version: conflict.
  auto stale = InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->SetMeasuredDuration(tx, r.id, r.version + 5, "00:01:00", 1).map([] {});
  });
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().Is(ErrorCode::kConflict));
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->SetMeasuredDuration(tx, r.id, r.version, "00:01:00", 1);
  }));
  EXPECT_EQ((**repo_->Get(r.id)).meta.duration, "00:01:00");
  // Submitted: no new files, whatever the version.
  auto current = **repo_->Get(r.id);
  StateChange submit{ResourceState::kDraft, current.version, ResourceState::kFinalReview};
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->ChangeState(tx, r.id, submit).map([](auto) {});
  }));
  current = **repo_->Get(r.id);
  auto refused = InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->SetCover(tx, r.id, current.version, cover, 2).map([](auto&&) {});
  });
  ASSERT_FALSE(refused);
  EXPECT_TRUE(refused.error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_NE(refused.error().message.find("终审"), std::string::npos) << refused.error().message;
  EXPECT_FALSE((**repo_->Get(r.id)).cover);
}

TEST_P(ResourceContract, UsageIsAddedWithoutAVersionChangeAndGetManyKeepsOrder) {
  Resource a = Draft("甲"), b = Draft("乙");
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->AddUsage(tx, {{a.id, 3, 1}, {b.id, 0, 0}, {a.id, 2, 0}});
  }));
  auto got = **repo_->Get(a.id);
  EXPECT_EQ(got.meta.clicks, 5);
  EXPECT_EQ(got.meta.learners, 1);
  EXPECT_EQ(got.version, a.version);
  auto many = *repo_->GetMany({b.id, ResourceId{999999}, a.id});
  ASSERT_EQ(many.size(), 2u);
  EXPECT_EQ(many[0].id, b.id);
  EXPECT_EQ(many[1].id, a.id);
}

TEST_P(ResourceContract, MediaRecordsAndRemuxCompareAndSet) {
  Resource r = Draft("视频");
  ingest::MediaRecord m;
  m.resource_id = r.id.value;
  m.blob = "orig1";
  m.sha256 = "s1";
  m.size = 10;
  m.filename = "a.mp4";
  m.kind = "video";
  m.playback_blob = "orig1";
  m.probe = {{"width", 1280}};
  m.report = nlohmann::json::array();
  m.state = "remuxing";
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) { return media_->Save(tx, m); }));
  EXPECT_TRUE(*media_->SavePlayback(*db_, r.id.value, "orig1", "copy1", "s2", {}, true, m.probe));
  auto got = **media_->Get(r.id.value);
  EXPECT_EQ(got.playback_blob, "copy1");
  EXPECT_EQ(got.state, "ready");
  EXPECT_EQ(got.probe["width"], 1280);
  // A remux of media replaced meanwhile writes nothing.
  m.blob = m.playback_blob = "orig2";
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) { return media_->Save(tx, m); }));
  EXPECT_FALSE(*media_->SavePlayback(*db_, r.id.value, "orig1", "copy-late", "s3", {}, true, m.probe));
  EXPECT_EQ((**media_->Get(r.id.value)).playback_blob, "orig2");
  // Link checks: one row per resource, replaced.
  ASSERT_TRUE(media_->SaveLinkCheck(r.id.value, {"https://a.example/", false, 0, "", 0, 5,
                                                 "dns", "无法解析", 10}));
  ASSERT_TRUE(media_->SaveLinkCheck(r.id.value, {"https://a.example/", true, 200,
                                                 "https://a.example/", 1, 6, "", "", 20}));
  auto check = **media_->GetLinkCheck(r.id.value);
  EXPECT_TRUE(check.reachable);
  EXPECT_EQ(check.checked_at, 20);
  // Fixity: the original and the playback copy, each with its recorded hash (a file without
  // one is left out); results stored.
  auto targets = *media_->FixityTargets();
  ASSERT_EQ(targets.size(), 1u);  // the playback copy has no hash recorded
  m.playback_blob = "copy2";
  m.playback_sha256 = "s2";
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) { return media_->Save(tx, m); }));
  targets = *media_->FixityTargets();
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].blob, "orig2");
  EXPECT_EQ(targets[0].sha256, "s1");
  EXPECT_FALSE(targets[0].playback);
  EXPECT_TRUE(targets[1].playback);
  EXPECT_EQ(targets[1].blob, "copy2");
  EXPECT_EQ(targets[1].sha256, "s2");
  ASSERT_TRUE(media_->RecordFixity({r.id.value, "orig2", "s1", "bad", false, "不一致", 30}));
  auto stored = db_->QueryOne("SELECT ok, error, actual_sha256 FROM fixity_checks WHERE "
                              "resource_id = ?", {r.id.value});
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->Int(0), 0);
  EXPECT_EQ((*stored)->Text(1), "不一致");
  EXPECT_EQ((*stored)->Text(2), "bad");
}

// Duplicate detection (issue 17 §5): other resources with the same original, lowest id first,
// never the resource itself, at most `limit`.
TEST_P(ResourceContract, SameContentFindsOtherResourcesWithTheSameOriginal) {
  std::vector<int64_t> ids;
  for (const char* sha : {"same", "same", "other", "same"}) {
    Resource r = Draft(std::string("视频") + sha);
    ingest::MediaRecord m;
    m.resource_id = r.id.value;
    m.blob = m.playback_blob = "blob-" + std::to_string(r.id.value);
    m.sha256 = sha;
    m.size = 10;
    m.filename = "a.mp4";
    m.kind = "video";
    m.report = nlohmann::json::array();
    m.state = "ready";
    ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) { return media_->Save(tx, m); }));
    ids.push_back(r.id.value);
  }
  EXPECT_EQ(*media_->SameContent("same", ids[0], 20), (std::vector<int64_t>{ids[1], ids[3]}));
  EXPECT_EQ(*media_->SameContent("same", ids[3], 1), (std::vector<int64_t>{ids[0]}));
  EXPECT_TRUE(media_->SameContent("other", ids[2], 20)->empty());
  EXPECT_TRUE(media_->SameContent("nothing", 0, 20)->empty());
}

TEST_P(ResourceContract, UploadOffsetsMoveByCompareAndSetAndPendingTotalsCountReservations) {
  Resource r = Draft("上传");
  auto uploads = uploads::NewSqlUploadRepository(*db_);
  uploads::Upload u;
  u.id = std::string(32, 'a');
  u.resource_id = r.id.value;
  u.org_id = org_.value;
  u.user_id = 7;
  u.kind = "media";
  u.filename = "a.mp4";
  u.length = 1000;
  u.hash_state = "v2:00";
  u.created_at = 1;
  u.expires_at = 100;
  ASSERT_TRUE(uploads->Insert(u));
  u.id = std::string(32, 'b');
  u.length = 500;
  u.user_id = 8;
  ASSERT_TRUE(uploads->Insert(u));
  ASSERT_TRUE(uploads->SaveProgress(std::string(32, 'a'), 0, 400, "v2:01"));
  auto stale = uploads->SaveProgress(std::string(32, 'a'), 0, 300, "v2:02");  // rewound
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().Is(ErrorCode::kConflict));
  auto got = **uploads->Get(std::string(32, 'a'));
  EXPECT_EQ(got.offset, 400u);
  EXPECT_EQ(got.hash_state, "v2:01");
  auto totals = *uploads->Pending(org_.value, 7, 50);
  EXPECT_EQ(totals.unit_bytes, 1500u);
  EXPECT_EQ(totals.account_uploads, 1);
  // Cancelled by a submission: no longer pending, and swept as expired.
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    LEP_ASSIGN_OR_RETURN(int64_t cancelled, uploads->CancelPending(tx, r.id.value));
    EXPECT_EQ(cancelled, 2);
    return Ok();
  }));
  EXPECT_EQ(uploads->Pending(org_.value, 7, 50)->unit_bytes, 0u);
  EXPECT_EQ(uploads->Expired(50)->size(), 2u);
  ASSERT_TRUE(uploads->MarkCompleted(std::string(32, 'b'), 60, "abc"));
  EXPECT_EQ(uploads->Expired(50)->size(), 1u);
  EXPECT_FALSE(uploads->SaveProgress(std::string(32, 'b'), 0, 10, "x"));  // completed
  ASSERT_TRUE(uploads->Delete(std::string(32, 'a')));
  EXPECT_FALSE(*uploads->Get(std::string(32, 'a')));
}

// Issue 17 §5: an A03 course of uploaded lessons. 提交方式 is stored with the row; lesson
// changes take the course's row lock, re-check editability (and a named version) and keep
// positions 1..n without gaps through append, removal and reordering.
TEST_P(ResourceContract, CourseLessonsKeepTheirOrderAndChangesCheckTheCourse) {
  Resource r;
  r.org_id = org_;
  r.created_by = 7;
  r.meta.title = "书法网课";
  r.meta.type = resources::ResourceType::kCourse;
  r.meta.delivery = resources::CourseDelivery::kFiles;
  r.meta.summary = "简介";
  r.meta.domain = "老年教育";
  r.meta.copyright_holder = "演示学院";
  r.meta.presenters = {"张演示"};
  r = *repo_->Create(r);
  EXPECT_EQ((*repo_->Get(r.id))->meta.delivery, resources::CourseDelivery::kFiles);
  Resource plain = Draft("太极拳");
  EXPECT_EQ((*repo_->Get(plain.id))->meta.delivery, resources::CourseDelivery::kLink);

  auto lessons = ingest::NewSqlLessonRepository(*db_);
  auto append = [&](const std::string& title, int64_t seconds, bool passed) {
    ingest::Lesson l;
    l.resource_id = r.id.value;
    l.title = title;
    l.blob = l.playback_blob = title + "-blob";
    l.sha256 = l.playback_sha256 = "sha-" + title;
    l.duration_s = seconds;
    l.passed = passed;
    l.probe = nlohmann::json::object();
    l.report = nlohmann::json::array();
    l.state = "ready";
    ingest::Lesson out;
    EXPECT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
      LEP_RETURN_IF_ERROR(repo_->BeginLessonsChange(tx, r.id, std::nullopt, 300));
      LEP_ASSIGN_OR_RETURN(out, lessons->Append(tx, l));
      return repo_->SetLessonsDuration(tx, r.id, "00:01:00");
    }));
    return out;
  };
  auto a = append("第一课", 20, true);
  auto b = append("第二课", 20, false);
  auto c = append("第三课", 20, true);
  EXPECT_EQ(a.position, 1);
  EXPECT_EQ(c.position, 3);
  Resource now = **repo_->Get(r.id);
  EXPECT_EQ(now.version, r.version + 3);
  EXPECT_EQ(now.meta.duration, "00:01:00");
  auto problem = ingest::LessonsTechnicalProblem(*lessons->List(r.id.value));
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("第 2 课“第二课”"), std::string::npos) << *problem;
  EXPECT_EQ(*lessons->SameContent("sha-第一课", 0, 5), std::vector<int64_t>{r.id.value});

  // A stale version is refused and changes nothing.
  auto stale = InTx([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(repo_->BeginLessonsChange(tx, r.id, r.version, 400));
    return lessons->Rename(tx, r.id.value, a.id, "改名");
  });
  ASSERT_FALSE(stale);
  EXPECT_TRUE(stale.error().Is(ErrorCode::kConflict));
  EXPECT_EQ((*lessons->Get(r.id.value, a.id))->title, "第一课");

  // Reorder c, a, b; then remove a: positions close up.
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    LEP_RETURN_IF_ERROR(repo_->BeginLessonsChange(tx, r.id, now.version, 400));
    return lessons->Reorder(tx, r.id.value, {c.id, a.id, b.id});
  }));
  auto wrong = InTx([&](storage::SqlExecutor& tx) -> Status {
    return lessons->Reorder(tx, r.id.value, {c.id, a.id});
  });
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().Is(ErrorCode::kInvalidArgument));
  ASSERT_TRUE(InTx([&](storage::SqlExecutor& tx) -> Status {
    return lessons->Remove(tx, r.id.value, a.id).map([](auto&&) {});
  }));
  auto left = *lessons->List(r.id.value);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, c.id);
  EXPECT_EQ(left[0].position, 1);
  EXPECT_EQ(left[1].id, b.id);
  EXPECT_EQ(left[1].position, 2);
  EXPECT_FALSE(*lessons->Get(r.id.value, a.id));
  // Another course's lesson id is not this course's.
  EXPECT_FALSE(*lessons->Get(plain.id.value, b.id));

  // Not editable any more: refused, naming the state.
  ASSERT_TRUE(db_->Exec("UPDATE resources SET state = 'first_review' WHERE id = ?",
                        {r.id.value}));
  auto locked = InTx([&](storage::SqlExecutor& tx) -> Status {
    return repo_->BeginLessonsChange(tx, r.id, std::nullopt, 500).map([](auto) {});
  });
  ASSERT_FALSE(locked);
  EXPECT_TRUE(locked.error().Is(ErrorCode::kFailedPrecondition));
  EXPECT_NE(locked.error().message.find("初审"), std::string::npos) << locked.error().message;
}

INSTANTIATE_TEST_SUITE_P(Backends, ResourceContract, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lep
