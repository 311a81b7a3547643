#!/usr/bin/env bash
# End-to-end tus uploads with the real tus-js-client (node, no browser) against a real lep:
# installs the npm dependencies if needed, makes the fixture mp4 (ffmpeg), starts a fresh lep
# on a free loopback port with a temporary data directory, runs node --test on *.test.mjs and
# always stops the server. kill_server.test.mjs starts (and kill -9s) its own lep.
# Environment:
#   LEP_BIN        lep binary (default <repo>/build/asan/src/lep)
#   LEP_E2E_KEEP=1 keep the temporary directory (server log, data) for inspection
# Arguments: test files to run instead of all *.test.mjs (e.g. run.sh kill_server.test.mjs).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
step() { printf '\n==> %s\n' "$*"; }

for tool in node npm ffmpeg curl; do
  command -v "$tool" >/dev/null || { echo "需要 $tool（见 scripts/install-deps.sh）" >&2; exit 1; }
done

# npm ci only when node_modules is missing or package-lock.json changed.
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
STAMP="node_modules/.lep-lock-sha256"
if [[ ! -d node_modules || ! -f "$STAMP" || "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_HASH" ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" >"$STAMP"
else
  step "npm ci（跳过：package-lock.json 未变化）"
fi

LEP_BIN="${LEP_BIN:-$HERE/../../build/asan/src/lep}"
[[ "$LEP_BIN" = /* ]] || LEP_BIN="$PWD/$LEP_BIN"
if [[ ! -x "$LEP_BIN" ]]; then
  echo "找不到 lep 可执行文件：$LEP_BIN（请先构建，或设置 LEP_BIN）" >&2
  exit 1
fi
export LEP_BIN

WORK="$(mktemp -d "${TMPDIR:-/tmp}/lep-e2e-tus.XXXXXX")"
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

export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1
mkdir -p "$DATA_DIR"
step "lep seed-demo（$LEP_BIN）"
"$LEP_BIN" seed-demo --data "$DATA_DIR" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; exit 1; }

step "lep serve 127.0.0.1:0"
"$LEP_BIN" serve --data "$DATA_DIR" --listen 127.0.0.1:0 >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
BASE=""
for i in $(seq 1 600); do   # up to 120 s (a loaded machine, an ASan build)
  BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.out" 2>/dev/null | head -1 || true)"
  [[ -n "$BASE" ]] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "lep 启动失败：" >&2; cat "$WORK/server.log" >&2; exit 1
  fi
  sleep 0.2
done
[[ -n "$BASE" ]] || { echo "等待 lep 启动超时" >&2; cat "$WORK/server.log" >&2; exit 1; }
curl -sf "$BASE/healthz" >/dev/null || { echo "$BASE/healthz 没有返回 200" >&2; exit 1; }
echo "$BASE"

export LEP_E2E_BASE="$BASE" LEP_E2E_WORK="$WORK/fixtures"
TESTS=("$HERE"/*.test.mjs)
[[ $# -gt 0 ]] && TESTS=("$@")
step "node --test ${TESTS[*]#"$HERE"/}"
set +e
node --test --test-concurrency=1 --test-timeout=480000 "${TESTS[@]}"
RC=$?
set -e
if [[ $RC -ne 0 ]]; then
  echo "---- lep 日志（末尾）----" >&2
  tail -n 40 "$WORK/server.log" >&2 || true
fi
exit $RC
