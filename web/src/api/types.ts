export type Role =
  | 'platform_admin'
  | 'security_admin'
  | 'auditor'
  | 'unit_admin'
  | 'uploader'
  | 'reviewer'
  | 'learner'

export type OrgKind =
  | 'open_university'
  | 'ministry_dept'
  | 'province_dept'
  | 'ministry_university'
  | 'exam_authority'
  | 'industry_committee'
  | 'community_center'
  | 'provincial_college'
  | 'enterprise'
  | 'community_institution'

export interface Org {
  id: number
  name: string
  kind: OrgKind | string
  kind_label: string
  level: number
  parent_id: number | null
  child_kinds: string[]
  created_at: number
}

export interface User {
  id: number
  username: string
  display_name: string
  role: Role | string
  role_label: string
  org_id: number | null
  org?: Org | null
  created_at?: number
  /** 当前登录用户（/me、登录）的双因素认证状态 */
  totp?: TwoFactorStatus
  /** 账号列表中的字段 */
  totp_enabled?: boolean
  /** 锁定截止时间（毫秒；0 为未锁定） */
  locked_until?: number
}

export interface TwoFactorStatus {
  enabled: boolean
  required: boolean
  /** 宽限期截止（毫秒）；不要求或已启用时为 null */
  grace_until: number | null
  /** 宽限期已过且未启用：会话只能用于绑定双因素认证 */
  enrolment_required: boolean
}

/** 登录时的第二因素 */
export interface SecondFactor {
  totp_code?: string
  recovery_code?: string
}

export interface Session {
  csrf_token: string
  user: User
}

export interface OrgKindInfo {
  kind: string
  label: string
  child_kinds: string[]
  second_level: boolean
}

export interface RoleInfo {
  role: string
  label: string
}

export interface OrgKindsResponse {
  items: OrgKindInfo[]
  roles: RoleInfo[]
}

export interface Contact {
  name: string
  title: string
  office_phone: string
  mobile: string
  email: string
  updated_at?: number
}

export interface Items<T> {
  items: T[]
}
