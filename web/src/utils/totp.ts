// 双因素认证界面的小工具（纯函数，便于单元测试）。

/** 去掉空格与连字符；6 位数字时返回，否则 null */
export function normaliseTotpCode(v: string): string | null {
  const s = v.replace(/[\s-]/g, '')
  return /^\d{6}$/.test(s) ? s : null
}

/** 恢复码只去掉首尾空白（格式由服务端判断） */
export function normaliseRecoveryCode(v: string): string {
  return v.trim()
}

/** Base32 密钥每 4 个字符一组，便于手工输入 */
export function groupSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})(?=.)/g, '$1 ')
}

/** 宽限期剩余时间的中文描述；已过期返回 null */
export function graceRemaining(graceUntil: number | null | undefined, now = Date.now()): string | null {
  if (!graceUntil) return null
  const ms = graceUntil - now
  if (ms <= 0) return null
  const minutes = Math.ceil(ms / 60000)
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  if (days > 0) return hours > 0 ? `${days} 天 ${hours} 小时` : `${days} 天`
  if (hours > 0) return mins > 0 ? `${hours} 小时 ${mins} 分钟` : `${hours} 小时`
  return `${mins} 分钟`
}

/** 下载的恢复码文件内容 */
export function recoveryCodesText(codes: string[], username: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0')
  const when = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}`
  return [
    '终身教育数字化学习资源征集与学习门户平台 — 双因素认证恢复码',
    `账号：${username}`,
    `生成时间：${when}`,
    '每个恢复码只能使用一次；重新生成后，旧恢复码全部作废。请妥善保管。',
    '',
    ...codes.map((c, i) => `${String(i + 1).padStart(2, ' ')}. ${c}`),
    '',
  ].join('\r\n')
}

/** 二维码 SVG → <img> 可用的 data: 地址（不把服务端文本作为 HTML 插入页面） */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`
}
