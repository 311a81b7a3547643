// 账号生命周期的前端部分（issue 17 §1）：激活链接的地址与令牌、学习者用户名规则、只显示一次的凭据、
// 修改密码表单（字段错误就地显示、启用双因素认证时要动态验证码）、激活页（有效 / 已失效 / 设置成功）。
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setCsrfToken } from '@/api/client'
import { activationUrl, tokenFromHash } from '@/api/accounts'
import CredentialDialog from '@/components/account/CredentialDialog.vue'
import PasswordChangeForm from '@/components/account/PasswordChangeForm.vue'
import ActivateView from '@/views/auth/ActivateView.vue'
import { useAuthStore } from '@/stores/auth'
import { learnerUsernameHint } from '@/utils/validators'
import { principal } from './fixtures'
import { json, mockFetch } from './helpers'

const TOKEN = 'ab'.repeat(32)
const STUBS = { global: { stubs: { transition: false, 'transition-group': false } } }
/** ElInput 把 data-testid 放在 input 本身（或其外层）：取到那个 input */
function inputOf(testid: string): HTMLInputElement | null {
  const el = document.querySelector(`[data-testid=${testid}]`)
  return el instanceof HTMLInputElement ? el : (el?.querySelector('input') ?? null)
}

beforeEach(() => {
  setActivePinia(createPinia())
  setCsrfToken('tok')
  document.body.innerHTML = ''
})
afterEach(() => {
  vi.unstubAllGlobals()
  window.location.hash = ''
})

describe('激活链接与用户名规则', () => {
  it('令牌只从 # 部分取出，且须是 64 位十六进制', () => {
    expect(tokenFromHash(`#token=${TOKEN}`)).toBe(TOKEN)
    expect(tokenFromHash(`#x=1&token=${TOKEN}`)).toBe(TOKEN)
    expect(tokenFromHash('#token=abc')).toBe('')
    expect(tokenFromHash('')).toBe('')
    expect(activationUrl(`/activate#token=${TOKEN}`, 'https://lep.example.cn')).toBe(`https://lep.example.cn/activate#token=${TOKEN}`)
  })
  it('学习者可用手机号、汉字或英文用户名，其它给出具体说明', () => {
    expect(learnerUsernameHint('13800001234')).toBeNull()
    expect(learnerUsernameHint('王秀英')).toBeNull()
    expect(learnerUsernameHint('王秀英1955')).toBeNull()
    expect(learnerUsernameHint('retiree01')).toBeNull()
    expect(learnerUsernameHint('1380000123')).toMatch(/11 位手机号码/)
    expect(learnerUsernameHint('王')).toMatch(/2–16 个字/)
    expect(learnerUsernameHint('王 秀英')).toMatch(/空格、标点/)
    expect(learnerUsernameHint('ab')).toMatch(/3–32/)
  })
})

describe('CredentialDialog', () => {
  it('激活链接显示完整地址并可复制；临时密码与已发邮件各有说明', async () => {
    const writeText = vi.fn(async () => undefined)
    vi.stubGlobal('navigator', { clipboard: { writeText } })
    const link = {
      delivery: 'link' as const,
      activation_path: `/activate#token=${TOKEN}`,
      expires_at: 1_700_000_000_000,
      temporary_password: null,
      mailed: false,
      mailed_to: null,
    }
    const w = mount(CredentialDialog, { props: { modelValue: true, credential: link, username: 'new_clerk' }, attachTo: document.body, ...STUBS })
    await flushPromises()
    await vi.waitFor(() => expect(document.querySelector('[data-testid=activation-link]')).not.toBeNull())
    const input = inputOf('activation-link')
    expect(input?.value).toBe(`${window.location.origin}/activate#token=${TOKEN}`)
    expect(document.body.textContent).toContain('只显示这一次')
    const copy = [...document.querySelectorAll('button')].find((b) => b.textContent?.includes('复制链接'))
    copy?.click()
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/activate#token=${TOKEN}`)
    expect(document.body.textContent).toContain('已复制到剪贴板')

    await w.setProps({ credential: { ...link, delivery: 'temporary_password', activation_path: null, expires_at: null, temporary_password: 'Ab3#xyzXYZ2345' } })
    expect(inputOf('temporary-password')?.value).toBe('Ab3#xyzXYZ2345')
    expect(document.body.textContent).toContain('首次登录后必须先修改密码')

    await w.setProps({ credential: { ...link, activation_path: null, mailed: true, mailed_to: 'g***@example.org' } })
    expect(document.querySelector('[data-testid=credential-mailed]')?.textContent).toContain('g***@example.org')
    expect(document.querySelector('[data-testid=activation-link]')).toBeNull()
    w.unmount()
  })
})

describe('PasswordChangeForm', () => {
  it('服务端字段错误显示在对应字段下方；成功后清空并通知', async () => {
    const auth = useAuthStore()
    auth.user = principal({ username: 'gd_uploader', role: 'uploader' })
    let tries = 0
    const { calls } = mockFetch((c) => {
      if (c.url.endsWith('/me')) return json(200, { user: auth.user, csrf_token: 'tok' })
      tries++
      if (tries === 1) {
        return json(400, {
          error: { code: 'invalid_argument', message: '当前密码不正确', fields: [{ field: 'current_password', label: '当前密码', message: '密码不正确' }] },
        })
      }
      return json(204, null)
    })
    const w = mount(PasswordChangeForm, { attachTo: document.body, ...STUBS })
    await w.get('input[name="current-password"]').setValue('Wrong@pass1')
    await w.get('input[name="new-password"]').setValue('Neu#Pass2022')
    await w.get('input[name="confirm-password"]').setValue('Neu#Pass2022')
    await w.get('form').trigger('submit')
    await flushPromises()
    // Element Plus 对错误状态做了约 100ms 的防抖
    await vi.waitFor(() => expect(w.get('[data-field="current_password"] .el-form-item__error').text()).toBe('密码不正确'))
    expect(w.find('input[name="totp_code"]').exists()).toBe(false)
    await w.get('input[name="current-password"]').setValue('Lep@Demo2022')
    await w.get('form').trigger('submit')
    await flushPromises()
    const post = calls.filter((c) => c.method === 'POST')
    expect(post.at(-1)?.url).toContain('/api/v1/me/password')
    expect(post.at(-1)?.body).toEqual({ current_password: 'Lep@Demo2022', new_password: 'Neu#Pass2022' })
    expect(w.emitted('changed')).toHaveLength(1)
    expect((w.get('input[name="current-password"]').element as HTMLInputElement).value).toBe('')
    w.unmount()
  })

  it('两次新密码不一致、启用双因素认证却没填验证码：不发请求，提示在字段下方', async () => {
    const auth = useAuthStore()
    auth.user = principal({ totp: { enabled: true, required: true, grace_until: null, enrolment_required: false } })
    const { calls } = mockFetch(() => json(204, null))
    const w = mount(PasswordChangeForm, { attachTo: document.body, ...STUBS })
    await w.get('input[name="current-password"]').setValue('Lep@Demo2022')
    await w.get('input[name="new-password"]').setValue('Neu#Pass2022')
    await w.get('input[name="confirm-password"]').setValue('Neu#Pass2023')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls).toHaveLength(0)
    await vi.waitFor(() => expect(w.get('[data-field="confirm"] .el-form-item__error').text()).toBe('两次输入的新密码不一致'))
    expect(w.get('[data-field="totp_code"] .el-form-item__error').text()).toBe('请输入 6 位数字动态验证码')
    w.unmount()
  })
})

describe('ActivateView', () => {
  async function mountAt(hash: string) {
    window.location.hash = hash
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
    const w = mount(ActivateView, { attachTo: document.body, global: { plugins: [router], stubs: { transition: false } } })
    await flushPromises()
    return w
  }

  it('有效链接：显示账号，设置密码成功后引导登录', async () => {
    const { calls } = mockFetch((c) => {
      if (c.url.endsWith('/activation/check')) {
        return json(200, { username: 'new_clerk', display_name: '新录入员', purpose: 'activate', expires_at: 1_700_000_000_000 })
      }
      return json(200, { user: { id: 9, username: 'new_clerk' } })
    })
    const w = await mountAt(`#token=${TOKEN}`)
    expect(w.get('[data-testid=activation-account]').text()).toContain('new_clerk')
    expect(calls[0].body).toEqual({ token: TOKEN })
    await w.get('input[name="password"]').setValue('Mein#Pass2022')
    await w.get('input[name="confirm"]').setValue('Mein#Pass2022')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls[1].body).toEqual({ token: TOKEN, password: 'Mein#Pass2022' })
    expect(w.find('[data-testid=activation-done]').exists()).toBe(true)
    w.unmount()
  })

  it('已使用或过期（410）与不完整的链接：说明原因，不显示表单', async () => {
    mockFetch(() => json(410, { error: { code: 'gone', message: '链接无效、已使用或已过期：请联系本单位管理员重新发送激活链接', fields: [] } }))
    const used = await mountAt(`#token=${TOKEN}`)
    expect(used.get('[data-testid=activation-problem]').text()).toContain('已使用或已过期')
    expect(used.find('form').exists()).toBe(false)
    used.unmount()
    const partial = await mountAt('#token=abc')
    expect(partial.get('[data-testid=activation-problem]').text()).toContain('链接不完整')
    partial.unmount()
  })
})
