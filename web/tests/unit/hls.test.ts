import { beforeEach, describe, expect, it } from 'vitest'
import {
  AUDIO_ONLY,
  QUALITY_KEY,
  type VideoStatus,
  effectiveChoice,
  hlsReady,
  levelIndex,
  levelName,
  loadQuality,
  qualityOptions,
  saveQuality,
} from '@/utils/hls'

function status(over: Partial<VideoStatus> = {}): VideoStatus {
  const base = '/media/resources/7/hls/'
  const r = (name: string, height: number) => ({
    name, audio: false, codecs: 'avc1.64001f', bandwidth: height * 3000, average_bandwidth: height * 2000,
    url: `${base}${name}.m3u8`, width: Math.round((height * 16) / 9), height, frame_rate: 25,
  })
  return {
    state: 'ready', progress: 100, has_captions: false, captions: [],
    master_url: `${base}master.m3u8`, audio_url: `${base}a.m3u8`, poster_url: null, thumbnails_url: null,
    renditions: [
      { name: 'audio', audio: true, codecs: 'mp4a.40.2', bandwidth: 100000, average_bandwidth: 98000, url: `${base}a.m3u8` },
      r('360p', 360), r('480p', 480), r('720p', 720),
    ],
    ...over,
  }
}

beforeEach(() => localStorage.clear())

describe('HLS 播放辅助', () => {
  it('只有阶梯已生成（ready 且有主播放列表）才用 HLS', () => {
    expect(hlsReady(status())).toBe(true)
    expect(hlsReady(status({ state: 'running', master_url: null }))).toBe(false)
    expect(hlsReady(status({ state: 'queued' }))).toBe(false)
    expect(hlsReady(null)).toBe(false)
  })

  it('清晰度选项：自动、从高到低的各档、仅听声音；原生 HLS 只有自动与仅听声音', () => {
    expect(qualityOptions(status()).map((o) => o.label)).toEqual(['自动', '720p', '480p', '360p', '仅听声音'])
    expect(qualityOptions(status(), false).map((o) => o.value)).toEqual(['auto', AUDIO_ONLY])
    expect(qualityOptions(status({ audio_url: null })).map((o) => o.value)).toEqual(['auto', '720p', '480p', '360p'])
  })

  it('记住的选择：保存后再读出；本视频没有这一档时回到自动', () => {
    expect(loadQuality()).toBe('auto')
    saveQuality('1080p')
    expect(localStorage.getItem(QUALITY_KEY)).toBe('1080p')
    expect(loadQuality()).toBe('1080p')
    const opts = qualityOptions(status())
    expect(effectiveChoice(loadQuality(), opts)).toBe('auto')
    expect(effectiveChoice('480p', opts)).toBe('480p')
    expect(effectiveChoice(AUDIO_ONLY, opts)).toBe(AUDIO_ONLY)
  })

  it('选择按高度对应到 hls.js 的档位，自动为 -1', () => {
    const levels = [{ height: 480 }, { height: 360 }, { height: 720 }]
    expect(levelIndex('720p', levels)).toBe(2)
    expect(levelIndex('360p', levels)).toBe(1)
    expect(levelIndex('auto', levels)).toBe(-1)
    expect(levelIndex('1080p', levels)).toBe(-1)
    expect(levelName(levels[0])).toBe('480p')
    expect(levelName(undefined)).toBe('')
  })
})
