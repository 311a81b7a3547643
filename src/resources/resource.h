// Resource (资源): one video (A01), audio (A02) or online course (A03) with the metadata of
// 附件2 表1, owned by a unit. Value types and the tables of codes and standard field names.
// Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgs/org.h"

namespace lep::resources {

struct ResourceId {
  int64_t value = 0;
  auto operator<=>(const ResourceId&) const = default;
};

enum class ResourceType { kVideo, kAudio, kCourse };  // A01, A02, A03
std::string_view TypeCode(ResourceType t);            // "A01"
std::string_view TypeLabel(ResourceType t);           // "视频资源"
// Accepts "A01", "a01", "视频资源", "A01 视频资源", "A01视频资源".
std::optional<ResourceType> ParseType(std::string_view s);

// How an online course (A03) is delivered (提交方式): a link to a third-party platform, or
// uploaded videos as an ordered series of lessons (实体资源, ingest::LessonService). A01/A02
// are always files and carry kLink here (unused).
enum class CourseDelivery { kLink, kFiles };
std::string_view DeliveryName(CourseDelivery d);   // "link" | "files"
std::string_view DeliveryLabel(CourseDelivery d);  // "链接" | "实体资源"
// Accepts "link", "files", "链接", "课程链接", "实体资源", "上传课程视频"; "" is nullopt.
std::optional<CourseDelivery> ParseDelivery(std::string_view s);

// 征集内容范围: the four domains of the notice; the API value is the Chinese name.
const std::vector<std::string>& Domains();
// Accepts the Chinese name or an English alias (degree, non_degree, senior, community).
std::optional<std::string> ParseDomain(std::string_view s);

// Workflow states (issue 5 drives the transitions); API values.
enum class ResourceState {
  kDraft,
  kSubmitted,
  kFirstReview,
  kFinalReview,
  kApproved,
  kPublished,
  kReturned,
  kRejected,
  kWithdrawn,
};
std::string_view StateName(ResourceState s);   // "draft"
std::string_view StateLabel(ResourceState s);  // "草稿"
std::optional<ResourceState> ParseState(std::string_view s);
bool IsEditable(ResourceState s);  // draft or returned

// The metadata of one resource, normalised (lists split, text trimmed).
struct Metadata {
  std::string title;
  ResourceType type = ResourceType::kVideo;
  std::string domain;
  std::string platform;
  std::string link;
  std::string series;
  std::string series_order;
  std::string summary;
  std::string duration;  // hh:mm:ss; for A01/A02 only ever set from the probed media
  std::string created_on;
  std::string copyright_holder;
  std::vector<std::string> presenters;
  int64_t clicks = 0;
  int64_t learners = 0;
  std::string toc;
  std::vector<std::string> keywords;
  std::string category;
  CourseDelivery delivery = CourseDelivery::kLink;  // A03 only
  bool operator==(const Metadata&) const = default;
};

struct Cover {
  std::string blob;        // generated storage name of the JPEG
  std::string thumb_blob;  // 480 px wide thumbnail
  int width = 0;
  int height = 0;
};

// Where a resource is in the review workflow, beyond its state. Written only by state changes
// (ResourceRepository::ChangeState), never by a metadata edit.
struct WorkflowFacts {
  std::optional<int64_t> campaign_id;  // the campaign it was submitted into
  int64_t claimed_by = 0;              // the reviewer holding it (认领), 0 = nobody
  int64_t attested_by = 0;             // who gave the submission's attestation, and when
  int64_t attested_at = 0;
  std::optional<int64_t> batch_id;  // the publication batch (第N批) that published it
  int64_t published_at = 0;
  bool operator==(const WorkflowFacts&) const = default;
};

// One row of `resources`, whole.
struct Resource {
  ResourceId id;
  orgs::OrgId org_id;
  int64_t created_by = 0;
  ResourceState state = ResourceState::kDraft;
  int64_t version = 1;  // bumped on every change; compare-and-set for updates
  Metadata meta;
  std::optional<Cover> cover;
  WorkflowFacts workflow;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

// One standard field: JSON name, the standard's Chinese name, required or not.
struct FieldSpec {
  std::string_view json;
  std::string_view label;
  bool required;
  std::string_view rule;  // Chinese description of the rule (template sheet 2)
};
const std::vector<FieldSpec>& FieldSpecs();
std::string_view LabelOf(std::string_view json_name);

// "a;b" for the text form of lists.
std::string JoinList(const std::vector<std::string>& v);

}  // namespace lep::resources
