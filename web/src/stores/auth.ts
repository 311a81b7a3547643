import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, setCsrfToken } from '@/api'
import type { User } from '@/api'

/** 能管理本单位（开设下级单位、开设账号、维护负责人）的角色；仅用于显示，权限以服务端为准 */
export const MANAGER_ROLES = ['platform_admin', 'unit_admin'] as const
/** 管理后台面向的角色（学习者不使用管理后台） */
export const STAFF_ROLES = ['platform_admin', 'security_admin', 'auditor', 'unit_admin', 'uploader', 'reviewer'] as const

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const loaded = ref(false)
  let loading: Promise<void> | null = null

  const signedIn = computed(() => user.value !== null)
  const isStaff = computed(() => !!user.value && (STAFF_ROLES as readonly string[]).includes(user.value.role))
  const canManage = computed(() => !!user.value && (MANAGER_ROLES as readonly string[]).includes(user.value.role))

  function clear() {
    user.value = null
    setCsrfToken(null)
  }

  /** 启动时探测登录状态；未登录（401）不算错误 */
  function ensureLoaded(): Promise<void> {
    if (loaded.value) return Promise.resolve()
    if (!loading) {
      loading = api
        .me()
        .then((s) => {
          user.value = s.user
        })
        .catch((e) => {
          if (!(e instanceof ApiError) || e.status !== 401) console.warn('无法获取登录状态', e)
          user.value = null
        })
        .finally(() => {
          loaded.value = true
          loading = null
        })
    }
    return loading
  }

  async function login(username: string, password: string): Promise<User> {
    const s = await api.login(username, password)
    setCsrfToken(s.csrf_token)
    user.value = s.user
    loaded.value = true
    return s.user
  }

  async function logout(): Promise<void> {
    try {
      await api.logout()
    } catch (e) {
      // 会话已失效时退出也算成功
      if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e
    } finally {
      clear()
    }
  }

  return { user, loaded, signedIn, isStaff, canManage, ensureLoaded, login, logout, clear }
})
