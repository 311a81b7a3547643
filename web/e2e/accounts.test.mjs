// 账号生命周期（issue 17 §1）：单位管理员开设账号 → 复制一次性激活链接 → 新用户在另一个浏览器里打开链接设置
// 密码并登录 → 新用户自己修改密码（其他会话退出）→ 单位管理员停用该账号：其会话立即失效，再登录被拒绝并说明原因。
// 用新开设的账号，不影响其它测试的演示账号。新页面都跑 axe。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, apiLogin, expectAccessible, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'

const RUN = String(Date.now()).slice(-6)
const USER = `e2e_act${RUN}`
const FIRST = 'Mein#Pass2024'
const SECOND = 'Neu#Pass2024x'

let admin
let adminPage
let owner
let ownerPage
let activationLink = ''

const step = serialSteps('accounts', () => ownerPage ?? adminPage)
const usersTable = () => adminPage.getByTestId('users-table')

describe('账号生命周期：激活链接、修改密码、停用', () => {
  before(async () => {
    admin = await launch(DESKTOP)
    adminPage = await newPage(admin, DESKTOP)
    owner = await launch(DESKTOP)
    ownerPage = await newPage(owner, DESKTOP)
  })
  after(async () => {
    await admin?.close()
    await owner?.close()
  })

  step('单位管理员开设账号，对话框显示只出现一次的激活链接', async () => {
    await login(adminPage, 'gd_admin')
    await adminPage.waitForURL(/\/console/)
    await adminPage.goto('/console/org')
    await adminPage.getByRole('heading', { level: 1, name: '广东省教育厅' }).waitFor()
    await adminPage.getByRole('button', { name: '开设账号' }).click()
    const dlg = adminPage.getByRole('dialog', { name: '开设账号' })
    await dlg.getByLabel('用户名').fill(USER)
    await dlg.getByLabel('姓名').fill('激活测试录入员')
    await dlg.getByRole('radio', { name: '录入员' }).check()
    assert.equal(await dlg.getByLabel('密码', { exact: true }).count(), 0, '管理员不应再设定密码')
    assert.ok(await dlg.getByRole('radio', { name: '一次性激活链接' }).isChecked())
    await dlg.getByRole('button', { name: '确定开设' }).click()
    await dlg.waitFor({ state: 'hidden' })
    const cred = adminPage.getByTestId('credential-dialog')
    const link = cred.getByTestId('activation-link')
    await link.waitFor()
    activationLink = await link.inputValue()
    assert.match(activationLink, /\/activate#token=[0-9a-f]{64}$/)
    await cred.getByText('只显示这一次').waitFor()
    await expectAccessible(adminPage, '激活链接对话框')
    await screenshot(adminPage, 'accounts-credential-dialog', { fullPage: false })
    await cred.getByRole('button', { name: '我已转交，关闭' }).click()
    await cred.waitFor({ state: 'hidden' })
    await usersTable().getByRole('row').filter({ hasText: USER }).waitFor()
  })

  step('新用户打开链接设置密码（弱密码就地提示），然后登录', async () => {
    await ownerPage.goto(activationLink)
    await ownerPage.getByRole('heading', { level: 1, name: '设置密码' }).waitFor()
    await ownerPage.getByTestId('activation-account').getByText(USER).waitFor()
    await expectAccessible(ownerPage, '激活页')
    await ownerPage.getByLabel('新密码', { exact: true }).fill('short')
    await ownerPage.getByLabel('确认新密码').fill('short')
    await ownerPage.getByRole('button', { name: '设置密码' }).click()
    await ownerPage.getByText('密码长度至少 8 位').waitFor()
    await ownerPage.getByLabel('新密码', { exact: true }).fill(FIRST)
    await ownerPage.getByLabel('确认新密码').fill(FIRST)
    await ownerPage.getByRole('button', { name: '设置密码' }).click()
    await ownerPage.getByTestId('activation-done').waitFor()
    await screenshot(ownerPage, 'accounts-activated')
    // 同一链接再次打开：已使用
    await ownerPage.goto('/')
    await ownerPage.goto(activationLink)
    await ownerPage.getByTestId('activation-problem').getByText(/已使用或已过期/).waitFor()
    await login(ownerPage, USER, FIRST)
    await ownerPage.waitForURL(/\/console\/resources/)
  })

  step('新用户修改自己的密码：当前密码错误时就地提示，成功后新密码可登录', async () => {
    await ownerPage.getByRole('link', { name: '修改密码' }).click()
    await ownerPage.getByRole('heading', { level: 1, name: '修改密码' }).waitFor()
    await expectAccessible(ownerPage, '修改密码页')
    await ownerPage.getByLabel('当前密码').fill('Wrong@pass1')
    await ownerPage.getByLabel('新密码', { exact: true }).fill(SECOND)
    await ownerPage.getByLabel('确认新密码').fill(SECOND)
    await ownerPage.getByRole('button', { name: '修改密码' }).click()
    await ownerPage.locator('[data-field="current_password"] .el-form-item__error').getByText('密码不正确').waitFor()
    await ownerPage.getByLabel('当前密码').fill(FIRST)
    await ownerPage.getByLabel('新密码', { exact: true }).fill(SECOND)
    await ownerPage.getByLabel('确认新密码').fill(SECOND)
    await ownerPage.getByRole('button', { name: '修改密码' }).click()
    await ownerPage.getByTestId('password-changed').waitFor()
    await ownerPage.getByRole('button', { name: '退出登录' }).click()
    await ownerPage.waitForURL((u) => u.pathname === '/')
    await login(ownerPage, USER, FIRST)
    await ownerPage.getByText('用户名或密码错误').waitFor()
    await login(ownerPage, USER, SECOND)
    await ownerPage.waitForURL(/\/console\/resources/)
  })

  step('单位管理员停用账号：其会话立即失效，再登录被拒绝并说明原因', async () => {
    // 停用经由单位管理员的接口会话进行（按钮本身由组件测试与 C++ 集成测试覆盖）
    const api = await apiLogin('gd_admin')
    const list = await api.expect(200, 'GET', `/api/v1/orgs/${api.user.org_id}/users`)
    const target = list.items.find((u) => u.username === USER)
    assert.ok(target, `账号列表中应有 ${USER}`)
    const off = await api.expect(200, 'POST', `/api/v1/users/${target.id}/disable`, {})
    assert.equal(off.user.disabled, true)
    await adminPage.goto('/console/org')
    await usersTable().getByRole('row').filter({ hasText: USER }).getByTestId('user-disabled').waitFor()
    await screenshot(adminPage, 'accounts-disabled-row', { fullPage: false })
    // 用户的会话已结束：下一次请求回到登录页
    await ownerPage.goto('/console/resources')
    await ownerPage.waitForURL(/\/login/)
    await login(ownerPage, USER, SECOND)
    await ownerPage.getByText(/账号已停用/).waitFor()
    assert.match(new URL(ownerPage.url()).pathname, /\/login/)
    // 重新启用后可以登录
    await api.expect(200, 'POST', `/api/v1/users/${target.id}/enable`, {})
    await login(ownerPage, USER, SECOND)
    await ownerPage.waitForURL(/\/console\/resources/)
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual([...admin.errors, ...owner.errors], [])
  })
})
