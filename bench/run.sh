#!/usr/bin/env bash
# Runs every benchmark (upload, range, import, portal) against the Release build and writes
# bench/results/latest.md with the figures and the machine. Loopback only; each benchmark
# starts and stops its own lep (and nginx). Figures are printed, nothing is asserted.
#   LEP_BIN  lep binary (default build/release/src/lep; build it with
#            cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release && ninja -C build/release lep)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export LEP_BIN="${LEP_BIN:-$HERE/../build/release/src/lep}"
[[ -x "$LEP_BIN" ]] || { echo "找不到 $LEP_BIN（先构建 Release）" >&2; exit 1; }
mkdir -p "$HERE/results"
OUT="$HERE/results/latest.md"
TMP_OUT="$(mktemp)"
trap 'rm -f "$TMP_OUT"' EXIT

{
  echo "# lep benchmarks"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- lep: $LEP_BIN ($(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$HERE/.." diff --quiet 2>/dev/null || echo ', dirty tree'))"
  echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo
} >"$TMP_OUT"

RC=0
for b in upload range import portal; do
  echo "==> bench/$b.sh" >&2
  START=$(date +%s)
  limit=170
  [[ "$b" == portal ]] && limit=540  # bounds itself to BENCH_PORTAL_BUDGET (480 s)
  if ! timeout "$limit" "$HERE/$b.sh" >>"$TMP_OUT"; then
    RC=1
    printf '## %s\n\nFAILED (see the run log)\n\n' "$b" >>"$TMP_OUT"
  fi
  echo "    $b: $(($(date +%s) - START)) s" >&2
done
cp "$TMP_OUT" "$OUT"
cat "$OUT"
echo "(written to $OUT)" >&2
exit $RC
