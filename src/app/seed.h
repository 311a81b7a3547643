// Bootstrap and demo data. Demo data is fictitious except for the public names of the
// top-level bodies listed in the notice; every demo account uses kDemoPassword.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "app/app_context.h"

namespace lep::app {

inline constexpr const char* kDemoPassword = "Lep@Demo2022";

struct DemoAccount {
  std::string username;
  std::string role;
  std::string unit;
};

// Creates the platform unit 国家开放大学 as the tree root if the database has none.
[[nodiscard]] Result<orgs::Org> EnsureRoot(AppContext& ctx);
// Base data every installation needs: the root unit and the default category tree.
[[nodiscard]] Status EnsureBaseData(AppContext& ctx);
// Seeds the demo tree and accounts once; a second call changes nothing. Returns whether
// anything was created.
[[nodiscard]] Result<bool> SeedDemo(AppContext& ctx);
const std::vector<DemoAccount>& DemoAccounts();

// Fills n published resources for the demo and the benchmarks (`lep seed-demo --published N`):
// varied Chinese titles and summaries of a few hundred characters, presenters, keywords,
// categories across the whole tree, series, A01/A02/A03 mixed, click and learner counts with a
// long-tailed skew, spread over the demo units. Created through ResourceService::Import (all
// metadata rules, in chunks of one transaction each) and published through
// ResourceRepository::ChangeState; deterministic for a given seed. progress(done) is called
// after each chunk. Returns how many were published.
[[nodiscard]] Result<int64_t> SeedPublished(AppContext& ctx, int64_t n, uint32_t seed = 20221,
                                            const std::function<void(int64_t)>& progress = {});

}  // namespace lep::app
