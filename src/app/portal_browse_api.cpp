// Public browsing of the portal by the category tree (issue 6.1): every node with the number
// of published resources in its subtree. Nothing unpublished is counted.
#include <functional>
#include <map>

#include "app/api_common.h"
#include "app/routes.h"

namespace lep::app {
namespace {

using http::Request;
using http::Response;

Result<json> CategoryCounts(AppContext& ctx) {
  LEP_ASSIGN_OR_RETURN(auto all, ctx.categories->All());
  LEP_ASSIGN_OR_RETURN(auto rows, ctx.db->Exec("SELECT category, COUNT(*) FROM resources WHERE "
                                               "state = 'published' AND category <> '' GROUP BY "
                                               "category"));
  // A resource counts for its own node and every ancestor: add each path's count to all of
  // its prefixes ("a-b-c" → "a-b-c", "a-b", "a"), once per path.
  std::map<std::string, int64_t> subtree;
  for (const auto& r : rows.rows) {
    std::string path = r.Text(0);
    int64_t n = r.Int(1);
    while (true) {
      subtree[path] += n;
      size_t dash = path.rfind('-');
      if (dash == std::string::npos) break;
      path.resize(dash);
    }
  }
  std::map<int64_t, json> nodes;
  std::map<int64_t, std::vector<int64_t>> children;
  std::vector<int64_t> roots;
  for (const auto& c : all) {  // ordered by path: parents come first
    auto it = subtree.find(c.path);
    nodes[c.id] = {{"id", c.id},
                   {"name", c.name},
                   {"path", c.path},
                   {"count", it == subtree.end() ? 0 : it->second},
                   {"children", json::array()}};
    if (c.parent_id && nodes.count(*c.parent_id)) {
      children[*c.parent_id].push_back(c.id);
    } else {
      roots.push_back(c.id);
    }
  }
  std::function<json(int64_t)> build = [&](int64_t id) {
    json n = nodes[id];
    for (int64_t child : children[id]) n["children"].push_back(build(child));
    return n;
  };
  json items = json::array();
  for (int64_t id : roots) items.push_back(build(id));
  return json{{"items", items}};
}

}  // namespace

void AddPortalBrowseRoutes(AppContext& ctx, http::Router& router) {
  router.Add({"GET", "/api/v1/portal/categories",
              [&ctx](Request&) {
                auto r = CategoryCounts(ctx);
                if (!r) return Response::FromError(r.error());
                return Response::Json(200, *r);
              },
              1024, "按分类浏览：分类树及各节点子树中已发布资源数（公开）"});
}

}  // namespace lep::app
