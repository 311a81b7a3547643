// 等保三级相关页面：安全管理员绑定双因素认证（二维码 + 密钥，验证码在测试中按 RFC 6238 计算）→ 恢复码 →
// 安全策略（字段错误显示在字段旁）、敏感词表、账号列表的重置 / 解锁按钮 → 用恢复码、再用动态验证码登录 →
// 审计员查看审计日志并校验审计链；通知页。新页面都跑 axe。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, expectAccessible, launch, login, newPage, screenshot, totpCode, totpStep, serialSteps } from './helpers.mjs'

let browser
let page
let secret = ''
let recovery = []
let usedStep = 0

const step = serialSteps('security', () => page)

const nav = () => page.getByRole('navigation', { name: '管理后台导航' })

async function signOut() {
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL((u) => u.pathname === '/')
}

describe('双因素认证、安全管理员与审计员', () => {
  before(async () => {
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('安全管理员在宽限期内登录，绑定双因素认证并得到 10 个恢复码', async () => {
    await login(page, 'nou_security')
    await page.waitForURL(/\/console/)
    await page.getByTestId('grace-note').getByText(/宽限期还剩/).waitFor()
    for (const label of ['安全策略', '敏感词表', '统计', '双因素认证']) {
      assert.ok(await nav().getByRole('link', { name: label, exact: true }).isVisible(), label)
    }
    await nav().getByRole('link', { name: '双因素认证', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '双因素认证' }).waitFor()
    await page.getByTestId('grace-countdown').waitFor()
    assert.match(await page.getByTestId('totp-status').textContent(), /未启用/)
    await page.getByRole('button', { name: '开始绑定' }).click()
    const setup = page.getByTestId('totp-setup')
    await setup.getByRole('img', { name: /双因素认证二维码/ }).waitFor()
    secret = await setup.getByTestId('totp-secret').getAttribute('data-secret')
    assert.match(secret, /^[A-Z2-7]{16,}$/)
    await expectAccessible(page, '双因素认证绑定')
    await screenshot(page, 'console-totp-setup')
    // 错误的验证码：中文提示
    await setup.getByLabel('输入身份验证器当前显示的 6 位验证码').fill('12345')
    await setup.getByRole('button', { name: '确认绑定' }).click()
    await setup.getByText('请输入身份验证器显示的 6 位数字').waitFor()
    usedStep = totpStep()
    await setup.getByLabel('输入身份验证器当前显示的 6 位验证码').fill(totpCode(secret, usedStep))
    await setup.getByRole('button', { name: '确认绑定' }).click()
    const codes = page.getByTestId('recovery-codes')
    await codes.waitFor()
    recovery = (await codes.locator('code').allTextContents()).map((s) => s.trim())
    assert.equal(recovery.length, 10)
    assert.match(await page.getByTestId('totp-status').textContent(), /已启用/)
    const [dl] = await Promise.all([page.waitForEvent('download'), codes.getByRole('button', { name: '下载恢复码' }).click()])
    assert.match(dl.suggestedFilename(), /恢复码-nou_security\.txt/)
    await expectAccessible(page, '恢复码')
    await screenshot(page, 'console-totp-recovery-codes')
    // 已启用：不再提示宽限期
    assert.equal(await page.getByTestId('grace-note').count(), 0)
  })

  step('安全策略：非整数在客户端提示，超出范围由服务端逐项显示在字段旁', async () => {
    await nav().getByRole('link', { name: '安全策略', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '安全策略' }).waitFor()
    const form = page.getByTestId('policy-form')
    const item = (label) => form.locator('.el-form-item').filter({ hasText: label })
    await item('密码最小长度').getByRole('textbox').fill('十')
    await form.getByRole('button', { name: '保存' }).click()
    await item('密码最小长度').locator('.el-form-item__error').getByText('密码最小长度应为整数').waitFor()
    await item('密码最小长度').getByRole('textbox').fill('10')
    await item('锁定时长（分钟）').getByRole('textbox').fill('999999')
    await form.getByRole('button', { name: '保存' }).click()
    await page.getByRole('dialog', { name: '保存安全策略' }).getByRole('button', { name: '保存' }).click()
    await item('锁定时长（分钟）').locator('.el-form-item__error').waitFor()
    assert.equal(await page.getByText('"error"').count(), 0)
    await expectAccessible(page, '安全策略（字段错误）')
    await screenshot(page, 'console-security-policy')
    await page.reload()
    await page.getByTestId('policy-form').waitFor()
  })

  step('敏感词表与账号列表的安全操作', async () => {
    await nav().getByRole('link', { name: '敏感词表', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '敏感词表' }).waitFor()
    await page.getByRole('button', { name: '保存词表' }).waitFor()
    await expectAccessible(page, '敏感词表')
    await screenshot(page, 'console-sensitive-words')
    await nav().getByRole('link', { name: '我的单位', exact: true }).click()
    const users = page.getByTestId('users-table')
    const row = users.locator('tr').filter({ hasText: 'nou_security' })
    await row.getByText('已启用').waitFor()
    await row.getByRole('button', { name: /重置双因素/ }).waitFor()
    await users.locator('tr').filter({ hasText: 'nou_auditor' }).getByRole('button', { name: /解除锁定/ }).waitFor()
    await expectAccessible(page, '账号列表（安全管理员）')
  })

  step('重新登录：先要求动态验证码，改用恢复码登录成功', async () => {
    await signOut()
    await login(page, 'nou_security')
    const stepForm = page.getByTestId('totp-step')
    await stepForm.getByLabel('动态验证码').waitFor()
    await expectAccessible(page, '登录第二步')
    await screenshot(page, 'login-totp-step')
    await stepForm.getByRole('button', { name: '使用恢复码' }).click()
    await stepForm.getByLabel('恢复码').fill(recovery[0])
    await stepForm.getByRole('button', { name: '验证并登录' }).click()
    await page.waitForURL(/\/console/)
    await signOut()
  })

  step('再次登录：错误验证码显示中文提示，正确的动态验证码登录成功', async () => {
    await login(page, 'nou_security')
    const stepForm = page.getByTestId('totp-step')
    await stepForm.getByLabel('动态验证码').fill('000000')
    await stepForm.getByRole('button', { name: '验证并登录' }).click()
    await stepForm.getByText(/动态验证码错误/).first().waitFor()
    // 绑定时用过的时间步不能再用：等到下一个时间步
    while (totpStep() <= usedStep) await page.waitForTimeout(1000)
    await stepForm.getByLabel('动态验证码').fill(totpCode(secret))
    await stepForm.getByRole('button', { name: '验证并登录' }).click()
    await page.waitForURL(/\/console/)
    await page.getByTestId('current-role').getByText('安全管理员').waitFor()
    await signOut()
  })

  step('宽限期改为 0 天后，未绑定的管理员登录只能进入双因素认证页；随后恢复 7 天', async () => {
    const setGrace = async (days) => {
      await nav().getByRole('link', { name: '安全策略', exact: true }).click()
      const form = page.getByTestId('policy-form')
      await form.locator('.el-form-item').filter({ hasText: '双因素认证宽限期（天）' }).getByRole('textbox').fill(String(days))
      await form.getByRole('button', { name: '保存' }).click()
      await page.getByRole('dialog', { name: '保存安全策略' }).getByRole('button', { name: '保存' }).click()
      await page.getByText('安全策略已保存').waitFor()
    }
    const signInSecurity = async (code) => {
      await login(page, 'nou_security')
      const stepForm = page.getByTestId('totp-step')
      await stepForm.getByRole('button', { name: '使用恢复码' }).click()
      await stepForm.getByLabel('恢复码').fill(code)
      await stepForm.getByRole('button', { name: '验证并登录' }).click()
      await page.waitForURL(/\/console/)
    }
    await signInSecurity(recovery[1])
    await setGrace(0)
    await signOut()
    try {
      await login(page, 'bj_admin')
      await page.waitForURL(/\/console\/account\/totp/)
      await page.getByTestId('enrolment-required').waitFor()
      assert.deepEqual(await nav().getByRole('link').allTextContents().then((t) => t.map((x) => x.trim())), ['双因素认证'])
      // 其它后台页面一律回到绑定页
      await page.goto('/console/resources')
      await page.waitForURL(/\/console\/account\/totp/)
      await expectAccessible(page, '宽限期已过的受限会话')
      await screenshot(page, 'console-totp-enrolment-required')
      await signOut()
    } finally {
      await browser.context.clearCookies()
      await signInSecurity(recovery[2])
      await setGrace(7)
      await signOut()
    }
  })

  step('审计员查看审计日志并校验审计链', async () => {
    await login(page, 'nou_auditor')
    await page.waitForURL(/\/console/)
    await nav().getByRole('link', { name: '审计日志', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor()
    const table = page.getByTestId('audit-table')
    await table.getByText('auth.login').first().waitFor()
    await page.getByLabel('账号（用户名）').fill('nou_security')
    await page.getByRole('button', { name: '查询' }).click()
    await table.locator('tbody tr').filter({ hasText: 'nou_security' }).first().waitFor()
    await page.getByTestId('verify-chain').click()
    await page.getByTestId('verify-result').getByText('审计链完整').waitFor()
    await page.getByTestId('verify-result').getByText(/校验 \d+ 条记录/).waitFor()
    await expectAccessible(page, '审计日志')
    await screenshot(page, 'console-audit')
  })

  step('通知页：铃铛链接与列表', async () => {
    await page.getByTestId('notifications-bell').click()
    await page.getByRole('heading', { level: 1, name: '通知' }).waitFor()
    await page.getByText(/共 \d+ 条，未读 \d+ 条/).waitFor()
    await expectAccessible(page, '通知')
    await screenshot(page, 'console-notifications')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
