#!/usr/bin/env bash
# HLS end to end in Chromium against a real lep (issue 18): installs the npm dependencies if
# needed (playwright-core, hls.js), starts a fresh lep on a free loopback port whose embedded
# worker transcodes with x264 ultrafast into 1 s segments, serves a bare test page with hls.js
# from --web, runs node --test on *.test.mjs and always stops the server.
# Environment:
#   LEP_BIN        lep binary (default <repo>/build/asan/src/lep)
#   CHROMIUM       browser (default /usr/bin/chromium)
#   LEP_E2E_KEEP=1 keep the temporary directory (server log, data) for inspection
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
step() { printf '\n==> %s\n' "$*"; }

for tool in node npm ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "需要 $tool（见 scripts/install-deps.sh）" >&2; exit 1; }
done
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || { echo "找不到 chromium：$CHROMIUM" >&2; exit 1; }
export CHROMIUM

LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
STAMP="node_modules/.lep-lock-sha256"
if [[ ! -d node_modules || ! -f "$STAMP" || "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_HASH" ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" >"$STAMP"
fi

LEP_BIN="${LEP_BIN:-$HERE/../../build/asan/src/lep}"
[[ "$LEP_BIN" = /* ]] || LEP_BIN="$PWD/$LEP_BIN"
[[ -x "$LEP_BIN" ]] || { echo "找不到 lep 可执行文件：$LEP_BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lep-e2e-video.XXXXXX")"
DATA_DIR="$WORK/data"
SERVER_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [[ -n "$SERVER_PID" ]] && wait "$SERVER_PID" 2>/dev/null || true
  if [[ -n "${LEP_E2E_KEEP:-}" ]]; then echo "保留：$WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$DATA_DIR" "$WORK/web"
cp page/index.html node_modules/hls.js/dist/hls.min.js "$WORK/web/"
cat >"$WORK/lep.toml" <<TOML
[video]
preset = "ultrafast"
ffmpeg_threads = 1
segment_seconds = 1
[security]
rate_limits = false
TOML

export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1 LEP_REQUIRE_TOTP=0
step "lep seed-demo"
"$LEP_BIN" seed-demo --data "$DATA_DIR" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; exit 1; }
step "lep serve 127.0.0.1:0"
"$LEP_BIN" serve --config "$WORK/lep.toml" --data "$DATA_DIR" --listen 127.0.0.1:0 \
  --web "$WORK/web" >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 600); do
  BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" 2>/dev/null | head -1 || true)"
  [[ -n "$BASE" ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "lep 启动失败：" >&2; cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.2
done
[[ -n "$BASE" ]] || { echo "等待 lep 启动超时" >&2; exit 1; }
curl -sf "$BASE/healthz" >/dev/null

export LEP_E2E_BASE="$BASE" LEP_E2E_WORK="$WORK"
TESTS=("$HERE"/*.test.mjs)
[[ $# -gt 0 ]] && TESTS=("$@")
step "node --test ${TESTS[*]#"$HERE"/}"
set +e
node --test --test-concurrency=1 --test-timeout=600000 "${TESTS[@]}"
RC=$?
set -e
if [[ $RC -ne 0 ]]; then
  echo "---- lep 日志（末尾）----" >&2
  tail -n 40 "$WORK/server.log" >&2 || true
fi
exit $RC
