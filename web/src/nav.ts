// 管理后台的导航与「谁能做什么」：按角色（以及所在单位是否为国家开放大学）决定菜单项、落地页和按钮。
// 与服务端的权限规则一一对应（服务端仍是最终裁决）：菜单里只出现服务端会允许的页面，
// 页面里只出现服务端会允许的按钮；直接输入地址进入不属于自己的页面时回到自己的落地页。

/** 管理后台中尚未开放的功能（接口后续上线），菜单中标注「即将开放」；目前没有 */
export const COMING_SOON: Record<string, string> = {}

/** 判断权限所需的当前用户信息 */
export interface NavUser {
  role: string
  /** 所在单位的类型（open_university = 国家开放大学） */
  org?: { kind: string } | null
}

export type Section =
  | 'org'
  | 'resources'
  | 'import'
  | 'review'
  | 'batches'
  | 'campaigns'
  | 'ratings'
  | 'stats'
  | 'security'
  | 'words'
  | 'audit'
  | 'totp'

export interface NavItem {
  section: Section
  label: string
  to: string
  /** 路由名（落地页跳转用） */
  name: string
}

const STAFF = ['platform_admin', 'security_admin', 'auditor', 'unit_admin', 'uploader', 'reviewer']

const isNou = (u: NavUser) => u.org?.kind === 'open_university'

/** 录入与修改本单位资源（服务端 CheckWriteResources：录入员、单位管理员） */
export function canWriteResources(u: NavUser | null | undefined): boolean {
  return !!u && (u.role === 'uploader' || u.role === 'unit_admin')
}

/** 组建与发布批次（国家开放大学：平台管理员、终审审核员） */
export function canPublishBatches(u: NavUser | null | undefined): boolean {
  return !!u && (u.role === 'platform_admin' || (u.role === 'reviewer' && isNou(u)))
}

/** 新建、修改征集批次（平台管理员） */
export function canEditCampaigns(u: NavUser | null | undefined): boolean {
  return u?.role === 'platform_admin'
}

/** 查看单位账号列表（本单位管理员，或平台三员） */
export function canListUsers(u: NavUser | null | undefined): boolean {
  return !!u && ['platform_admin', 'security_admin', 'auditor', 'unit_admin'].includes(u.role)
}

/** 每个菜单项对谁可见（与服务端对相应接口的权限一致） */
const RULES: Record<Section, (u: NavUser) => boolean> = {
  org: (u) => STAFF.includes(u.role),
  resources: (u) => ['uploader', 'unit_admin', 'platform_admin'].includes(u.role),
  import: (u) => canWriteResources(u),
  review: (u) => u.role === 'reviewer' || u.role === 'platform_admin',
  batches: (u) => canPublishBatches(u),
  campaigns: (u) => ['platform_admin', 'unit_admin', 'uploader', 'reviewer'].includes(u.role),
  ratings: (u) => u.role === 'platform_admin' || u.role === 'unit_admin',
  stats: (u) => ['platform_admin', 'security_admin', 'auditor', 'unit_admin'].includes(u.role),
  security: (u) => u.role === 'security_admin',
  words: (u) => u.role === 'security_admin' || u.role === 'platform_admin',
  audit: (u) => u.role === 'auditor',
  totp: (u) => STAFF.includes(u.role),
}

/** 管理后台侧边导航（顺序固定；「我的单位」在最前） */
export const CONSOLE_NAV: readonly NavItem[] = [
  { section: 'org', label: '我的单位', to: '/console/org', name: 'my-org' },
  { section: 'resources', label: '资源管理', to: '/console/resources', name: 'resources' },
  { section: 'import', label: '批量导入', to: '/console/import', name: 'import' },
  { section: 'review', label: '审核队列', to: '/console/review', name: 'review-queue' },
  { section: 'batches', label: '发布批次', to: '/console/batches', name: 'batches' },
  { section: 'campaigns', label: '征集批次', to: '/console/campaigns', name: 'campaigns' },
  { section: 'ratings', label: '使用评价', to: '/console/ratings', name: 'ratings' },
  { section: 'stats', label: '统计', to: '/console/stats', name: 'stats' },
  { section: 'security', label: '安全策略', to: '/console/security', name: 'security' },
  { section: 'words', label: '敏感词表', to: '/console/sensitive-words', name: 'sensitive-words' },
  { section: 'audit', label: '审计日志', to: '/console/audit', name: 'audit' },
  { section: 'totp', label: '双因素认证', to: '/console/account/totp', name: 'totp' },
]

export function canSee(u: NavUser | null | undefined, section: string): boolean {
  if (!u) return false
  const rule = RULES[section as Section]
  return rule ? rule(u) : true
}

export function navFor(u: NavUser | null | undefined): NavItem[] {
  return CONSOLE_NAV.filter((i) => canSee(u, i.section))
}

/** 每个角色登录后先到哪里：录入员 → 资源管理，审核员 → 审核队列，平台管理员 → 发布批次…… */
const HOME: Record<string, Section> = {
  uploader: 'resources',
  reviewer: 'review',
  platform_admin: 'batches',
  unit_admin: 'org',
  security_admin: 'security',
  auditor: 'audit',
}

/** 落地页的路由名 */
export function homeFor(u: NavUser | null | undefined): string {
  const section = u ? HOME[u.role] : undefined
  const item = section && canSee(u, section) ? CONSOLE_NAV.find((i) => i.section === section) : undefined
  return item?.name ?? 'my-org'
}
