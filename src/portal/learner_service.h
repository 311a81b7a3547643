// LearnerService: what a signed-in learner does beside watching — rate and comment (使用评价,
// shown after moderation by the owning unit's admin chain or the platform; comments are
// screened for sensitive words), keep favourites and a learning history with the resume
// position. Only published resources can be rated, kept or resumed. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "auth/user.h"
#include "core/clock.h"
#include "orgs/org_repository.h"
#include "portal/learner_repository.h"
#include "portal/rating_repository.h"
#include "resources/resource_repository.h"

namespace lep::portal {

struct RatingInput {
  int64_t score = 0;  // 1–5
  std::string comment;
};

struct PublicRatings {
  RatingSummary summary;
  std::vector<Rating> items;  // approved, newest first
};

// A favourite or history entry with the title of its (published) resource.
struct LearnerItem {
  int64_t resource_id = 0;
  std::string title;
  int64_t position_s = 0;  // history only
  int64_t at = 0;
};

class LearnerService {
 public:
  static constexpr int kMaxComment = 500;  // characters
  static constexpr int64_t kMaxPosition = 100 * 3600;
  // The sensitive words found in a text (";"-joined, "" when clean).
  using Screen = std::function<std::string(const std::string& text)>;

  LearnerService(RatingRepository& ratings, LearnerRepository& learners,
                 resources::ResourceRepository& resources, orgs::OrgRepository& orgs,
                 const Clock& clock, Screen screen)
      : ratings_(ratings),
        learners_(learners),
        resources_(resources),
        orgs_(orgs),
        clock_(clock),
        screen_(std::move(screen)) {}

  // Validates (field errors in Chinese), screens the comment and stores a pending rating;
  // kAlreadyExists for a second rating of the same resource.
  [[nodiscard]] Result<int64_t> Rate(const auth::Principal& p, resources::ResourceId id,
                                     const RatingInput& in);
  [[nodiscard]] Result<PublicRatings> Ratings(resources::ResourceId id);
  // Pending ratings p may moderate (kPermissionDenied for roles that moderate nothing).
  [[nodiscard]] Result<std::vector<Rating>> Pending(const auth::Principal& p);
  // A rating p may not moderate is kNotFound.
  [[nodiscard]] Status Moderate(const auth::Principal& p, int64_t rating_id, bool approve);

  [[nodiscard]] Status AddFavourite(const auth::Principal& p, resources::ResourceId id);
  [[nodiscard]] Status RemoveFavourite(const auth::Principal& p, resources::ResourceId id);
  [[nodiscard]] Result<std::vector<LearnerItem>> Favourites(const auth::Principal& p);
  [[nodiscard]] Status PutHistory(const auth::Principal& p, resources::ResourceId id,
                                  int64_t position_s);
  [[nodiscard]] Result<std::vector<LearnerItem>> History(const auth::Principal& p);

 private:
  Result<resources::PublishedResource> RequirePublished(resources::ResourceId id);
  // Published titles of items (dropping those no longer published), in their order.
  Result<std::vector<LearnerItem>> WithTitles(std::vector<LearnerItem> items);
  Result<bool> CanModerate(const auth::Principal& p, int64_t resource_id);

  RatingRepository& ratings_;
  LearnerRepository& learners_;
  resources::ResourceRepository& resources_;
  orgs::OrgRepository& orgs_;
  const Clock& clock_;
  Screen screen_;
};

}  // namespace lep::portal
