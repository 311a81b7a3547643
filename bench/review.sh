#!/usr/bin/env bash
# Review benchmark: decisions per second. BENCH_REVIEW_N (default 2000) resources of the demo
# college are imported by gd_uploader (POST /api/v1/resources/import) and put into 初审中
# (first_review) with one SQL UPDATE — submission is not what is measured (it needs a cover and
# media per resource). Then gd_reviewer (广东省教育厅, 初审) approves every one with the
# checklist ticked (POST /api/v1/resources/{id}/review, → final_review), then nou_reviewer
# (终审) approves every one (→ approved), each level from BENCH_REVIEW_CLIENTS (default 4)
# keep-alive connections. Each decision is a compare-and-set + history row + audit row +
# notifications in one transaction. Baseline in the same run: the same client against nginx
# answering the same POSTs with a fixed 200 (the client's own ceiling on this box).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 nginx
[[ "$BENCH_DB" == pg ]] && need psql || need sqlite3

N="${BENCH_REVIEW_N:-2000}"
CLIENTS="${BENCH_REVIEW_CLIENTS:-4}"
CSV="$WORK/review.csv"
python3 - "$CSV" "$N" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
header = "资源ID,资源名称,资源类型,征集内容范围,部署平台,资源链接,所属系列,所属顺序,资源简介,资源时长,创建时间,版权方,主讲人,点击量,学习人数,资源封面,资源目录,关键词,所属分类"
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(header + "\r\n")
    for i in range(1, rows + 1):
        f.write(f",审核基准{i:05d},A01,老年教育,,,,,第{i}讲 八段锦跟练,,,岭南示范职业技术学院（演示）,张演示,,,,,,\r\n")
PY

start_lep
CSRF="$(login gd_uploader)"
BEFORE="$(db_sql "SELECT COALESCE(MAX(id), 0) FROM resources")"
CODE="$(curl -sS -o "$WORK/import.json" -w '%{http_code}' --max-time 120 -b "$WORK/jar.gd_uploader" \
  -H "X-CSRF-Token: $CSRF" -H 'Content-Type: text/csv' -H 'Expect:' --data-binary @"$CSV" \
  "$LEP_BASE/api/v1/resources/import?dry_run=false")"
[[ "$CODE" == 200 ]] || { head -c 600 "$WORK/import.json" >&2; die "import: HTTP $CODE"; }
db_sql "UPDATE resources SET state = 'first_review', version = version + 1 WHERE id > $BEFORE" >/dev/null
db_sql "SELECT id FROM resources WHERE id > $BEFORE AND state = 'first_review' ORDER BY id" >"$WORK/ids.txt"
[[ "$(wc -l <"$WORK/ids.txt")" == "$N" ]] || die "expected $N resources in first_review"

cat >"$WORK/decide.py" <<'PY'
# decide.py BASE PATH_FMT IDS_FILE CLIENTS COOKIE CSRF → "seconds ok failed first_error"
import http.client, json, sys, threading, time, urllib.parse
base, fmt, ids_file, clients, cookie, csrf = sys.argv[1:7]
ids = [l.strip() for l in open(ids_file) if l.strip()]
u = urllib.parse.urlsplit(base)
body = json.dumps({"action": "approve", "comment": "同意（基准测试）",
                   "checklist": {"ideology": True, "copyright": True, "secrecy": True, "science": True}})
ok = [0]; bad = [0]; first_err = [""]; lock = threading.Lock()
def worker(part):
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    for rid in part:
        conn.request("POST", fmt % rid, body=body, headers={
            "Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"})
        r = conn.getresponse(); text = r.read()
        with lock:
            if r.status == 200: ok[0] += 1
            else:
                bad[0] += 1
                if not first_err[0]: first_err[0] = f"HTTP {r.status} " + text[:200].decode('utf-8', 'replace').replace(' ', '')
n = int(clients)
parts = [ids[i::n] for i in range(n)]
threads = [threading.Thread(target=worker, args=(p,)) for p in parts]
t0 = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
print(f"{time.perf_counter() - t0:.3f} {ok[0]} {bad[0]} {first_err[0] or '-'}")
PY

decide() {  # reviewer ids_file → "secs ok bad err"
  local csrf; csrf="$(login "$1")"
  python3 "$WORK/decide.py" "$LEP_BASE" "/api/v1/resources/%s/review" "$2" "$CLIENTS" \
    "$(session_cookie "$1")" "$csrf"
}
# Failed decisions are counted and shown, not fatal (the first error is quoted in the notes).
say "review: $N 初审 decisions by gd_reviewer ($(db_label), $CLIENTS connections)"
read -r S1 OK1 BAD1 ERR1 < <(decide gd_reviewer "$WORK/ids.txt")
((OK1 > 0)) || die "初审: no decision succeeded: $ERR1"
db_sql "SELECT id FROM resources WHERE id > $BEFORE AND state = 'final_review' ORDER BY id" >"$WORK/ids2.txt"
N2="$(wc -l <"$WORK/ids2.txt")"
say "review: $N2 终审 decisions by nou_reviewer"
read -r S2 OK2 BAD2 ERR2 < <(decide nou_reviewer "$WORK/ids2.txt")
((OK2 > 0)) || die "终审: no decision succeeded: $ERR2"
APPROVED="$(db_sql "SELECT COUNT(*) FROM resources WHERE id > $BEFORE AND state = 'approved'")"
HISTORY="$(db_sql "SELECT COUNT(*) FROM review_history WHERE resource_id > $BEFORE")"
RSS="$(rss_line "$LEP_PID")"

mkdir -p "$WORK/nginx/root"
start_nginx "location / { return 200 '{\"state\":\"final_review\"}'; }"
read -r SN OKN BADN ERRN < <(python3 "$WORK/decide.py" "$NGINX_BASE" "/api/v1/resources/%s/review" \
  "$WORK/ids.txt" "$CLIENTS" "lep_session=x" "x")
rate() { python3 -c "import sys;print(f'{int(sys.argv[1])/float(sys.argv[2]):.0f}')" "$@"; }
R1="$(rate "$OK1" "$S1")"; R2="$(rate "$OK2" "$S2")"; RN="$(rate "$OKN" "$SN")"
ratio() { python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.3f}')" "$@"; }

summary "review decisions/s, 初审 ($OK1 ok / $BAD1 failed) (baseline: nginx return 200, same client)" "$R1" "$RN" "$(ratio "$R1" "$RN")"
summary "review decisions/s, 终审 ($OK2 ok / $BAD2 failed) (baseline: same)" "$R2" "$RN" "$(ratio "$R2" "$RN")"
cat <<EOF
## Review decisions ($(db_label)): $N resources, two levels, $CLIENTS connections

| step | requests | ok | failed | seconds | decisions/s (ok) | ratio to baseline |
|---|---|---|---|---|---|---|
| 初审 approve by gd_reviewer (first_review → final_review) | $N | $OK1 | $BAD1 | $S1 | **$R1** | $(ratio "$R1" "$RN")× |
| 终审 approve by nou_reviewer (final_review → approved) | $N2 | $OK2 | $BAD2 | $S2 | **$R2** | $(ratio "$R2" "$RN")× |
| baseline: nginx \`return 200\` to the same POSTs, same client | $N | $OKN | $BADN | $SN | $RN | 1× |

$( ((BAD1 + BAD2 > 0)) && echo "- **failed decisions**: first error 初审: ${ERR1}; 终审: ${ERR2} — concurrent transactions append to the hash-chained audit log from the same head and collide on the unique audit_log(prev_hash) index (SQLite serialises writers, PostgreSQL does not)" )
- afterwards: $APPROVED approved, $HISTORY review_history rows for these resources
- each decision: CAS on the resource version, a review_history row, a hash-chained audit row and notifications, one transaction
$RSS

EOF
