#!/usr/bin/env bash
# 前端全部测试：安装依赖（必要时）→ 类型检查 → 构建 → vitest → 启动真实 lep → 浏览器端到端测试（node --test e2e/）。
# 环境变量：
#   LEP_BIN     lep 可执行文件（默认 ../build/asan/src/lep，相对于 web/）
#   CHROMIUM    浏览器（默认 /usr/bin/chromium）
#   LEP_E2E_OUT 截图目录（默认 <仓库根>/test-output/web）
set -euo pipefail

WEB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$WEB_DIR/.." && pwd)"
cd "$WEB_DIR"
START=$(date +%s)

step() { printf '\n==> %s\n' "$*"; }

# (a) 依赖：node_modules 缺失或 package-lock.json 变化时才 npm ci
LOCK_HASH="$(sha256sum package-lock.json | cut -d' ' -f1)"
STAMP="node_modules/.lep-lock-sha256"
if [[ ! -d node_modules || ! -f "$STAMP" || "$(cat "$STAMP" 2>/dev/null)" != "$LOCK_HASH" ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
  echo "$LOCK_HASH" >"$STAMP"
else
  step "npm ci（跳过：package-lock.json 未变化）"
fi

# (b) 类型检查与构建
step "vue-tsc 类型检查"
npm run --silent typecheck
step "vite build → web/dist"
npm run --silent build

# (c) 单元与组件测试
step "vitest"
npx vitest run

# (d) 端到端：真实 lep + Debian chromium
LEP_BIN="${LEP_BIN:-../build/asan/src/lep}"
[[ "$LEP_BIN" = /* ]] || LEP_BIN="$WEB_DIR/$LEP_BIN"
if [[ ! -x "$LEP_BIN" ]]; then
  echo "找不到 lep 可执行文件：$LEP_BIN（请先构建，或设置 LEP_BIN）" >&2
  exit 1
fi
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  echo "找不到 chromium：$CHROMIUM（apt-get install chromium）" >&2
  exit 1
fi
if command -v fc-list >/dev/null && [[ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]]; then
  echo "提示：系统没有中文字体，截图中的汉字会显示为方框（apt-get install fonts-wqy-microhei 或 fonts-noto-cjk）" >&2
fi

DATA_DIR="$(mktemp -d "${TMPDIR:-/tmp}/lep-web-e2e.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

PORT="$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1
step "lep seed-demo（$LEP_BIN）"
"$LEP_BIN" seed-demo --data "$DATA_DIR" >"$DATA_DIR/seed.log" 2>&1 || { cat "$DATA_DIR/seed.log" >&2; exit 1; }
step "lep serve 127.0.0.1:$PORT"
"$LEP_BIN" serve --data "$DATA_DIR" --listen "127.0.0.1:$PORT" --web "$WEB_DIR/dist" >"$DATA_DIR/server.log" 2>&1 &
SERVER_PID=$!
for i in $(seq 1 100); do
  if curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "lep 启动失败：" >&2; cat "$DATA_DIR/server.log" >&2; exit 1
  fi
  sleep 0.2
  [[ $i -eq 100 ]] && { echo "等待 /healthz 超时" >&2; cat "$DATA_DIR/server.log" >&2; exit 1; }
done

export LEP_E2E_BASE="http://127.0.0.1:$PORT"
export LEP_E2E_OUT="${LEP_E2E_OUT:-$REPO_ROOT/test-output/web}"
export CHROMIUM
mkdir -p "$LEP_E2E_OUT"
step "node --test e2e/（截图：$LEP_E2E_OUT）"
set +e
node --test --test-concurrency=1 e2e/
E2E_RC=$?
set -e
if [[ $E2E_RC -ne 0 ]]; then
  echo "---- lep 日志（末尾）----" >&2
  tail -n 40 "$DATA_DIR/server.log" >&2 || true
fi
exit $E2E_RC
