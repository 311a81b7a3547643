// 等保三级相关接口：双因素认证绑定（本人）、安全策略与账号操作（安全管理员）、
// 审计日志与哈希链校验（审计员）、敏感词表（安全管理员维护，平台管理员可查看）。
import { http } from './client'
import type { AuditPage, AuditVerify, RecoveryCodes, SecurityPolicy, TotpSetup } from './schema'

export type { AuditPage, AuditRecord, AuditVerify, RecoveryCodes, SecurityPolicy, TotpSetup } from './schema'

export interface AuditFilter {
  action?: string
  actor?: string
  /** 毫秒 */
  from?: number
  to?: number
  before_id?: number
  limit?: number
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
