#!/usr/bin/env bash
# Upload benchmark: BENCH_UPLOAD_MIB (default 1024) MiB over loopback, one tus PATCH to lep vs,
# in the same run on the same disk ($WORK): one tus PATCH to the official Node tus server
# (@tus/server + @tus/file-store from npm, bench/tus-node; installed with npm ci on first use),
# `dd conv=fdatasync` of the same bytes (what the disk does durably) and `curl -T` (HTTP PUT,
# dav module) to Debian nginx. Prints a markdown section: MB/s of each, the ratios, lep's peak
# RSS (VmHWM) and its growth.
# The tus upload declares one byte more than is sent, so it stays open: this measures receiving
# (write + fdatasync checkpoints every 16 MiB + SHA-256), not the probe of a random file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 nginx dd node npm

MIB="${BENCH_UPLOAD_MIB:-1024}"
BYTES=$((MIB * 1024 * 1024))
PAYLOAD="$WORK/payload.bin"
say "upload: making $MIB MiB of random bytes in $WORK"
head -c "$BYTES" /dev/urandom >"$PAYLOAD"
cat "$PAYLOAD" >/dev/null  # both runs read it from the page cache

mbps() { python3 -c "import sys;b,t=float(sys.argv[1]),float(sys.argv[2]);print(f'{b/t/1e6:.1f}')" "$@"; }

# ---- lep (tus) ----
start_lep
CSRF="$(login gd_uploader)"
RID="$(create_resource "$CSRF" "上传基准")"
LOC="$(tus_create "$CSRF" "$RID" $((BYTES + 1)) bench.mp4)"
[[ "$LOC" == /api/v1/uploads/* ]] || die "tus create failed"
RSS0="$(vm_kib "$LEP_PID" VmRSS)"
HWM0="$(vm_kib "$LEP_PID" VmHWM)"
tus_patch() {  # extra curl args…
  curl -sS -o "$WORK/patch.out" -w '%{http_code} %{time_total}\n' --max-time 110 -X PATCH -T "$PAYLOAD" \
    -b "$WORK/jar.gd_uploader" -H "X-CSRF-Token: $CSRF" -H 'Tus-Resumable: 1.0.0' -H 'Expect:' \
    -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0' "$@" "$LEP_BASE$LOC" || true
}
say "upload: tus PATCH of $MIB MiB to lep (Content-Length)"
read -r CODE SECS < <(tus_patch)
LEP_NOTE="one PATCH with Content-Length"
if [[ "$CODE" != 204 ]]; then
  say "upload: lep answered $CODE to a whole-file PATCH with Content-Length; retrying with Transfer-Encoding: chunked"
  LEP_NOTE="Content-Length PATCH failed (HTTP $CODE, 000 = connection closed without a response); measured with Transfer-Encoding: chunked"
  read -r CODE SECS < <(tus_patch -H 'Transfer-Encoding: chunked')
fi
[[ "$CODE" == 204 ]] || { cat "$WORK/patch.out" >&2; die "tus PATCH failed: HTTP $CODE"; }
OFFSET="$(curl -sf -I -b "$WORK/jar.gd_uploader" -H 'Tus-Resumable: 1.0.0' "$LEP_BASE$LOC" | tr -d '\r' | awk 'tolower($1)=="upload-offset:"{print $2}')"
[[ "$OFFSET" == "$BYTES" ]] || die "lep holds $OFFSET bytes, expected $BYTES"
HWM1="$(vm_kib "$LEP_PID" VmHWM)"
echo "${BENCH_NAME:-upload} ($(db_label)) $((HWM1 / 1024))" >>"${BENCH_RSS_LOG:-/dev/null}"
LEP_SECS="$SECS"
LEP_MBPS="$(mbps "$BYTES" "$SECS")"

stop_lep_now() {
  kill -TERM "$LEP_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$LEP_PID" 2>/dev/null || break; sleep 0.1; done
  wait "$LEP_PID" 2>/dev/null || true
  LEP_PID=""
}
stop_lep_now  # the baselines run on a quiet machine

# ---- @tus/server + @tus/file-store (Node), one PATCH of the same bytes ----
TUS_NODE="$BENCH_DIR/tus-node"
if [[ ! -d "$TUS_NODE/node_modules/@tus/server" ]]; then
  say "upload: npm ci in bench/tus-node (@tus/server, @tus/file-store)"
  (cd "$TUS_NODE" && npm ci --no-audit --no-fund >&2) || die "npm ci in bench/tus-node failed"
fi
TUS_PORT="$(free_port)"
mkdir -p "$WORK/tus-node"
node "$TUS_NODE/server.mjs" "$TUS_PORT" "$WORK/tus-node" >"$WORK/tus-node.log" 2>&1 &
TUS_PID=$!
trap 'kill "$TUS_PID" 2>/dev/null || true; bench_cleanup' EXIT
for _ in $(seq 1 100); do grep -q listening "$WORK/tus-node.log" 2>/dev/null && break; sleep 0.1; done
TUS_LOC="$(curl -sf -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $((BYTES + 1))" \
  "http://127.0.0.1:$TUS_PORT/files" | tr -d '\r' | awk 'tolower($1)=="location:"{print $2}')"
[[ -n "$TUS_LOC" ]] || { cat "$WORK/tus-node.log" >&2; die "@tus/server did not create an upload"; }
[[ "$TUS_LOC" == http* ]] || TUS_LOC="http://127.0.0.1:$TUS_PORT$TUS_LOC"
say "upload: tus PATCH of $MIB MiB to @tus/server"
read -r TCODE TSECS < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 110 -X PATCH -T "$PAYLOAD" \
  -H 'Tus-Resumable: 1.0.0' -H 'Expect:' -H 'Content-Type: application/offset+octet-stream' -H 'Upload-Offset: 0' \
  "$TUS_LOC" || true)
[[ "$TCODE" == 204 ]] || { cat "$WORK/tus-node.log" >&2; die "@tus/server PATCH failed: HTTP $TCODE"; }
kill "$TUS_PID" 2>/dev/null || true
wait "$TUS_PID" 2>/dev/null || true
TUS_MBPS="$(mbps "$BYTES" "$TSECS")"
TUS_VERSION="$(node -p "require('$TUS_NODE/node_modules/@tus/server/package.json').version")"

# ---- dd conv=fdatasync: the same bytes to the same disk, durably ----
say "upload: dd conv=fdatasync of $MIB MiB"
DD_SECS="$(dd if="$PAYLOAD" of="$WORK/dd.bin" bs=1M conv=fdatasync 2>&1 | awk '/copied/{for(i=1;i<=NF;i++) if($i ~ /^s,?$/) print $(i-1)}' | tr , .)"
[[ -n "$DD_SECS" ]] || die "dd failed"
rm -f "$WORK/dd.bin"
DD_MBPS="$(mbps "$BYTES" "$DD_SECS")"

# ---- nginx (PUT via the dav module, body buffered to client_body_temp_path, then renamed) ----
mkdir -p "$WORK/nginx/root"
start_nginx "client_max_body_size 0;
    location /up/ { root $WORK/nginx/root; dav_methods PUT; create_full_put_path on; }"
say "upload: curl -T of $MIB MiB to nginx"
read -r NCODE NSECS < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 110 \
  -H 'Expect:' -T "$PAYLOAD" "$NGINX_BASE/up/payload.bin" || true)
[[ "$NCODE" == 201 || "$NCODE" == 204 ]] || die "nginx PUT failed: HTTP $NCODE"
[[ "$(stat -c %s "$WORK/nginx/root/up/payload.bin")" == "$BYTES" ]] || die "nginx stored a different size"
NGINX_MBPS="$(mbps "$BYTES" "$NSECS")"
ratio() { python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$1" "$2"; }
RATIO="$(ratio "$LEP_MBPS" "$NGINX_MBPS")"
TUS_RATIO="$(ratio "$LEP_MBPS" "$TUS_MBPS")"
DD_RATIO="$(ratio "$LEP_MBPS" "$DD_MBPS")"

summary "upload $MIB MiB, MB/s (baseline: @tus/server $TUS_VERSION + @tus/file-store)" "$LEP_MBPS" "$TUS_MBPS" "$TUS_RATIO"
summary "upload $MIB MiB, MB/s (baseline: dd conv=fdatasync, the durable disk)" "$LEP_MBPS" "$DD_MBPS" "$DD_RATIO"
summary "upload $MIB MiB, MB/s (baseline: nginx dav PUT)" "$LEP_MBPS" "$NGINX_MBPS" "$RATIO"
cat <<EOF
## Upload ($(db_label)): $MIB MiB over loopback

| server | how | seconds | MB/s |
|---|---|---|---|
| lep (tus) | curl PATCH ($LEP_NOTE) | $LEP_SECS | $LEP_MBPS |
| @tus/server $TUS_VERSION + @tus/file-store (Node $(node --version)) | curl PATCH (one PATCH with Content-Length) | $TSECS | $TUS_MBPS |
| dd conv=fdatasync | the same bytes, bs=1M | $DD_SECS | $DD_MBPS |
| nginx 1.22 | curl -T (dav PUT) | $NSECS | $NGINX_MBPS |

- ratio lep / @tus/server: **$TUS_RATIO×** (goal ≥ 1.0×); lep / dd conv=fdatasync: **$DD_RATIO×** (goal ≥ 0.8×); lep / nginx: **$RATIO×**
- lep peak RSS (VmHWM): $((HWM1 / 1024)) MiB; RSS before the upload $((RSS0 / 1024)) MiB (VmHWM before $((HWM0 / 1024)) MiB); growth **$(((HWM1 - RSS0) / 1024)) MiB** (goal ≤ 32 MiB)
- lep makes every byte durable (fdatasync) before the offset it acknowledges moves; @tus/server and nginx do not fsync

EOF
