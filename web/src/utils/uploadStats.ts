// 上传速度与剩余时间：用最近一段时间（默认 5 秒）内的字节增量计算，避免刚开始或暂停后数字乱跳。

export interface Sample {
  /** 毫秒时间戳 */
  t: number
  /** 已上传字节数 */
  bytes: number
}

export class SpeedMeter {
  private samples: Sample[] = []
  constructor(private readonly windowMs = 5000) {}

  /** 暂停或重新开始（例如页面刷新后续传）时清空，续传部分不计入速度 */
  reset(): void {
    this.samples = []
  }

  add(bytes: number, t: number = Date.now()): void {
    const last = this.samples[this.samples.length - 1]
    if (last && bytes < last.bytes) this.samples = []
    this.samples.push({ t, bytes })
    // 至少保留窗口起点之前的一个样本，以便覆盖整个窗口
    while (this.samples.length > 2 && this.samples[1].t <= t - this.windowMs) this.samples.shift()
  }

  /** 字节/秒；样本不足或时间过短时为 null */
  speed(): number | null {
    if (this.samples.length < 2) return null
    const a = this.samples[0]
    const b = this.samples[this.samples.length - 1]
    const dt = (b.t - a.t) / 1000
    if (dt < 0.2) return null
    return Math.max(0, (b.bytes - a.bytes) / dt)
  }

  /** 剩余秒数；速度未知或为 0 时为 null */
  eta(total: number): number | null {
    const s = this.speed()
    const last = this.samples[this.samples.length - 1]
    if (!s || !last) return null
    return Math.max(0, (total - last.bytes) / s)
  }
}

/** 字节数 → 「12.3 MB」（1 MB = 1024 × 1024 字节） */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

/** 字节/秒 → 「3.25 MB/s」 */
export function formatSpeed(bps: number | null): string {
  if (bps === null || !Number.isFinite(bps)) return '—'
  return `${(bps / 1024 / 1024).toFixed(2)} MB/s`
}

/** 秒 → 「约 1 小时 2 分」「约 3 分 20 秒」「约 8 秒」 */
export function formatEta(sec: number | null): string {
  if (sec === null || !Number.isFinite(sec)) return '—'
  const s = Math.ceil(sec)
  if (s <= 0) return '即将完成'
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  if (h > 0) return `约 ${h} 小时 ${m} 分`
  if (m > 0) return `约 ${m} 分 ${r} 秒`
  return `约 ${r} 秒`
}

export function percent(done: number, total: number): number {
  if (!total || total <= 0) return 0
  return Math.min(100, Math.floor((done / total) * 1000) / 10)
}
