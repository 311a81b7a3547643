// Invariants of ValidateMetadata shared by metadata_fuzz and sheet_import_fuzz: what an
// accepted record must look like, what every reported error must carry, and that an accepted
// record survives export → import unchanged (ExportRow → MapHeader/RowToInput → validate).
// Header-only; fuzz harnesses only.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "core/date.h"
#include "core/text.h"
#include "fuzz_check.h"
#include "resources/metadata.h"
#include "resources/sheet_mapping.h"
#include "resources/toc.h"

namespace lep::fuzz {

// A fixed "today" and a small category tree: validation must not depend on the wall clock.
inline const std::set<std::string>& FuzzCategories() {
  static const std::set<std::string> kPaths = {"科学文化", "科学文化-航空知识",
                                               "科学文化-航空知识-航空发动机", "老年教育-健康养生"};
  return kPaths;
}

inline resources::ValidationContext FuzzContext() {
  resources::ValidationContext ctx;
  ctx.today = Date{2024, 6, 1};
  ctx.category_exists = [](const std::string& p) { return FuzzCategories().count(p) > 0; };
  ctx.suggest_categories = [](const std::string&) {
    return std::vector<std::string>{"科学文化-航空知识-航空发动机"};
  };
  return ctx;
}

inline bool IsKnownField(std::string_view f) {
  for (const auto& spec : resources::FieldSpecs()) {
    if (spec.json == f) return true;
  }
  return false;
}

inline bool IsTrimmed(const std::string& s) { return text::Trim(s) == s; }

inline void CheckList(const std::vector<std::string>& items) {
  for (const auto& item : items) {
    FUZZ_CHECK(!item.empty());
    FUZZ_CHECK(IsTrimmed(item));
    FUZZ_CHECK(item.find(';') == std::string::npos);
    FUZZ_CHECK(item.find("\xEF\xBC\x9B") == std::string::npos);  // ；
  }
}

inline void CheckAccepted(const resources::Metadata& m, const resources::ValidationContext& ctx) {
  using resources::ResourceType;
  FUZZ_CHECK(!m.title.empty() && IsTrimmed(m.title) && text::IsValidUtf8(m.title));
  FUZZ_CHECK(text::CodePointCount(m.title) <= 200);
  FUZZ_CHECK(resources::ParseDomain(m.domain).value_or("") == m.domain);
  FUZZ_CHECK(!m.summary.empty() && !m.copyright_holder.empty());
  FUZZ_CHECK(!m.presenters.empty());
  CheckList(m.presenters);
  CheckList(m.keywords);
  FUZZ_CHECK(m.link.empty() || resources::IsValidHttpUrl(m.link));
  FUZZ_CHECK(m.type != ResourceType::kCourse || !m.link.empty());
  FUZZ_CHECK(m.series_order.empty() ||
             (m.series_order.size() == 2 && m.series_order != "00" && !m.series.empty() &&
              m.series_order.find_first_not_of("0123456789") == std::string::npos));
  // A01/A02 durations come from the media only.
  FUZZ_CHECK(m.type == ResourceType::kCourse || m.duration.empty());
  FUZZ_CHECK(m.duration.empty() || resources::ParseDuration(m.duration) >= 0);
  if (!m.created_on.empty()) {
    auto d = ParseIsoDate(m.created_on);
    FUZZ_CHECK(d && d->ToString() == m.created_on && *d <= ctx.today);
  }
  FUZZ_CHECK(m.clicks >= 0 && m.learners >= 0);
  FUZZ_CHECK(m.toc.empty() || resources::ParseToc(m.toc).has_value());
  FUZZ_CHECK(m.category.empty() || FuzzCategories().count(m.category) > 0);
}

inline void CheckRejected(const Error& e) {
  FUZZ_CHECK(e.Is(ErrorCode::kInvalidArgument));
  FUZZ_CHECK(!e.fields.empty());
  FUZZ_CHECK(text::IsValidUtf8(e.message));
  for (const auto& f : e.fields) {
    FUZZ_CHECK(IsKnownField(f.field));
    FUZZ_CHECK(f.label == resources::LabelOf(f.field));
    FUZZ_CHECK(!f.message.empty() && text::IsValidUtf8(f.message));
  }
}

// Validates `in` and checks the result; returns the accepted metadata, if any.
inline std::optional<resources::Metadata> ValidateAndCheck(const resources::MetadataInput& in) {
  static const resources::ValidationContext ctx = FuzzContext();
  auto r = resources::ValidateMetadata(in, ctx);
  if (!r) {
    CheckRejected(r.error());
    return std::nullopt;
  }
  CheckAccepted(*r, ctx);
  // Export → import: the spreadsheet form of an accepted record validates to the same record.
  resources::Resource res;
  res.meta = *r;
  static const resources::HeaderMap kExportMap = resources::MapHeader(resources::ExportHeader());
  auto again = resources::ValidateMetadata(
      resources::RowToInput(kExportMap, resources::ExportRow(res)), ctx);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(*again == *r);
  return *r;
}

}  // namespace lep::fuzz
