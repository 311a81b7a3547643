// 统计页的数据整理与图表配置（纯函数，便于单元测试；不依赖 ECharts 运行时）。
import type { SubmissionRow, UsageRow } from '@/api/stats'

export const SUBMISSION_GROUPS = [
  { value: 'province', label: '一级单位' },
  { value: 'unit', label: '单位' },
  { value: 'state', label: '状态' },
  { value: 'domain', label: '征集内容范围' },
  { value: 'type', label: '资源类型' },
] as const

export const USAGE_GROUPS = [
  { value: 'domain', label: '征集内容范围' },
  { value: 'province', label: '省份' },
  { value: 'unit', label: '单位' },
  { value: 'resource', label: '资源' },
] as const

/** 北京时间的 yyyy-mm-dd */
export function isoDay(ms: number): string {
  const d = new Date(ms + 8 * 3600 * 1000)
  return d.toISOString().slice(0, 10)
}

/** from..to（含）之间的每一天 */
export function dayRange(from: string, to: string): string[] {
  const out: string[] = []
  const start = Date.parse(`${from}T00:00:00Z`)
  const end = Date.parse(`${to}T00:00:00Z`)
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return out
  for (let t = start; t <= end && out.length < 3700; t += 86400000) out.push(new Date(t).toISOString().slice(0, 10))
  return out
}

export interface Trend {
  dates: string[]
  clicks: number[]
  learners: number[]
}

/** 按日汇总点击量与学习人数；没有数据的日子补 0 */
export function usageTrend(items: UsageRow[], from: string, to: string): Trend {
  const dates = dayRange(from, to)
  const index = new Map(dates.map((d, i) => [d, i]))
  const clicks = dates.map(() => 0)
  const learners = dates.map(() => 0)
  for (const r of items) {
    const i = index.get(r.date)
    if (i === undefined) continue
    clicks[i] += r.clicks
    learners[i] += r.learners
  }
  return { dates, clicks, learners }
}

/** 按分组键汇总（用于饼图与表格），按点击量降序 */
export function usageByKey(items: UsageRow[]): { key: string; clicks: number; learners: number }[] {
  const m = new Map<string, { key: string; clicks: number; learners: number }>()
  for (const r of items) {
    const key = r.key || '（未填写）'
    const g = m.get(key) ?? { key, clicks: 0, learners: 0 }
    g.clicks += r.clicks
    g.learners += r.learners
    m.set(key, g)
  }
  return [...m.values()].sort((a, b) => b.clicks - a.clicks || b.learners - a.learners || a.key.localeCompare(b.key))
}

/** 征集统计：只保留有数据的分组时是否为空 */
export function submissionsTotal(groups: SubmissionRow[]): { count: number; overdue: number } {
  return groups.reduce((t, g) => ({ count: t.count + g.count, overdue: t.overdue + g.overdue }), { count: 0, overdue: 0 })
}

const COLORS = ['#1f5fae', '#c2410c', '#15803d', '#7e22ce', '#a16207', '#0e7490', '#be123c', '#4d7c0f']

export function submissionsOption(groups: SubmissionRow[]) {
  return {
    color: COLORS,
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['资源数', '逾期'], top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 80, containLabel: false },
    xAxis: {
      type: 'category',
      data: groups.map((g) => g.label),
      axisLabel: { interval: 0, rotate: groups.length > 6 ? 40 : 0, fontSize: 12 },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '资源数', type: 'bar', data: groups.map((g) => g.count) },
      { name: '逾期', type: 'bar', data: groups.map((g) => g.overdue) },
    ],
  }
}

export function trendOption(t: Trend) {
  return {
    color: COLORS,
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { data: ['点击量', '学习人数'], top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: t.dates.map((d) => d.slice(5)), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '点击量', type: 'line', data: t.clicks, showSymbol: false },
      { name: '学习人数', type: 'line', data: t.learners, showSymbol: false },
    ],
  }
}

export function pieOption(rows: { key: string; clicks: number }[]) {
  return {
    color: COLORS,
    animation: false,
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { type: 'scroll', bottom: 0 },
    series: [
      {
        name: '点击量',
        type: 'pie',
        radius: ['35%', '65%'],
        center: ['50%', '45%'],
        data: rows.map((r) => ({ name: r.key, value: r.clicks })),
        label: { formatter: '{b}\n{c}' },
      },
    ],
  }
}
