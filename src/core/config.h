// Config: every setting of the server, with documented defaults. Loaded from a TOML file
// (optional), then LEP_* environment variables, then command-line flags (applied by main).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace lep {

struct Config {
  std::string data_dir = "./var";         // [server] data; database and media live here
  std::string database_url;               // [database] url; default sqlite:<data>/lep.db
  // [database] pool_size: PostgreSQL connections per process (LEP_DATABASE_POOL_SIZE); 0 =
  // worker threads + job threads + 4 (the feed, maintenance and review-job threads and one
  // spare), so a request never waits for a connection another thread holds.
  int database_pool_size = 0;
  std::string listen = "127.0.0.1:8080";  // [server] listen
  std::string web_dir;                    // [server] web_dir; built front end (optional)
  int worker_threads = 4;                 // [server] workers
  // [jobs] threads: background jobs (remux, link checks) run at most this many at once per
  // process (`lep serve` and each `lep worker`).
  int job_threads = 1;
  int job_lease_seconds = 60;  // [jobs] lease_seconds: a dead worker's job is retried after it
  // [video] HLS transcoding (src/video): transcodes at once per process (`lep serve`: 0 = none,
  // leave them to `lep worker`), and per ffmpeg child: threads, nice level, address-space
  // limit, x264 preset, segment length; ffmpeg is the Debian CLI at `ffmpeg`.
  int video_workers = 1;
  int video_ffmpeg_threads = 2;
  int video_nice = 10;
  int video_memory_mb = 1536;
  std::string video_preset = "veryfast";
  int video_segment_seconds = 4;
  std::string video_ffmpeg = "/usr/bin/ffmpeg";
  // [server] max_connections: open connections in all (lowered to fit `ulimit -n`); a new
  // one over the cap closes the connection idle longest. max_connections_per_ip: per client
  // address (IPv6: per /64), trusted_proxies exempt. header_timeout_seconds: a whole request
  // header must arrive within it; keepalive_timeout_seconds: idle time between requests.
  int max_connections = 8192;
  int max_connections_per_ip = 256;
  int header_timeout_seconds = 10;
  int keepalive_timeout_seconds = 30;
  bool secure_cookies = false;            // [security] secure_cookies; true behind TLS
  int session_idle_minutes = 30;          // [security] session_idle_minutes
  int session_absolute_hours = 12;        // [security] session_absolute_hours
  int lockout_threshold = 5;              // [security] lockout_threshold
  int lockout_window_minutes = 15;        // [security] lockout_window_minutes
  int lockout_minutes = 15;               // [security] lockout_minutes
  uint64_t argon2_opslimit = 2;           // [security] argon2_opslimit (libsodium INTERACTIVE)
  uint64_t argon2_memlimit = 64ull << 20; // [security] argon2_memlimit bytes
  int password_min_length = 8;            // [security] password_min_length
  bool require_two_factor = true;         // [security] require_totp (LEP_REQUIRE_TOTP=0 turns off)
  int totp_grace_days = 7;                // [security] totp_grace_days
  // [security] key_file: the personal-data key, outside the database; default
  // <data>/secrets/lep.key, created on first start.
  std::string key_file;
  int fixity_interval_hours = 168;        // [fixity] interval_hours; 0 = off (lep fixity by hand)
  // [link_check] interval_hours: how often the server re-checks every A03 link (through the
  // job runner, once across all servers); 0 = off (lep check-links by hand).
  int link_check_interval_hours = 24;
  bool rate_limits = true;                // [security] rate_limits (LEP_RATE_LIMITS=0: benchmarks)
  // [server] trusted_proxies: CIDRs of reverse proxies whose X-Forwarded-For is believed.
  std::vector<std::string> trusted_proxies;
  uint64_t max_upload_bytes = 8ull << 30; // [uploads] max_bytes (Tus-Max-Size)
  int upload_expiry_hours = 24;           // [uploads] expiry_hours (unfinished uploads)
  // [uploads] unit_pending_bytes: declared bytes one unit may hold in unfinished uploads;
  // account_pending_uploads: unfinished uploads one account may have open at once.
  uint64_t unit_pending_upload_bytes = 200ull << 30;
  int account_pending_uploads = 20;
  // [link_check] test_allow_cidrs: TEST ONLY — lets the A03 link checker reach these
  // non-public ranges (e.g. "127.0.0.1/32"). Empty in production.
  std::vector<std::string> link_check_allow;
  // [review] reminder_days: deadline reminders N days before each campaign deadline.
  std::vector<int> reminder_days = {7, 1};
  int review_jobs_seconds = 15;  // [review] jobs_interval_seconds: scheduled batches, reminders
  // [smtp] url / from: e-mail copies of notifications to the units' contact persons; off
  // while url is empty. url like "smtp://mail.example.org:25" (credentials may go in it).
  std::string smtp_url;
  std::string smtp_from;
  // [server] public_url: the platform's address as users reach it ("https://lep.example.cn"),
  // the base of links in e-mail (account activation). Empty: activation links are shown to
  // the administrator instead of being mailed.
  std::string public_url;
  // [search] dir (LEP_SEARCH_DIR): this server's Xapian index; default <data>/search. Several
  // servers on one shared data directory need one each (a Xapian index has one writer).
  std::string search_dir;
  int search_sync_seconds = 3;  // [search] sync_interval_seconds: how often the outbox is tailed
  // [portal] public_base_url (LEP_PUBLIC_BASE_URL): the address the public reaches the portal
  // at, e.g. "https://lep.example.edu.cn"; absolute links (OAI-PMH records, catalog files)
  // are made from it, never from a request's Host header. Default: server.public_url, else
  // http://<server.listen>.
  std::string public_base_url;
  int oai_page_size = 100;      // [oai] page_size: records per ListRecords/ListIdentifiers page
  std::string oai_admin_email;  // [oai] admin_email: Identify's adminEmail (default smtp.from)

  std::string KeyFile() const { return key_file.empty() ? data_dir + "/secrets/lep.key" : key_file; }
  std::string PublicBaseUrl() const {
    std::string url = !public_base_url.empty() ? public_base_url
                      : !public_url.empty()    ? public_url
                                               : "http://" + listen;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
  }
  std::string SearchDir() const { return search_dir.empty() ? data_dir + "/search" : search_dir; }
  std::string DatabaseUrl() const {
    return database_url.empty() ? "sqlite:" + data_dir + "/lep.db" : database_url;
  }
  int DatabasePoolSize() const {
    return database_pool_size > 0 ? database_pool_size : worker_threads + job_threads + 4;
  }
};

// Reads path (if non-empty) then the environment over cfg.
[[nodiscard]] Status LoadConfigFile(const std::string& path, Config& cfg);
void ApplyEnvironment(Config& cfg);
// Splits "HOST:PORT" ("[::1]:8080" for IPv6).
[[nodiscard]] Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen);

}  // namespace lep
