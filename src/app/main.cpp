// lep: the single binary — serve and the operator's commands (migrate, seed-demo, user add,
// import, reindex, check-links, audit, backup/restore, fixity, totp, worker), each of which also runs
// beside a live server. The composition root: the only place that picks concrete classes.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/app_context.h"
#include "app/routes.h"
#include "portal/search_feed.h"
#include "app/resources_io.h"
#include "app/seed.h"
#include "app/seed_showcase.h"
#include "app/backup.h"
#include "security/totp.h"
#include <ctime>
#include "security/audit_chain.h"
#include <filesystem>
#include "xlsx/spreadsheet.h"
#include <fstream>
#include <sstream>
#include "http/server.h"
#include "linkcheck/address_classifier.h"
#include "search/search_index.h"
#include "storage/db/migrations.h"
#include <chrono>
#include <cstdlib>
#include <thread>

namespace {

using lep::Config;

int Die(const lep::Error& e) {
  std::fprintf(stderr, "错误：%s\n", e.message.c_str());
  for (const auto& f : e.fields) {
    std::fprintf(stderr, "  - %s（%s）：%s\n", f.label.c_str(), f.field.c_str(),
                 f.message.c_str());
  }
  return 1;
}

// Whether the rebuild token `seen` (from an index) honours `asked`: the same request, or a
// later one ("<ms>-<random>").
bool HonoursRequest(const std::string& seen, const std::string& asked) {
  if (seen.empty()) return false;
  return seen == asked || std::atoll(seen.c_str()) > std::atoll(asked.c_str());
}

// `lep reindex`: rebuilds the index at search.dir itself when no server holds it; otherwise
// asks the running servers to rebuild theirs and waits until the one at search.dir has.
int RunReindex(lep::app::AppContext& ctx, std::chrono::seconds wait) {
  const std::string dir = ctx.config.SearchDir();
  auto index = lep::search::OpenXapianIndex(dir);
  if (index) {
    ctx.search = std::move(*index);
    lep::portal::SearchFeed feed(*ctx.search, *ctx.resource_repo, *ctx.feed_repo, *ctx.clock);
    auto n = feed.Reindex();
    if (!n) return Die(n.error());
    std::printf("已重建检索索引：%lld 个已发布资源\n", static_cast<long long>(*n));
    return 0;
  }
  if (!index.error().Is(lep::ErrorCode::kUnavailable)) return Die(index.error());
  auto token = lep::portal::SearchFeed::RequestRebuild(*ctx.feed_repo, *ctx.clock);
  if (!token) return Die(token.error());
  std::printf(
      "检索索引 %s 正由运行中的服务器使用：已请求连接本数据库的每台服务器重建各自的索引，"
      "等待本机索引完成……\n",
      dir.c_str());
  std::fflush(stdout);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto peek = lep::search::PeekXapianIndex(dir, lep::portal::kSearchRebuildMeta);
    if (peek && HonoursRequest(peek->meta, *token)) {
      std::printf("运行中的服务器已重建检索索引：%lld 个已发布资源\n",
                  static_cast<long long>(peek->documents));
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Die(lep::Error{lep::ErrorCode::kUnavailable,
                        "等待超时：运行中的服务器尚未完成重建（请求仍然有效，服务器完成后即生效；"
                        "可用 --wait 延长等待）",
                        {},
                        std::nullopt});
}

void AddCommonOptions(CLI::App* cmd, Config& cfg, std::string& config_file) {
  cmd->add_option("--data", cfg.data_dir, "数据目录（数据库与媒体文件），默认 ./var");
  cmd->add_option("--config", config_file, "TOML 配置文件路径");
  cmd->add_option("--database", cfg.database_url, "数据库地址，默认 sqlite:<数据目录>/lep.db");
}

// Runs start(), then blocks until SIGTERM or SIGINT.
void WaitForTermination(const std::function<void()>& start) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before start(): its threads inherit the mask
  start();
  std::printf("lep worker 已启动，按 Ctrl+C 停止。\n");
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  std::printf("lep worker 正在停止（进行中的任务放回队列）。\n");
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread: a peer that hangs up mid-sendfile must cost one request, not the process.
  lep::http::IgnoreSigpipe();
  CLI::App cli{"lep — 终身教育数字化学习资源征集与学习门户平台"};
  cli.require_subcommand(1);
  Config cfg;
  std::string config_file;

  // Flags given on the command line win over the file and the environment: remember them
  // and re-apply after loading.
  Config flags;
  auto* serve = cli.add_subcommand("serve", "启动 HTTP 服务");
  AddCommonOptions(serve, flags, config_file);
  serve->add_option("--listen", flags.listen, "监听地址 HOST:PORT，默认 127.0.0.1:8080");
  serve->add_option("--web", flags.web_dir, "前端构建目录（web/dist）");
  serve->add_option("--workers", flags.worker_threads, "处理请求的工作线程数，默认 4");
  bool auto_migrate = false;
  serve->add_flag("--migrate", auto_migrate, "启动前执行数据库迁移");

  auto* migrate = cli.add_subcommand("migrate", "执行数据库迁移");
  AddCommonOptions(migrate, flags, config_file);

  auto* seed = cli.add_subcommand("seed-demo", "写入演示数据（只写一次）");
  AddCommonOptions(seed, flags, config_file);
  bool seed_no_showcase = false;
  seed->add_flag("--no-showcase", seed_no_showcase,
                 "只建演示单位与账号，不生成演示资源（默认用 ffmpeg 生成几十个演示资源并走完审核发布）");
  int64_t seed_published = 0;
  seed->add_option("--published", seed_published,
                   "另外生成 N 个已发布的演示资源（门户演示与基准测试用）")
      ->check(CLI::Range(int64_t{0}, int64_t{10'000'000}));

  auto* user = cli.add_subcommand("user", "账号管理");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "从命令行开设账号（如首个平台管理员）");
  AddCommonOptions(user_add, flags, config_file);
  std::string username, role = "platform_admin", display_name, password;
  int64_t org_id = 0;
  user_add->add_option("--username", username, "用户名")->required();
  user_add->add_option("--role", role, "角色，默认 platform_admin");
  user_add->add_option("--display-name", display_name, "姓名");
  user_add->add_option("--org-id", org_id, "所属单位 ID，默认国家开放大学");
  user_add->add_option("--password", password,
                       "密码（不建议：会留在 shell 历史中；缺省时从标准输入读取一行）");

  auto* reindex = cli.add_subcommand(
      "reindex", "从数据库重建全文检索索引（服务器运行时：请求各服务器重建并等待本机索引完成）");
  AddCommonOptions(reindex, flags, config_file);
  int reindex_wait_seconds = 1800;
  reindex
      ->add_option("--wait", reindex_wait_seconds, "服务器运行时最多等待重建完成的秒数，默认 1800")
      ->check(CLI::Range(1, 86400));

  auto* import_cmd = cli.add_subcommand("import", "从 xlsx / UTF-8 CSV 批量导入资源元数据");
  AddCommonOptions(import_cmd, flags, config_file);
  std::string import_file;
  int64_t import_unit = 0;
  bool import_dry_run = false;
  import_cmd->add_option("FILE", import_file, "xlsx 或 CSV 文件")->required();
  import_cmd->add_option("--unit", import_unit, "导入到的单位 ID")->required();
  import_cmd->add_flag("--dry-run", import_dry_run, "只校验，不写入");

  auto* check_links = cli.add_subcommand("check-links", "检查所有网络课程（A03）链接是否可访问");
  AddCommonOptions(check_links, flags, config_file);

  auto* worker = cli.add_subcommand(
      "worker", "只运行后台任务（重新封装、转码、链接检测等），可与 lep serve 共用数据库与数据目录");
  AddCommonOptions(worker, flags, config_file);
  bool worker_once = false;
  worker->add_flag("--once", worker_once, "处理完当前到期的任务后退出");

  auto* audit = cli.add_subcommand("audit", "审计日志");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "校验审计日志哈希链，指出第一条被改动或删除的记录");
  AddCommonOptions(audit_verify, flags, config_file);
  auto* audit_anchor = audit->add_subcommand("anchor", "把当前链头追加到锚定文件");
  AddCommonOptions(audit_anchor, flags, config_file);

  auto* backup = cli.add_subcommand("backup", "备份数据库、媒体文件与审计锚定文件（含 SHA-256 清单）");
  AddCommonOptions(backup, flags, config_file);
  std::string backup_out;
  bool backup_without_key = false;
  backup->add_option("--out", backup_out, "备份目录（须为新目录或空目录）")->required();
  backup->add_flag("--without-key", backup_without_key,
                   "不把个人信息加密密钥放入备份（恢复时须用 --key 提供）");

  auto* restore = cli.add_subcommand("restore", "校验备份并恢复到新的空数据目录");
  AddCommonOptions(restore, flags, config_file);
  std::string restore_from, restore_key;
  bool restore_verify_only = false;
  restore->add_option("--from", restore_from, "备份目录")->required();
  restore->add_option("--key", restore_key, "加密密钥文件（备份中不含密钥时必填）");
  restore->add_flag("--verify-only", restore_verify_only, "只校验备份，不写入");

  auto* fixity = cli.add_subcommand("fixity", "重新计算已入库媒体文件的 SHA-256，报告不一致");
  AddCommonOptions(fixity, flags, config_file);

  auto* totp = cli.add_subcommand("totp", "动态验证码工具");
  totp->require_subcommand(1);
  auto* totp_code = totp->add_subcommand("code", "按 Base32 密钥计算当前 6 位验证码（同 oathtool --totp -b）");
  std::string totp_secret;
  totp_code->add_option("--secret", totp_secret, "Base32 密钥")->required();

  CLI11_PARSE(cli, argc, argv);

  if (totp_code->parsed()) {
    auto raw = lep::security::Base32Decode(totp_secret);
    if (!raw) return Die(raw.error());
    std::printf("%s\n", lep::security::TotpCode(*raw, std::time(nullptr)).c_str());
    return 0;
  }

  // Precedence: defaults < file < environment < flags.
  Config defaults;
  if (auto st = lep::LoadConfigFile(config_file, cfg); !st) return Die(st.error());
  lep::ApplyEnvironment(cfg);
  if (flags.data_dir != defaults.data_dir) cfg.data_dir = flags.data_dir;
  if (!flags.database_url.empty()) cfg.database_url = flags.database_url;
  if (flags.listen != defaults.listen) cfg.listen = flags.listen;
  if (!flags.web_dir.empty()) cfg.web_dir = flags.web_dir;
  if (flags.worker_threads != defaults.worker_threads) cfg.worker_threads = flags.worker_threads;

  if (restore->parsed()) {
    lep::app::RestoreOptions ro;
    ro.from_dir = restore_from;
    ro.target = cfg;
    ro.key_file = restore_key;
    ro.verify_only = restore_verify_only;
    auto rep = lep::app::RestoreBackup(ro);
    if (!rep) return Die(rep.error());
    std::printf("备份校验通过：%lld 个文件，%lld 字节\n", static_cast<long long>(rep->files_verified),
                static_cast<long long>(rep->bytes_verified));
    if (!restore_verify_only) {
      std::printf("已恢复到 %s：审计日志 %lld 条完整，联系人 %lld 条可解密，检索索引 %lld 个资源\n",
                  cfg.data_dir.c_str(), static_cast<long long>(rep->audit_rows),
                  static_cast<long long>(rep->contacts_decrypted),
                  static_cast<long long>(rep->resources_indexed));
    }
    return 0;
  }

  bool do_migrate = migrate->parsed() || seed->parsed() || auto_migrate;
  // Only the server holds the search index (one writer per index): every other command runs
  // beside a live server, and its changes reach the servers' indexes through the change feed.
  auto ctx_or = lep::app::BuildAppContext(
      cfg, nullptr, do_migrate,
      serve->parsed() ? lep::app::SearchIndexUse::kOpen : lep::app::SearchIndexUse::kClosed);
  if (!ctx_or) return Die(ctx_or.error());
  auto& ctx = **ctx_or;

  if (migrate->parsed()) {
    auto v = lep::storage::CurrentVersion(*ctx.db);
    std::printf("数据库已迁移到版本 %d（%s）\n", v ? *v : 0, cfg.DatabaseUrl().c_str());
    auto base = lep::app::EnsureBaseData(ctx);
    if (!base) return Die(base.error());
    return 0;
  }
  if (seed->parsed()) {
    auto seeded = lep::app::SeedDemo(ctx);
    if (!seeded) return Die(seeded.error());
    std::printf(*seeded ? "演示数据已写入。\n" : "演示数据已存在，未做改动。\n");
    if (*seeded && !seed_no_showcase) {
      std::printf("正在生成演示资源（ffmpeg 生成音视频，经审核后发布）……\n");
      std::fflush(stdout);
      auto shown = lep::app::SeedShowcase(ctx, cfg.data_dir + "/tmp/showcase");
      if (!shown) return Die(shown.error());
      std::printf("演示资源：已发布 %d 个，另有 %d 个在各角色的待办中。\n", shown->published,
                  shown->waiting);
    }
    if (seed_published > 0) {
      auto n = lep::app::SeedPublished(ctx, seed_published, 20221, [&](int64_t done) {
        if (done % 100'000 == 0 || done == seed_published) {
          std::printf("已生成并发布 %lld / %lld 个演示资源\n", static_cast<long long>(done),
                      static_cast<long long>(seed_published));
          std::fflush(stdout);
        }
      });
      if (!n) return Die(n.error());
    }
    std::printf("演示账号（密码均为 %s，仅用于演示）：\n", lep::app::kDemoPassword);
    for (const auto& a : lep::app::DemoAccounts()) {
      auto role = lep::auth::ParseRole(a.role);
      std::printf("  %-14s %-10s %s\n", a.username.c_str(),
                  std::string(lep::auth::RoleLabel(*role)).c_str(), a.unit.c_str());
    }
    return 0;
  }
  if (audit_verify->parsed() || audit_anchor->parsed()) {
    std::string anchor = cfg.data_dir + "/audit.anchor";
    if (audit_anchor->parsed()) {
      auto a = lep::security::AnchorHead(*ctx.db, anchor, *ctx.clock);
      if (!a) return Die(a.error());
      std::printf("已锚定链头：%lld\n", *a ? static_cast<long long>((*a)->id) : 0LL);
      return 0;
    }
    std::optional<std::string> anchor_path;
    if (std::filesystem::exists(anchor)) anchor_path = anchor;
    auto report = lep::security::VerifyChain(*ctx.db, anchor_path);
    if (!report) return Die(report.error());
    if (report->ok) {
      std::printf("审计日志完整：校验 %lld 条记录\n", static_cast<long long>(report->rows_checked));
      return 0;
    }
    std::printf("审计日志被篡改：第一条异常记录 ID %lld，%s\n",
                static_cast<long long>(report->broken_id.value_or(0)), report->reason.c_str());
    return 4;
  }
  if (backup->parsed()) {
    bool tty = isatty(STDERR_FILENO);
    auto rep = lep::app::CreateBackup(ctx, {backup_out, !backup_without_key},
                                      [tty](int64_t done, int64_t total) {
                                        if (tty) std::fprintf(stderr, "\r已复制 %lld/%lld 个文件",
                                                              static_cast<long long>(done),
                                                              static_cast<long long>(total));
                                      });
    if (tty) std::fprintf(stderr, "\n");
    if (!rep) return Die(rep.error());
    for (const auto& w : rep->warnings) std::printf("注意：%s\n", w.c_str());
    std::printf("备份完成：%s，%lld 个文件，%lld 字节（清单 manifest.json）\n", backup_out.c_str(),
                static_cast<long long>(rep->files), static_cast<long long>(rep->bytes));
    return 0;
  }
  if (fixity->parsed()) {
    auto rep = lep::app::RunFixityCheck(ctx);
    if (!rep) return Die(rep.error());
    for (const auto& m : rep->mismatches) std::printf("不一致：%s\n", m.c_str());
    std::printf("已校验 %lld 个文件（%lld 字节），%zu 个不一致\n",
                static_cast<long long>(rep->checked), static_cast<long long>(rep->bytes),
                rep->mismatches.size());
    return rep->mismatches.empty() ? 0 : 5;
  }
  if (reindex->parsed()) {
    return RunReindex(ctx, std::chrono::seconds(reindex_wait_seconds));
  }
  if (import_cmd->parsed()) {
    std::ifstream in(import_file, std::ios::binary);
    if (!in) return Die(lep::Error::InvalidArgument("无法读取文件：" + import_file));
    std::ostringstream ss;
    ss << in.rdbuf();
    auto table = lep::xlsx::ReadSpreadsheet(ss.str(), import_file);
    if (!table) return Die(table.error());
    auto org = ctx.org_repo->Get(lep::orgs::OrgId{import_unit});
    if (!org || !*org) return Die(lep::Error::NotFound("单位不存在"));
    // The shell acts with the authority of the unit's administrator.
    lep::auth::Principal shell;
    shell.role = lep::auth::Role::kUnitAdmin;
    shell.org = **org;
    shell.username = "shell";
    bool tty = isatty(STDERR_FILENO);
    auto progress = [tty](int done, int total) {
      if (!tty || total == 0) return;
      int width = 40, filled = total ? width * done / total : width;
      std::fprintf(stderr, "\r[%s%s] %d/%d", std::string(filled, '#').c_str(),
                   std::string(width - filled, '.').c_str(), done, total);
      if (done == total) std::fprintf(stderr, "\n");
    };
    auto report = ctx.resources->Import(shell, (*org)->id,
                                        lep::app::SheetFromTable(*table), import_dry_run, progress);
    if (!report) return Die(report.error());
    for (const auto& e : report->errors) {
      std::printf("第 %d 行 %s（%s）：%s\n", e.row, e.label.c_str(), e.field.c_str(),
                  e.message.c_str());
    }
    for (const auto& u : report->unknown_columns) std::printf("未知列（已忽略）：%s\n", u.c_str());
    std::printf("共 %d 行，%d 行有效，%zu 处错误；%s\n", report->total_rows, report->valid_rows,
                report->errors.size(),
                import_dry_run ? "仅校验，未写入"
                : report->errors.empty()
                    ? ("已导入 " + std::to_string(report->created.size()) + " 个资源").c_str()
                    : "有错误，未写入任何数据");
    return report->errors.empty() ? 0 : 2;
  }
  if (check_links->parsed()) {
    lep::resources::ResourceFilter courses;
    courses.type = "A03";
    courses.page_size = 1000;
    int bad = 0, checked = 0;
    for (courses.page = 1;; ++courses.page) {
      auto page = ctx.resource_repo->List(courses);
      if (!page) return Die(page.error());
      for (const auto& r : page->items) {
        if (r.meta.link.empty()) continue;
        auto result = ctx.ingest->CheckLinkNow(r.id, r.meta.link);
        ++checked;
        if (!result.reachable) ++bad;
        std::printf("%lld\t%s\t%s\t%d\t%s\n", static_cast<long long>(r.id.value),
                    result.reachable ? "可访问" : "不可访问", r.meta.link.c_str(), result.status,
                    result.error.c_str());
      }
      if (page->items.size() < static_cast<size_t>(courses.page_size)) break;
    }
    std::printf("共检查 %d 个链接，%d 个不可访问\n", checked, bad);
    return bad ? 3 : 0;
  }
  if (user_add->parsed()) {
    auto parsed_role = lep::auth::ParseRole(role);
    if (!parsed_role) return Die(lep::Error::InvalidArgument("角色无效：" + role));
    if (password.empty()) {
      if (isatty(STDIN_FILENO)) std::fprintf(stderr, "请输入密码：");
      std::getline(std::cin, password);
    }
    std::optional<lep::orgs::OrgId> org;
    if (*parsed_role != lep::auth::Role::kLearner) {
      if (org_id > 0) {
        org = lep::orgs::OrgId{org_id};
      } else {
        auto root = lep::app::EnsureRoot(ctx);
        if (!root) return Die(root.error());
        org = root->id;
      }
    }
    auto created = ctx.auth->CreateUserUnchecked(
        org, {username, password, display_name.empty() ? username : display_name, *parsed_role});
    if (!created) return Die(created.error());
    std::printf("已开设账号 %s（%s），用户 ID %lld\n", created->username.c_str(),
                std::string(lep::auth::RoleLabel(created->role)).c_str(),
                static_cast<long long>(created->id.value));
    return 0;
  }

  if (worker->parsed()) {
    if (worker_once) {
      int n = 0;
      while (ctx.job_runner->RunOnce() || ctx.video_runner->RunOnce()) ++n;
      std::printf("已处理 %d 个任务\n", n);
      return 0;
    }
    WaitForTermination([&] {
      ctx.job_runner->Start();
      ctx.video_runner->Start();  // transcodes (video.workers at once)
    });
    ctx.job_runner->Stop();
    ctx.video_runner->Stop();
    return 0;
  }

  // serve
  if (auto_migrate) {
    if (auto base = lep::app::EnsureBaseData(ctx); !base) return Die(base.error());
  }
  auto listen = lep::ParseListen(cfg.listen);
  if (!listen) return Die(listen.error());
  lep::http::Router router = lep::app::BuildRouter(ctx);
  lep::http::ServerOptions opts;
  opts.host = listen->first;
  opts.port = listen->second;
  opts.worker_threads = cfg.worker_threads;
  opts.max_connections = static_cast<size_t>(cfg.max_connections);
  opts.max_connections_per_address = static_cast<size_t>(cfg.max_connections_per_ip);
  opts.header_timeout = std::chrono::seconds(cfg.header_timeout_seconds);
  opts.idle_timeout = std::chrono::seconds(cfg.keepalive_timeout_seconds);
  {
    // A reverse proxy carries many clients on its connections: no per-address cap for it.
    std::vector<lep::linkcheck::Cidr> proxies;
    for (const auto& text : cfg.trusted_proxies) {
      auto c = lep::linkcheck::ParseCidr(text);
      if (!c)
        return Die(
            lep::Error::InvalidArgument("配置 server.trusted_proxies 中的地址段无效：" + text));
      proxies.push_back(*c);
    }
    if (!proxies.empty()) {
      opts.exempt_from_address_cap = [proxies](const std::string& ip) {
        auto a = lep::linkcheck::ParseIpAddress(ip);
        if (!a) return false;
        for (const auto& c : proxies) {
          if (c.Contains(*a)) return true;
        }
        return false;
      };
    }
  }
  lep::http::RaiseOpenFileLimit();
  lep::http::Server server(opts, router, ctx.metrics);
  lep::app::FixityJob fixity_job(ctx);  // re-hashes stored media once per interval
  std::string error;
  if (!server.Bind(&error)) {
    std::fprintf(stderr, "错误：%s\n", error.c_str());
    return 1;
  }
  std::string host = opts.host.find(':') != std::string::npos ? "[" + opts.host + "]" : opts.host;
  std::printf("lep 已启动：http://%s:%u/\n", host.c_str(), server.port());
  std::fflush(stdout);
  ctx.review_jobs->Start();  // scheduled batches, deadline reminders, e-mail
  // Changes made through other servers reach this one's search index.
  ctx.search_feed->Start(std::chrono::seconds(std::max(1, ctx.config.search_sync_seconds)));
  ctx.catalog->Start(std::chrono::seconds(5));  // catalog files follow publication
  if (cfg.job_threads > 0) ctx.job_runner->Start();  // the embedded worker (jobs.threads = 0: none)
  if (cfg.video_workers > 0) ctx.video_runner->Start();  // embedded transcoding (0: none)
  server.Run();
  ctx.job_runner->Stop();
  ctx.video_runner->Stop();
  ctx.review_jobs->Stop();
  std::printf("lep 已停止。\n");
  return 0;
}
