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

/** 学习者用户名的规则（注册前显示；与服务端 ValidateLearnerUsername 一致） */
export const LEARNER_USERNAME_RULE = '可以用 11 位手机号码、2–16 个汉字（可夹字母数字），或英文字母开头的 3–32 位字母、数字、下划线'

export function learnerUsernameHint(v: string): string | null {
  if (!v) return '请填写用户名'
  if (/^\d+$/.test(v)) return /^1\d{10}$/.test(v) ? null : '用数字作用户名时须为 11 位手机号码（以 1 开头）'
  if (/^[\x00-\x7f]+$/.test(v)) {
    if (v.length < 3 || v.length > 32) return '用户名长度应为 3–32 个字符'
    if (!/^[A-Za-z]/.test(v)) return '用户名须以英文字母开头'
    return /^[A-Za-z][A-Za-z0-9_.-]*$/.test(v) ? null : '用户名只能包含英文字母、数字、下划线、点和连字符'
  }
  const chars = [...v]
  if (chars.length < 2 || chars.length > 16) return '中文用户名应为 2–16 个字'
  if (!chars.every((c) => /[\p{Script=Han}A-Za-z0-9]/u.test(c))) return '用户名不能包含空格、标点或符号'
  return /\p{Script=Han}/u.test(v) ? null : LEARNER_USERNAME_RULE
}

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
