import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { setCsrfToken } from '@/api/client'
import LargeTextToggle from '@/components/LargeTextToggle.vue'
import FormAlert from '@/components/FormAlert.vue'
import ContactPanel from '@/components/ContactPanel.vue'
import type { Org } from '@/api'
import { json, mockFetch } from './helpers'

const ORG: Org = {
  id: 21,
  name: '广东省教育厅',
  kind: 'province_dept',
  kind_label: '省级教育行政部门',
  level: 1,
  parent_id: 1,
  child_kinds: ['provincial_college'],
  created_at: 0,
}

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  document.documentElement.className = ''
  setCsrfToken('tok')
})
afterEach(() => vi.unstubAllGlobals())

describe('LargeTextToggle', () => {
  it('aria-pressed 随状态变化', async () => {
    const w = mount(LargeTextToggle)
    const b = w.get('button')
    expect(b.attributes('aria-pressed')).toBe('false')
    expect(b.text()).toContain('大字模式')
    await b.trigger('click')
    expect(b.attributes('aria-pressed')).toBe('true')
    expect(b.text()).toContain('已开启')
    expect(document.documentElement.classList.contains('lep-large-text')).toBe(true)
  })
})

describe('FormAlert', () => {
  it('显示中文 message；quiet 时只给读屏软件', () => {
    const w = mount(FormAlert, { props: { message: '用户名或密码错误' } })
    expect(w.get('[role=alert]').text()).toContain('用户名或密码错误')
    expect(w.get('[role=alert]').classes()).not.toContain('visually-hidden')
    const q = mount(FormAlert, { props: { message: '请按提示修改', quiet: true } })
    expect(q.get('[role=alert]').classes()).toContain('visually-hidden')
  })
})

describe('ContactPanel', () => {
  it('服务端返回的字段错误显示在对应字段下方，保存成功后显示新值', async () => {
    let saved = false
    const { calls } = mockFetch((c) => {
      if (c.method === 'GET') return json(200, { contact: null })
      const body = c.body as Record<string, string>
      if (body.mobile !== '13812345678') {
        return json(400, {
          error: {
            code: 'invalid_argument',
            message: '负责人信息有误，请按提示修改',
            fields: [{ field: 'mobile', label: '手机号码', message: '手机号码应为以 1 开头的 11 位数字' }],
          },
        })
      }
      saved = true
      return json(200, { contact: { ...body, updated_at: 1 } })
    })
    const w = mount(ContactPanel, {
      props: { org: ORG, canEdit: true },
      attachTo: document.body,
      global: { stubs: { transition: false, 'transition-group': false } },
    })
    await flushPromises()
    // 尚无负责人：管理员直接看到表单
    const input = (name: string) => w.get(`input[name="${name}"]`)
    await input('name').setValue('张晓明')
    await input('title').setValue('处长')
    await input('office_phone').setValue('020-37628888')
    await input('mobile').setValue('2380000')
    await input('email').setValue('a@example.org')
    await w.get('form').trigger('submit')
    await flushPromises()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.headers['X-CSRF-Token']).toBe('tok')
    // Element Plus 对错误状态做了约 100ms 的防抖
    await vi.waitFor(() => {
      expect(w.get('[data-field="mobile"] .el-form-item__error').text()).toBe('手机号码应为以 1 开头的 11 位数字')
    })
    expect(w.find('[data-field="email"] .el-form-item__error').exists()).toBe(false)
    expect(w.text()).not.toContain('"error"')

    await input('mobile').setValue('13812345678')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(saved).toBe(true)
    expect(w.find('form').exists()).toBe(false)
    expect(w.text()).toContain('13812345678')
    w.unmount()
  })

  it('只读角色看不到修改按钮', async () => {
    mockFetch(() => json(200, { contact: { name: '演示联系人甲', title: '处长', office_phone: '020-00000001', mobile: '13800000001', email: 'gd@example.org' } }))
    const w = mount(ContactPanel, { props: { org: ORG, canEdit: false } })
    await flushPromises()
    expect(w.text()).toContain('演示联系人甲')
    expect(w.text()).toContain('下载登记表')
    expect(w.text()).not.toContain('修改负责人')
  })
})
