#!/usr/bin/env bash
# Probe benchmark: the upload → technical-standard report path (there is no `lep probe`
# command). For each fixture (made here with ffmpeg: a 1280×720 25 fps H.264/AAC lecture with
# moov first, the same with moov at the end — lep remuxes it to faststart — and a 44.1 kHz
# stereo mp3), BENCH_PROBE_REPS (default 3) times: create a resource, tus-upload the file in
# 1 MiB PATCHes, then poll GET /api/v1/resources/{id}/media every 10 ms until the report is
# there and any faststart remux has finished (media state "ready"). Reported: the median time
# from the start of the last PATCH to that point (lep reads the file with libavformat/libavcodec, evaluates 附件1, remuxes if needed).
# Baseline in the same run: `ffprobe -count_packets -show_streams -show_format` on the file
# (a full demux pass, as lep's probe does).
#   BENCH_PROBE_SECS  length of the video fixtures in seconds (default 30)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 ffmpeg ffprobe

SECS="${BENCH_PROBE_SECS:-30}"
REPS="${BENCH_PROBE_REPS:-3}"
say "probe: making the fixtures ($SECS s 720p25 H.264 3 Mbps + AAC; mp3)"
VIDEO_ARGS=(-v error -y -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=44100"
  -t "$SECS" -c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v 3M -minrate 3M -maxrate 3M -bufsize 1M
  -x264-params nal-hrd=cbr -c:a aac -b:a 128k -ac 2)
ffmpeg "${VIDEO_ARGS[@]}" -movflags +faststart "$WORK/faststart.mp4"
ffmpeg -v error -y -i "$WORK/faststart.mp4" -c copy "$WORK/moov-at-end.mp4"  # no +faststart: moov last
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=44100" -t 120 -ac 2 -c:a libmp3lame -b:a 192k "$WORK/audio.mp3"

start_lep
CSRF="$(login gd_uploader)"

cat >"$WORK/probe.py" <<'PY'
# probe.py BASE COOKIE CSRF FILE TYPE REPS → median seconds, last-PATCH median, passed, remuxed
import base64, http.client, json, os, statistics, sys, time, urllib.parse
base, cookie, csrf, path, rtype, reps = sys.argv[1:7]
u = urllib.parse.urlsplit(base)
data = open(path, "rb").read()
H = {"Cookie": cookie, "X-CSRF-Token": csrf}
def call(conn, method, p, body=None, headers=None):
    conn.request(method, p, body=body, headers={**H, **(headers or {})})
    r = conn.getresponse(); t = r.read()
    return r, t
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
totals, lasts, passed, remuxed = [], [], None, None
for rep in range(int(reps)):
    r, t = call(conn, "POST", "/api/v1/resources", json.dumps({
        "title": f"探测基准 {os.path.basename(path)} {rep}", "type": rtype, "domain": "老年教育",
        "summary": "探测基准", "copyright_holder": "岭南示范职业技术学院（演示）", "presenters": "张演示"}),
        {"Content-Type": "application/json"})
    assert r.status == 201, t
    rid = json.loads(t)["id"]
    b64 = lambda s: base64.b64encode(s.encode()).decode()
    meta = f"resource_id {b64(str(rid))},filename {b64(os.path.basename(path))},kind {b64('media')}"
    r, t = call(conn, "POST", "/api/v1/uploads/", None, {"Tus-Resumable": "1.0.0",
        "Upload-Length": str(len(data)), "Upload-Metadata": meta, "Content-Length": "0"})
    assert r.status == 201, (r.status, t)
    loc = urllib.parse.urlsplit(r.getheader("Location")).path
    off, chunk = 0, 1 << 20
    while off < len(data):
        piece = data[off:off + chunk]
        last = off + len(piece) == len(data)
        t0 = time.perf_counter()
        r, t = call(conn, "PATCH", loc, piece, {"Tus-Resumable": "1.0.0",
            "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(off)})
        assert r.status == 204, (r.status, t)
        off += len(piece)
    t_last_patch = time.perf_counter() - t0
    while True:
        r, t = call(conn, "GET", f"/api/v1/resources/{rid}/media")
        m = json.loads(t).get("media")
        # A moov-at-end mp4 is reported at once with state "remuxing"; wait for the remux.
        if m and m.get("report") and m.get("state", "ready") == "ready":
            break
        if time.perf_counter() - t0 > 120:
            sys.exit("no report after 120 s")
        time.sleep(0.01)
    totals.append(time.perf_counter() - t0)
    lasts.append(t_last_patch)
    passed, remuxed = m.get("passed"), m.get("remuxed")
print(f"{statistics.median(totals):.3f} {statistics.median(lasts):.3f} {passed} {remuxed}")
PY

ffprobe_secs() {
  python3 - "$1" "$REPS" <<'PY'
import statistics, subprocess, sys, time
t = []
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    subprocess.run(["ffprobe", "-v", "error", "-count_packets", "-show_streams", "-show_format", sys.argv[1]],
                   check=True, stdout=subprocess.DEVNULL)
    t.append(time.perf_counter() - t0)
print(f"{statistics.median(t):.3f}")
PY
}

ROWS=""
for f in faststart.mp4:A01 moov-at-end.mp4:A01 audio.mp3:A02; do
  name="${f%%:*}"; type="${f##*:}"
  cat "$WORK/$name" >/dev/null
  say "probe: $name × $REPS"
  read -r TOTAL LAST PASSED REMUXED < <(python3 "$WORK/probe.py" "$LEP_BASE" "$(session_cookie)" "$CSRF" "$WORK/$name" "$type" "$REPS")
  BASE_S="$(ffprobe_secs "$WORK/$name")"
  RATIO="$(python3 -c "import sys;print(f'{float(sys.argv[1])/float(sys.argv[2]):.1f}')" "$TOTAL" "$BASE_S")"
  MIB="$(python3 -c "import os,sys;print(f'{os.path.getsize(sys.argv[1])/1048576:.1f}')" "$WORK/$name")"
  summary "probe $name, last PATCH → report, s (baseline: ffprobe -count_packets incl. process start)" "$TOTAL" "$BASE_S" "$RATIO"
  ROWS+="| $name ($MIB MiB, $type) | $LAST | **$TOTAL** | $BASE_S | ${RATIO}× | $PASSED | $REMUXED |"$'\n'
done
RSS="$(rss_line "$LEP_PID")"

cat <<EOF
## Probe: upload → report ($(db_label); median of $REPS)

| file | last PATCH s | last PATCH → report visible s | ffprobe -count_packets s (baseline) | ratio | passed | remuxed |
|---|---|---|---|---|---|---|
$ROWS
- video fixtures: ${SECS} s 1280×720 25 fps H.264 CBR 3 Mbps + AAC 128k; mp3: 120 s 44.1 kHz stereo 192k
$RSS


EOF
