// 审核页辅助：核查清单、敏感词命中分段高亮（不使用 v-html）、状态、目录树。
import { ApiError } from '@/api/client'
import { errorMessage } from '@/utils/errors'
import type { Campaign, Checklist, Facets, FacetName, HistoryEntry, ScreeningHit, TocNode } from '@/api/portal'

export const CHECKLIST_ITEMS: { key: keyof Checklist; label: string }[] = [
  { key: 'ideology', label: '意识形态与政治导向：无危害国家安全、违背社会主义核心价值观的内容' },
  { key: 'copyright', label: '版权与知识产权：权属清晰，无侵权内容' },
  { key: 'secrecy', label: '涉密与敏感信息：不含涉密、敏感信息' },
  { key: 'science', label: '科学性与规范性：内容科学准确、表述规范' },
]

/** 「认领」是什么、何时用 */
export const CLAIM_HELP =
  '同一单位有多名审核员时，认领表示「这条由我来审」：认领后其他审核员不能再处理它，避免重复审核或意见冲突。不认领也可以直接通过、退回或不予通过；认领后暂时处理不了，请「取消认领」交还队列。'

export const ATTESTATION_TEXT = '本单位已完成内容与版权审查，承诺资源无危害国家安全、涉密、敏感信息及侵犯知识产权的内容'

export function emptyChecklist(): Checklist {
  return { ideology: false, copyright: false, secrecy: false, science: false }
}

export function checklistComplete(c: Checklist): boolean {
  return CHECKLIST_ITEMS.every((i) => c[i.key])
}

/** 哪些操作需要核查清单全部勾选 / 需要填写意见 */
export function needsChecklist(action: string): boolean {
  return action === 'approve'
}
export function needsComment(action: string): boolean {
  return action === 'return' || action === 'reject'
}

export const REVIEW_STATES: { value: string; label: string }[] = [
  { value: 'submitted', label: '已提交' },
  { value: 'first_review', label: '初审中' },
  { value: 'final_review', label: '终审中' },
  { value: 'approved', label: '已通过' },
]

export const STATE_LABELS: Record<string, string> = {
  draft: '草稿',
  submitted: '已提交',
  first_review: '初审中',
  final_review: '终审中',
  approved: '已通过',
  published: '已发布',
  returned: '退回修改',
  rejected: '未通过',
  withdrawn: '已下线',
}

export const stateLabel = (s: string) => STATE_LABELS[s] ?? s

export interface Segment {
  text: string
  hit?: ScreeningHit
}

/**
 * 把字段文本按敏感词命中切分为片段（position/length 以 Unicode 码点计；越界或重叠的命中被忽略）。
 * 组件逐段渲染，命中段包在 <mark> 中——全程文本插值，不拼 HTML。
 */
export function highlightSegments(text: string, hits: ScreeningHit[]): Segment[] {
  const chars = Array.from(text)
  const sorted = [...hits].filter((h) => h.position >= 0 && h.length > 0 && h.position + h.length <= chars.length).sort((a, b) => a.position - b.position)
  const out: Segment[] = []
  let at = 0
  for (const h of sorted) {
    if (h.position < at) continue
    if (h.position > at) out.push({ text: chars.slice(at, h.position).join('') })
    out.push({ text: chars.slice(h.position, h.position + h.length).join(''), hit: h })
    at = h.position + h.length
  }
  if (at < chars.length || out.length === 0) out.push({ text: chars.slice(at).join('') })
  return out
}

/** 按字段分组命中 */
export function hitsByField(hits: ScreeningHit[]): Record<string, ScreeningHit[]> {
  const out: Record<string, ScreeningHit[]> = {}
  for (const h of hits) (out[h.field] ??= []).push(h)
  return out
}

/** 分面计数 → 按数量降序的数组 */
export function facetEntries(f: Facets, name: FacetName): { value: string; count: number }[] {
  return Object.entries(f[name] ?? {})
    .map(([value, count]) => ({ value, count: Number(count) }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'zh-CN'))
}

/**
 * 退回修改的资源须在哪个时间前重新提交：初审退回的到初审截止，终审退回的到终审截止（与服务端规则一致）。
 * 不是退回状态、或退回的环节没有截止时间时为 null。
 */
export function resubmitDeadline(
  c: Pick<Campaign, 'first_review_deadline' | 'final_review_deadline'>,
  history: readonly Pick<HistoryEntry, 'action' | 'from'>[],
  state: string,
): string | null {
  if (state !== 'returned') return null
  const last = [...history].reverse().find((h) => h.action === 'return')
  if (!last) return null
  if (last.from === 'first_review' && c.first_review_deadline) return `退回修改的资源须在初审截止时间 ${c.first_review_deadline}（北京时间）前重新提交`
  if (last.from === 'final_review' && c.final_review_deadline) return `退回修改的资源须在终审截止时间 ${c.final_review_deadline}（北京时间）前重新提交`
  return null
}

/** 目录树根节点（<目录>）本身不显示，只显示它的子节点 */
export function tocItems(root: TocNode | null | undefined): TocNode[] {
  if (!root) return []
  if (!root.title && root.children.length) return root.children
  return [root]
}

export function tocTitle(n: TocNode): string {
  if (n.title) return n.title
  const a = n.attrs ?? {}
  return a['标题'] ?? a['名称'] ?? a.title ?? n.tag
}

/** 错误的完整中文说明：message 之后附上各字段的提示（如「提交条件不满足：请上传封面；音视频未通过检测」） */
export function describeError(e: unknown, fallback?: string): string {
  if (!(e instanceof ApiError)) return fallback ?? errorMessage(e)
  const extra = [...new Set(e.fields.map((f) => f.message).filter((m) => m && m !== e.message))]
  return extra.length ? `${e.message}：${extra.join('；')}` : e.message
}

/**
 * 当前状态是退回修改或不予通过时，导致它的那条审核记录（含意见）；否则 null。
 * history 为时间正序或倒序均可（按 at 取最近的一条）。
 */
export function latestFeedback<T extends { to: string; at: number }>(history: readonly T[], state: string): T | null {
  if (state !== 'returned' && state !== 'rejected') return null
  let best: T | null = null
  for (const h of history) if (h.to === state && (!best || h.at >= best.at)) best = h
  return best
}

/** 审核队列中 current 之后的下一条可以通过的资源（没有则取排在前面的）；都没有时 null */
export function nextInQueue<T extends { id: number; allowed_actions: { action: string }[] }>(items: readonly T[], current: number): T | null {
  const open = items.filter((i) => i.id !== current && i.allowed_actions.some((a) => a.action === 'approve'))
  const at = items.findIndex((i) => i.id === current)
  return open.find((i) => items.indexOf(i) > at) ?? open[0] ?? null
}

/** 时间线中的核查记录 → 可读文本 */
export function checklistText(c: string | Partial<Checklist> | null | undefined): string {
  if (!c) return ''
  if (typeof c === 'string') return c
  return CHECKLIST_ITEMS.filter((i) => i.key in c)
    .map((i) => `${i.label.split('：')[0]}：${c[i.key] ? '已核查' : '未核查'}`)
    .join('；')
}
