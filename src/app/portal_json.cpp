#include "app/portal_json.h"

#include "app/resources_json.h"

namespace lep::app {

using nlohmann::json;

json PublicJson(const resources::PublishedResource& p, bool detail) {
  const resources::Resource& r = p.resource;
  json j = ResourceJson(r, detail);
  for (const char* hidden : {"version", "created_at", "updated_at", "state", "state_label"}) {
    j.erase(hidden);
  }
  j["unit"] = p.unit_name;
  j["province"] = p.unit_region;
  if (r.meta.type != resources::ResourceType::kCourse) {
    j["media_url"] = "/media/resources/" + std::to_string(r.id.value);
  }
  return j;
}

json PublicListJson(const std::vector<resources::PublishedResource>& v) {
  json items = json::array();
  for (const auto& r : v) items.push_back(PublicJson(r, false));
  return items;
}

portal::PortalRenderers PortalJsonRenderers() {
  portal::PortalRenderers r;
  r.card = [](const resources::PublishedResource& p) { return PublicJson(p, false).dump(); };
  r.detail = [](const portal::PortalDetail& d) {
    json j = PublicJson(d.resource, true);
    const resources::Resource& self = d.resource.resource;
    if (!self.meta.series.empty()) {
      json list = json::array();
      for (const auto& s : d.series) {
        list.push_back({{"id", s.id.value},
                        {"title", s.title},
                        {"series_order", s.order},
                        {"current", s.id == self.id}});
      }
      j["series_items"] = list;
    }
    return j.dump();
  };
  r.home = [](const portal::PortalHome& home) {
    json domains = json::array();
    for (const auto& [d, n] : home.domains) domains.push_back({{"domain", d}, {"count", n}});
    return json{{"domains", domains},
                {"newest", PublicListJson(home.newest)},
                {"most_clicked", PublicListJson(home.most_clicked)},
                {"most_learned", PublicListJson(home.most_learned)}}
        .dump();
  };
  return r;
}

}  // namespace lep::app
