#include "portal/portal_service.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace lep::portal {
namespace {

Error NotPublished() { return Error::NotFound("资源不存在或未发布"); }

}  // namespace

Result<PortalHome> PortalService::Home() {
  PortalHome home;
  LEP_ASSIGN_OR_RETURN(auto counts, resources_.CountPublishedByDomain());
  for (const auto& d : resources::Domains()) {
    auto it = counts.find(d);
    home.domains.emplace_back(d, it == counts.end() ? 0 : it->second);
  }
  using resources::PublishedOrder;
  LEP_ASSIGN_OR_RETURN(home.newest,
                       resources_.TopPublished(PublishedOrder::kNewest, kHomeListSize));
  LEP_ASSIGN_OR_RETURN(home.most_clicked,
                       resources_.TopPublished(PublishedOrder::kClicks, kHomeListSize));
  LEP_ASSIGN_OR_RETURN(home.most_learned,
                       resources_.TopPublished(PublishedOrder::kLearners, kHomeListSize));
  return home;
}

Status PortalService::IsPublished(resources::ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished({id}));
  if (published.empty()) return Fail(NotPublished());
  return Ok();
}

Result<resources::PublishedResource> PortalService::Published(resources::ResourceId id) {
  LEP_ASSIGN_OR_RETURN(auto found, resources_.GetPublished({id}));
  if (found.empty()) return Fail(NotPublished());
  return std::move(found.front());
}

Result<PortalDetail> PortalService::Detail(resources::ResourceId id) {
  PortalDetail d;
  LEP_ASSIGN_OR_RETURN(d.resource, Published(id));
  const resources::Resource& r = d.resource.resource;
  if (!r.meta.series.empty()) {
    LEP_ASSIGN_OR_RETURN(d.series,
                         resources_.PublishedSeries(r.org_id, r.meta.series, kSeriesLimit));
  }
  return d;
}

namespace {

// A quoted entity tag for bytes (FNV-1a 64).
std::string EtagOf(const std::string& body) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

// The cache key of a search: every field that changes the answer.
std::string KeyOf(const search::SearchQuery& q) {
  std::string k = q.q;
  auto add = [&](const std::optional<std::string>& v) {
    k += '\x1f';
    if (v) k += *v;
  };
  add(q.domain);
  add(q.type);
  add(q.category_prefix);
  add(q.province);
  add(q.unit);
  k += '\x1f' + std::to_string(q.min_duration_s.value_or(-1)) + '\x1f' +
       std::to_string(q.max_duration_s.value_or(-1)) + '\x1f' +
       std::to_string(static_cast<int>(q.sort)) + '\x1f' + std::to_string(q.page) + '\x1f' +
       std::to_string(q.page_size);
  return k;
}

}  // namespace

Result<search::SearchResult> PortalService::SearchCached(const search::SearchQuery& q) {
  const std::string key = KeyOf(q);
  const int64_t now = clock_.NowMs();
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    auto it = searches_.find(key);
    if (it != searches_.end() && now - it->second.at < kSearchTtlMs && now >= it->second.at) {
      return *it->second.result;
    }
    generation = generation_;
  }
  LEP_ASSIGN_OR_RETURN(auto found, search_->Search(q));
  std::lock_guard lock(mu_);
  if (generation == generation_) {
    if (searches_.size() >= kMaxCachedSearches) searches_.clear();
    searches_[key] = {std::make_shared<const search::SearchResult>(found), now};
  }
  return found;
}

Result<PortalSearchResult> PortalService::Search(const search::SearchQuery& q) {
  if (!search_) return Fail(Error{ErrorCode::kUnavailable, "搜索暂不可用", {}, std::nullopt});
  LEP_ASSIGN_OR_RETURN(auto found, SearchCached(q));
  std::vector<resources::ResourceId> ids;
  for (const auto& h : found.hits) ids.push_back(resources::ResourceId{h.id});
  // One batched read of primary keys: the index (or the cache) of a server that has not yet
  // applied a withdrawal still holds it, and only what is published now may be shown.
  LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished(ids));
  std::set<int64_t> shown;
  for (auto id : published) shown.insert(id.value);
  // Documents indexed before cards were stored: rendered from the database (a second read,
  // only until the index is rebuilt).
  std::map<int64_t, std::string> rendered;
  std::vector<resources::ResourceId> missing;
  for (const auto& h : found.hits) {
    if (shown.count(h.id) && (h.payload.empty() || !render_.card)) {
      missing.push_back(resources::ResourceId{h.id});
    }
  }
  if (!missing.empty() && render_.card) {
    LEP_ASSIGN_OR_RETURN(auto rows, resources_.GetPublished(missing));
    for (const auto& r : rows) rendered[r.resource.id.value] = render_.card(r);
  }
  PortalSearchResult out;
  out.total = found.total;
  out.total_exact = found.total_exact;
  out.total_lower_bound = found.total_lower_bound;
  out.page = std::max(1, q.page);
  out.facets = std::move(found.facets);
  out.facets_exact = found.facets_exact;
  for (auto& h : found.hits) {
    if (!shown.count(h.id)) continue;
    std::string card = h.payload;
    if (auto it = rendered.find(h.id); it != rendered.end()) card = it->second;
    if (card.empty()) continue;
    out.hits.push_back({std::move(card), std::move(h.title_html), std::move(h.snippet_html)});
  }
  return out;
}

std::optional<MarkToken> PortalService::ReadMark() const {
  if (!mark_) return std::nullopt;
  return mark_->Read();
}

std::optional<PublicPage> PortalService::FreshLocked(const CachedPage& c, int64_t now,
                                                     const MarkToken& mark) const {
  if (now - c.at >= kPageTtlMs || now < c.at) return std::nullopt;
  if (!c.mark || !(*c.mark == mark)) return std::nullopt;
  return c.page;
}

std::optional<PublicPage> PortalService::CachedDetailPage(resources::ResourceId id) {
  if (!mark_) return std::nullopt;
  const MarkToken mark = mark_->Read();
  const int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  auto it = details_.find(id.value);
  if (it == details_.end()) return std::nullopt;
  return FreshLocked(it->second, now, mark);
}

std::optional<PublicPage> PortalService::CachedHomePage() {
  if (!mark_) return std::nullopt;
  const MarkToken mark = mark_->Read();
  const int64_t now = clock_.NowMs();
  std::lock_guard lock(mu_);
  if (!home_) return std::nullopt;
  return FreshLocked(*home_, now, mark);
}

Result<PublicPage> PortalService::DetailPage(resources::ResourceId id) {
  if (auto page = CachedDetailPage(id)) return *page;
  // The mark is read before the database: a withdrawal that commits after this read moves
  // the mark, so a page checked now is not served from memory after it.
  const std::optional<MarkToken> mark = ReadMark();
  // Is it public right now? One primary-key read.
  LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished({id}));
  const int64_t now = clock_.NowMs();
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (published.empty()) {
      details_.erase(id.value);
      return Fail(NotPublished());
    }
    auto it = details_.find(id.value);
    if (it != details_.end() && now - it->second.at < kPageTtlMs && now >= it->second.at) {
      it->second.mark = mark;  // checked again under this mark
      return it->second.page;
    }
    generation = generation_;
  }
  LEP_ASSIGN_OR_RETURN(PortalDetail d, Detail(id));
  PublicPage page;
  page.body = std::make_shared<const std::string>(render_.detail ? render_.detail(d) : "{}");
  page.etag = EtagOf(*page.body);
  std::lock_guard lock(mu_);
  if (generation == generation_) {
    if (details_.size() > 100'000) details_.clear();
    details_[id.value] = {page, now, {id}, mark};
  }
  return page;
}

Result<PublicPage> PortalService::HomePage() {
  if (auto page = CachedHomePage()) return *page;
  const std::optional<MarkToken> mark = ReadMark();
  const int64_t now = clock_.NowMs();
  std::optional<CachedPage> cached;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (home_ && now - home_->at < kPageTtlMs && now >= home_->at) cached = home_;
    generation = generation_;
  }
  if (cached) {
    // Still every item public? (A withdrawal on another server reaches us only by the feed.)
    LEP_ASSIGN_OR_RETURN(auto published, resources_.FilterPublished(cached->shows));
    if (published.size() == cached->shows.size()) {
      std::lock_guard lock(mu_);
      if (generation == generation_ && home_) home_->mark = mark;
      return cached->page;
    }
  }
  LEP_ASSIGN_OR_RETURN(PortalHome home, Home());
  CachedPage built;
  built.at = now;
  built.mark = mark;
  for (const auto* list : {&home.newest, &home.most_clicked, &home.most_learned}) {
    for (const auto& r : *list) built.shows.push_back(r.resource.id);
  }
  built.page.body = std::make_shared<const std::string>(render_.home ? render_.home(home) : "{}");
  built.page.etag = EtagOf(*built.page.body);
  std::lock_guard lock(mu_);
  if (generation == generation_) home_ = built;
  return built.page;
}

void PortalService::Invalidate(const std::set<int64_t>& ids, bool all) {
  if (mark_ && (all || !ids.empty())) {
    bool gone = all;
    if (!gone) {
      std::vector<resources::ResourceId> list;
      for (int64_t id : ids) list.push_back(resources::ResourceId{id});
      auto published = resources_.FilterPublished(list);
      gone = !published || published->size() < list.size();  // (a failed read: as if gone)
    }
    if (gone) mark_->Bump();
  }
  std::lock_guard lock(mu_);
  ++generation_;
  searches_.clear();
  home_.reset();
  if (all) {
    details_.clear();
    return;
  }
  for (int64_t id : ids) details_.erase(id);
}

Result<std::vector<CategoryCount>> PortalService::CategoryTree() {
  LEP_ASSIGN_OR_RETURN(auto all, categories_.All());
  LEP_ASSIGN_OR_RETURN(auto counts, resources_.CountPublishedByCategory());
  // A resource counts for its own node and every ancestor: add each path's count to all of
  // its prefixes ("a-b-c" → "a-b-c", "a-b", "a").
  std::map<std::string, int64_t> subtree;
  for (const auto& [p, n] : counts) {
    std::string path = p;
    while (true) {
      subtree[path] += n;
      size_t dash = path.rfind('-');
      if (dash == std::string::npos) break;
      path.resize(dash);
    }
  }
  std::map<int64_t, CategoryCount> nodes;
  std::map<int64_t, std::vector<int64_t>> children;
  std::vector<int64_t> roots;
  for (const auto& c : all) {  // ordered by path: parents come first
    auto it = subtree.find(c.path);
    nodes[c.id] = {c.id, c.name, c.path, it == subtree.end() ? 0 : it->second, {}};
    if (c.parent_id && nodes.count(*c.parent_id)) {
      children[*c.parent_id].push_back(c.id);
    } else {
      roots.push_back(c.id);
    }
  }
  std::function<CategoryCount(int64_t)> build = [&](int64_t id) {
    CategoryCount n = nodes[id];
    for (int64_t child : children[id]) n.children.push_back(build(child));
    return n;
  };
  std::vector<CategoryCount> out;
  for (int64_t id : roots) out.push_back(build(id));
  return out;
}

Result<std::vector<resources::PublishedResource>> PortalService::Catalog() {
  LEP_ASSIGN_OR_RETURN(auto keys, resources_.CatalogKeys());
  std::vector<resources::PublishedResource> out;
  out.reserve(keys.size());
  for (size_t start = 0; start < keys.size(); start += 500) {
    std::vector<resources::ResourceId> ids;
    for (size_t i = start; i < std::min(keys.size(), start + 500); ++i) ids.push_back(keys[i].id);
    LEP_ASSIGN_OR_RETURN(auto page, resources_.GetPublished(ids));
    for (auto& p : page) out.push_back(std::move(p));
  }
  return out;
}

}  // namespace lep::portal
