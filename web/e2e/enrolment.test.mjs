// 双因素认证绑定（issue 19 第 1 项）：输错验证码只在字段下提示、会话仍然有效、密钥不变；离开绑定页再回来
// 仍是同一个二维码；重新生成恢复码时输错验证码同样留在页面上。用新开设的审核员账号，不影响其它测试的账号。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, apiLogin, createAccount, expectAccessible, launch, login, newPage, screenshot, serialSteps, totpCode, totpStep } from './helpers.mjs'

const RUN = String(Date.now()).slice(-6)
const USER = `e2e_totp${RUN}`

let browser
let page
let secret = ''

const step = serialSteps('enrolment', () => page)

/** 一个肯定不是当前（前后各一个时间步）验证码的 6 位数 */
function wrongCode(s) {
  const now = totpStep()
  const valid = new Set([now - 1, now, now + 1, now + 2].map((t) => totpCode(s, t)))
  for (let n = 0; ; n++) {
    const c = String(123456 + n * 7919).slice(-6)
    if (!valid.has(c)) return c
  }
}

describe('双因素认证绑定：验证码输错不会被当作登录失效', () => {
  before(async () => {
    const admin = await apiLogin('bj_admin')
    await createAccount(admin, { username: USER, role: 'reviewer', displayName: '测试审核员' })
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('开始绑定后输错验证码：字段下方提示，仍在绑定页，密钥不变', async () => {
    await login(page, USER)
    await page.waitForURL(/\/console/)
    await page.goto('/console/account/totp')
    await page.getByRole('button', { name: '开始绑定' }).click()
    const secretEl = page.getByTestId('totp-secret')
    await secretEl.waitFor()
    secret = await secretEl.getAttribute('data-secret')
    assert.match(secret, /^[A-Z2-7]{16,}$/)

    await page.getByLabel('输入身份验证器当前显示的 6 位验证码').fill(wrongCode(secret))
    await page.getByRole('button', { name: '确认绑定' }).click()
    await page.getByTestId('totp-code-error').getByText(/验证码不正确/).waitFor()
    assert.equal(new URL(page.url()).pathname, '/console/account/totp', '输错验证码后不应离开绑定页')
    assert.equal(await page.getByText('登录已失效').count(), 0)
    assert.equal(await page.getByTestId('totp-secret').getAttribute('data-secret'), secret, '密钥不应改变')
    assert.equal(await page.getByTestId('current-user').textContent(), '测试审核员')
    assert.equal(await page.getByLabel('输入身份验证器当前显示的 6 位验证码').getAttribute('aria-invalid'), 'true')
    await expectAccessible(page, '绑定页（验证码错误）')
    await screenshot(page, 'totp-wrong-code')
  })

  step('离开绑定页再回来：仍是同一个二维码（已扫描的二维码继续有效）', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: /审核队列/ }).click()
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '双因素认证' }).click()
    await page.getByTestId('totp-secret').waitFor()
    assert.equal(await page.getByTestId('totp-secret').getAttribute('data-secret'), secret)
  })

  step('输入正确的验证码完成绑定，显示恢复码', async () => {
    await page.getByLabel('输入身份验证器当前显示的 6 位验证码').fill(totpCode(secret))
    await page.getByRole('button', { name: '确认绑定' }).click()
    await page.getByTestId('recovery-codes').waitFor()
    assert.equal(await page.getByTestId('recovery-codes').locator('code').count(), 10)
    await page.getByRole('button', { name: '我已妥善保存' }).click()
    await page.getByTestId('totp-status').getByText('已启用').waitFor()
  })

  step('重新生成恢复码时输错验证码：字段下方提示，会话仍然有效', async () => {
    await page.getByLabel('动态验证码').fill(wrongCode(secret))
    await page.getByRole('button', { name: '重新生成恢复码' }).click()
    await page.getByRole('dialog', { name: '重新生成恢复码' }).getByRole('button', { name: '重新生成' }).click()
    await page.getByTestId('regen-code-error').getByText(/验证码不正确|已使用/).waitFor()
    assert.equal(new URL(page.url()).pathname, '/console/account/totp')
    assert.equal(await page.getByText('登录已失效').count(), 0)
    // 会话仍然有效：还能打开其它后台页面
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: /审核队列/ }).click()
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    assert.equal(new URL(page.url()).pathname, '/console/review')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
