// Bootstrap and demo data. Demo data is fictitious except for the public names of the
// top-level bodies listed in the notice; every demo account uses kDemoPassword.
#pragma once

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

}  // namespace lep::app
