// 播放器辅助：续播位置（localStorage，每个资源一条）与学习心跳（只累计真正播放的秒数）。

const POS_KEY = (id: number) => `lep.pos.${id}`

/** 读取上次播放到的位置（秒）；接近结尾（最后 5 秒或最后 10% 内，取较短者）视为已看完，从头播放 */
export function loadPosition(id: number, duration?: number, storage: Storage | undefined = globalThis.localStorage): number {
  try {
    const v = Number.parseFloat(storage?.getItem(POS_KEY(id)) ?? '')
    if (!Number.isFinite(v) || v < 1) return 0
    if (duration && Number.isFinite(duration) && v >= duration - Math.min(5, duration * 0.1)) return 0
    return v
  } catch {
    return 0
  }
}

export function savePosition(id: number, seconds: number, storage: Storage | undefined = globalThis.localStorage): void {
  try {
    if (!Number.isFinite(seconds) || seconds < 0) return
    storage?.setItem(POS_KEY(id), seconds.toFixed(1))
  } catch {
    /* 隐私模式等：忽略 */
  }
}

/**
 * 把播放器的 timeupdate 转为「实际播放秒数」：相邻两次时间差在 (0, maxStep] 之内才计入
 * （拖动进度条、跳转不算播放）。累计到 interval 秒时调用 send(整数秒)，余数留到下一次。
 */
export class ProgressTracker {
  private last: number | null = null
  private pending = 0
  constructor(
    private readonly send: (seconds: number) => void,
    private readonly interval = 10,
    private readonly maxStep = 2,
  ) {}

  /** 播放中每次 timeupdate 调用 */
  tick(currentTime: number): void {
    if (this.last !== null) {
      const d = currentTime - this.last
      if (d > 0 && d <= this.maxStep) this.pending += d
    }
    this.last = currentTime
    if (this.pending >= this.interval) this.flush()
  }

  /** 暂停、跳转时调用：下一次 tick 重新计起点 */
  reset(): void {
    this.last = null
  }

  /** 把已累计的整数秒发出去（暂停、离开页面时也调用） */
  flush(): void {
    const whole = Math.floor(this.pending)
    if (whole >= 1) {
      this.pending -= whole
      this.send(whole)
    }
  }

  get pendingSeconds(): number {
    return this.pending
  }
}

/** 秒 → 「12:03」或「1:02:03」 */
export function formatClock(s: number): string {
  if (!Number.isFinite(s) || s < 0) s = 0
  s = Math.floor(s)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const mm = h ? String(m).padStart(2, '0') : String(m)
  return `${h ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`
}
