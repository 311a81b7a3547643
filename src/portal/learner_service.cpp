#include "portal/learner_service.h"

#include <map>

#include "auth/authorizer.h"
#include "core/text.h"

namespace lep::portal {

Result<resources::PublishedResource> LearnerService::RequirePublished(resources::ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto found, resources_.GetPublished({id}));
  if (found.empty()) return Fail(Error::NotFound("资源不存在或未发布"));
  return std::move(found.front());
}

Result<int64_t> LearnerService::Rate(const auth::Principal& p, resources::ResourceId id,
                                     const RatingInput& in) {
  LEP_RETURN_IF_ERROR(RequirePublished(id));
  std::vector<FieldError> errors;
  if (in.score < 1 || in.score > 5) errors.push_back({"score", "评分", "评分应为 1–5 的整数"});
  std::string comment = text::Trim(in.comment);
  if (!text::IsValidUtf8(comment) || text::CodePointCount(comment) > kMaxComment) {
    errors.push_back({"comment", "评价内容", "评价内容不能超过 500 个字"});
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument(errors[0].message, errors));
  NewRating r{id.value,      p.user_id.value, in.score, comment, screen_ ? screen_(comment) : "",
              clock_.NowMs()};
  auto created = ratings_.Create(r);
  if (!created && created.error().Is(ErrorCode::kAlreadyExists)) {
    return Fail(Error::AlreadyExists("您已评价过该资源"));
  }
  return created;
}

Result<PublicRatings> LearnerService::Ratings(resources::ResourceId id) {
  LEP_RETURN_IF_ERROR(RequirePublished(id));
  PublicRatings out;
  LEP_ASSIGN_OR_RETURN(out.summary, ratings_.ApprovedSummary(id.value));
  LEP_ASSIGN_OR_RETURN(out.items, ratings_.ListApproved(id.value, 100));
  return out;
}

Result<bool> LearnerService::CanModerate(const auth::Principal& p, int64_t resource_id) {
  LEP_ASSIGN_OR_RETURN(auto r, resources_.Get(resources::ResourceId{resource_id}));
  if (!r) return false;
  LEP_ASSIGN_OR_RETURN(auto owner, orgs_.Get(r->org_id));
  return owner && auth::Authorizer::CanModerateRatings(p, *owner);
}

Result<std::vector<Rating>> LearnerService::Pending(const auth::Principal& p) {
  LEP_RETURN_IF_ERROR(auth::Authorizer::CheckModerateRatings(p));
  // Filtered in the query by the caller's subtree, so that other units' older ratings cannot
  // push the caller's own out of the page; the rule itself is still Authorizer's, per resource.
  const std::string prefix = auth::Authorizer::CanSeeAll(p) || !p.org ? "" : p.org->path;
  LEP_ASSIGN_OR_RETURN(auto pending, ratings_.ListPending(500, prefix));
  // Owners looked up once per resource.
  std::map<int64_t, bool> allowed;
  std::vector<Rating> out;
  for (auto& r : pending) {
    auto it = allowed.find(r.resource_id);
    if (it == allowed.end()) {
      LEP_ASSIGN_OR_RETURN(bool ok, CanModerate(p, r.resource_id));
      it = allowed.emplace(r.resource_id, ok).first;
    }
    if (it->second) out.push_back(std::move(r));
  }
  return out;
}

Status LearnerService::Moderate(const auth::Principal& p, int64_t rating_id, bool approve) {
  LEP_ASSIGN_OR_RETURN(auto rating, ratings_.Get(rating_id));
  if (!rating) return Fail(Error::NotFound("评价不存在"));
  LEP_ASSIGN_OR_RETURN(bool ok, CanModerate(p, rating->resource_id));
  if (!ok) return Fail(Error::NotFound("评价不存在"));
  return ratings_.Moderate(rating_id, approve, p.user_id.value, clock_.NowMs());
}

Status LearnerService::AddFavourite(const auth::Principal& p, resources::ResourceId id) {
  LEP_RETURN_IF_ERROR(RequirePublished(id));
  return learners_.AddFavourite(p.user_id.value, id.value, clock_.NowMs());
}

Status LearnerService::RemoveFavourite(const auth::Principal& p, resources::ResourceId id) {
  return learners_.RemoveFavourite(p.user_id.value, id.value);
}

Result<std::vector<LearnerItem>> LearnerService::WithTitles(std::vector<LearnerItem> items) {
  std::vector<resources::ResourceId> ids;
  for (const auto& i : items) ids.push_back(resources::ResourceId{i.resource_id});
  LEP_ASSIGN_OR_RETURN(auto published, resources_.GetPublished(ids));
  std::map<int64_t, std::string> titles;
  for (const auto& r : published) titles[r.resource.id.value] = r.resource.meta.title;
  std::vector<LearnerItem> out;
  for (auto& i : items) {
    auto it = titles.find(i.resource_id);
    if (it == titles.end()) continue;
    i.title = it->second;
    out.push_back(std::move(i));
  }
  return out;
}

Result<std::vector<LearnerItem>> LearnerService::Favourites(const auth::Principal& p) {
  LEP_ASSIGN_OR_RETURN(auto rows, learners_.Favourites(p.user_id.value, 1000));
  std::vector<LearnerItem> items;
  for (const auto& f : rows) items.push_back({f.resource_id, "", 0, f.at});
  return WithTitles(std::move(items));
}

Status LearnerService::PutHistory(const auth::Principal& p, resources::ResourceId id,
                                  int64_t position_s) {
  if (position_s < 0 || position_s > kMaxPosition) {
    return Fail(Error::InvalidArgument("播放位置无效",
                                       {{"position_s", "播放位置", "应为不小于 0 的秒数"}}));
  }
  LEP_RETURN_IF_ERROR(RequirePublished(id));
  return learners_.PutHistory(p.user_id.value, id.value, position_s, clock_.NowMs());
}

Result<std::vector<LearnerItem>> LearnerService::History(const auth::Principal& p) {
  LEP_ASSIGN_OR_RETURN(auto rows, learners_.History(p.user_id.value, 200));
  std::vector<LearnerItem> items;
  for (const auto& h : rows) items.push_back({h.resource_id, "", h.position_s, h.at});
  return WithTitles(std::move(items));
}

}  // namespace lep::portal
