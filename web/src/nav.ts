/** 管理后台中尚未开放的功能（接口后续上线），菜单中标注「即将开放」 */
export const COMING_SOON: Record<string, string> = {
  stats: '统计',
}
