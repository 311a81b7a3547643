import { createRouter, createWebHistory, type RouteLocationNormalized, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from './stores/auth'
import PortalLayout from './views/portal/PortalLayout.vue'
import HomeView from './views/portal/HomeView.vue'

import { canSee, homeFor } from './nav'

const SITE = '终身教育数字化学习资源征集与学习门户平台'

export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    component: PortalLayout,
    children: [
      { path: '', name: 'home', component: HomeView, meta: { title: '首页' } },
      { path: 'search', name: 'search', component: () => import('./views/portal/SearchView.vue'), meta: { title: '搜索' } },
      {
        path: 'resources/:id(\\d+)',
        name: 'resource',
        component: () => import('./views/portal/ResourceView.vue'),
        meta: { title: '学习资源' },
      },
      { path: 'catalog', name: 'catalog', component: () => import('./views/portal/CatalogView.vue'), meta: { title: '资源目录' } },
      {
        path: 'me/favourites',
        name: 'favourites',
        component: () => import('./views/portal/FavouritesView.vue'),
        meta: { title: '我的收藏', requiresAuth: true },
      },
      {
        path: 'me/history',
        name: 'history',
        component: () => import('./views/portal/HistoryView.vue'),
        meta: { title: '学习记录', requiresAuth: true },
      },
      {
        path: 'me/password',
        name: 'my-password',
        component: () => import('./views/auth/ChangePasswordView.vue'),
        meta: { title: '修改密码', requiresAuth: true },
      },
    ],
  },
  { path: '/login', name: 'login', component: () => import('./views/auth/LoginView.vue'), meta: { title: '登录' } },
  { path: '/register', name: 'register', component: () => import('./views/auth/RegisterView.vue'), meta: { title: '注册' } },
  { path: '/forgot-password', name: 'forgot-password', component: () => import('./views/auth/ForgotPasswordView.vue'), meta: { title: '忘记密码' } },
  // 一次性激活链接（令牌在 # 之后）：新账号、被重置的账号在这里设置自己的密码
  { path: '/activate', name: 'activate', component: () => import('./views/auth/ActivateView.vue'), meta: { title: '设置密码' } },
  {
    path: '/console',
    component: () => import('./views/console/ConsoleLayout.vue'),
    meta: { requiresAuth: true },
    children: [
      // 管理后台入口：按角色进入各自的工作页面（录入员 → 资源管理，审核员 → 审核队列……）
      // （登录状态加载后由 authGuard 跳转，见下方）
      { path: '', name: 'console', component: () => import('./views/console/OrgView.vue') },
      {
        path: 'org',
        name: 'my-org',
        component: () => import('./views/console/OrgView.vue'),
        meta: { title: '我的单位', section: 'org' },
      },
      {
        path: 'orgs/:id(\\d+)',
        name: 'org',
        component: () => import('./views/console/OrgView.vue'),
        meta: { title: '单位详情', section: 'org' },
      },
      {
        path: 'resources',
        name: 'resources',
        component: () => import('./views/console/ResourcesView.vue'),
        meta: { title: '资源管理', section: 'resources' },
      },
      {
        path: 'resources/new',
        name: 'resource-new',
        component: () => import('./views/console/ResourceEditView.vue'),
        // 新建要求能录入资源（与「批量导入」同一权限）
        meta: { title: '新建资源', section: 'resources', allow: 'import' },
      },
      {
        path: 'resources/:id(\\d+)',
        name: 'resource-edit',
        component: () => import('./views/console/ResourceEditView.vue'),
        meta: { title: '编辑资源', section: 'resources' },
      },
      {
        path: 'import',
        name: 'import',
        component: () => import('./views/console/ImportView.vue'),
        meta: { title: '批量导入', section: 'import' },
      },
      {
        path: 'import/media',
        name: 'bulk-media',
        component: () => import('./views/console/BulkMediaView.vue'),
        meta: { title: '批量上传媒体与封面', section: 'import' },
      },
      {
        path: 'review',
        name: 'review-queue',
        component: () => import('./views/console/review/ReviewQueueView.vue'),
        meta: { title: '审核队列', section: 'review' },
      },
      {
        path: 'review/:id(\\d+)',
        name: 'review',
        component: () => import('./views/console/review/ReviewView.vue'),
        meta: { title: '审核资源', section: 'review' },
      },
      {
        path: 'campaigns',
        name: 'campaigns',
        component: () => import('./views/console/review/CampaignsView.vue'),
        meta: { title: '征集批次', section: 'campaigns' },
      },
      {
        path: 'batches',
        name: 'batches',
        component: () => import('./views/console/review/BatchesView.vue'),
        meta: { title: '发布批次', section: 'batches' },
      },
      {
        path: 'ratings',
        name: 'ratings',
        component: () => import('./views/console/RatingsView.vue'),
        meta: { title: '使用评价审核', section: 'ratings' },
      },
      {
        path: 'stats',
        name: 'stats',
        component: () => import('./views/console/StatsView.vue'),
        meta: { title: '统计', section: 'stats' },
      },
      {
        path: 'security',
        name: 'security',
        component: () => import('./views/console/security/PolicyView.vue'),
        meta: { title: '安全策略', section: 'security' },
      },
      {
        path: 'sensitive-words',
        name: 'sensitive-words',
        component: () => import('./views/console/security/SensitiveWordsView.vue'),
        meta: { title: '敏感词表', section: 'words' },
      },
      {
        path: 'audit',
        name: 'audit',
        component: () => import('./views/console/security/AuditView.vue'),
        meta: { title: '审计日志', section: 'audit' },
      },
      {
        path: 'account/password',
        name: 'password',
        component: () => import('./views/auth/ChangePasswordView.vue'),
        meta: { title: '修改密码' },
      },
      {
        path: 'account/totp',
        name: 'totp',
        component: () => import('./views/console/security/TotpView.vue'),
        meta: { title: '双因素认证', section: 'totp' },
      },
      {
        path: 'notifications',
        name: 'notifications',
        component: () => import('./views/console/NotificationsView.vue'),
        meta: { title: '通知' },
      },
    ],
  },
  {
    path: '/:pathMatch(.*)*',
    component: PortalLayout,
    children: [{ path: '', name: 'notfound', component: () => import('./views/portal/NotFound.vue'), meta: { title: '页面不存在' } }],
  },
]

export async function authGuard(to: RouteLocationNormalized) {
  if (!to.matched.some((r) => r.meta.requiresAuth)) return true
  const auth = useAuthStore()
  await auth.ensureLoaded()
  if (!auth.signedIn) return { name: 'login', query: { redirect: to.fullPath } }
  // 双因素认证宽限期已过：后台只开放绑定页面（服务端对其它接口一律 403）
  if (auth.enrolmentRequired && to.path.startsWith('/console') && to.name !== 'totp') return { name: 'totp' }
  // 以临时密码登录：先修改密码（服务端对其它接口一律 403 password_change_required）
  if (auth.user?.password_change_required && to.name !== 'password' && to.name !== 'my-password') {
    return { name: auth.isStaff ? 'password' : 'my-password' }
  }
  if (to.name === 'console' && auth.isStaff) return { name: homeFor(auth.user), replace: true }
  // 不属于本角色的页面（菜单里没有它，服务端也会拒绝）：回到本角色的落地页
  const section = (to.meta.allow ?? to.meta.section) as string | undefined
  if (section && auth.isStaff && !canSee(auth.user, section)) return { name: homeFor(auth.user) }
  return true
}

export function createAppRouter() {
  const router = createRouter({
    history: createWebHistory('/'),
    routes,
    scrollBehavior(_to, _from, saved) {
      return saved ?? { top: 0 }
    },
  })
  router.beforeEach(authGuard)
  router.afterEach((to) => {
    const t = (to.meta.title as string | undefined) ?? ''
    document.title = t ? `${t} - ${SITE}` : SITE
  })
  return router
}
