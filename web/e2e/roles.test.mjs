// 按角色的导航（issue 19 第 2 项）：每个角色登录后直接到自己的工作页面（录入员 → 资源管理、审核员 → 审核队列并显示
// 待审核数、国家开放大学平台管理员 → 发布批次、审计员 → 审计日志），菜单里只有服务端允许的页面（逐个打开都不报
// 红色错误），页面上只有服务端允许的按钮；直接输入不属于自己的地址会回到自己的落地页。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, apiLogin, expectAccessible, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'

let browser
let page

const step = serialSteps('roles', () => page)
const nav = () => page.getByRole('navigation', { name: '管理后台导航' })

async function signInAs(username) {
  await browser.context.clearCookies()
  await login(page, username)
  await page.waitForURL(/\/console\//)
}

async function navLabels() {
  return (await nav().getByRole('link').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())
}

/** 等页面加载完（没有「正在加载…」） */
async function settled() {
  await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('正在加载'), null, { timeout: 15000 })
}

/** 逐个打开菜单中的页面：每页都有标题，且没有服务端拒绝（403）造成的红色错误 */
async function everyNavPageWorks(who) {
  const labels = await navLabels()
  for (const label of labels) {
    const name = label.replace(/\s*\d+( 条待审核)?$/, '')
    await nav().getByRole('link', { name: new RegExp(`^${name}`) }).click()
    await page.locator('main h1').first().waitFor()
    await settled()
    const errors = await page.locator('main .el-alert--error, main [data-testid="load-error"]').allTextContents()
    assert.deepEqual(errors, [], `${who}「${name}」页面出现错误`)
    assert.equal(await page.getByText(/没有权限|只有.*可以(查看|维护|组织)/).count(), 0, `${who}「${name}」页面显示无权限`)
  }
}

describe('按角色的导航与落地页', () => {
  before(async () => {
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('录入员登录后直接到资源管理；没有审核、发布批次；征集批次只读', async () => {
    await signInAs('gd_uploader')
    assert.equal(new URL(page.url()).pathname, '/console/resources')
    await page.getByRole('heading', { level: 1, name: '资源管理' }).waitFor()
    assert.deepEqual(await navLabels(), ['我的单位', '资源管理', '批量导入', '征集批次', '双因素认证'])
    await everyNavPageWorks('录入员')
    await nav().getByRole('link', { name: '征集批次' }).click()
    await page.getByRole('heading', { level: 1, name: '征集批次' }).waitFor()
    await settled()
    assert.equal(await page.getByRole('button', { name: '新建征集批次' }).count(), 0)
    assert.equal(await page.getByRole('button', { name: /修改截止日期/ }).count(), 0)
    // 直接输入不属于录入员的地址：回到资源管理
    for (const path of ['/console/review', '/console/batches', '/console/stats', '/console/audit']) {
      await page.goto(path)
      await page.waitForURL(/\/console\/resources$/)
    }
    await expectAccessible(page, '录入员资源管理')
    await screenshot(page, 'roles-uploader-home')
  })

  step('省级审核员登录后直接到审核队列，菜单显示待审核数量', async () => {
    const api = await apiLogin('gd_reviewer')
    const q = await api.expect(200, 'GET', '/api/v1/reviews/queue')
    const waiting = q.items.filter((i) => i.state === 'first_review' || i.state === 'final_review').length
    await signInAs('gd_reviewer')
    assert.equal(new URL(page.url()).pathname, '/console/review')
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    const count = nav().getByTestId('queue-count')
    await count.waitFor()
    assert.equal((await count.textContent()).replace(/\D/g, ''), String(waiting))
    // 链接的可访问名称里带数量
    await nav().getByRole('link', { name: new RegExp(`审核队列\\s*${waiting} 条待审核`) }).waitFor()
    assert.deepEqual((await navLabels()).map((l) => l.replace(/\s*\d+ 条待审核$/, '')), ['我的单位', '审核队列', '征集批次', '双因素认证'])
    await everyNavPageWorks('省级审核员')
    await page.goto('/console/import')
    await page.waitForURL(/\/console\/review$/)
    await nav().getByRole('link', { name: '我的单位' }).click()
    await page.getByRole('heading', { level: 1, name: '广东省教育厅' }).waitFor()
    assert.equal(await page.getByTestId('users-table').count(), 0)
    await expectAccessible(page, '审核员我的单位')
  })

  step('国家开放大学审核员（终审）：审核队列，菜单中还有发布批次', async () => {
    await signInAs('nou_reviewer')
    assert.equal(new URL(page.url()).pathname, '/console/review')
    assert.ok((await navLabels()).some((l) => l === '发布批次'))
    await everyNavPageWorks('终审审核员')
  })

  step('国家开放大学平台管理员登录后直接到发布批次；资源只读，可以新建征集批次', async () => {
    await signInAs('nou_admin')
    assert.equal(new URL(page.url()).pathname, '/console/batches')
    await page.getByRole('heading', { level: 1, name: '发布批次' }).waitFor()
    const labels = (await navLabels()).map((l) => l.replace(/\s*\d+ 条待审核$/, ''))
    assert.ok(!labels.includes('批量导入'), '平台管理员不能录入资源')
    await everyNavPageWorks('平台管理员')
    await nav().getByRole('link', { name: '资源管理' }).click()
    await page.getByRole('heading', { level: 1, name: '资源管理' }).waitFor()
    assert.equal(await page.getByRole('link', { name: '新建资源' }).count(), 0)
    await nav().getByRole('link', { name: '征集批次' }).click()
    await page.getByRole('button', { name: '新建征集批次' }).waitFor()
    await page.goto('/console/resources/new')
    await page.waitForURL(/\/console\/batches$/)
  })

  step('审计员登录后直接到审计日志', async () => {
    await signInAs('nou_auditor')
    assert.equal(new URL(page.url()).pathname, '/console/audit')
    await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor()
    await everyNavPageWorks('审计员')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
