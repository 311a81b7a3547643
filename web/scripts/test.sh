#!/usr/bin/env bash
# 前端全部测试：安装依赖（必要时）→ 生成接口类型 + 类型检查 → 构建 → vitest（含 OpenAPI 文档校验）→
# 在全新的 lep 上检查每个接口的真实响应符合 docs/openapi.json（tests/api/）→ 另一个全新的 lep 上跑浏览器端到端测试（e2e/）。
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
step "生成接口类型（docs/openapi.json → src/api/schema.gen.ts）+ vue-tsc 类型检查"
npm run --silent typecheck
step "vite build → web/dist"
npm run --silent build

# (c) 单元与组件测试
step "vitest"
npx vitest run

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
SERVER_PIDS=()
cleanup() {
  for pid in "${SERVER_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# start_lep NAME PORT: 在 $DATA_DIR/NAME 中 seed-demo 并启动 lep serve，等待 /healthz
start_lep() {
  local dir="$DATA_DIR/$1" port="$2"
  mkdir -p "$dir"
  step "lep seed-demo + serve 127.0.0.1:$port（$1）"
  "$LEP_BIN" seed-demo --data "$dir" >"$dir/seed.log" 2>&1 || { cat "$dir/seed.log" >&2; exit 1; }
  "$LEP_BIN" serve --data "$dir" --listen "127.0.0.1:$port" --web "$WEB_DIR/dist" >"$dir/server.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  for i in $(seq 1 100); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "lep 启动失败：" >&2; cat "$dir/server.log" >&2; exit 1
    fi
    sleep 0.2
  done
  echo "等待 /healthz 超时" >&2; cat "$dir/server.log" >&2; exit 1
}

export LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1

# (d) 接口一致性：在单独的全新实例上调用文档中的每个接口，响应须符合 docs/openapi.json
API_PORT="$(free_port)"
start_lep api "$API_PORT"
step "node --test tests/api/（OpenAPI 响应一致性）"
set +e
LEP_E2E_BASE="http://127.0.0.1:$API_PORT" node --test tests/api/
API_RC=$?
set -e
if [[ $API_RC -ne 0 ]]; then
  echo "---- lep 日志（末尾）----" >&2
  tail -n 40 "$DATA_DIR/api/server.log" >&2 || true
  exit $API_RC
fi

# (e) 端到端：真实 lep + Debian chromium
PORT="$(free_port)"
start_lep e2e "$PORT"
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
  tail -n 40 "$DATA_DIR/e2e/server.log" >&2 || true
fi
exit $E2E_RC
