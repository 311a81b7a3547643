// 管理员统计（平台三员看全部，单位管理员看本单位及下级）。
import { http } from './client'
import type { BrokenLink, MissingContacts, SubmissionRow, TopRow, UsageRow } from './schema'

export type { BrokenLink, SubmissionRow, TopRow, UsageRow } from './schema'

export type SubmissionGroup = 'province' | 'unit' | 'state' | 'domain' | 'type'
export type UsageGroup = 'resource' | 'unit' | 'province' | 'domain'

function qs(p: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') u.set(k, String(v))
  const s = u.toString()
  return s ? `?${s}` : ''
}

export const statsApi = {
  submissions: (group: SubmissionGroup, campaign_id?: number) =>
    http.get<{ groups: SubmissionRow[] }>(`/stats/submissions${qs({ group, campaign_id })}`),
  usage: (group: UsageGroup, from?: string, to?: string) =>
    http.get<{ group: string; items: UsageRow[] }>(`/stats/usage${qs({ group, from, to })}`),
  top: (metric: 'clicks' | 'learners', days = 30, limit = 10) =>
    http.get<{ items: TopRow[] }>(`/stats/top${qs({ metric, days, limit })}`),
  brokenLinks: () => http.get<{ items: BrokenLink[] }>('/stats/broken-links'),
  /** 征集进度统计表（xlsx，按省份、单位、状态、范围、类型与各征集批次，可直接上报） */
  report: (campaign_id?: number) => http.download(`/stats/report.xlsx${qs({ campaign_id })}`),
  /** 下级单位中未登记负责人（附件3）或信息不完整的单位，及该征集批次的联系人报送截止时间 */
  missingContacts: (campaign_id?: number) => http.get<MissingContacts>(`/stats/missing-contacts${qs({ campaign_id })}`),
  missingContactsXlsx: (campaign_id?: number) => http.download(`/stats/missing-contacts.xlsx${qs({ campaign_id })}`),
}
