import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'
import { getCsrfToken, setCsrfToken } from '@/api/client'
import { useAuthStore } from '@/stores/auth'
import { LARGE_TEXT_CLASS, LARGE_TEXT_KEY, applyStoredPrefs, usePrefsStore } from '@/stores/prefs'
import { json, mockFetch } from './helpers'
import { principal } from './fixtures'

const GD_ADMIN = principal()

beforeEach(() => {
  setActivePinia(createPinia())
  setCsrfToken(null)
  localStorage.clear()
  document.documentElement.className = ''
})
afterEach(() => vi.unstubAllGlobals())

describe('auth store', () => {
  it('未登录时 ensureLoaded 得到空用户且不报错，只请求一次', async () => {
    const { calls } = mockFetch(() => json(401, { error: { code: 'unauthenticated', message: '请先登录', fields: [] } }))
    const auth = useAuthStore()
    await Promise.all([auth.ensureLoaded(), auth.ensureLoaded()])
    expect(auth.loaded).toBe(true)
    expect(auth.signedIn).toBe(false)
    await auth.ensureLoaded()
    expect(calls).toHaveLength(1)
  })

  it('登录后保存用户与令牌，按角色给出管理权限；退出后清空', async () => {
    const { calls } = mockFetch((c) => {
      if (c.url.endsWith('/auth/login')) return json(200, { csrf_token: 't1', user: GD_ADMIN })
      if (c.url.endsWith('/auth/logout')) return new Response(null, { status: 204 })
      return json(404, {})
    })
    const auth = useAuthStore()
    await auth.login('gd_admin', 'Lep@Demo2022')
    expect(auth.user?.org?.name).toBe('广东省教育厅')
    expect(auth.isStaff).toBe(true)
    expect(auth.canManage).toBe(true)
    expect(getCsrfToken()).toBe('t1')
    await auth.logout()
    expect(calls[1].headers['X-CSRF-Token']).toBe('t1')
    expect(auth.user).toBeNull()
    expect(getCsrfToken()).toBeNull()
  })

  it('录入员不显示管理操作；学习者不是后台用户', async () => {
    mockFetch(() => json(200, { csrf_token: 't', user: { ...GD_ADMIN, role: 'uploader' } }))
    const auth = useAuthStore()
    await auth.login('u', 'p')
    expect(auth.canManage).toBe(false)
    expect(auth.isStaff).toBe(true)
    auth.user = { ...GD_ADMIN, role: 'learner', org_id: null, org: undefined }
    expect(auth.isStaff).toBe(false)
  })

  it('会话已失效时退出登录也算成功', async () => {
    mockFetch(() => json(401, { error: { code: 'unauthenticated', message: '请先登录', fields: [] } }))
    const auth = useAuthStore()
    auth.user = GD_ADMIN
    await expect(auth.logout()).resolves.toBeUndefined()
    expect(auth.user).toBeNull()
  })
})

describe('prefs store（大字模式）', () => {
  it('切换时放大根字号并写入 localStorage', async () => {
    const prefs = usePrefsStore()
    expect(prefs.largeText).toBe(false)
    prefs.toggleLargeText()
    await nextTick()
    expect(document.documentElement.classList.contains(LARGE_TEXT_CLASS)).toBe(true)
    expect(localStorage.getItem(LARGE_TEXT_KEY)).toBe('1')
    prefs.toggleLargeText()
    await nextTick()
    expect(document.documentElement.classList.contains(LARGE_TEXT_CLASS)).toBe(false)
    expect(localStorage.getItem(LARGE_TEXT_KEY)).toBe('0')
  })

  it('启动时读取已保存的设置', () => {
    localStorage.setItem(LARGE_TEXT_KEY, '1')
    applyStoredPrefs()
    expect(document.documentElement.classList.contains(LARGE_TEXT_CLASS)).toBe(true)
    expect(usePrefsStore().largeText).toBe(true)
  })
})
