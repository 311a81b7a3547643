#!/usr/bin/env bash
# Deployment test: Debian's nginx, run unprivileged from a temporary prefix on a loopback port,
# with a plain-HTTP site generated from the very files in deploy/nginx/ (upstreams + locations
# + snippets; only addresses and paths are rewritten), in front of a real lep (fresh data dir,
# migrate + seed-demo, server.trusted_proxies = 127.0.0.1/32). Then:
#   * the TLS site (deploy/nginx/lep-site.conf) passes `nginx -t` with a throw-away certificate;
#   * static files: hashed assets cached for a year, index.html no-cache + CSP, SPA fallback,
#     security headers exactly once; API, /healthz, /metrics through the proxy; X-Forwarded-For
#     from the trusted proxy names the client in lep's access log;
#   * upload.test.mjs: tus-js-client uploads a generated 200 MB file through nginx in 1 MiB
#     chunks, abort()s mid-chunk, resumes from the server's offset, and the SHA-256 the API
#     reports equals the local file's; nginx never spooled the body to its temp dir;
#   * the same upload again while every nginx worker is SIGKILLed mid-way: tus-js-client retries
#     by itself and the SHA-256 matches;
#   * a Range request through nginx returns exactly the file's bytes.
# Loopback only; everything started here is stopped on exit. Takes well under 2 minutes.
#   LEP_BIN            lep binary (default build/release/src/lep, else build/asan/src/lep)
#   LEP_DEPLOY_MB      size of the upload in MB (default 200)
#   LEP_DEPLOY_KEEP=1  keep the temporary directory (logs, configs)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
T0=$(date +%s)
step() { printf '==> [%3ss] %s\n' "$(($(date +%s) - T0))" "$*"; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

for tool in nginx node npm curl openssl python3 sha256sum sqlite3; do
  command -v "$tool" >/dev/null || fail "需要 $tool（见 scripts/install-deps.sh）"
done

if [[ -z "${LEP_BIN:-}" ]]; then
  LEP_BIN="$REPO/build/release/src/lep"
  [[ -x "$LEP_BIN" ]] || LEP_BIN="$REPO/build/asan/src/lep"
fi
[[ -x "$LEP_BIN" ]] || fail "找不到 lep：$LEP_BIN（先构建，或设置 LEP_BIN）"

cd "$HERE"
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
STAMP="node_modules/.lep-lock-sha256"
if [[ ! -f "$STAMP" || "$(cat "$STAMP")" != "$LOCK_HASH" ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund >/dev/null
  echo "$LOCK_HASH" >"$STAMP"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lep-deploy-test.XXXXXX")"
LEP_PID=""
NGINX_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  if [[ -n "$LEP_PID" ]] && kill -0 "$LEP_PID" 2>/dev/null; then
    kill -TERM "$LEP_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$LEP_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$LEP_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    echo "---- lep log (tail) ----" >&2; tail -n 20 "$WORK/lep.log" 2>/dev/null >&2 || true
    echo "---- nginx error log (tail) ----" >&2; tail -n 20 "$WORK/nginx/logs/error.log" 2>/dev/null >&2 || true
  fi
  if [[ -n "${LEP_DEPLOY_KEEP:-}" ]]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- lep ----
DATA="$WORK/data"
mkdir -p "$DATA"
cat >"$WORK/lep.toml" <<TOML
[server]
data = "$DATA"
trusted_proxies = ["127.0.0.1/32"]
TOML
export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1
step "lep migrate + seed-demo ($LEP_BIN)"
"$LEP_BIN" migrate --config "$WORK/lep.toml" >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; fail "lep migrate"; }
"$LEP_BIN" seed-demo --config "$WORK/lep.toml" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; fail "lep seed-demo"; }
"$LEP_BIN" serve --config "$WORK/lep.toml" --listen 127.0.0.1:0 >"$WORK/lep.out" 2>"$WORK/lep.log" &
LEP_PID=$!
LEP_BASE=""
for _ in $(seq 1 300); do
  LEP_BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/lep.out" 2>/dev/null | head -1 || true)"
  [[ -n "$LEP_BASE" ]] && break
  kill -0 "$LEP_PID" 2>/dev/null || fail "lep did not start"
  sleep 0.2
done
[[ -n "$LEP_BASE" ]] || fail "lep did not print its URL"
LEP_PORT="${LEP_BASE##*:}"
step "lep on $LEP_BASE"

# ---- a stand-in front end: hashed asset + index.html (the real one comes from npm run build) ----
WEB="$WORK/web"
mkdir -p "$WEB/assets"
printf '<!doctype html><html><head><meta charset="utf-8"><title>lep</title><script type="module" src="/assets/index-3f9c2a1b.js"></script></head><body><div id="app"></div></body></html>\n' >"$WEB/index.html"
echo 'console.log("lep")' >"$WEB/assets/index-3f9c2a1b.js"

# ---- nginx: render the deploy files, unprivileged prefix (scripts/nginx-test-site.sh) ----
NG="$WORK/nginx"
mkdir -p "$NG/tls"

step "nginx -t: the TLS site (lep-site.conf) with a throw-away certificate"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=learn.example.edu.cn -days 1 \
  -keyout "$NG/tls/key.pem" -out "$NG/tls/cert.pem" 2>/dev/null
"$REPO/scripts/nginx-test-site.sh" "$NG" "$WEB" "$DATA" "$LEP_PORT" 1 || fail "rendering deploy/nginx"
nginx -p "$NG" -c "$NG/tls.conf" -t >"$NG/logs/tls-test.log" 2>&1 || { cat "$NG/logs/tls-test.log" >&2; fail "TLS site config"; }

PORT=""
for attempt in 1 2 3; do
  PORT="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')"
  "$REPO/scripts/nginx-test-site.sh" "$NG" "$WEB" "$DATA" "$LEP_PORT" "$PORT" || fail "rendering deploy/nginx"
  nginx -p "$NG" -c "$NG/nginx.conf" -t >"$NG/logs/test.log" 2>&1 || { cat "$NG/logs/test.log" >&2; fail "HTTP site config"; }
  nginx -p "$NG" -c "$NG/nginx.conf" 2>>"$NG/logs/stderr.log" &
  NGINX_PID=$!
  up=""
  for _ in $(seq 1 50); do
    kill -0 "$NGINX_PID" 2>/dev/null || break
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && { up=1; break; }
    sleep 0.1
  done
  [[ -n "$up" ]] && break
  NGINX_PID=""
done
[[ -n "$up" ]] || fail "nginx did not start"
BASE="http://127.0.0.1:$PORT"
step "nginx on $BASE → lep :$LEP_PORT"

# ---- headers and routing through nginx ----
hdrs() { curl -sS -D - -o "$WORK/body" "$@" | tr -d '\r'; }
header() { awk -v h="$(tr 'A-Z' 'a-z' <<<"$1"):" 'tolower($1)==h{sub(/^[^:]*: */,""); print}' "$WORK/h"; }
count() { grep -ci "^$1:" "$WORK/h" || true; }
expect() { [[ "$2" == "$3" ]] || fail "$1: got '$2', want '$3'"; }
expect_has() { [[ "$2" == *"$3"* ]] || fail "$1: '$2' does not contain '$3'"; }

hdrs "$BASE/" >"$WORK/h"
expect "GET / status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 200
expect "GET / Cache-Control" "$(header Cache-Control)" "no-cache"
expect_has "GET / CSP" "$(header Content-Security-Policy)" "frame-ancestors 'none'"
expect "GET / X-Frame-Options count" "$(count X-Frame-Options)" 1
expect "GET / HSTS over plain HTTP" "$(count Strict-Transport-Security)" 0
grep -q 'id="app"' "$WORK/body" || fail "GET / is not index.html"

hdrs "$BASE/portal/resources/42?tab=toc" >"$WORK/h"
expect "SPA fallback status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 200
grep -q 'id="app"' "$WORK/body" || fail "SPA route did not fall back to index.html"
expect "SPA fallback Cache-Control" "$(header Cache-Control)" "no-cache"

hdrs "$BASE/assets/index-3f9c2a1b.js" >"$WORK/h"
expect "asset status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 200
expect "asset Cache-Control" "$(header Cache-Control)" "public, max-age=31536000, immutable"
expect "asset nosniff count" "$(count X-Content-Type-Options)" 1
# The build ships .gz beside assets (web/vite.config.ts); nginx sends it (gzip_static).
printf 'console.log("lep, gzipped")' | gzip -9 >"$WEB/assets/index-3f9c2a1b.js.gz"
hdrs -H 'Accept-Encoding: gzip' "$BASE/assets/index-3f9c2a1b.js" >"$WORK/h"
expect "precompressed asset Content-Encoding" "$(header Content-Encoding)" "gzip"
expect "precompressed asset bytes" "$(gzip -dc <"$WORK/body")" 'console.log("lep, gzipped")'
hdrs "$BASE/assets/missing-0000.js" >"$WORK/h"
expect "missing asset (no SPA fallback)" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 404

hdrs "$BASE/api/v1/portal/search?q=%E5%A4%AA%E6%9E%81" >"$WORK/h"
expect "API status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 200
expect "API X-Frame-Options count (lep's hidden, nginx's added)" "$(count X-Frame-Options)" 1
expect "API X-Content-Type-Options count" "$(count X-Content-Type-Options)" 1
[[ "$(count X-Request-Id)" -ge 1 ]] || fail "API: no X-Request-Id from lep"
# Portal JSON is microcached: the second identical GET within a second is nginx's.
hdrs "$BASE/api/v1/portal/home" >"$WORK/h"
expect "portal home status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 200
hdrs "$BASE/api/v1/portal/home" >"$WORK/h"
expect "portal home second GET from the microcache" "$(header X-Cache-Status)" "HIT"
expect "/healthz" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" 200
curl -sf "$BASE/metrics" >"$WORK/metrics" && grep -q '^# TYPE' "$WORK/metrics" || fail "/metrics through nginx (allowed from 127.0.0.1)"

# Body limits: JSON APIs 1 MiB at nginx; the import route lets a 2 MB body through to lep
# (which answers without a session: 401/403, not nginx's 413).
head -c 2000000 /dev/zero >"$WORK/2mb"
expect "2 MB to a JSON API" "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$WORK/2mb" "$BASE/api/v1/auth/login")" 413
code="$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: text/csv' --data-binary @"$WORK/2mb" "$BASE/api/v1/resources/import")"
[[ "$code" == 401 || "$code" == 403 ]] || fail "2 MB import without a session: got $code, want lep's 401/403"

# X-Forwarded-For: nginx appends 127.0.0.1 (trusted) to what the client sent, so lep names
# the address left of it as the client.
curl -s -o /dev/null -H 'X-Forwarded-For: 203.0.113.77' "$BASE/api/v1/portal/search?q=xff"
sleep 0.3
grep -q '203\.0\.113\.77' "$WORK/lep.log" || fail "lep's access log does not name the X-Forwarded-For client"
# Straight to lep (not a trusted peer? it is: 127.0.0.1) — an untrusted chain is covered by the
# integration tests; here we only prove the nginx → lep wiring.

# ---- the 200 MB tus upload, interrupted and resumed (node) ----
MB="${LEP_DEPLOY_MB:-200}"
step "making $MB MB of random bytes"
head -c "$((MB * 1000 * 1000))" /dev/urandom >"$WORK/upload.bin"
step "tus-js-client through nginx: upload, abort mid-chunk, resume, check SHA-256"
LEP_DEPLOY_BASE="$BASE" LEP_DEPLOY_FILE="$WORK/upload.bin" LEP_DEPLOY_NGINX_BODY_TMP="$NG/tmp/body" \
  LEP_DEPLOY_OUT="$WORK/upload.json" LEP_DEPLOY_NGINX_PID="$NGINX_PID" \
  node --test --test-reporter=spec "$HERE/upload.test.mjs"
RID="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["resource_id"])' "$WORK/upload.json")"
SESSION_COOKIE="$(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["cookie"])' "$WORK/upload.json")"

# ---- Range through nginx ----
step "Range through nginx"
SIZE=$((MB * 1000 * 1000))
FIRST=$((SIZE / 2 + 12345)); LAST=$((FIRST + 1048575))
hdrs -H "Cookie: $SESSION_COOKIE" -H "Range: bytes=$FIRST-$LAST" "$BASE/media/resources/$RID" >"$WORK/h"
expect "Range status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 206
expect "Content-Range" "$(header Content-Range)" "bytes $FIRST-$LAST/$SIZE"
expect "Range bytes" "$(sha256sum <"$WORK/body" | cut -d' ' -f1)" \
  "$(tail -c +$((FIRST + 1)) "$WORK/upload.bin" | head -c 1048576 | sha256sum | cut -d' ' -f1)"
expect "media without a session" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/media/resources/$RID")" 404

# ---- published media: sent by nginx itself (X-Accel-Redirect to the public link) ----
step "published media through nginx (X-Accel-Redirect)"
sqlite3 "$DATA/lep.db" "UPDATE resources SET state = 'published', published_at = 1 WHERE id = $RID"
hdrs -H "Range: bytes=$FIRST-$LAST" "$BASE/media/resources/$RID" >"$WORK/h"
expect "public Range status" "$(head -1 "$WORK/h" | cut -d' ' -f2)" 206
expect "public media sent by nginx" "$(header X-Media-Sent-By)" "nginx"
expect "public Content-Range" "$(header Content-Range)" "bytes $FIRST-$LAST/$SIZE"
expect "public Range bytes" "$(sha256sum <"$WORK/body" | cut -d' ' -f1)" \
  "$(tail -c +$((FIRST + 1)) "$WORK/upload.bin" | head -c 1048576 | sha256sum | cut -d' ' -f1)"
expect "no X-Accel-Redirect leaks" "$(count X-Accel-Redirect)" 0
# A client cannot pick the internal location or reach it directly.
hdrs -H "X-Lep-Accel: /etc/" -H "Range: bytes=0-9" "$BASE/media/resources/$RID" >"$WORK/h"
expect "client X-Lep-Accel overridden" "$(header X-Media-Sent-By)" "nginx"
expect "internal location" "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/_lep_public_media/$RID")" 404

step "PASS ($(($(date +%s) - T0)) s)"
