#include "auth/auth_service.h"

#include "auth/authorizer.h"
#include "core/text.h"

namespace lep::auth {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

std::optional<std::string> ValidateUsername(std::string_view s) {
  if (s.size() < 3 || s.size() > 32) return "用户名长度应为 3–32 个字符";
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
    return "用户名须以英文字母开头";
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return "用户名只能包含英文字母、数字、下划线、点和连字符";
  }
  return std::nullopt;
}

AuthService::AuthService(UserRepository& users, SessionRepository& sessions,
                         orgs::OrgRepository& orgs, const PasswordHasher& hasher,
                         const Clock& clock, AuthOptions options)
    : users_(users),
      sessions_(sessions),
      orgs_(orgs),
      hasher_(hasher),
      clock_(clock),
      options_(options) {}

Result<LoginResult> AuthService::Login(const std::string& username, const std::string& password,
                                       const std::string& ip, const std::string& user_agent) {
  const Error wrong = Error::Unauthenticated("用户名或密码错误");
  if (username.empty() || password.empty() || username.size() > 64 || password.size() > 1024) {
    return Fail(wrong);
  }
  LEP_ASSIGN_OR_RETURN(auto found, users_.GetByUsername(username));
  if (!found) return Fail(wrong);
  User user = std::move(*found);
  int64_t now = clock_.NowMs();
  if (user.locked_until > now) {
    int64_t secs = (user.locked_until - now + 999) / 1000;
    int minutes = static_cast<int>((secs + 59) / 60);
    return Fail(Error::TooManyRequests(
        "密码错误次数过多，账号已临时锁定，请于 " + text::FormatShanghai(user.locked_until) +
            "（北京时间，约 " + std::to_string(minutes) + " 分钟后）再试",
        static_cast<int>(secs)));
  }
  if (user.disabled) return Fail(Error::PermissionDenied("账号已停用，请联系本单位管理员"));
  if (!hasher_.Verify(user.password_hash, password)) {
    int64_t window = duration_cast<milliseconds>(options_.lockout_window).count();
    int count = user.failed_count;
    int64_t first = user.first_failed_at;
    if (count == 0 || now - first > window) {
      count = 1;
      first = now;
    } else {
      ++count;
    }
    int64_t locked_until = 0;
    if (count >= options_.lockout_threshold) {
      locked_until = now + duration_cast<milliseconds>(options_.lockout_duration).count();
      count = 0;
      first = 0;
    }
    LEP_RETURN_IF_ERROR(users_.SaveLoginState(user.id, count, first, locked_until));
    return Fail(wrong);
  }
  if (user.failed_count != 0 || user.locked_until != 0) {
    LEP_RETURN_IF_ERROR(users_.SaveLoginState(user.id, 0, 0, 0));
  }
  // A new token at every sign-in; the old sessions of this browser are not reused.
  std::string token = RandomToken(32);
  std::string csrf = RandomToken(32);
  LEP_RETURN_IF_ERROR(sessions_.Create(TokenHash(token), user.id, csrf, now, ip, user_agent));
  return LoginResult{std::move(user), std::move(token), std::move(csrf)};
}

Result<Principal> AuthService::Authenticate(const std::string& token) {
  if (token.size() != 64) return Fail(Error::Unauthenticated());
  LEP_ASSIGN_OR_RETURN(auto session, sessions_.GetByTokenHash(TokenHash(token)));
  if (!session) return Fail(Error::Unauthenticated());
  int64_t now = clock_.NowMs();
  int64_t idle = duration_cast<milliseconds>(options_.idle_timeout).count();
  int64_t absolute = duration_cast<milliseconds>(options_.absolute_timeout).count();
  if (now - session->last_seen_at > idle || now - session->created_at > absolute) {
    (void)sessions_.Delete(session->id);
    return Fail(Error::Unauthenticated("登录已超时，请重新登录"));
  }
  LEP_ASSIGN_OR_RETURN(auto user, users_.Get(session->user_id));
  if (!user || user->disabled) return Fail(Error::Unauthenticated());
  // Touch at most once a minute: idle expiry stays accurate to a minute, writes stay rare.
  if (now - session->last_seen_at > 60'000) {
    LEP_RETURN_IF_ERROR(sessions_.Touch(session->id, now));
  }
  Principal p;
  p.user_id = user->id;
  p.username = user->username;
  p.display_name = user->display_name;
  p.role = user->role;
  p.session_id = session->id;
  p.csrf_token = session->csrf_token;
  if (user->org_id) {
    LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(*user->org_id));
    p.org = org;
  }
  return p;
}

Status AuthService::Logout(const Principal& p) { return sessions_.Delete(p.session_id); }

Result<User> AuthService::Insert(std::optional<orgs::OrgId> org_id, NewUser u,
                                 std::optional<UserId> created_by) {
  std::vector<FieldError> errors;
  u.username = text::Trim(u.username);
  u.display_name = text::Trim(u.display_name);
  if (auto e = ValidateUsername(u.username)) errors.push_back({"username", "用户名", *e});
  if (u.display_name.empty()) u.display_name = u.username;
  if (!text::IsValidUtf8(u.display_name) || text::CodePointCount(u.display_name) > 50) {
    errors.push_back({"display_name", "姓名", "姓名不能超过 50 个字"});
  }
  auto policy = CheckPasswordPolicy(u.password, u.username);
  if (!policy) {
    for (auto& f : policy.error().fields) errors.push_back(f);
  }
  if (!errors.empty()) {
    std::string msg = "账号信息有误：";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i) msg += "；";
      msg += errors[i].label + "：" + errors[i].message;
    }
    return Fail(Error::InvalidArgument(msg, std::move(errors)));
  }
  LEP_ASSIGN_OR_RETURN(std::string hash, hasher_.Hash(u.password));
  User user;
  user.org_id = org_id;
  user.username = u.username;
  user.display_name = u.display_name;
  user.role = u.role;
  user.password_hash = std::move(hash);
  user.created_at = clock_.NowMs();
  return users_.Create(user, created_by);
}

Result<User> AuthService::RegisterLearner(NewUser u) {
  u.role = Role::kLearner;
  return Insert(std::nullopt, std::move(u), std::nullopt);
}

Result<User> AuthService::CreateUser(const Principal& actor, orgs::OrgId org_id, NewUser u) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(Error::NotFound("单位不存在"));
  LEP_RETURN_IF_ERROR(Authorizer::CheckCreateUser(actor, *org, u.role));
  return Insert(org_id, std::move(u), actor.user_id);
}

Result<User> AuthService::CreateUserUnchecked(std::optional<orgs::OrgId> org_id, NewUser u) {
  return Insert(org_id, std::move(u), std::nullopt);
}

Result<std::vector<User>> AuthService::ListUsers(const Principal& actor, orgs::OrgId org_id) {
  LEP_ASSIGN_OR_RETURN(auto org, orgs_.Get(org_id));
  if (!org || !Authorizer::CanSeeOrg(actor, *org)) return Fail(Error::NotFound("单位不存在"));
  if (!Authorizer::CanSeeAll(actor)) LEP_RETURN_IF_ERROR(Authorizer::CheckManageUnit(actor, *org));
  return users_.ListByOrg(org_id);
}

}  // namespace lep::auth
