#!/usr/bin/env bash
# Runs every benchmark against the Release build, on SQLite and on PostgreSQL 15 (a throw-away
# cluster from scripts/pg-test-cluster.sh in its own directory), and writes
# bench/results/latest.md with the figures, each beside its baseline measured in the same run
# (nginx on the same box, ffprobe for the probe), and lep's peak RSS. Loopback only; each
# benchmark starts and stops its own lep (and nginx). Figures are printed, nothing is asserted.
# `make bench` builds the Release lep and runs this; about 10–15 minutes on 2 cores.
#   LEP_BIN      lep binary (default build/release/src/lep)
#   BENCH_ONLY   benchmarks to run (default "upload range import probe review portal video";
#                video runs on SQLite only: its figures are ffmpeg and file serving, not SQL)
#   BENCH_DBS    databases (default "sqlite pg"; pg is skipped when PostgreSQL 15 is missing)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
export LEP_BIN="${LEP_BIN:-$REPO/build/release/src/lep}"
[[ -x "$LEP_BIN" ]] || { echo "找不到 $LEP_BIN（先构建 Release：make bench 会自动构建）" >&2; exit 1; }
BENCHES="${BENCH_ONLY:-upload range import probe review portal video}"
DBS="${BENCH_DBS:-sqlite pg}"
# Sizes that keep the whole run near 10 minutes on 2 shared cores (override any of them).
export BENCH_UPLOAD_MIB="${BENCH_UPLOAD_MIB:-512}"
export BENCH_RANGE_SECS="${BENCH_RANGE_SECS:-10}"
# Portal: 10 k and 100 k published resources on SQLite, 10 k on PostgreSQL (the 100 k fill
# is bounded by the budget: an N whose reindex does not fit is reported as not measured).
PORTAL_NS_SQLITE="${BENCH_PORTAL_NS:-10000 100000}"
PORTAL_NS_PG="${BENCH_PORTAL_NS:-10000}"
PORTAL_BUDGET_SQLITE="${BENCH_PORTAL_BUDGET:-360}"
PORTAL_BUDGET_PG="${BENCH_PORTAL_BUDGET:-200}"
export BENCH_PORTAL_SECS="${BENCH_PORTAL_SECS:-10}"
export BENCH_PORTAL_DRAIN="${BENCH_PORTAL_DRAIN:-10}"
mkdir -p "$HERE/results"
OUT="$HERE/results/latest.md"
TMP_OUT="$(mktemp)"
export BENCH_RSS_LOG="$(mktemp)"
export BENCH_SUMMARY="$(mktemp)"
BODY="$(mktemp)"
PG_STARTED=""
export LEP_PG_DIR="${TMPDIR:-/tmp}/lep-pg-bench-$$"
cleanup() {
  rm -f "$TMP_OUT" "$BENCH_RSS_LOG" "$BENCH_SUMMARY" "$BODY"
  [[ -n "$PG_STARTED" ]] && "$REPO/scripts/pg-test-cluster.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
T0=$(date +%s)

{
  echo "# lep benchmarks"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/{printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the CPUs are shared with other work: compare ratios, not absolute figures)"
  echo "- lep: ${LEP_BIN#"$REPO"/} ($(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo ', src/ modified'))"
  echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'), wrk: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(psql --version 2>/dev/null | head -1)"
  echo "- PostgreSQL runs are on a throw-away local cluster (unix socket, fsync=off, synchronous_commit=off: scripts/pg-test-cluster.sh), so they show lep's SQL cost, not disk durability"
  echo "- rate limits off (LEP_RATE_LIMITS=0), Argon2id at test cost; every lep is fresh (migrate + seed-demo --no-showcase: no showcase transcodes during the measurements)"
  echo
} >"$TMP_OUT"

limit_of() {  # bench db
  case "$1" in
    portal) [[ "$2" == pg ]] && echo $((PORTAL_BUDGET_PG + 60)) || echo $((PORTAL_BUDGET_SQLITE + 60)) ;;
    video) echo 900 ;;
    *) echo 170 ;;
  esac
}

RC=0
for db in $DBS; do
  if [[ "$db" == pg ]]; then
    if ! BENCH_PG_URL="$("$REPO/scripts/pg-test-cluster.sh" start)"; then
      printf '## PostgreSQL\n\nNOT MEASURED: scripts/pg-test-cluster.sh could not start a cluster\n\n' >>"$BODY"
      RC=1
      continue
    fi
    PG_STARTED=1
    export BENCH_PG_URL
  fi
  for b in $BENCHES; do
    [[ "$b" == video && "$db" == pg ]] && continue
    echo "==> bench/$b.sh ($db) at $(($(date +%s) - T0)) s" >&2
    START=$(date +%s)
    if [[ "$db" == pg ]]; then ns="$PORTAL_NS_PG" budget="$PORTAL_BUDGET_PG"; else ns="$PORTAL_NS_SQLITE" budget="$PORTAL_BUDGET_SQLITE"; fi
    if ! BENCH_DB="$db" BENCH_NAME="$b" BENCH_PORTAL_NS="$ns" BENCH_PORTAL_BUDGET="$budget" \
        timeout "$(limit_of "$b" "$db")" "$HERE/$b.sh" >>"$BODY"; then
      RC=1
      printf '## %s (%s)\n\nFAILED (see the run log)\n\n' "$b" "$db" >>"$BODY"
      printf '| %s | %s | FAILED | | |\n' "$b" "$db" >>"$BENCH_SUMMARY"
    fi
    echo "    $b ($db): $(($(date +%s) - START)) s" >&2
  done
  if [[ "$db" == pg ]]; then
    "$REPO/scripts/pg-test-cluster.sh" stop >/dev/null 2>&1 || true
    PG_STARTED=""
  fi
done

{
  echo "## Summary: lep against the baseline measured in the same run"
  echo
  echo "| figure | database | lep | baseline | lep / baseline |"
  echo "|---|---|---|---|---|"
  cat "$BENCH_SUMMARY"
  echo
  echo "Ratios: for req/s and MB/s higher is better (1× = as fast as nginx); for seconds and p99 lower is better. Details per benchmark below."
  echo
  cat "$BODY"
  echo "## lep peak RSS (VmHWM of each benchmark's server)"
  echo
  echo "| benchmark | MiB |"
  echo "|---|---|"
  sed -E 's/^(.*) ([0-9]+)$/| \1 | \2 |/' "$BENCH_RSS_LOG"
  echo
  echo "- highest: **$(awk '{print $NF}' "$BENCH_RSS_LOG" | sort -n | tail -1) MiB**"
  echo "- whole run: $(($(date +%s) - T0)) s"
  echo
} >>"$TMP_OUT"
cp "$TMP_OUT" "$OUT"
cat "$OUT"
echo "(written to $OUT)" >&2
exit $RC
