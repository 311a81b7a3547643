// 客户端提示规则，与服务端保持一致；最终以服务端返回的字段错误为准。

export const MOBILE_RE = /^1\d{10}$/
/** 座机：区号 3–4 位（0 开头）- 号码 7–8 位，可带分机「-1234」 */
export const LANDLINE_RE = /^0\d{2,3}-\d{7,8}(-\d{1,6})?$/
export const EMAIL_RE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

export function mobileHint(v: string): string | null {
  if (!v.trim()) return '请填写手机号码'
  return MOBILE_RE.test(v.trim()) ? null : '手机号码应为以 1 开头的 11 位数字'
}

export function landlineHint(v: string): string | null {
  if (!v.trim()) return '请填写办公电话'
  return LANDLINE_RE.test(v.trim()) ? null : '办公电话应为“区号-号码”格式的座机号，例如 010-66096459'
}

export function emailHint(v: string): string | null {
  if (!v.trim()) return '请填写电子邮箱'
  return EMAIL_RE.test(v.trim()) ? null : '电子邮箱格式不正确，例如 name@example.org'
}

export const PASSWORD_RULE_TEXT = '≥8 位，含大写、小写、数字、符号中的三类，不含用户名'

export function passwordHint(password: string, username = ''): string | null {
  if (password.length < 8) return '密码长度至少 8 位'
  let classes = 0
  if (/[A-Z]/.test(password)) classes++
  if (/[a-z]/.test(password)) classes++
  if (/[0-9]/.test(password)) classes++
  if (/[^A-Za-z0-9]/.test(password)) classes++
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、特殊符号中的至少三类'
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return '密码不能包含用户名'
  }
  return null
}

/** 只允许站内路径作为登录后的返回地址，防止开放重定向 */
export function safeRedirect(v: unknown): string | null {
  if (typeof v !== 'string') return null
  if (!v.startsWith('/') || v.startsWith('//') || v.startsWith('/\\')) return null
  if (v.startsWith('/login') || v.startsWith('/register')) return null
  return v
}

export function formatTime(ms: number | undefined | null): string {
  if (!ms) return '—'
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** 服务端返回的字段错误是否都能显示在表单的某个字段下方 */
export function allFieldsShown(fields: { field: string }[], shown: readonly string[]): boolean {
  return fields.length > 0 && fields.every((f) => shown.includes(f.field))
}
