# Shared helpers for the benchmarks (sourced, not run). Loopback only; everything started here
# is stopped by bench_cleanup (install it with `trap bench_cleanup EXIT`).
#   LEP_BIN    lep binary (default <repo>/build/release/src/lep — build it Release first)
#   BENCH_TMP  parent of the scratch directory (default $TMPDIR or /tmp; keep it on the disk
#              you want to measure: lep's data and nginx's files both go there)
#   BENCH_DB   sqlite (default) or pg; with pg, BENCH_PG_URL is the libpq URL of a running
#              cluster (bench/run.sh starts one with scripts/pg-test-cluster.sh) and every
#              new_database call creates a fresh database in it

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd)"
LEP_BIN="${LEP_BIN:-$REPO_ROOT/build/release/src/lep}"
PASSWORD='Lep@Demo2022'

WORK="$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/lep-bench.XXXXXX")"
BENCH_DB="${BENCH_DB:-sqlite}"
# Rate limits off: the benchmarks measure throughput, not the abuse limits (README).
export LEP_RATE_LIMITS=0
LEP_PID=""
NGINX_PID_FILE=""
SHIPPED_PID_FILE=""

say() { printf '%s\n' "$*" >&2; }
die() { say "bench: $*"; exit 1; }

bench_cleanup() {
  local rc=$?
  if [[ -n "$LEP_PID" ]] && kill -0 "$LEP_PID" 2>/dev/null; then
    kill -TERM "$LEP_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$LEP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LEP_PID" 2>/dev/null || true
    wait "$LEP_PID" 2>/dev/null || true
  fi
  stop_nginx_pidfile "$NGINX_PID_FILE"
  stop_nginx_pidfile "$SHIPPED_PID_FILE"
  if [[ -z "${BENCH_KEEP:-}" ]]; then
    local d
    for d in "${PG_DBS[@]}"; do psql "$BENCH_PG_URL" -Atqc "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  fi
  if [[ -n "${BENCH_KEEP:-}" ]]; then say "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}

stop_nginx_pidfile() {  # PID_FILE
  [[ -n "$1" && -s "$1" ]] || return 0
  local npid
  npid="$(cat "$1")"
  kill -QUIT "$npid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$npid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$npid" 2>/dev/null || true
}

need() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "需要 $tool（apt-get install $tool）"
  done
}

# A free loopback TCP port (tiny race window; only for nginx, lep binds :0 itself).
free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()'
}

# new_database DATA: a fresh, empty database for the data directory DATA. SQLite: nothing to do
# (lep creates DATA/lep.db). pg: CREATE DATABASE lep_bench_<n> in the cluster and export
# LEP_DATABASE_URL, which every later lep command (seed-demo, import, reindex, serve) uses.
PG_DBS=()
new_database() {
  LEP_DB_FILE="$1/lep.db"
  [[ "$BENCH_DB" == pg ]] || { unset LEP_DATABASE_URL; return 0; }
  [[ -n "${BENCH_PG_URL:-}" ]] || die "BENCH_DB=pg needs BENCH_PG_URL"
  local name="lep_bench_$$_${#PG_DBS[@]}"
  psql "$BENCH_PG_URL" -Atqc "CREATE DATABASE $name" >/dev/null || die "CREATE DATABASE $name failed"
  PG_DBS+=("$name")
  LEP_DATABASE_URL="$(sed -E "s#^(postgres(ql)?://[^/]*/)[^?]*#\\1$name#" <<<"$BENCH_PG_URL")"
  export LEP_DATABASE_URL
}
# db_sql SQL: runs one statement on the current database, prints rows (| separated).
db_sql() {
  if [[ "$BENCH_DB" == pg ]]; then psql "$LEP_DATABASE_URL" -Atqc "$1"; else sqlite3 "$LEP_DB_FILE" "$1"; fi
}
db_label() { [[ "$BENCH_DB" == pg ]] && echo "PostgreSQL 15" || echo "SQLite"; }

# summary WHAT LEP BASELINE RATIO: one row of the summary table at the top of latest.md.
summary() {
  printf '| %s | %s | %s | %s | **%s×** |\n' "$1" "$(db_label)" "$2" "$3" "$4" >>"${BENCH_SUMMARY:-/dev/null}"
}

# rss_line PID: a markdown bullet with lep's peak RSS (VmHWM) — call before stopping it.
rss_line() {
  local hwm; hwm="$(vm_kib "$1" VmHWM 2>/dev/null || true)"
  [[ -n "$hwm" ]] && echo "- lep peak RSS (VmHWM): $((hwm / 1024)) MiB"
  echo "${BENCH_NAME:-bench} ($(db_label)) $((${hwm:-0} / 1024))" >>"${BENCH_RSS_LOG:-/dev/null}"
}

# start_lep: seed a fresh data dir under $WORK and serve on 127.0.0.1:0; sets LEP_BASE, LEP_PID.
start_lep() {
  [[ -x "$LEP_BIN" ]] || die "找不到 $LEP_BIN（cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build/release lep）"
  local data="$WORK/lep-data"
  mkdir -p "$data"
  new_database "$data"
  LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1 "$LEP_BIN" seed-demo --no-showcase --data "$data" >"$WORK/seed.log" 2>&1 ||
    { cat "$WORK/seed.log" >&2; die "seed-demo failed"; }
  LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1 "$LEP_BIN" serve --data "$data" --listen 127.0.0.1:0 \
    >"$WORK/lep.out" 2>"$WORK/lep.log" &
  LEP_PID=$!
  LEP_BASE=""
  for _ in $(seq 1 300); do
    LEP_BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/lep.out" 2>/dev/null | head -1 || true)"
    [[ -n "$LEP_BASE" ]] && break
    kill -0 "$LEP_PID" 2>/dev/null || { cat "$WORK/lep.log" >&2; die "lep did not start"; }
    sleep 0.2
  done
  [[ -n "$LEP_BASE" ]] || die "lep did not print its URL"
  curl -sf "$LEP_BASE/healthz" >/dev/null || die "$LEP_BASE/healthz failed"
  LEP_DATA="$data"
}

# login USER: cookie jar $WORK/jar.USER; prints the CSRF token.
login() {
  local user="${1:-gd_uploader}"
  curl -sf -c "$WORK/jar.$user" -H 'Content-Type: application/json' -X POST "$LEP_BASE/api/v1/auth/login" \
    -d "{\"username\":\"$user\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["csrf_token"])'
}

# session_cookie USER: "lep_session=…" from the jar.
session_cookie() {
  awk '$6=="lep_session"{print $6"="$7}' "$WORK/jar.${1:-gd_uploader}"
}

# create_resource CSRF TITLE: prints the new resource id (as gd_uploader).
create_resource() {
  curl -sf -b "$WORK/jar.gd_uploader" -H "X-CSRF-Token: $1" -H 'Content-Type: application/json' \
    -X POST "$LEP_BASE/api/v1/resources" \
    -d "{\"title\":\"$2\",\"type\":\"A01\",\"domain\":\"老年教育\",\"summary\":\"基准测试\",\"copyright_holder\":\"岭南示范职业技术学院（演示）\",\"presenters\":\"张演示\"}" |
    python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])'
}

# tus_create CSRF RESOURCE_ID LENGTH FILENAME: prints the upload path (Location).
tus_create() {
  local meta
  meta="resource_id $(printf %s "$2" | base64 -w0),filename $(printf %s "$4" | base64 -w0),kind $(printf media | base64 -w0)"
  curl -sf -D - -o /dev/null -b "$WORK/jar.gd_uploader" -H "X-CSRF-Token: $1" -H 'Tus-Resumable: 1.0.0' \
    -H "Upload-Length: $3" -H "Upload-Metadata: $meta" -X POST "$LEP_BASE/api/v1/uploads/" |
    tr -d '\r' | awk 'tolower($1)=="location:"{print $2}'
}

# start_nginx CONF_BODY: runs Debian nginx (foreground master, no daemon) with a temp config
# whose server block is CONF_BODY; sets NGINX_BASE.
start_nginx() {
  need nginx
  local port conf
  port="$(free_port)"
  mkdir -p "$WORK/nginx/tmp" "$WORK/nginx/logs"
  NGINX_PID_FILE="$WORK/nginx/nginx.pid"
  conf="$WORK/nginx/nginx.conf"
  local user_line=""
  # As root nginx would drop its workers to nobody, who cannot write to our 0700 scratch dir.
  [[ "$(id -u)" == 0 ]] && user_line="user root;"
  cat >"$conf" <<EOF
$user_line
worker_processes auto;
daemon off;
pid $NGINX_PID_FILE;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    $1
  }
}
EOF
  NGINX_BASE="http://127.0.0.1:$port"
  run_nginx "$WORK/nginx" "$conf" "$NGINX_PID_FILE" "$NGINX_BASE/"
}

# run_nginx PREFIX CONF PID_FILE PROBE_URL: checks the config, starts nginx in the background and
# waits until PROBE_URL answers and the pid file is written (dies otherwise).
run_nginx() {
  nginx -p "$1" -c "$2" -t >/dev/null 2>"$1/logs/test.log" ||
    { cat "$1/logs/test.log" >&2; die "nginx config $2 invalid"; }
  nginx -p "$1" -c "$2" 2>>"$1/logs/error.log" &
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$4" && [[ -s "$3" ]] && return 0
    sleep 0.1
  done
  cat "$1/logs/error.log" >&2
  die "nginx ($2) did not start"
}

# start_shipped_nginx: the shipped site (deploy/nginx, rendered by scripts/nginx-test-site.sh:
# microcache of public portal JSON, X-Accel-Redirect of published media) in front of the running
# lep (LEP_BASE, LEP_DATA); sets SHIPPED_BASE. A stand-in index.html is the front end.
start_shipped_nginx() {
  need nginx
  local ng="$WORK/shipped" web="$WORK/shipped-web" port
  mkdir -p "$web"
  echo '<!doctype html><meta charset="utf-8"><title>lep</title><div id="app"></div>' >"$web/index.html"
  port="$(free_port)"
  NGINX_QUIET=1 "$REPO_ROOT/scripts/nginx-test-site.sh" "$ng" "$web" "$LEP_DATA" "${LEP_BASE##*:}" "$port" ||
    die "rendering deploy/nginx failed"
  SHIPPED_PID_FILE="$ng/nginx.pid"
  SHIPPED_BASE="http://127.0.0.1:$port"
  run_nginx "$ng" "$ng/nginx.conf" "$SHIPPED_PID_FILE" "$SHIPPED_BASE/healthz"
}
stop_shipped_nginx() {
  stop_nginx_pidfile "$SHIPPED_PID_FILE"
  SHIPPED_PID_FILE=""
}

machine() {
  printf 'nproc %s; %s; %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(uname -sr)"
}

vm_kib() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status"; }
