// 发布批次的定时发布时间：<input type="datetime-local"> 的值（本地时间，即北京时间）↔ Unix 毫秒。

export function localInputToMs(v: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(v.trim())
  if (!m) return null
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  return Number.isNaN(d.getTime()) ? null : d.getTime()
}

export function msToLocalInput(ms: number | null | undefined): string {
  if (!ms) return ''
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** 客户端的提示（以服务端为准）：空 → 不定时；格式错误或不晚于现在 → 提示 */
export function scheduleHint(v: string, now = Date.now()): string | null {
  if (!v) return null
  const ms = localInputToMs(v)
  if (ms === null) return '请填写有效的日期和时间'
  if (ms <= now) return '定时发布时间应晚于现在'
  return null
}
