#!/usr/bin/env bash
# Runs every libFuzzer harness of build/fuzz for FUZZ_SECONDS each (`make fuzz`). Each works on
# its own corpus in build/fuzz/corpus/<harness>/ — seeded from fuzz/corpus/<harness>/, which is
# never written — and also replays fuzz/regressions/<harness>/ (inputs of fixed crashes).
# Crashes, leaks, timeouts and sanitizer reports land in build/fuzz/artifacts/<harness>/; the
# script exits non-zero when any harness found one.
#   FUZZ_SECONDS=60  per harness        FUZZ_TARGETS="toc_fuzz range_fuzz"  a subset
# Memory (issue 14): one input may cost at most 256 MiB, so any single allocation of 256 MiB or
# more is a finding (-malloc_limit_mb), and so is a process whose resident memory passes
# FUZZ_RSS_LIMIT_MB (default 512: the 256 MiB bound plus the fuzzer's own corpus, coverage
# tables and ASan shadow; ASan's quarantine of freed blocks is cut to 64 MiB to fit).
set -uo pipefail
cd "$(dirname "$0")/.."

build=${FUZZ_BUILD:-build/fuzz}
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-toc_fuzz metadata_fuzz sheet_import_fuzz tus_headers_fuzz range_fuzz media_probe_fuzz}

# Per harness: dictionary, -max_len (a little above the input limit the code enforces, so the
# limit itself is exercised) and -timeout in seconds for one input.
declare -A dict=([toc_fuzz]=toc [metadata_fuzz]=metadata [sheet_import_fuzz]=sheet_import
                 [tus_headers_fuzz]=tus_headers [range_fuzz]=range [media_probe_fuzz]=media_probe)
declare -A max_len=([toc_fuzz]=262400 [metadata_fuzz]=65536 [sheet_import_fuzz]=65536
                    [tus_headers_fuzz]=8400 [range_fuzz]=256 [media_probe_fuzz]=65536)
declare -A timeout=([toc_fuzz]=10 [metadata_fuzz]=10 [sheet_import_fuzz]=10
                    [tus_headers_fuzz]=5 [range_fuzz]=5 [media_probe_fuzz]=30)

rss_limit_mb=${FUZZ_RSS_LIMIT_MB:-512}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:quarantine_size_mb=64}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
for h in $targets; do
  if [[ -z "${dict[$h]:-}" || ! -x "$build/fuzz/$h" ]]; then
    echo "fuzz: 未知或未构建的模糊测试目标：$h" >&2
    exit 2
  fi
  corpus=$build/corpus/$h
  artifacts=$build/artifacts/$h/
  log=$build/logs/$h.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  cp -n fuzz/corpus/"$h"/* "$corpus"/
  dirs=("$corpus")
  if compgen -G "fuzz/regressions/$h/*" >/dev/null; then dirs+=("fuzz/regressions/$h"); fi

  "$build/fuzz/$h" -max_total_time="$seconds" -max_len="${max_len[$h]}" \
    -timeout="${timeout[$h]}" -rss_limit_mb="$rss_limit_mb" -malloc_limit_mb=256 \
    -dict="fuzz/${dict[$h]}.dict" \
    -artifact_prefix="$artifacts" -print_final_stats=1 "${dirs[@]}" >"$log" 2>&1
  rc=$?
  stats=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 |
    sed -E 's/^#([0-9]+).*(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/runs=\1 \2/')
  execs=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
  if ((rc == 0)); then
    printf 'fuzz: %-18s 通过 %ss  %s  exec/s=%s\n' "$h" "$seconds" "$stats" "${execs:-?}"
  else
    printf 'fuzz: %-18s 失败（退出码 %d），日志 %s，输入保存在 %s\n' "$h" "$rc" "$log" "$artifacts" >&2
    grep -E 'ERROR|SUMMARY|invariant|Test unit written' "$log" | head -20 >&2
    failed+=("$h")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: 发现问题的目标：${failed[*]}" >&2
  exit 1
fi
