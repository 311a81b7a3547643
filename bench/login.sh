#!/usr/bin/env bash
# Sign-in timing (issue 14 item 5): does the answer time tell whether an account exists?
# Serves the demo data with the PRODUCTION Argon2id cost (the other benchmarks use the test
# cost) and times wrong-password sign-ins for existing accounts (4 per account, below the
# lock) against sign-ins for names that do not exist (one each), interleaved. Prints the
# median and p90 of each and their ratio; asserts nothing. Loopback only.
#   BENCH_LOGIN_ROUNDS  wrong passwords per existing account (default 4, at most 4)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3

ROUNDS="${BENCH_LOGIN_ROUNDS:-4}"
((ROUNDS >= 1 && ROUNDS <= 4)) || die "BENCH_LOGIN_ROUNDS 应为 1–4（第 5 次会锁定）"
ACCOUNTS=(nou_admin nou_security nou_auditor nou_reviewer gd_admin gd_reviewer gd_uploader
  bj_admin bj_uploader demo_learner)

data="$WORK/lep-data"
mkdir -p "$data"
new_database "$data"
# Production Argon2id cost: the configuration defaults (LEP_ARGON2_* unset).
unset LEP_ARGON2_MEMLIMIT LEP_ARGON2_OPSLIMIT
"$LEP_BIN" seed-demo --no-showcase --data "$data" >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; die "seed-demo failed"; }
"$LEP_BIN" serve --data "$data" --listen 127.0.0.1:0 >"$WORK/lep.out" 2>"$WORK/lep.log" &
LEP_PID=$!
LEP_BASE=""
for _ in $(seq 1 300); do
  LEP_BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/lep.out" 2>/dev/null | head -1 || true)"
  [[ -n "$LEP_BASE" ]] && break
  kill -0 "$LEP_PID" 2>/dev/null || { cat "$WORK/lep.log" >&2; die "lep did not start"; }
  sleep 0.2
done
[[ -n "$LEP_BASE" ]] || die "lep did not print its URL"

# time_login USER: prints "STATUS SECONDS".
time_login() {
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
    -X POST "$LEP_BASE/api/v1/auth/login" -d "{\"username\":\"$1\",\"password\":\"Wrong@Pass1\"}"
}

time_login warm_up >/dev/null
: >"$WORK/existing" && : >"$WORK/unknown"
n=0
for round in $(seq 1 "$ROUNDS"); do
  for user in "${ACCOUNTS[@]}"; do
    time_login "$user" >>"$WORK/existing"
    n=$((n + 1))
    time_login "nobody_${round}_$n" >>"$WORK/unknown"
  done
done
rss_line "$LEP_PID"

python3 - "$WORK/existing" "$WORK/unknown" <<'EOF'
import statistics, sys
def load(path):
    rows = [l.split() for l in open(path) if l.strip()]
    codes = sorted({r[0] for r in rows})
    ms = sorted(float(r[1]) * 1000 for r in rows)
    return codes, ms
def p90(v):
    return v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
(ec, e), (uc, u) = load(sys.argv[1]), load(sys.argv[2])
print("## login timing (wrong password, production Argon2id cost)\n")
print("| accounts | answers | n | median ms | p90 ms |")
print("|---|---|---|---|---|")
print(f"| existing | {','.join(ec)} | {len(e)} | {statistics.median(e):.1f} | {p90(e):.1f} |")
print(f"| not existing | {','.join(uc)} | {len(u)} | {statistics.median(u):.1f} | {p90(u):.1f} |")
print(f"\n- median ratio existing / not existing: **{statistics.median(e) / statistics.median(u):.2f}×** (1× = timing tells nothing)\n")
EOF
