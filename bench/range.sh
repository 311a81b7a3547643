#!/usr/bin/env bash
# Range benchmark: random 1 MiB Range requests with wrk against lep's /media/resources/{id}
# vs Debian nginx serving the very same bytes from the same disk, in three ways:
#   1. unpublished, read with the uploader's session cookie (session + database per request);
#   2. the same resource once published, without a cookie, from lep directly (portal::PublicMedia:
#      no session lookup, no database read per request);
#   3. published, through the shipped nginx site (deploy/nginx via scripts/nginx-test-site.sh):
#      lep answers X-Accel-Redirect and nginx sends the file itself.
# The resource is marked published directly in the database (the bytes are random, so the
# review workflow could not publish them; what is measured is serving). Prints a markdown
# section: req/s, MB/s, ratios.
#   BENCH_RANGE_MIB   size of the media file (default 256)
#   BENCH_RANGE_SECS  wrk duration per server (default 15)
#   BENCH_WRK_ARGS    wrk threads/connections (default "-t2 -c16")
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 nginx wrk

MIB="${BENCH_RANGE_MIB:-256}"
SECS="${BENCH_RANGE_SECS:-15}"
read -r -a WRK_ARGS <<<"${BENCH_WRK_ARGS:--t2 -c16}"
BYTES=$((MIB * 1024 * 1024))
MEDIA="$WORK/media.mp4"
say "range: making a $MIB MiB file"
head -c "$BYTES" /dev/urandom >"$MEDIA"

# Upload it to lep with tus in 1 MiB PATCHes (the probe will fail on random bytes; playback
# does not depend on the report).
start_lep
CSRF="$(login gd_uploader)"
RID="$(create_resource "$CSRF" "Range 基准")"
LOC="$(tus_create "$CSRF" "$RID" "$BYTES" range.mp4)"
[[ "$LOC" == /api/v1/uploads/* ]] || die "tus create failed"
CHUNK=$((1024 * 1024))  # 1 MiB PATCHes: see the Content-Length note in upload.sh
say "range: uploading to lep in 1 MiB PATCHes"
python3 - "$MEDIA" "$LEP_BASE$LOC" "$(session_cookie)" "$CSRF" "$CHUNK" <<'PY'
import http.client, sys, urllib.parse
path, url, cookie, csrf, chunk = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
u = urllib.parse.urlsplit(url)
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
off = 0
with open(path, 'rb') as f:
    while True:
        data = f.read(chunk)
        if not data:
            break
        conn.request('PATCH', u.path, body=data, headers={
            'Cookie': cookie, 'X-CSRF-Token': csrf, 'Tus-Resumable': '1.0.0',
            'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': str(off)})
        r = conn.getresponse()
        r.read()
        if r.status != 204:
            sys.exit(f'PATCH at {off}: HTTP {r.status}')
        off += len(data)
PY
URL_PATH="/media/resources/$RID"
CODE="$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar.gd_uploader" -H 'Range: bytes=0-1048575' "$LEP_BASE$URL_PATH")"
[[ "$CODE" == 206 ]] || die "lep $URL_PATH answered $CODE to a Range request"

mkdir -p "$WORK/nginx/root/media/resources"
ln "$MEDIA" "$WORK/nginx/root/media/resources/$RID" 2>/dev/null || cp "$MEDIA" "$WORK/nginx/root/media/resources/$RID"
start_nginx "location /media/ { root $WORK/nginx/root; types { } default_type video/mp4; }"
CODE="$(curl -s -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-1048575' "$NGINX_BASE$URL_PATH")"
[[ "$CODE" == 206 ]] || die "nginx answered $CODE"
cat "$MEDIA" >/dev/null  # page cache

cat >"$WORK/range.lua" <<'LUA'
-- Random single 1 MiB ranges over a file of RANGE_FILE_SIZE bytes.
local size = tonumber(os.getenv("RANGE_FILE_SIZE"))
local chunk = 1048576
function setup(thread) thread:set("id", math.random(1, 1e9)) end
function init(args) math.randomseed(os.time() + (id or 0)) end
function request()
  local first = math.random(0, size - chunk)
  -- wrk.format does not merge a headers table with wrk.headers (-H): copy them (Cookie).
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Range"] = "bytes=" .. first .. "-" .. (first + chunk - 1)
  return wrk.format("GET", nil, h)
end
LUA

run_wrk() {  # name base [headers…]
  local name="$1" base="$2"
  shift 2
  say "range: wrk ${WRK_ARGS[*]} -d${SECS}s against $name"
  RANGE_FILE_SIZE="$BYTES" wrk "${WRK_ARGS[@]}" -d"${SECS}s" --latency -s "$WORK/range.lua" "$@" \
    "$base$URL_PATH" >"$WORK/wrk.$name.txt" 2>&1 || { cat "$WORK/wrk.$name.txt" >&2; die "wrk failed"; }
  cat "$WORK/wrk.$name.txt" >&2
}
run_wrk lep "$LEP_BASE" -H "Cookie: $(session_cookie)"
run_wrk nginx "$NGINX_BASE"

# Published: no cookie, from lep directly, then through the shipped nginx site.
NOW_MS=$(($(date +%s) * 1000))
db_sql "UPDATE resources SET state = 'published', version = version + 1, published_at = $NOW_MS, updated_at = $NOW_MS WHERE id = $RID" ||
  die "publishing in the database failed"
CODE="$(curl -s -o /dev/null -w '%{http_code}' -H 'Range: bytes=0-1048575' "$LEP_BASE$URL_PATH")"
[[ "$CODE" == 206 ]] || die "lep answered $CODE to an anonymous Range request of a published resource"
[[ -L "$LEP_DATA/public-media/$RID" ]] || die "no public link $LEP_DATA/public-media/$RID after the first request"
run_wrk public "$LEP_BASE"
start_shipped_nginx
SENT_BY="$(curl -s -D - -o /dev/null -H 'Range: bytes=0-1048575' "$SHIPPED_BASE$URL_PATH" | tr -d '\r' |
  awk 'tolower($1)=="x-media-sent-by:"{print $2}')"
[[ "$SENT_BY" == nginx ]] || die "through the shipped nginx site the file was not sent by nginx (X-Media-Sent-By: '$SENT_BY')"
run_wrk shipped "$SHIPPED_BASE"

parse() {  # file → "req/s MB/s p50 p99 non2xx"
  python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rps = float(re.search(r'Requests/sec:\s*([\d.]+)', t).group(1))
m = re.search(r'Transfer/sec:\s*([\d.]+)(\w+)', t)
mult = {'B': 1, 'KB': 1024, 'MB': 1024**2, 'GB': 1024**3}[m.group(2)]
mbs = float(m.group(1)) * mult / 1e6
def lat(p):
    m = re.search(r'^\s*' + p + r'%\s+([\d.]+)(\w+)', t, re.M)
    return f'{m.group(1)} {m.group(2)}' if m else '?'
non = re.search(r'Non-2xx or 3xx responses:\s*(\d+)', t)
sock = re.search(r'Socket errors: (.*)', t)
print(f"{rps:.1f}|{mbs:.1f}|{lat('50')}|{lat('99')}|{non.group(1) if non else 0}{' / ' + sock.group(1) if sock else ''}")
PY
}
IFS='|' read -r L_RPS L_MBS L_P50 L_P99 L_BAD <<<"$(parse "$WORK/wrk.lep.txt")"
IFS='|' read -r N_RPS N_MBS N_P50 N_P99 N_BAD <<<"$(parse "$WORK/wrk.nginx.txt")"
IFS='|' read -r P_RPS P_MBS P_P50 P_P99 P_BAD <<<"$(parse "$WORK/wrk.public.txt")"
IFS='|' read -r S_RPS S_MBS S_P50 S_P99 S_BAD <<<"$(parse "$WORK/wrk.shipped.txt")"
[[ "$L_BAD" == 0 && "$N_BAD" == 0 && "$P_BAD" == 0 && "$S_BAD" == 0 ]] ||
  die "non-2xx answers or socket errors (lep: $L_BAD; nginx: $N_BAD; public: $P_BAD; shipped: $S_BAD)"
ratio() { python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
p99_ms() { python3 -c "import sys;v,u=sys.argv[1].split();print(float(v)*{'us':1e-3,'ms':1.0,'s':1e3}[u])" "$1"; }
RATIO="$(ratio "$L_RPS" "$N_RPS")"
P_RATIO="$(ratio "$P_RPS" "$N_RPS")"
S_RATIO="$(ratio "$S_RPS" "$N_RPS")"
P_P99R="$(ratio "$(p99_ms "$P_P99")" "$(p99_ms "$N_P99")")"
S_P99R="$(ratio "$(p99_ms "$S_P99")" "$(p99_ms "$N_P99")")"

summary "Range, random 1 MiB, MB/s, signed-in, unpublished (baseline: nginx sendfile)" "$L_MBS" "$N_MBS" "$RATIO"
summary "Range, random 1 MiB, MB/s, published, no cookie, lep directly (baseline: nginx sendfile)" "$P_MBS" "$N_MBS" "$P_RATIO"
summary "Range, random 1 MiB, p99, published, lep directly (baseline: nginx)" "$P_P99" "$N_P99" "$P_P99R"
summary "Range, random 1 MiB, MB/s, published, through the shipped nginx (baseline: nginx sendfile)" "$S_MBS" "$N_MBS" "$S_RATIO"
summary "Range, random 1 MiB, p99, published, through the shipped nginx (baseline: nginx)" "$S_P99" "$N_P99" "$S_P99R"
cat <<EOF
## Range ($(db_label)): random 1 MiB ranges of a $MIB MiB file (wrk ${WRK_ARGS[*]}, ${SECS} s each)

| server | req/s | MB/s | p50 | p99 | non-2xx / socket errors |
|---|---|---|---|---|---|
| lep /media/resources/{id}, unpublished (uploader's cookie) | $L_RPS | $L_MBS | $L_P50 | $L_P99 | $L_BAD |
| nginx 1.22 (sendfile), the same file | $N_RPS | $N_MBS | $N_P50 | $N_P99 | $N_BAD |
| lep /media/resources/{id}, published, no cookie (public link) | $P_RPS | $P_MBS | $P_P50 | $P_P99 | $P_BAD |
| shipped nginx site → lep (X-Accel-Redirect) → nginx sends | $S_RPS | $S_MBS | $S_P50 | $S_P99 | $S_BAD |

- ratio lep / nginx, signed-in unpublished: **$RATIO×** (each request authenticates the session and reads the media row)
- ratio lep / nginx, published from lep directly: **$P_RATIO×**, p99 **$P_P99R×** (goal ≥ 0.9×, p99 ≤ 1.5×)
- ratio through the shipped nginx / nginx: **$S_RATIO×**, p99 **$S_P99R×**
$(rss_line "$LEP_PID")

EOF
