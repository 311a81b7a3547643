import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError, setCsrfToken } from '@/api'
import type { SecondFactor, TotpSetup, User } from '@/api'

/** 能管理本单位（开设下级单位、开设账号、维护负责人）的角色；仅用于显示，权限以服务端为准 */
export const MANAGER_ROLES = ['platform_admin', 'unit_admin'] as const
/** 管理后台面向的角色（学习者不使用管理后台） */
export const STAFF_ROLES = ['platform_admin', 'security_admin', 'auditor', 'unit_admin', 'uploader', 'reviewer'] as const

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const loaded = ref(false)
  /**
   * 已生成、尚未确认的双因素认证密钥（只在内存中）：离开绑定页再回来时仍显示同一个二维码，
   * 已经扫描过的二维码继续有效。
   */
  const pendingTotp = ref<TotpSetup | null>(null)
  let loading: Promise<void> | null = null

  const signedIn = computed(() => user.value !== null)
  const isStaff = computed(() => !!user.value && (STAFF_ROLES as readonly string[]).includes(user.value.role))
  const canManage = computed(() => !!user.value && (MANAGER_ROLES as readonly string[]).includes(user.value.role))
  const role = computed(() => user.value?.role ?? '')
  /** 宽限期已过、尚未绑定：会话只能用于绑定双因素认证 */
  const enrolmentRequired = computed(() => !!user.value?.totp?.enrolment_required)
  /** 本账号须启用双因素认证但尚未启用（宽限期内或已过） */
  const totpPending = computed(() => !!user.value?.totp?.required && !user.value.totp.enabled)

  function clear() {
    user.value = null
    pendingTotp.value = null
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

  /** 服务端 401 totp_required / totp_invalid 时抛出 ApiError，由登录页显示验证码输入框 */
  async function login(username: string, password: string, second: SecondFactor = {}): Promise<User> {
    const s = await api.login(username, password, second)
    setCsrfToken(s.csrf_token)
    user.value = s.user
    loaded.value = true
    return s.user
  }

  /** 重新读取 /me（例如绑定双因素认证之后） */
  async function refresh(): Promise<void> {
    const s = await api.me()
    user.value = s.user
    loaded.value = true
  }

  /** 服务端说需要先绑定（403 totp_enrolment_required）：本地状态同步为受限会话 */
  function markEnrolmentRequired() {
    if (user.value) {
      const t = user.value.totp ?? { enabled: false, required: true, grace_until: null, enrolment_required: true }
      user.value = { ...user.value, totp: { ...t, required: true, enrolment_required: true } }
    }
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

  return {
    user,
    loaded,
    pendingTotp,
    signedIn,
    isStaff,
    canManage,
    role,
    enrolmentRequired,
    totpPending,
    ensureLoaded,
    login,
    refresh,
    markEnrolmentRequired,
    logout,
    clear,
  }
})
