#!/usr/bin/env bash
# Video benchmark (issue 18 item 6), two parts on one fresh lep (embedded worker, the default
# [video] settings: x264 veryfast, ffmpeg -threads 2, 4 s segments, one transcode at a time):
# 1. Transcoding speed: a BENCH_VIDEO_SECS (default 70) s 1280×720 25 fps H.264 3 Mbps + AAC
#    lecture is uploaded with tus; from the moment a worker takes its job (seed-demo's showcase
#    videos are queued first) until GET /api/v1/resources/{id}/video says "ready". Reported per rendition: × real time on this box (the `speed` field lep records:
#    duration / wall time of that rendition's ffmpeg child), and for the whole ladder (probe, every
#    rendition, poster, thumbnails, adoption into the blob store). Baseline in the same run: the
#    bare `ffmpeg` CLI making the 720p rendition alone with the same settings (HLS fMP4 into a
#    temporary directory), i.e. what lep's child costs without lep around it.
# 2. Stalls: Chromium (Debian, playwright-core) plays the clip for BENCH_VIDEO_PLAY_SECS (default
#    60) s over an emulated 1 Mbit/s, 300 ms link (CDP Network.emulateNetworkConditions), once
#    through hls.js from the master playlist (adaptive) and once as the progressive MP4 (the
#    baseline): time to first frame, number of stalls ('waiting' after playback started) and their
#    total time, and how far playback got.
# Loopback only; lep, its worker's ffmpeg children and Chromium are stopped at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap bench_cleanup EXIT
need curl python3 ffmpeg node npm

SECS="${BENCH_VIDEO_SECS:-70}"
PLAY_SECS="${BENCH_VIDEO_PLAY_SECS:-60}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
[[ -x "$CHROMIUM" ]] || die "找不到 chromium：$CHROMIUM"
E2E="$REPO_ROOT/tests/e2e_video"
if [[ ! -d "$E2E/node_modules/playwright-core" || ! -d "$E2E/node_modules/hls.js" ]]; then
  say "video: npm ci in tests/e2e_video (playwright-core, hls.js)"
  (cd "$E2E" && npm ci --no-audit --no-fund >&2)
fi

say "video: making the fixture ($SECS s 720p25 H.264 3 Mbps + AAC)"
CLIP="$WORK/lecture.mp4"
ffmpeg -nostdin -v error -y -f lavfi -i "testsrc2=size=1280x720:rate=25" \
  -f lavfi -i "sine=frequency=440:sample_rate=44100" -t "$SECS" -c:v libx264 -preset ultrafast \
  -pix_fmt yuv420p -b:v 3M -minrate 3M -maxrate 3M -bufsize 1M -x264-params nal-hrd=cbr \
  -c:a aac -b:a 128k -ac 2 -movflags +faststart "$CLIP"

# lep with a web directory holding the bare test page and hls.js (as tests/e2e_video does).
mkdir -p "$WORK/web" "$WORK/lep-data"
cp "$E2E/page/index.html" "$E2E/node_modules/hls.js/dist/hls.min.js" "$WORK/web/"
new_database "$WORK/lep-data"
LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1 "$LEP_BIN" seed-demo --data "$WORK/lep-data" \
  >"$WORK/seed.log" 2>&1 || { cat "$WORK/seed.log" >&2; die "seed-demo failed"; }
LEP_ARGON2_MEMLIMIT=8192 LEP_ARGON2_OPSLIMIT=1 "$LEP_BIN" serve --data "$WORK/lep-data" \
  --listen 127.0.0.1:0 --web "$WORK/web" >"$WORK/lep.out" 2>"$WORK/lep.log" &
LEP_PID=$!
LEP_BASE=""
for _ in $(seq 1 300); do
  LEP_BASE="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/lep.out" 2>/dev/null | head -1 || true)"
  [[ -n "$LEP_BASE" ]] && break
  kill -0 "$LEP_PID" 2>/dev/null || { cat "$WORK/lep.log" >&2; die "lep did not start"; }
  sleep 0.2
done
[[ -n "$LEP_BASE" ]] || die "lep did not print its URL"
CSRF="$(login gd_uploader)"

say "video: upload and transcode"
cat >"$WORK/transcode.py" <<'PY'
# transcode.py BASE COOKIE CSRF FILE → JSON {id, wall_s, video}
import base64, http.client, json, os, sys, time, urllib.parse
base, cookie, csrf, path = sys.argv[1:5]
u = urllib.parse.urlsplit(base)
data = open(path, "rb").read()
H = {"Cookie": cookie, "X-CSRF-Token": csrf}
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
def call(method, p, body=None, headers=None):
    conn.request(method, p, body=body, headers={**H, **(headers or {})})
    r = conn.getresponse(); t = r.read()
    return r, t
r, t = call("POST", "/api/v1/resources", json.dumps({
    "title": "转码基准", "type": "A01", "domain": "老年教育", "summary": "转码基准",
    "copyright_holder": "岭南示范职业技术学院（演示）", "presenters": "张演示"}),
    {"Content-Type": "application/json"})
assert r.status == 201, t
rid = json.loads(t)["id"]
b64 = lambda s: base64.b64encode(s.encode()).decode()
meta = f"resource_id {b64(str(rid))},filename {b64('lecture.mp4')},kind {b64('media')}"
r, t = call("POST", "/api/v1/uploads/", None, {"Tus-Resumable": "1.0.0",
    "Upload-Length": str(len(data)), "Upload-Metadata": meta, "Content-Length": "0"})
assert r.status == 201, (r.status, t)
loc = urllib.parse.urlsplit(r.getheader("Location")).path
off, chunk = 0, 4 << 20
while off < len(data):
    piece = data[off:off + chunk]
    r, t = call("PATCH", loc, piece, {"Tus-Resumable": "1.0.0",
        "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(off)})
    assert r.status == 204, (r.status, t)
    off += len(piece)
# From the moment a worker takes the job (seed-demo's showcase videos may be queued first).
t0 = time.perf_counter()
started = None
while True:
    r, t = call("GET", f"/api/v1/resources/{rid}/video")
    v = json.loads(t)["video"]
    if v["state"] == "running" and started is None:
        started = time.perf_counter()
    if v["state"] == "ready":
        break
    if v["state"] in ("failed", "cancelled") or time.perf_counter() - t0 > 900:
        sys.exit(f"transcode did not finish: {v}")
    time.sleep(0.05)
print(json.dumps({"id": rid, "wall_s": time.perf_counter() - (started or t0), "video": v}))
PY
RESULT="$(python3 "$WORK/transcode.py" "$LEP_BASE" "$(session_cookie)" "$CSRF" "$CLIP")"
echo "$RESULT" >"$WORK/transcode.json"

# Baseline: the bare ffmpeg CLI making the 720p rendition with lep's default settings.
say "video: baseline (bare ffmpeg, 720p rendition)"
mkdir -p "$WORK/bare"
T0=$(date +%s.%N)
ffmpeg -nostdin -v error -y -threads 2 -i "$CLIP" -map 0:v:0 -an -sn -dn -vf "scale=-2:720:flags=bicubic,format=yuv420p" \
  -fpsmax 30 -c:v libx264 -preset veryfast -profile:v high -level:v 3.1 -crf 23 -maxrate 2500000 \
  -bufsize 5000000 -threads 2 -sc_threshold 0 \
  -force_key_frames "expr:gte(t,n_forced*4)" -f hls -hls_time 4 -hls_playlist_type vod \
  -hls_list_size 0 -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4 \
  -hls_segment_filename "$WORK/bare/seg_%05d.m4s" "$WORK/bare/index.m3u8"
BARE_S="$(python3 -c "import sys,time;print(f'{time.time()-float(sys.argv[1]):.2f}')" "$T0")"

say "video: playback over 1 Mbit/s, 300 ms ($PLAY_SECS s each: HLS, progressive MP4)"
cat >"$WORK/stalls.mjs" <<'JS'
// stalls.mjs BASE RESOURCE_ID COOKIE PLAY_SECS → JSON per mode
import { createRequire } from 'node:module'
const [base, id, cookie, playSecs, e2eDir] = process.argv.slice(2)
const require = createRequire(`${e2eDir}/package.json`)
const { chromium } = require('playwright-core')
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required', '--disable-quic'],
})
const out = {}
try {
  for (const mode of ['hls', 'progressive']) {
    const context = await browser.newContext()
    const [name, value] = cookie.split('=')
    await context.addCookies([{ name, value, url: base }])
    const page = await context.newPage()
    await page.goto(`${base}/index.html`)
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true })
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 300, downloadThroughput: 1_000_000 / 8, uploadThroughput: 1_000_000 / 8,
    })
    out[mode] = await page.evaluate(async ({ mode, id, playMs }) => {
      const v = document.getElementById('v')
      const t0 = performance.now()
      let started = null
      let stalls = 0
      let stalledMs = 0
      let stallAt = null
      const heights = []
      v.addEventListener('playing', () => {
        if (started === null) started = performance.now()
        if (stallAt !== null) { stalledMs += performance.now() - stallAt; stallAt = null }
      })
      v.addEventListener('waiting', () => {
        if (started !== null && stallAt === null) { stalls++; stallAt = performance.now() }
      })
      let hls = null
      if (mode === 'hls') {
        hls = new Hls({ enableWorker: false })
        hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => heights.push(hls.levels[d.level].height))
        hls.loadSource(`/media/resources/${id}/hls/master.m3u8`)
        hls.attachMedia(v)
      } else {
        v.src = `/media/resources/${id}`
      }
      v.muted = true
      await v.play().catch(() => undefined)
      while (performance.now() - t0 < playMs && !v.ended) await new Promise((r) => setTimeout(r, 250))
      if (stallAt !== null) stalledMs += performance.now() - stallAt
      const res = {
        startup_s: started === null ? null : (started - t0) / 1000,
        stalls,
        stalled_s: stalledMs / 1000,
        played_s: v.currentTime,
        heights,
      }
      hls?.destroy()
      return res
    }, { mode, id, playMs: Number(playSecs) * 1000 })
    await context.close()
  }
} finally {
  await browser.close()
}
console.log(JSON.stringify(out))
JS
STALLS="$(CHROMIUM="$CHROMIUM" node "$WORK/stalls.mjs" "$LEP_BASE" "$(python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])' <"$WORK/transcode.json")" \
  "$(session_cookie)" "$PLAY_SECS" "$E2E")"
echo "$STALLS" >"$WORK/stalls.json"
RSS="$(rss_line "$LEP_PID")"

python3 - "$WORK/transcode.json" "$WORK/stalls.json" "$SECS" "$BARE_S" "$PLAY_SECS" "$(db_label)" \
  "${BENCH_SUMMARY:-/dev/null}" <<'PY'
import json, sys
tr = json.load(open(sys.argv[1])); st = json.load(open(sys.argv[2]))
secs, bare_s, play, db, summary = float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
v = tr["video"]
def idle(s):  # seconds not playing: waiting for the first frame, then every stall
    return (float(play) if s["startup_s"] is None else s["startup_s"]) + s["stalled_s"]
rows = []
for r in v["renditions"]:
    size = "audio (AAC)" if r["audio"] else f'{r["width"]}×{r["height"]}'
    speed = r.get("speed")
    rows.append(f'| {r["name"]} | {size} | {r["average_bandwidth"] // 1000} | {r["bandwidth"] // 1000} | '
                f'{speed:.2f}× |' if speed else f'| {r["name"]} | {size} | | | |')
ladder_speed = secs / tr["wall_s"]
bare_speed = secs / bare_s
lep720 = next((r.get("speed") for r in v["renditions"] if r["name"] == "720p"), None)
with open(summary, "a") as f:
    if lep720:
        f.write(f"| video: 720p rendition, × real time (baseline: bare ffmpeg, same settings) | {db} | {lep720:.2f} | {bare_speed:.2f} | **{lep720 / bare_speed:.2f}×** |\n")
    h, p = idle(st["hls"]), idle(st["progressive"])
    f.write(f"| video: s not playing in {play} s at 1 Mbit/s, 300 ms (start-up + stalls; baseline: progressive MP4) | {db} | {h:.1f} | {p:.1f} | **{(h / p) if p else 0:.2f}×** |\n")
print(f"## Video: transcoding speed and stalls ({db})\n")
print(f"Transcoding a {secs:.0f} s 1280×720 25 fps H.264 3 Mbps + AAC upload (embedded worker, x264 veryfast, ffmpeg -threads 2):\n")
print("| rendition | size | average kbit/s | peak kbit/s | × real time |")
print("|---|---|---|---|---|")
print("\n".join(rows))
print(f"\n- whole ladder (a worker takes the job → \"ready\": probe, every rendition one after another, poster, thumbnails, adoption): **{tr['wall_s']:.1f} s = {ladder_speed:.2f}× real time**")
print(f"- baseline, bare `ffmpeg` making the 720p rendition alone with the same settings: {bare_s:.1f} s = {bare_speed:.2f}× real time")
print(f"\nPlayback in Chromium for {play} s over an emulated 1 Mbit/s, 300 ms link (CDP), cache off:\n")
print("| source | first frame s | stalls | stalled s | not playing s (first frame + stalls) | played to s | renditions (heights, in order) |")
print("|---|---|---|---|---|---|---|")
for name, key in (("HLS through hls.js (adaptive)", "hls"), ("progressive MP4 (baseline)", "progressive")):
    s = st[key]
    first = f"{s['startup_s']:.1f}" if s["startup_s"] is not None else "never"
    hs = "→".join(str(x) for x in s["heights"]) or "—"
    print(f"| {name} | {first} | {s['stalls']} | {s['stalled_s']:.1f} | {idle(s):.1f} | {s['played_s']:.1f} | {hs} |")
print()
PY
echo "$RSS"
echo
echo
