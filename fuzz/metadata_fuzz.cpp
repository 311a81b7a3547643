// libFuzzer harness for the metadata validators (附件2 表1): ValidateMetadata and its helpers.
// Input: lines "json_name=value" (later lines win; "\n", "\r", "\t", "\\" escape the
// characters a line cannot hold), e.g. "title=高等数学\nsummary=第一行\\n第二行".
// Invariants: see metadata_checks.h (accepted records are normalised and survive export →
// import; every error names a known field with its label); helpers round-trip.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "metadata_checks.h"

namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char e = s[i + 1];
      if (e == 'n' || e == 'r' || e == 't' || e == '\\') {
        out += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : '\\';
        ++i;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

lep::resources::MetadataInput ParseInput(std::string_view data) {
  lep::resources::MetadataInput in;
  while (!data.empty()) {
    const size_t nl = data.find('\n');
    std::string_view line = data.substr(0, nl);
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    in[std::string(line.substr(0, eq))] = Unescape(line.substr(eq + 1));
  }
  return in;
}

void CheckHelpers(std::string_view s) {
  lep::fuzz::CheckList(lep::resources::SplitList(s));
  const int64_t seconds = lep::resources::ParseDuration(s);
  if (seconds >= 0) {
    FUZZ_CHECK(seconds < 1000 * 3600);
    FUZZ_CHECK(lep::resources::ParseDuration(lep::resources::FormatDuration(seconds)) == seconds);
  }
  if (lep::resources::IsValidHttpUrl(s)) {
    FUZZ_CHECK(s.size() <= 2048);
    FUZZ_CHECK(s.find_first_of(" \t\r\n") == std::string_view::npos);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto in = ParseInput(bytes);
  (void)lep::fuzz::ValidateAndCheck(in);
  for (const auto& [key, value] : in) CheckHelpers(value);
  return 0;
}
