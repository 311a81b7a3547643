#include "core/config.h"

#include <charconv>
#include <cstdlib>

#include <toml++/toml.h>

namespace lep {

Status LoadConfigFile(const std::string& path, Config& cfg) {
  if (path.empty()) return Ok();
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Fail(Error::InvalidArgument("配置文件 " + path + " 格式错误：" +
                                       std::string(e.description())));
  }
  cfg.data_dir = t["server"]["data"].value_or(cfg.data_dir);
  cfg.listen = t["server"]["listen"].value_or(cfg.listen);
  cfg.web_dir = t["server"]["web_dir"].value_or(cfg.web_dir);
  cfg.worker_threads = t["server"]["workers"].value_or(cfg.worker_threads);
  cfg.job_threads = t["jobs"]["threads"].value_or(cfg.job_threads);
  cfg.job_lease_seconds = t["jobs"]["lease_seconds"].value_or(cfg.job_lease_seconds);
  auto video = t["video"];
  cfg.video_workers = video["workers"].value_or(cfg.video_workers);
  cfg.video_ffmpeg_threads = video["ffmpeg_threads"].value_or(cfg.video_ffmpeg_threads);
  cfg.video_nice = video["nice"].value_or(cfg.video_nice);
  cfg.video_memory_mb = video["memory_mb"].value_or(cfg.video_memory_mb);
  cfg.video_preset = video["preset"].value_or(cfg.video_preset);
  cfg.video_segment_seconds = video["segment_seconds"].value_or(cfg.video_segment_seconds);
  cfg.video_ffmpeg = video["ffmpeg"].value_or(cfg.video_ffmpeg);
  struct Positive {
    const char* key;
    int* value;
  };
  for (auto [key, value] :
       {Positive{"max_connections", &cfg.max_connections},
        Positive{"max_connections_per_ip", &cfg.max_connections_per_ip},
        Positive{"header_timeout_seconds", &cfg.header_timeout_seconds},
        Positive{"keepalive_timeout_seconds", &cfg.keepalive_timeout_seconds}}) {
    auto node = t["server"][key];
    if (!node) continue;
    auto v = node.value<int64_t>();
    if (!v || *v < 1 || *v > 10'000'000) {
      return Fail(Error::InvalidArgument(std::string("配置文件 ") + path + " 中 server." + key +
                                         " 应为 1 到 10000000 之间的整数"));
    }
    *value = static_cast<int>(*v);
  }
  cfg.database_url = t["database"]["url"].value_or(cfg.database_url);
  cfg.database_pool_size = t["database"]["pool_size"].value_or(cfg.database_pool_size);
  auto sec = t["security"];
  cfg.secure_cookies = sec["secure_cookies"].value_or(cfg.secure_cookies);
  cfg.session_idle_minutes = sec["session_idle_minutes"].value_or(cfg.session_idle_minutes);
  cfg.session_absolute_hours = sec["session_absolute_hours"].value_or(cfg.session_absolute_hours);
  cfg.lockout_threshold = sec["lockout_threshold"].value_or(cfg.lockout_threshold);
  cfg.lockout_window_minutes = sec["lockout_window_minutes"].value_or(cfg.lockout_window_minutes);
  cfg.lockout_minutes = sec["lockout_minutes"].value_or(cfg.lockout_minutes);
  cfg.argon2_opslimit = sec["argon2_opslimit"].value_or(cfg.argon2_opslimit);
  cfg.argon2_memlimit = sec["argon2_memlimit"].value_or(cfg.argon2_memlimit);
  cfg.password_min_length = sec["password_min_length"].value_or(cfg.password_min_length);
  cfg.require_two_factor = sec["require_totp"].value_or(cfg.require_two_factor);
  cfg.totp_grace_days = sec["totp_grace_days"].value_or(cfg.totp_grace_days);
  cfg.key_file = sec["key_file"].value_or(cfg.key_file);
  cfg.rate_limits = sec["rate_limits"].value_or(cfg.rate_limits);
  cfg.fixity_interval_hours = t["fixity"]["interval_hours"].value_or(cfg.fixity_interval_hours);
  cfg.link_check_interval_hours =
      t["link_check"]["interval_hours"].value_or(cfg.link_check_interval_hours);
  if (auto arr = t["server"]["trusted_proxies"].as_array()) {
    for (const auto& v : *arr) {
      if (auto s = v.value<std::string>()) cfg.trusted_proxies.push_back(*s);
    }
  }
  cfg.max_upload_bytes = t["uploads"]["max_bytes"].value_or(cfg.max_upload_bytes);
  cfg.upload_expiry_hours = t["uploads"]["expiry_hours"].value_or(cfg.upload_expiry_hours);
  cfg.unit_pending_upload_bytes =
      t["uploads"]["unit_pending_bytes"].value_or(cfg.unit_pending_upload_bytes);
  cfg.account_pending_uploads =
      t["uploads"]["account_pending_uploads"].value_or(cfg.account_pending_uploads);
  if (auto arr = t["link_check"]["test_allow_cidrs"].as_array()) {
    for (const auto& v : *arr) {
      if (auto s = v.value<std::string>()) cfg.link_check_allow.push_back(*s);
    }
  }
  if (auto arr = t["review"]["reminder_days"].as_array()) {
    cfg.reminder_days.clear();
    for (const auto& v : *arr) {
      if (auto n = v.value<int64_t>(); n && *n >= 0 && *n <= 366) {
        cfg.reminder_days.push_back(static_cast<int>(*n));
      }
    }
  }
  cfg.review_jobs_seconds = t["review"]["jobs_interval_seconds"].value_or(cfg.review_jobs_seconds);
  cfg.smtp_url = t["smtp"]["url"].value_or(cfg.smtp_url);
  cfg.smtp_from = t["smtp"]["from"].value_or(cfg.smtp_from);
  cfg.public_url = t["server"]["public_url"].value_or(cfg.public_url);
  cfg.search_dir = t["search"]["dir"].value_or(cfg.search_dir);
  cfg.search_sync_seconds = t["search"]["sync_interval_seconds"].value_or(cfg.search_sync_seconds);
  cfg.public_base_url = t["portal"]["public_base_url"].value_or(cfg.public_base_url);
  cfg.oai_page_size = t["oai"]["page_size"].value_or(cfg.oai_page_size);
  cfg.oai_admin_email = t["oai"]["admin_email"].value_or(cfg.oai_admin_email);
  return Ok();
}

void ApplyEnvironment(Config& cfg) {
  auto env = [](const char* name) -> const char* { return std::getenv(name); };
  if (auto v = env("LEP_DATA")) cfg.data_dir = v;
  if (auto v = env("LEP_LISTEN")) cfg.listen = v;
  if (auto v = env("LEP_DATABASE_URL")) cfg.database_url = v;
  if (auto v = env("LEP_DATABASE_POOL_SIZE")) cfg.database_pool_size = std::atoi(v);
  if (auto v = env("LEP_WEB_DIR")) cfg.web_dir = v;
  if (auto v = env("LEP_SECURE_COOKIES")) cfg.secure_cookies = std::string(v) == "1";
  if (auto v = env("LEP_ARGON2_OPSLIMIT")) cfg.argon2_opslimit = std::strtoull(v, nullptr, 10);
  if (auto v = env("LEP_ARGON2_MEMLIMIT")) cfg.argon2_memlimit = std::strtoull(v, nullptr, 10);
  if (auto v = env("LEP_REQUIRE_TOTP")) cfg.require_two_factor = std::string(v) != "0";
  if (auto v = env("LEP_KEY_FILE")) cfg.key_file = v;
  if (auto v = env("LEP_RATE_LIMITS")) cfg.rate_limits = std::string(v) != "0";
  if (auto v = env("LEP_SEARCH_DIR")) cfg.search_dir = v;
  if (auto v = env("LEP_PUBLIC_BASE_URL")) cfg.public_base_url = v;
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 >= listen.size()) {
    return Fail(Error::InvalidArgument("监听地址应为 主机:端口，例如 127.0.0.1:8080"));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const char* b = listen.data() + colon + 1;
  const char* e = listen.data() + listen.size();
  auto [p, ec] = std::from_chars(b, e, port);
  if (ec != std::errc() || p != e || port > 65535) {
    return Fail(Error::InvalidArgument("端口号无效：" + listen.substr(colon + 1)));
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

}  // namespace lep
