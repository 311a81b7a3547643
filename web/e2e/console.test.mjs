import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DESKTOP,
  PHONE,
  expectAccessible,
  expectNoHorizontalScroll,
  launch,
  login,
  newPage,
  screenshot,
  setLargeText,
  serialSteps,
} from './helpers.mjs'

const RUN = String(Date.now()).slice(-6)

/** 定位某个表单项（按标签文字）下方显示的错误提示 */
function fieldError(scope, label) {
  // filter({ has }) 需要从页面根开始的定位器
  const root = typeof scope.page === 'function' ? scope.page() : scope
  return scope
    .locator('.el-form-item')
    .filter({ has: root.locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
    .locator('.el-form-item__error')
}

let browser
let page

const step = serialSteps('console', () => page)

describe('登录与管理后台', () => {
  before(async () => {
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('登录页通过 axe（桌面与手机）', async () => {
    await page.goto('/login')
    await page.getByRole('heading', { name: '登录' }).waitFor()
    await expectAccessible(page, '登录页 desktop')
    await screenshot(page, 'login-desktop')
    await page.setViewportSize(PHONE)
    await expectNoHorizontalScroll(page, '登录页 phone')
    await expectAccessible(page, '登录页 phone')
    await screenshot(page, 'login-phone')
    await page.setViewportSize(DESKTOP)
  })

  step('密码错误时显示「用户名或密码错误」', async () => {
    await login(page, 'gd_admin', 'Wrong@Pass1')
    await page.getByRole('alert').getByText('用户名或密码错误').waitFor()
    assert.match(new URL(page.url()).pathname, /^\/login/)
    // 绝不显示原始 JSON
    assert.equal(await page.getByText('"error"').count(), 0)
  })

  step('未登录访问管理后台会跳到登录页并保留返回路径', async () => {
    await page.goto('/console/stats')
    await page.waitForURL(/\/login\?/)
    assert.equal(new URL(page.url()).searchParams.get('redirect'), '/console/stats')
  })

  step('gd_admin 登录后看到广东省教育厅与角色', async () => {
    await login(page, 'gd_admin')
    await page.waitForURL(/\/console\/org$/)
    await page.getByRole('heading', { level: 1, name: '广东省教育厅' }).waitFor()
    assert.equal(await page.getByTestId('current-unit').textContent(), '广东省教育厅')
    assert.equal((await page.getByTestId('current-role').textContent()).trim(), '单位管理员')
    // 单位管理员的菜单项：审核队列、发布批次、安全策略、审计日志不属于单位管理员
    const nav = page.getByRole('navigation', { name: '管理后台导航' })
    const labels = (await nav.getByRole('link').allTextContents()).map((t) => t.trim())
    assert.deepEqual(labels, ['我的单位', '资源管理', '批量导入', '征集批次', '使用评价', '统计', '双因素认证'])
    // 宽限期内：提示须启用双因素认证并显示剩余时间
    await page.getByTestId('grace-note').getByText(/宽限期还剩/).waitFor()
    await page.getByTestId('children-table').getByText('岭南示范职业技术学院（演示）').waitFor()
    await expectAccessible(page, '管理后台 我的单位 desktop')
    await screenshot(page, 'console-org-desktop')
  })

  step('开设下级单位（省属院校），新单位出现在表格中并可打开', async () => {
    const name = `E2E测试职业学院${RUN}`
    await page.getByRole('button', { name: '开设下级单位' }).click()
    const dlg = page.getByRole('dialog', { name: '开设下级单位' })
    await dlg.waitFor()
    // 只能开设「省属院校」：默认已选中
    await dlg.getByText('省属院校').first().waitFor()
    await expectAccessible(page, '开设下级单位对话框')
    await dlg.getByLabel('单位名称').fill('某')
    await dlg.getByRole('button', { name: '确定开设' }).click()
    await fieldError(dlg, '单位名称').getByText('单位名称至少 2 个字').waitFor()
    await dlg.getByLabel('单位名称').fill(name)
    await dlg.getByRole('button', { name: '确定开设' }).click()
    await dlg.waitFor({ state: 'hidden' })
    const link = page.getByTestId('children-table').getByRole('link', { name })
    await link.waitFor()
    await link.click()
    await page.getByRole('heading', { level: 1, name }).waitFor()
    const crumbs = page.getByRole('navigation', { name: '单位层级' })
    await crumbs.getByRole('link', { name: '广东省教育厅' }).waitFor()
    // 国家开放大学对 gd_admin 不可见：面包屑到广东省教育厅为止
    assert.equal(await crumbs.getByText('国家开放大学').count(), 0)
    // 新单位尚无负责人：管理员直接看到填写表单
    await page.getByRole('button', { name: '保存负责人' }).waitFor()
    await screenshot(page, 'console-child-org-desktop')
    await crumbs.getByRole('link', { name: '广东省教育厅' }).click()
    await page.getByRole('heading', { level: 1, name: '广东省教育厅' }).waitFor()
  })

  step('负责人表单：手机号码错误时在字段下显示中文提示，改正后保存成功', async () => {
    await page.getByRole('button', { name: /修改负责人|填写负责人/ }).click()
    const form = page.locator('.contact-form')
    await form.getByLabel('负责人姓名').fill('张晓明')
    await form.getByLabel('职务').fill('处长')
    await form.getByLabel('办公电话（座机）').fill('020-37628888')
    await form.getByLabel('手机号码').fill('2380000')
    await form.getByLabel('电子邮箱').fill('zhangxm@example.org')
    await form.getByRole('button', { name: '保存负责人' }).click()
    const err = fieldError(form, '手机号码')
    await err.getByText('手机号码应为以 1 开头的 11 位数字').waitFor()
    assert.equal(await fieldError(form, '电子邮箱').count(), 0)
    await expectAccessible(page, '负责人表单（含错误提示）')
    await screenshot(page, 'console-contact-error-desktop')
    await form.getByLabel('手机号码').fill('13812345678')
    await form.getByRole('button', { name: '保存负责人' }).click()
    await page.getByText('负责人信息已保存').waitFor()
    await form.waitFor({ state: 'hidden' })
    await page.getByText('13812345678').waitFor()
    await page.getByText('张晓明').waitFor()
  })

  step('下载登记表（xlsx）', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载登记表' }).click(),
    ])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const stream = await download.createReadStream()
    const chunks = []
    for await (const c of stream) chunks.push(c)
    const buf = Buffer.concat(chunks)
    assert.equal(buf.subarray(0, 2).toString(), 'PK', 'xlsx 应是 zip 文件')
  })

  step('开设账号：无效用户名在「用户名」下提示，改正后开设成功并显示一次性激活链接', async () => {
    const username = `e2e_up${RUN}`
    await page.getByRole('button', { name: '开设账号' }).click()
    const dlg = page.getByRole('dialog', { name: '开设账号' })
    await dlg.waitFor()
    await dlg.getByLabel('用户名').fill('1bad name')
    await dlg.getByLabel('姓名').fill('测试录入员')
    await dlg.getByRole('radio', { name: '录入员' }).check()
    await dlg.getByRole('button', { name: '确定开设' }).click()
    await fieldError(dlg, '用户名').getByText(/用户名/).waitFor()
    await expectAccessible(page, '开设账号对话框（含错误提示）')
    await screenshot(page, 'console-user-dialog-error-desktop', { fullPage: false })
    await dlg.getByLabel('用户名').fill(username)
    await dlg.getByRole('button', { name: '确定开设' }).click()
    await dlg.waitFor({ state: 'hidden' })
    const cred = page.getByTestId('credential-dialog')
    await cred.getByTestId('activation-link').waitFor()
    await cred.getByRole('button', { name: '我已转交，关闭' }).click()
    const row = page.getByTestId('users-table').getByRole('row').filter({ hasText: username })
    await row.waitFor()
    assert.match(await row.textContent(), /录入员/)
  })

  step('管理后台在手机宽度与大字模式下可用并通过 axe', async () => {
    await page.setViewportSize(PHONE)
    await setLargeText(page, true)
    await page.getByRole('heading', { level: 1, name: '广东省教育厅' }).waitFor()
    await expectNoHorizontalScroll(page, '管理后台 phone large')
    await expectAccessible(page, '管理后台 phone large')
    await screenshot(page, 'console-org-phone-large')
    await setLargeText(page, false)
    await page.setViewportSize(DESKTOP)
  })

  step('统计页面：ECharts 图表在 canvas 上绘制，通过 axe', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '统计', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '统计' }).waitFor()
    const chart = page.getByTestId('chart').first()
    await chart.locator('canvas').waitFor()
    const size = await chart.locator('canvas').first().evaluate((c) => ({ w: c.width, h: c.height }))
    assert.ok(size.w > 100 && size.h > 100, `canvas 尺寸 ${size.w}×${size.h}`)
    await page.getByTestId('sub-total').getByText(/共 \d+ 个资源/).waitFor()
    await expectAccessible(page, '统计页面')
    await screenshot(page, 'console-stats-desktop')
  })

  step('退出登录后回到首页，再访问后台需要重新登录', async () => {
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL((u) => u.pathname === '/')
    await page.getByRole('link', { name: '登录', exact: true }).waitFor()
    await page.goto('/console')
    await page.waitForURL(/\/login/)
  })

  step('录入员只读：看不到管理操作，也看不到用不上的账号与下级单位面板', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console\/resources$/)
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '我的单位', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '岭南示范职业技术学院（演示）' }).waitFor()
    assert.equal((await page.getByTestId('current-role').textContent()).trim(), '录入员')
    assert.equal(await page.getByTestId('users-table').count(), 0)
    assert.equal(await page.getByTestId('children-table').count(), 0)
    assert.equal(await page.getByText('只有本单位或上级单位的管理员可以管理该单位').count(), 0)
    assert.equal(await page.getByRole('button', { name: '开设账号' }).count(), 0)
    assert.equal(await page.getByRole('button', { name: '开设下级单位' }).count(), 0)
    assert.equal(await page.getByRole('button', { name: /修改负责人|填写负责人/ }).count(), 0)
    // 上级单位（广东省教育厅）对录入员不可见
    assert.equal(await page.getByRole('navigation', { name: '单位层级' }).getByRole('link').count(), 0)
    await expectAccessible(page, '录入员视图')
    await screenshot(page, 'console-uploader-desktop')
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL((u) => u.pathname === '/')
  })

  step('学习者注册：弱密码显示字段错误，注册成功后自动登录', async () => {
    const username = `learner${RUN}`
    await page.goto('/register')
    await page.getByRole('heading', { name: '学习者注册' }).waitFor()
    await expectAccessible(page, '注册页')
    await page.getByLabel('用户名').fill(username)
    await page.getByLabel('密码', { exact: true }).fill('short')
    await page.getByLabel('确认密码').fill('short')
    await page.getByRole('button', { name: '注册' }).click()
    await fieldError(page, '密码').getByText('密码长度至少 8 位').waitFor()
    await page.getByLabel('密码', { exact: true }).fill('Learn@2024x')
    await page.getByLabel('确认密码').fill('Learn@2024x')
    await page.getByRole('button', { name: '注册' }).click()
    await page.locator('.consent .el-form-item__error').getByText(/请阅读并勾选同意/).waitFor()
    await page.getByTestId('privacy-consent').click()
    await page.getByRole('button', { name: '注册' }).click()
    await page.waitForURL((u) => u.pathname === '/')
    await page.getByText(username).waitFor()
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.getByRole('link', { name: '登录', exact: true }).waitFor()
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
