// 等保三级相关接口：双因素认证绑定（本人）、安全策略与账号操作（安全管理员）、
// 审计日志与哈希链校验（审计员）、敏感词表（安全管理员维护，平台管理员可查看）。
import { http } from './client'

export interface TotpSetup {
  /** Base32 密钥（无法扫码时手动输入） */
  secret: string
  otpauth_uri: string
  /** 服务端生成的二维码 SVG 文本 */
  qr_svg: string
}

export interface RecoveryCodes {
  recovery_codes: string[]
}

export interface SecurityPolicy {
  password_min_length: number
  lockout_threshold: number
  lockout_window_minutes: number
  lockout_minutes: number
  session_idle_minutes: number
  totp_grace_days: number
}

export interface AuditRecord {
  id: number
  at: number
  actor_id: number | null
  actor_name: string
  org_id: number | null
  ip: string
  action: string
  object: string
  result: string
  detail: string
  hash: string
}

export interface AuditPage {
  items: AuditRecord[]
  /** 下一页的 before_id；没有更多时为 null */
  next_before_id: number | null
}

export interface AuditFilter {
  action?: string
  actor?: string
  /** 毫秒 */
  from?: number
  to?: number
  before_id?: number
  limit?: number
}

export interface AuditVerify {
  ok: boolean
  checked: number
  first_broken_id: number | null
  message: string
}

export function auditQuery(f: AuditFilter): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === null || v === '') continue
    u.set(k, String(v))
  }
  const s = u.toString()
  return s ? `?${s}` : ''
}

export const securityApi = {
  totpSetup: () => http.post<TotpSetup>('/me/totp/setup'),
  totpConfirm: (code: string) => http.post<RecoveryCodes>('/me/totp/confirm', { code }),
  regenerateRecoveryCodes: (code: string) => http.post<RecoveryCodes>('/me/totp/recovery-codes', { code }),
  policy: () => http.get<SecurityPolicy>('/security/policy'),
  savePolicy: (p: Partial<SecurityPolicy>) => http.put<SecurityPolicy>('/security/policy', p),
  resetTotp: (userId: number) => http.post<void>(`/users/${userId}/totp/reset`),
  unlock: (userId: number) => http.post<void>(`/users/${userId}/unlock`),
  audit: (f: AuditFilter = {}) => http.get<AuditPage>(`/audit${auditQuery(f)}`),
  verifyAudit: () => http.get<AuditVerify>('/audit/verify'),
  sensitiveWords: () => http.get<{ words: string[] }>('/sensitive-words'),
  saveSensitiveWords: (words: string[]) => http.put<{ words: string[]; count: number }>('/sensitive-words', { words }),
}
