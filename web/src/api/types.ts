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
