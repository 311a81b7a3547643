// 账号生命周期（issue 17 §1）：修改本人密码、激活链接、重置密码、停用与启用、调整角色、单位改名。
import { http } from './client'
import type { Account, BulkUnitsReport, Credential, Org, TokenInfo } from './types'

export type Delivery = 'link' | 'temporary_password'

export const accountsApi = {
  /** 修改本人密码；已启用双因素认证时须带 totp_code。成功后本人其他会话结束 */
  changePassword: (body: { current_password: string; new_password: string; totp_code?: string }) =>
    http.post<void>('/me/password', body),
  /** 开设账号（不带密码）：返回只显示一次的激活链接或临时密码 */
  createAccount: (orgId: number, body: { username: string; role: string; display_name?: string; delivery: Delivery }) =>
    http.post<{ user: Account; credential?: Credential }>(`/orgs/${orgId}/users`, body),
  resetPassword: (userId: number, delivery: Delivery) =>
    http.post<{ credential: Credential }>(`/users/${userId}/password-reset`, { delivery }),
  disable: (userId: number) => http.post<{ user: Account }>(`/users/${userId}/disable`, {}),
  enable: (userId: number) => http.post<{ user: Account }>(`/users/${userId}/enable`, {}),
  changeRole: (userId: number, role: string) => http.put<{ user: Account }>(`/users/${userId}/role`, { role }),
  /** 从表格批量开设下级单位与账号：dryRun=true 只检查；开设结果中的激活链接只返回这一次 */
  bulkUnits: (orgId: number, file: File, dryRun: boolean) =>
    http.post<BulkUnitsReport>(`/orgs/${orgId}/bulk-units?dry_run=${dryRun ? 'true' : 'false'}`, undefined, {
      raw: file,
      contentType: /\.csv$/i.test(file.name) ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    }),
  bulkUnitsTemplate: () => http.download('/org-bulk/template.xlsx'),
  renameOrg: (orgId: number, name: string) => http.put<Org>(`/orgs/${orgId}/name`, { name }),
  /** 激活页：链接对应的账号（无效、已使用或已过期：410） */
  checkActivation: (token: string) => http.post<TokenInfo>('/auth/activation/check', { token }, { quiet401: true }),
  activate: (token: string, password: string) =>
    http.post<{ user: Account }>('/auth/activate', { token, password }, { quiet401: true }),
}

/** 激活链接的完整地址（服务端只给站内路径，令牌在 # 之后，不会出现在服务器日志中） */
export function activationUrl(path: string, origin = window.location.origin): string {
  return `${origin}${path}`
}

/** 从地址的 # 部分取出激活令牌（#token=…） */
export function tokenFromHash(hash: string): string {
  const m = /(?:^#|&)token=([0-9a-f]{64})(?:&|$)/.exec(hash)
  return m ? m[1] : ''
}
