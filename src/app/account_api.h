// The account-lifecycle routes (app/account_api.cpp) and the JSON of a credential handed to
// an administrator once (activation link or temporary password).
#pragma once

#include <nlohmann/json.hpp>

#include "app/api_common.h"
#include "auth/account_service.h"
#include "http/router.h"

namespace lep::app {

nlohmann::json CredentialJson(const auth::Credential& c);
void AddAccountRoutes(http::Router& router, const RouteGuard& authed,
                      auth::AccountService& accounts);

}  // namespace lep::app
