#include "app/resources_json.h"

#include "resources/toc.h"

namespace lep::app {

using resources::FieldSpecs;

Result<resources::MetadataInput> MetadataInputFromJson(const http::Request& req) {
  LEP_ASSIGN_OR_RETURN(json body, ParseJsonObject(req));
  resources::MetadataInput in;
  std::vector<FieldError> errors;
  for (const auto& spec : FieldSpecs()) {
    std::string name(spec.json);
    if (name == "id" || name == "cover") continue;
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) continue;
    if (it->is_string()) {
      in[name] = it->get<std::string>();
    } else if (it->is_number_integer()) {
      in[name] = std::to_string(it->get<int64_t>());
    } else if (it->is_array()) {
      std::string joined;
      bool ok = true;
      for (const auto& item : *it) {
        if (!item.is_string()) {
          ok = false;
          break;
        }
        if (!joined.empty()) joined += ";";
        joined += item.get<std::string>();
      }
      if (ok) {
        in[name] = joined;
      } else {
        errors.push_back({name, std::string(spec.label), std::string(spec.label) + "应为文本列表"});
      }
    } else {
      errors.push_back({name, std::string(spec.label), std::string(spec.label) + "应为文本"});
    }
  }
  if (!errors.empty()) return Fail(Error::InvalidArgument("请求格式错误", std::move(errors)));
  return in;
}

json MetadataJson(const resources::Metadata& m) {
  return {{"title", m.title},
          {"type", std::string(resources::TypeCode(m.type))},
          {"type_label", std::string(resources::TypeLabel(m.type))},
          {"domain", m.domain},
          {"platform", m.platform},
          {"link", m.link},
          {"series", m.series},
          {"series_order", m.series_order},
          {"summary", m.summary},
          {"duration", m.duration},
          {"created_on", m.created_on},
          {"copyright_holder", m.copyright_holder},
          {"presenters", m.presenters},
          {"clicks", m.clicks},
          {"learners", m.learners},
          {"toc", m.toc},
          {"keywords", m.keywords},
          {"category", m.category},
          {"delivery", std::string(resources::DeliveryName(m.delivery))}};
}

json TocJson(const resources::TocNode& n) {
  json children = json::array();
  for (const auto& c : n.children) children.push_back(TocJson(c));
  return {{"tag", n.tag}, {"title", n.title}, {"attrs", n.attrs}, {"children", children}};
}

json ResourceJson(const resources::Resource& r, bool detail) {
  json j = MetadataJson(r.meta);
  j["id"] = r.id.value;
  j["org_id"] = r.org_id.value;
  j["state"] = std::string(resources::StateName(r.state));
  j["state_label"] = std::string(resources::StateLabel(r.state));
  j["version"] = r.version;
  j["created_at"] = r.created_at;
  j["updated_at"] = r.updated_at;
  j["campaign_id"] = r.workflow.campaign_id ? json(*r.workflow.campaign_id) : json(nullptr);
  j["batch_id"] = r.workflow.batch_id ? json(*r.workflow.batch_id) : json(nullptr);
  if (r.cover) {
    std::string base = "/api/v1/resources/" + std::to_string(r.id.value) + "/cover";
    j["cover"] = {{"url", base},
                  {"thumb_url", base + "?size=thumb"},
                  {"width", r.cover->width},
                  {"height", r.cover->height}};
  } else {
    j["cover"] = nullptr;
  }
  if (detail) {
    j["toc_tree"] = nullptr;
    if (!r.meta.toc.empty()) {
      if (auto t = resources::ParseToc(r.meta.toc)) j["toc_tree"] = TocJson(*t);
    }
  } else {
    j.erase("toc");
    j.erase("summary");
  }
  return j;
}

}  // namespace lep::app
