// 技术检测的结论（资源列表、编辑页、预览）：音视频看检测报告，网络课程看最近一次链接检测。
import type { LinkCheck, MediaInfo } from '@/api'

export type CheckState = 'passed' | 'failed' | 'none' | 'processing'

export interface CheckVerdict {
  state: CheckState
  /** 列表中显示的文字（颜色之外同时用文字与符号表达） */
  label: string
}

const PASSED: CheckVerdict = { state: 'passed', label: '✓ 通过' }
const FAILED: CheckVerdict = { state: 'failed', label: '✗ 不通过' }

/** 服务端直接给出的结论（check_passed：true / false / null = 尚未检测） */
export function verdictFromField(v: boolean | null): CheckVerdict {
  if (v === null) return { state: 'none', label: '尚未检测' }
  return v ? PASSED : FAILED
}

export function verdictFromMedia(m: MediaInfo | null): CheckVerdict {
  if (!m) return { state: 'none', label: '未上传文件' }
  if (m.state === 'remuxing') return { state: 'processing', label: '检测中' }
  return m.passed ? PASSED : FAILED
}

export function verdictFromLink(l: LinkCheck | null): CheckVerdict {
  if (!l) return { state: 'none', label: '尚未检测' }
  return l.reachable ? PASSED : FAILED
}

/** 检测判定文件无法读取（损坏、截断、不是 MP4/MP3）：这样的文件不能预览播放 */
export function isUnreadable(m: MediaInfo | null): boolean {
  if (!m) return false
  return !!m.probe?.error || m.report.some((r) => r.rule === 'readable' && !r.pass)
}
