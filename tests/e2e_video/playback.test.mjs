// Issue 18 end to end: a 5 s 720p clip uploaded with tus is transcoded by lep's embedded
// worker (job queued → ladder made), the master playlist lists 360p/480p/720p and no 1080p,
// and Chromium plays it through hls.js over an emulated 1 Mbit/s, 300 ms link, starting on
// the top rendition and switching down; the captions uploaded as SRT show up as a text track
// with their cues, and the audio-only rendition plays without a picture. Loopback only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { chromium } from 'playwright-core'

const execFileP = promisify(execFile)
const BASE = (process.env.LEP_E2E_BASE || '').replace(/\/$/, '')
const WORK = process.env.LEP_E2E_WORK
const PASSWORD = 'Lep@Demo2022'

async function login(username) {
  const res = await fetch(`${BASE}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  const text = await res.text()
  assert.equal(res.status, 200, text)
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('lep_session='))
  return { cookie, csrf: JSON.parse(text).csrf_token }
}

async function api(s, method, url, body, headers = {}) {
  const res = await fetch(`${BASE}${url}`, {
    method,
    headers: { Cookie: s.cookie, 'X-CSRF-Token': s.csrf, ...headers },
    body,
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) }
}

const b64 = (s) => Buffer.from(s).toString('base64')

test('a clip goes from tus upload through the ladder to hls.js on a throttled link', async () => {
  assert.ok(BASE && WORK, 'run through tests/e2e_video/run.sh')
  const clip = path.join(WORK, 'clip.mp4')
  // prettier-ignore
  await execFileP('ffmpeg', [
    '-nostdin', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', '5', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
    '-b:v', '3M', '-minrate', '3M', '-maxrate', '3M', '-bufsize', '1M', '-x264-params', 'nal-hrd=cbr',
    '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', clip,
  ], { timeout: 120_000 })
  const bytes = fs.readFileSync(clip)

  const up = await login('gd_uploader')
  const created = await api(up, 'POST', '/api/v1/resources', JSON.stringify({
    title: '太极拳入门（自适应码流测试）', type: 'A01', domain: '老年教育', summary: '测试',
    copyright_holder: '演示学院', presenters: '张演示',
  }), { 'Content-Type': 'application/json' })
  assert.equal(created.status, 201, created.text)
  const id = created.json().id

  // tus: create, then the whole file in one PATCH.
  const meta = `resource_id ${b64(String(id))},filename ${b64('clip.mp4')},kind ${b64('media')}`
  const post = await api(up, 'POST', '/api/v1/uploads/', undefined, {
    'Tus-Resumable': '1.0.0', 'Upload-Length': String(bytes.length), 'Upload-Metadata': meta,
  })
  assert.equal(post.status, 201, post.text)
  const patch = await api(up, 'PATCH', post.headers.get('location'), bytes, {
    'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream',
  })
  assert.equal(patch.status, 204, patch.text)

  // The job is queued at once and the embedded worker makes the ladder.
  let video = (await api(up, 'GET', `/api/v1/resources/${id}/video`)).json().video
  assert.ok(['queued', 'running', 'ready'].includes(video.state), JSON.stringify(video))
  const deadline = Date.now() + 400_000  // seed-demo's showcase videos may be queued first
  while (video.state !== 'ready' && Date.now() < deadline) {
    assert.ok(!['failed', 'cancelled'].includes(video.state), JSON.stringify(video))
    await new Promise((r) => setTimeout(r, 500))
    video = (await api(up, 'GET', `/api/v1/resources/${id}/video`)).json().video
  }
  assert.equal(video.state, 'ready', JSON.stringify(video))
  assert.deepEqual(video.renditions.map((r) => r.name), ['audio', '360p', '480p', '720p'])

  const master = await api(up, 'GET', video.master_url)
  assert.equal(master.status, 200)
  const resolutions = [...master.text.matchAll(/RESOLUTION=(\d+x\d+)/g)].map((m) => m[1])
  assert.deepEqual(resolutions, ['640x360', '854x480', '1280x720'])
  assert.ok(!master.text.includes('1920x1080'), 'no upscale for a 720p source')

  // Captions (UTF-8 SRT) for the text track.
  const srt = '1\n00:00:00,200 --> 00:00:02,000\n起势：两脚开立\n\n2\n00:00:02,200 --> 00:00:04,500\n两臂前平举\n'
  const cap = await api(up, 'POST', `/api/v1/resources/${id}/captions`, srt, { 'Content-Type': 'application/x-subrip' })
  assert.equal(cap.status, 201, cap.text)

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required'],
  })
  try {
    const context = await browser.newContext()
    const [name, value] = up.cookie.split('=')
    await context.addCookies([{ name, value, url: BASE }])
    const page = await context.newPage()
    await page.goto(`${BASE}/`)
    // 1 Mbit/s down, 300 ms latency (Chromium's own throttling, as DevTools does it).
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false, latency: 300, downloadThroughput: 1_000_000 / 8, uploadThroughput: 1_000_000 / 8,
    })

    const result = await page.evaluate(async (url) => {
      const v = document.getElementById('v')
      // hls.js where MSE exists (Chromium), native HLS otherwise (iOS): here it must be hls.js.
      if (!window.Hls || !Hls.isSupported()) return { error: 'hls.js unsupported' }
      const hls = new Hls({ enableWorker: false, capLevelToPlayerSize: false })
      const heights = []
      const loaded = []
      hls.on(Hls.Events.MANIFEST_PARSED, (_e, d) => { hls.startLevel = d.levels.length - 1 })
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, d) => heights.push(hls.levels[d.level].height))
      hls.on(Hls.Events.FRAG_LOADED, (_e, d) => { if (d.frag.type === 'main') loaded.push(hls.levels[d.frag.level].height) })
      const errors = []
      hls.on(Hls.Events.ERROR, (_e, d) => { if (d.fatal) errors.push(d.details) })
      hls.loadSource(url)
      hls.attachMedia(v)
      await new Promise((r) => hls.once(Hls.Events.MANIFEST_PARSED, r))
      await v.play()
      const started = performance.now()
      while (!v.ended && v.currentTime < 4.5 && performance.now() - started < 120_000 && !errors.length) {
        await new Promise((r) => setTimeout(r, 200))
      }
      const tracks = Array.from(v.textTracks).map((t) => ({ label: t.label, language: t.language, kind: t.kind }))
      // Show the captions and wait for hls.js to load their cues.
      hls.subtitleTrack = 0
      hls.subtitleDisplay = true
      let cues = []
      const waitCues = performance.now()
      while (performance.now() - waitCues < 20_000) {
        const t = Array.from(v.textTracks).find((x) => x.language === 'zh')
        if (t && t.cues && t.cues.length) { cues = Array.from(t.cues).map((c) => c.text); break }
        await new Promise((r) => setTimeout(r, 200))
      }
      const out = {
        src: v.src, heights, loaded, errors, tracks, cues,
        currentTime: v.currentTime, ended: v.ended,
        levels: hls.levels.map((l) => l.height),
      }
      hls.destroy()
      return out
    }, `${BASE}${video.master_url}`)

    console.log(JSON.stringify({ loaded: result.loaded, heights: result.heights, t: result.currentTime, cues: result.cues }))
    assert.ok(!result.error, result.error)
    assert.deepEqual(result.errors, [])
    assert.ok(result.src.startsWith('blob:'), `played through MSE (hls.js): ${result.src}`)
    assert.deepEqual(result.levels, [360, 480, 720])
    assert.ok(result.currentTime >= 4 || result.ended, `played on: ${JSON.stringify(result)}`)
    assert.equal(result.loaded[0], 720, `started on the top rendition: ${JSON.stringify(result)}`)
    assert.ok(result.loaded.some((h) => h < 720), `switched down on 1 Mbit/s: ${JSON.stringify(result)}`)
    assert.ok(result.tracks.some((t) => t.language === 'zh' && t.label === '中文'), JSON.stringify(result.tracks))
    assert.deepEqual(result.cues, ['起势：两脚开立', '两臂前平举'])

    // 仅听声音: the audio-only rendition plays without a picture.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
    const audio = await page.evaluate(async (url) => {
      const v = document.getElementById('v')
      const hls = new Hls({ enableWorker: false })
      hls.loadSource(url)
      hls.attachMedia(v)
      await new Promise((r) => hls.once(Hls.Events.MANIFEST_PARSED, r))
      await v.play()
      const started = performance.now()
      while (v.currentTime < 2 && performance.now() - started < 30_000) await new Promise((r) => setTimeout(r, 100))
      const out = { currentTime: v.currentTime, videoWidth: v.videoWidth }
      hls.destroy()
      return out
    }, `${BASE}${video.audio_url}`)
    assert.ok(audio.currentTime >= 2, JSON.stringify(audio))
    assert.equal(audio.videoWidth, 0)
  } finally {
    await browser.close()
  }
})
