/** 管理后台中尚未开放的功能（接口后续上线），菜单中标注「即将开放」；目前没有 */
export const COMING_SOON: Record<string, string> = {}

export interface NavItem {
  section: string
  label: string
  to: string
  /** 只对这些角色显示（仅为减少干扰；权限一律由服务端判断）；省略 = 所有后台角色 */
  roles?: readonly string[]
}

/** 管理后台侧边导航（「我的单位」固定在最前） */
export const CONSOLE_NAV: readonly NavItem[] = [
  { section: 'resources', label: '资源管理', to: '/console/resources' },
  { section: 'import', label: '批量导入', to: '/console/import' },
  { section: 'review', label: '审核', to: '/console/review' },
  { section: 'campaigns', label: '征集批次', to: '/console/campaigns' },
  { section: 'batches', label: '发布批次', to: '/console/batches' },
  { section: 'ratings', label: '使用评价', to: '/console/ratings', roles: ['platform_admin', 'unit_admin'] },
  { section: 'stats', label: '统计', to: '/console/stats', roles: ['platform_admin', 'security_admin', 'auditor', 'unit_admin'] },
  { section: 'security', label: '安全策略', to: '/console/security', roles: ['security_admin'] },
  { section: 'words', label: '敏感词表', to: '/console/sensitive-words', roles: ['security_admin', 'platform_admin'] },
  { section: 'audit', label: '审计日志', to: '/console/audit', roles: ['auditor'] },
  { section: 'totp', label: '双因素认证', to: '/console/account/totp' },
]

export function navFor(role: string): NavItem[] {
  return CONSOLE_NAV.filter((i) => !i.roles || i.roles.includes(role))
}
