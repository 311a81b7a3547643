#!/usr/bin/env bash
# Import benchmark: a UTF-8 CSV of BENCH_IMPORT_ROWS (default 10 000) valid A01 resources in the
# export/template column order, imported by gd_uploader with
# POST /api/v1/resources/import?dry_run=false. Prints a markdown section with the seconds taken
# (and a dry run for comparison).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3

ROWS="${BENCH_IMPORT_ROWS:-10000}"
CSV="$WORK/import.csv"
python3 - "$CSV" "$ROWS" <<'PY'
import sys
path, rows = sys.argv[1], int(sys.argv[2])
header = "资源ID,资源名称,资源类型,征集内容范围,部署平台,资源链接,所属系列,所属顺序,资源简介,资源时长,创建时间,版权方,主讲人,点击量,学习人数,资源封面,资源目录,关键词,所属分类"
domains = ["学历继续教育", "非学历教育培训", "老年教育", "社区教育"]
with open(path, "w", encoding="utf-8", newline="") as f:
    f.write(header + "\r\n")
    for i in range(1, rows + 1):
        # Kept short: 10 000 rows stay under 1 MiB.
        f.write(f",太极拳{i:05d},A01,{domains[i % 4]},,,,,第{i}讲,,,演示学院,张演示,,,,,,\r\n")
PY
SIZE="$(stat -c %s "$CSV")"

start_lep
CSRF="$(login gd_uploader)"
import_csv() {  # dry_run → "http_code seconds"
  curl -sS -o "$WORK/import.$1.json" -w '%{http_code} %{time_total}\n' --max-time 110 \
    -b "$WORK/jar.gd_uploader" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: text/csv' -H 'Expect:' \
    --data-binary @"$CSV" "$LEP_BASE/api/v1/resources/import?dry_run=$1" || true
}
say "import: $ROWS rows ($SIZE bytes), dry run"
read -r DCODE DSECS < <(import_csv true)
[[ "$DCODE" == 200 ]] || { head -c 600 "$WORK/import.true.json" >&2; die "dry run: HTTP $DCODE"; }
python3 - "$WORK/import.true.json" <<'PY' || die "the generated CSV does not validate"
import json, sys
errors = json.load(open(sys.argv[1])).get("errors") or []
if errors:
    sys.exit(f"dry run: {len(errors)} errors, e.g. {errors[:2]}")
PY
say "import: $ROWS rows, dry_run=false"
read -r CODE SECS < <(import_csv false)
[[ "$CODE" == 200 ]] || { head -c 600 "$WORK/import.false.json" >&2; die "import: HTTP $CODE"; }
TOTAL="$(curl -sf -b "$WORK/jar.gd_uploader" "$LEP_BASE/api/v1/resources/export.csv" | tail -n +2 | grep -c . || true)"
[[ "$TOTAL" -ge "$ROWS" ]] || die "only $TOTAL resources after the import"

summary "import $ROWS rows, s (baseline: the same request as a dry run)" "$SECS" "$DSECS" "$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "$SECS" "$DSECS")"
cat <<EOF
## Import ($(db_label)): $ROWS-row CSV ($((SIZE / 1024)) KiB)

| request | seconds |
|---|---|
| POST /api/v1/resources/import?dry_run=true | $DSECS |
| POST /api/v1/resources/import?dry_run=false | **$SECS** |

- $TOTAL resources in the export afterwards
$(rss_line "$LEP_PID")

EOF
