// Learners' 忘记密码 (issue 17 §1): an optional e-mail address at sign-up, shown and changed on
// the learner's own page, and the 忘记密码 page that answers the same whatever the account.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, PHONE, expectAccessible, expectNoHorizontalScroll, launch, newPage, screenshot, serialSteps } from './helpers.mjs'

const RUN = String(Date.now()).slice(-6)
const USER = `mail${RUN}`

let browser
let page
const step = serialSteps('forgot', () => page)

describe('学习者忘记密码', () => {
  before(async () => {
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('注册时可选填电子邮箱：格式错误在字段下提示，改正后注册成功', async () => {
    await page.goto('/register')
    await page.getByLabel('用户名').fill(USER)
    await page.getByLabel('电子邮箱（选填，用于找回密码）').fill('wrong@')
    await page.getByLabel('密码', { exact: true }).fill('Learn@2024x')
    await page.getByLabel('确认密码').fill('Learn@2024x')
    await page.getByTestId('privacy-consent').click()
    await page.getByRole('button', { name: '注册' }).click()
    await page.locator('.el-form-item__error').getByText(/邮箱/).first().waitFor()
    await page.getByLabel('电子邮箱（选填，用于找回密码）').fill(`${USER}@example.org`)
    await page.getByRole('button', { name: '注册' }).click()
    await page.waitForURL((u) => u.pathname === '/')
    await page.getByText(USER).first().waitFor()
  })

  step('「修改密码」页显示并可修改登记的电子邮箱', async () => {
    await page.goto('/me/password')
    const panel = page.getByTestId('learner-email')
    const input = panel.getByLabel('电子邮箱')
    await page.waitForFunction((id) => document.querySelector(`[data-testid=learner-email] input`)?.value === id, `${USER}@example.org`)
    await input.fill('not an address')
    await panel.getByRole('button', { name: '保存电子邮箱' }).click()
    await panel.locator('.el-form-item__error').waitFor()
    await input.fill(`${USER}.new@example.org`)
    await panel.getByRole('button', { name: '保存电子邮箱' }).click()
    await page.getByText('电子邮箱已保存').waitFor()
    await expectAccessible(page, '修改密码与电子邮箱')
    await page.setViewportSize(PHONE)
    await expectNoHorizontalScroll(page, '修改密码与电子邮箱 phone')
    await screenshot(page, 'portal-learner-email-phone')
    await page.setViewportSize(DESKTOP)
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('link', { name: '登录', exact: true }).waitFor()
  })

  step('忘记密码：登录页有入口；存在与不存在的账号得到同样的答复', async () => {
    await page.goto('/login')
    await page.getByRole('link', { name: '忘记密码' }).click()
    await page.waitForURL(/\/forgot-password$/)
    await page.getByRole('button', { name: '发送重置链接' }).click()
    await page.locator('.el-form-item__error').getByText(/用户名或登记的电子邮箱/).waitFor()
    await expectAccessible(page, '忘记密码页')
    const answers = []
    for (const login of [USER, `nobody${RUN}@example.org`]) {
      await page.goto('/forgot-password')
      await page.getByLabel('用户名或电子邮箱').fill(login)
      await page.getByRole('button', { name: '发送重置链接' }).click()
      await page.getByTestId('reset-sent').waitFor()
      answers.push(await page.locator('main, .auth-shell, body').first().innerText())
    }
    assert.equal(answers[0], answers[1])
    await page.setViewportSize(PHONE)
    await expectNoHorizontalScroll(page, '忘记密码 phone')
    await screenshot(page, 'forgot-password-phone')
    await page.setViewportSize(DESKTOP)
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
