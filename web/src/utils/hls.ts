// 自适应码流播放的辅助：读取资源的转码状态（GET /api/v1/resources/{id}/video）、清晰度选项、
// 记住学习者选的清晰度（localStorage，全站一条），以及把选择对应到 hls.js 的档位。
import { http } from '@/api/client'
import type { components } from '@/api/schema.gen'

export type VideoStatus = components['schemas']['VideoStatus']
export type VideoCaption = components['schemas']['VideoCaption']

/** 学习者的选择：自动、某一档（如 "720p"）或仅听声音 */
export type QualityChoice = 'auto' | 'audio' | string

export const QUALITY_KEY = 'lep.quality'
export const AUDIO_ONLY = 'audio'

export async function fetchVideoStatus(resourceId: number): Promise<VideoStatus | null> {
  try {
    const r = await http.get<{ video: VideoStatus }>(`/api/v1/resources/${resourceId}/video`, { quiet401: true })
    return r.video
  } catch {
    return null // 拿不到就用原始 MP4 播放
  }
}

/** 阶梯已生成、可以用 HLS 播放 */
export function hlsReady(s: VideoStatus | null): s is VideoStatus & { master_url: string } {
  return !!s && s.state === 'ready' && !!s.master_url
}

export interface QualityOption {
  value: QualityChoice
  label: string
}

/** 下拉框的选项：自动、各档清晰度（从高到低）、仅听声音（有声音档时） */
export function qualityOptions(s: VideoStatus, levels = true): QualityOption[] {
  const out: QualityOption[] = [{ value: 'auto', label: '自动' }]
  if (levels) {
    const video = s.renditions.filter((r) => !r.audio).sort((a, b) => (b.height ?? 0) - (a.height ?? 0))
    for (const r of video) out.push({ value: r.name, label: r.name })
  }
  if (s.audio_url) out.push({ value: AUDIO_ONLY, label: '仅听声音' })
  return out
}

export function loadQuality(storage: Storage | undefined = globalThis.localStorage): QualityChoice {
  try {
    return storage?.getItem(QUALITY_KEY) || 'auto'
  } catch {
    return 'auto'
  }
}

export function saveQuality(choice: QualityChoice, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    storage?.setItem(QUALITY_KEY, choice)
  } catch {
    /* 隐私模式：仅本页生效 */
  }
}

/** 记住的选择在本视频上是否可用（没有这一档时回到自动） */
export function effectiveChoice(choice: QualityChoice, options: QualityOption[]): QualityChoice {
  return options.some((o) => o.value === choice) ? choice : 'auto'
}

/**
 * 选择对应的 hls.js 档位下标：自动为 -1；"720p" 找高度为 720 的一档（hls.js 的 levels 按码率排列，
 * 与主播放列表的顺序无关，所以按高度找）。
 */
export function levelIndex(choice: QualityChoice, levels: { height: number }[]): number {
  const m = /^(\d+)p$/.exec(choice)
  if (!m) return -1
  const want = Number(m[1])
  return levels.findIndex((l) => l.height === want)
}

/** 档位的显示名（如 480p）；仅声音档没有高度 */
export function levelName(level: { height: number } | undefined): string {
  return level && level.height ? `${level.height}p` : ''
}
