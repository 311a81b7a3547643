// 安全策略表单、审计日志筛选的转换（纯函数）。
import type { AuditFilter, SecurityPolicy } from '@/api/security'

export interface PolicyField {
  key: keyof SecurityPolicy
  label: string
  hint: string
}

/** 与服务端 security_policy.cpp 的字段和中文名一致；取值范围以服务端校验为准 */
export const POLICY_FIELDS: PolicyField[] = [
  { key: 'password_min_length', label: '密码最小长度', hint: '新设置的密码至少包含的字符数' },
  { key: 'lockout_threshold', label: '锁定前允许的失败次数', hint: '时间窗内连续输错密码或验证码达到该次数即锁定账号' },
  { key: 'lockout_window_minutes', label: '失败计数时间窗（分钟）', hint: '超过该时间后失败次数重新计算' },
  { key: 'lockout_minutes', label: '锁定时长（分钟）', hint: '锁定期满自动解除；安全管理员也可在账号列表中解除' },
  { key: 'session_idle_minutes', label: '会话空闲超时（分钟）', hint: '无操作超过该时间须重新登录' },
  { key: 'totp_grace_days', label: '双因素认证宽限期（天）', hint: '管理与审核账号开设后须在该天数内绑定动态验证码' },
]

export function policyToForm(p: SecurityPolicy | null): Record<keyof SecurityPolicy, string> {
  const out = {} as Record<keyof SecurityPolicy, string>
  for (const f of POLICY_FIELDS) out[f.key] = p ? String(p[f.key]) : ''
  return out
}

/** 表单文本 → 整数；不是整数的字段给出中文提示（范围由服务端判断） */
export function policyFromForm(form: Record<keyof SecurityPolicy, string>): {
  policy: Partial<SecurityPolicy>
  errors: Record<string, string>
} {
  const policy: Partial<SecurityPolicy> = {}
  const errors: Record<string, string> = {}
  for (const f of POLICY_FIELDS) {
    const v = String(form[f.key] ?? '').trim()
    if (!/^-?\d+$/.test(v)) {
      errors[f.key] = `${f.label}应为整数`
      continue
    }
    policy[f.key] = Number(v)
  }
  return { policy, errors }
}

/** yyyy-mm-dd（本地时区，即北京时间）→ 当日 0 点的毫秒；to 取次日 0 点（服务端为「早于」） */
export function dayStartMs(day: string, endExclusive = false): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!m) return undefined
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + (endExclusive ? 1 : 0))
  return d.getTime()
}

export interface AuditForm {
  action: string
  actor: string
  from: string
  to: string
}

export function auditFilterFromForm(f: AuditForm, limit = 50): AuditFilter {
  return {
    action: f.action.trim() || undefined,
    actor: f.actor.trim() || undefined,
    from: f.from ? dayStartMs(f.from) : undefined,
    to: f.to ? dayStartMs(f.to, true) : undefined,
    limit,
  }
}

/** 敏感词文本框（每行一个，也接受中英文逗号、分号、顿号）→ 去重后的词表 */
export function parseWordList(text: string): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const raw of text.split(/[\r\n,，;；、]+/)) {
    const w = raw.trim()
    if (!w || seen.has(w)) continue
    seen.add(w)
    out.push(w)
  }
  return out
}

/** 审计结果的中文 */
export function auditResultLabel(r: string): string {
  return ({ ok: '成功', failed: '失败', denied: '拒绝', locked: '锁定' } as Record<string, string>)[r] ?? r
}
