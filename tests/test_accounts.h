// Accounts for repository and service tests: a user of a unit with a role, stored through the
// real UserRepository (display name "<name>（演示）"), and the Principal a request of theirs
// would carry. Not thread-safe (one test at a time).
#pragma once

#include <string>

#include "auth/user.h"
#include "auth/user_repository.h"
#include "orgs/org.h"

namespace lep::testing {

inline auth::Principal AddAccount(auth::UserRepository& users, const std::string& name,
                                  auth::Role role, const orgs::Org& org) {
  auth::User u;
  u.org_id = org.id;
  u.username = name;
  u.display_name = name + "（演示）";
  u.role = role;
  u.password_hash = "x";
  auth::Principal p;
  if (auto made = users.Create(u, std::nullopt)) p.user_id = made->id;
  p.username = name;
  p.display_name = u.display_name;
  p.role = role;
  p.org = org;
  return p;
}

}  // namespace lep::testing
