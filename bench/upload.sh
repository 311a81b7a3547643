#!/usr/bin/env bash
# Upload benchmark: BENCH_UPLOAD_MIB (default 1024) MiB over loopback, tus PATCH to lep vs
# `curl -T` (HTTP PUT, dav module) to Debian nginx, same run, same disk ($WORK). Prints a
# markdown section: MB/s of each, the ratio, lep's peak RSS (VmHWM) and its growth.
# The tus upload declares one byte more than is sent, so it stays open: this measures receiving
# (write + fdatasync checkpoints every 16 MiB + SHA-256), not the probe of a random file.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 nginx

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
RATIO="$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.2f}')" "$LEP_MBPS" "$NGINX_MBPS")"

summary "upload $MIB MiB, MB/s (baseline: nginx dav PUT)" "$LEP_MBPS" "$NGINX_MBPS" "$RATIO"
cat <<EOF
## Upload ($(db_label)): $MIB MiB over loopback

| server | how | seconds | MB/s |
|---|---|---|---|
| lep (tus) | curl PATCH ($LEP_NOTE) | $LEP_SECS | $LEP_MBPS |
| nginx 1.22 | curl -T (dav PUT) | $NSECS | $NGINX_MBPS |

- ratio lep / nginx: **$RATIO×** (goal ≥ 0.9×)
- lep peak RSS (VmHWM): $((HWM1 / 1024)) MiB; RSS before the upload $((RSS0 / 1024)) MiB (VmHWM before $((HWM0 / 1024)) MiB); growth **$(((HWM1 - RSS0) / 1024)) MiB** (goal ≤ 32 MiB)
- lep fdatasyncs every 16 MiB inside the PATCH; nginx does not fsync

EOF
