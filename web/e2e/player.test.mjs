// 门户播放器（issue 18 第 3 项）：已发布视频的清晰度阶梯生成后，资源页用 hls.js 播放主播放列表；学习者可以
// 选清晰度或「仅听声音」，换档不丢播放位置，选择记在 localStorage、刷新后仍然生效并续播；字幕是文本轨道；
// 大字模式下清晰度选择框至少 60 像素高；没有 MSE 的浏览器（去掉 MediaSource）改用原生 HLS 或原始 MP4，
// 字幕仍在。数据全部经真实接口生成（ffmpeg 生成视频、tus 上传、两级审核、发布、服务端内置工作进程转码）。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, expectAccessible, launch, newPage, screenshot, serialSteps, setLargeText } from './helpers.mjs'
import { createResource, makeMedia, review, submit, team, uploadCover, uploadMedia } from './fixtures.mjs'

const RUN = String(Date.now()).slice(-6)
const TITLE = `五禽戏入门${RUN}`
const SRT = '1\n00:00:00,200 --> 00:00:01,800\n虎戏：两手虎爪\n\n2\n00:00:02,000 --> 00:00:03,800\n鹿戏：转腰回望\n'

let browser
let page
let media
let resourceId
let video

const step = serialSteps('player', () => page)

const playerState = () =>
  page.evaluate(() => {
    const v = document.querySelector('[data-testid="player"]')
    return {
      mode: v.dataset.mode,
      src: v.currentSrc || v.src,
      time: v.currentTime,
      paused: v.paused,
      width: v.videoWidth,
      tracks: Array.from(v.textTracks).map((t) => ({ language: t.language, label: t.label, kind: t.kind })),
      trackElements: v.querySelectorAll('track[src$=".vtt"]').length,
    }
  })

async function playMuted() {
  await page.evaluate(() => {
    const v = document.querySelector('[data-testid="player"]')
    v.muted = true
    return v.play()
  })
}

async function waitTime(min) {
  await page.waitForFunction((t) => document.querySelector('[data-testid="player"]').currentTime > t, min, { timeout: 30000 })
}

describe('门户播放器：HLS、清晰度与仅听声音、字幕', () => {
  before(async () => {
    media = makeMedia()
    const t = await team()
    const r = await createResource(t.uploader, TITLE)
    resourceId = r.id
    await uploadCover(t.uploader, r.id, media.cover)
    const m = await uploadMedia(t.uploader, r.id, media.video)
    assert.ok(m.passed, `视频应通过技术检测：${JSON.stringify(m.report)}`)
    const cap = await t.uploader.request('POST', `/api/v1/resources/${r.id}/captions?language=zh`, SRT, { 'Content-Type': 'application/x-subrip' })
    assert.equal(cap.status, 201, JSON.stringify(cap.body))
    await submit(t.uploader, r.id)
    await review(t.first, r.id, 'approve', '初审通过')
    await review(t.final, r.id, 'approve', '终审通过')
    const b = await t.admin.expect(201, 'POST', '/api/v1/batches', { resource_ids: [r.id] })
    await t.admin.expect(200, 'POST', `/api/v1/batches/${b.id}/publish`)
    // 服务端内置的工作进程转码（4 秒 720p：几秒钟；seed-demo 的演示视频可能排在前面）
    for (let i = 0; i < 800; i++) {
      video = (await t.uploader.expect(200, 'GET', `/api/v1/resources/${r.id}/video`)).video
      if (video.state === 'ready') break
      assert.ok(!['failed', 'cancelled', 'none'].includes(video.state), JSON.stringify(video))
      await new Promise((ok) => setTimeout(ok, 500))
    }
    assert.equal(video.state, 'ready', JSON.stringify(video))
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('资源页用 hls.js 播放主播放列表，可选自动、各档清晰度与仅听声音', async () => {
    await page.goto(`/resources/${resourceId}`)
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    const select = page.getByLabel('清晰度')
    await select.waitFor()
    const labels = await select.locator('option').allTextContents()
    assert.deepEqual(labels, ['自动', '720p', '480p', '360p', '仅听声音'])
    assert.equal(await select.inputValue(), 'auto')
    await page.waitForFunction(() => document.querySelector('[data-testid="player"]').dataset.mode === 'hlsjs')
    await playMuted()
    await waitTime(0.5)
    const s = await playerState()
    assert.ok(s.src.startsWith('blob:'), `经 MSE（hls.js）播放：${s.src}`)
    await page.getByTestId('quality-now').getByText(/正在播放：\d+p/).waitFor()
    await expectAccessible(page, '资源页（HLS 播放器）')
  })

  step('字幕是一条中文文本轨道（同源 WebVTT），字幕内容已加载', async () => {
    const cues = await page.waitForFunction(() => {
      const t = Array.from(document.querySelector('[data-testid="player"]').textTracks).find((x) => x.language === 'zh')
      return t && t.cues && t.cues.length ? Array.from(t.cues).map((c) => c.text) : null
    })
    assert.deepEqual(await cues.jsonValue(), ['虎戏：两手虎爪', '鹿戏：转腰回望'])
    const s = await playerState()
    assert.deepEqual(s.tracks, [{ language: 'zh', label: '中文', kind: 'subtitles' }], 'hls.js 不再另建字幕轨道')
    assert.equal(s.trackElements, 1)
  })

  step('选 360p：切到这一档，播放位置不丢', async () => {
    const before = (await playerState()).time
    await page.getByLabel('清晰度').selectOption('360p')
    await page.getByTestId('quality-now').getByText('正在播放：360p').waitFor({ timeout: 20000 })
    const s = await playerState()
    assert.ok(s.time >= before - 0.5, `位置从 ${before} 变成了 ${s.time}`)
    assert.equal(await page.evaluate(() => localStorage.getItem('lep.quality')), '360p')
  })

  step('仅听声音：换成声音播放列表，从原来的位置接着播，没有画面', async () => {
    await page.evaluate(() => document.querySelector('[data-testid="player"]').pause())
    await page.evaluate(() => (document.querySelector('[data-testid="player"]').currentTime = 1.5))
    await page.waitForFunction(() => !document.querySelector('[data-testid="player"]').seeking)
    await playMuted()
    await page.getByLabel('清晰度').selectOption('audio')
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="player"]')
      return v.readyState >= 2 && !v.paused && v.currentTime > 1.6
    }, null, { timeout: 30000 })
    const s = await playerState()
    assert.equal(s.width, 0, '仅声音档没有画面')
    assert.equal(await page.evaluate(() => localStorage.getItem('lep.quality')), 'audio')
    await page.evaluate(() => document.querySelector('[data-testid="player"]').pause())
    await screenshot(page, 'player-audio-only')
  })

  step('刷新后仍是仅听声音，并从上次的位置续播', async () => {
    await page.reload()
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    await page.getByTestId('resume-note').waitFor({ timeout: 20000 })
    assert.equal(await page.getByLabel('清晰度').inputValue(), 'audio')
    const s = await playerState()
    assert.ok(s.time >= 1.5, `续播位置：${s.time}`)
    assert.ok(s.src.startsWith('blob:'))
    await page.getByLabel('清晰度').selectOption('auto')
  })

  step('大字模式：清晰度选择框至少 60 像素高', async () => {
    await setLargeText(page, true)
    const h = (await page.getByLabel('清晰度').boundingBox()).height
    assert.ok(h >= 59.5, `清晰度选择框只有 ${h}px 高`)
    await expectAccessible(page, '资源页（大字模式）')
    await screenshot(page, 'player-large-text')
    await setLargeText(page, false)
  })

  test('没有 MSE 的浏览器：改用原生 HLS 或原始 MP4，照样播放，字幕仍在', async () => {
    const other = await launch(DESKTOP)
    try {
      const p = await newPage(other, DESKTOP)
      await p.addInitScript(() => {
        delete window.MediaSource
        delete window.ManagedMediaSource
        delete window.WebKitMediaSource
      })
      await p.goto(`/resources/${resourceId}`)
      await p.getByRole('heading', { level: 1, name: TITLE }).waitFor()
      await p.waitForFunction(() => ['native', 'progressive'].includes(document.querySelector('[data-testid="player"]').dataset.mode))
      await p.evaluate(() => {
        const v = document.querySelector('[data-testid="player"]')
        v.muted = true
        return v.play()
      })
      await p.waitForFunction(() => document.querySelector('[data-testid="player"]').currentTime > 0.5, null, { timeout: 30000 })
      const s = await p.evaluate(() => {
        const v = document.querySelector('[data-testid="player"]')
        return { mode: v.dataset.mode, src: v.currentSrc, tracks: Array.from(v.textTracks).map((t) => t.language) }
      })
      if (s.mode === 'progressive') assert.match(s.src, new RegExp(`/media/resources/${resourceId}(\\?|$)`))
      else assert.match(s.src, /master\.m3u8$/)
      await p.waitForFunction(() => Array.from(document.querySelector('[data-testid="player"]').textTracks).some((t) => t.language === 'zh'), null, { timeout: 20000 })
      assert.deepEqual(other.errors, [])
    } finally {
      await other.close()
    }
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
