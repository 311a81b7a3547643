export type * from './schema'

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

/** 登录时的第二因素 */
export interface SecondFactor {
  totp_code?: string
  recovery_code?: string
}

export interface Items<T> {
  items: T[]
}
