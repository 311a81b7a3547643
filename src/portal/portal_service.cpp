#include "portal/portal_service.h"

#include <algorithm>
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

Result<PortalSearchResult> PortalService::Search(const search::SearchQuery& q) {
  if (!search_) return Fail(Error{ErrorCode::kUnavailable, "搜索暂不可用", {}, std::nullopt});
  LEP_ASSIGN_OR_RETURN(auto found, search_->Search(q));
  std::vector<resources::ResourceId> ids;
  for (const auto& h : found.hits) ids.push_back(resources::ResourceId{h.id});
  // One batched read; the index of a server that has not yet applied a withdrawal still
  // holds it, and only what is published now may be shown.
  LEP_ASSIGN_OR_RETURN(auto published, resources_.GetPublished(ids));
  std::map<int64_t, resources::PublishedResource*> by_id;
  for (auto& p : published) by_id[p.resource.id.value] = &p;
  PortalSearchResult out;
  out.total = found.total;
  out.page = std::max(1, q.page);
  out.facets = std::move(found.facets);
  for (auto& h : found.hits) {
    auto it = by_id.find(h.id);
    if (it == by_id.end()) continue;
    out.hits.push_back(
        {std::move(*it->second), std::move(h.title_html), std::move(h.snippet_html)});
  }
  return out;
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
