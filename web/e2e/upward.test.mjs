// What goes upward (issue 17 §4): the stamped 登记表 scan uploaded on the unit page and seen by
// the province; the units without a registered 负责人 on the statistics page (list + Excel); the
// resource export restricted to one campaign.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DESKTOP,
  PHONE,
  apiLogin,
  expectAccessible,
  expectNoHorizontalScroll,
  launch,
  login,
  newPage,
  screenshot,
  serialSteps,
} from './helpers.mjs'

/** A small complete PDF (xref offset inside the file, %%EOF at the end). */
function pdfBytes(text) {
  const head = `%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Title (${text}) >>\nendobj\n`
  return Buffer.from(`${head}xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n${head.length}\n%%EOF\n`)
}

async function downloaded(download) {
  const chunks = []
  for await (const c of await download.createReadStream()) chunks.push(c)
  return Buffer.concat(chunks)
}

let browser
let page
const step = serialSteps('upward', () => page)

describe('上报材料：登记表扫描件、未登记负责人的单位、按征集批次导出', () => {
  before(async () => {
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  step('录入员在「我的单位」上传登记表：不是 PDF 的文件被拒绝并说明原因，PDF 上传后可下载', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console\/resources$/)
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '我的单位', exact: true }).click()
    const panel = page.getByTestId('registration-form')
    await panel.getByRole('heading', { name: '登记表（盖章扫描件）' }).waitFor()
    const input = panel.locator('input[type=file]')
    await input.setInputFiles({ name: '登记表.pdf', mimeType: 'application/pdf', buffer: Buffer.from('这不是 PDF 文件') })
    await panel.getByRole('alert').getByText(/不是 PDF/).waitFor()
    await input.setInputFiles({ name: '岭南学院登记表（盖章）.pdf', mimeType: 'application/pdf', buffer: pdfBytes('stamped') })
    const current = panel.getByTestId('regform-current')
    await current.getByText('岭南学院登记表（盖章）.pdf').waitFor()
    assert.equal(await panel.getByText(/不是 PDF/).count(), 0, '成功上传后不再显示先前的错误')
    const [download] = await Promise.all([page.waitForEvent('download'), current.getByRole('button', { name: '下载' }).click()])
    assert.equal(download.suggestedFilename(), '岭南学院登记表（盖章）.pdf')
    assert.equal((await downloaded(download)).subarray(0, 5).toString(), '%PDF-')
    await expectAccessible(page, '登记表面板（录入员）')
    await screenshot(page, 'console-regform-uploader')
    await page.setViewportSize(PHONE)
    await expectNoHorizontalScroll(page, '登记表面板 phone')
    await page.setViewportSize(DESKTOP)
    // A second upload becomes the current one; the first stays in the history.
    await input.setInputFiles({ name: '第二版.pdf', mimeType: 'application/pdf', buffer: pdfBytes('second') })
    await current.getByText('第二版.pdf').waitFor()
    await panel.getByText(/历史上传（\d+ 份）/).waitFor()
    await page.getByRole('button', { name: '退出登录' }).click()
    await page.waitForURL((u) => u.pathname === '/')
  })

  step('省级管理员看到下级单位的上传情况并能下载', async () => {
    await login(page, 'gd_admin')
    await page.waitForURL(/\/console\/org$/)
    const table = page.getByTestId('regform-children')
    const row = table.getByRole('row').filter({ hasText: '岭南示范职业技术学院（演示）' })
    await row.getByText('已上传：第二版.pdf').waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: /下载/ }).click()])
    assert.equal((await downloaded(download)).subarray(0, 5).toString(), '%PDF-')
    await page.getByTestId('registration-form').getByText(/已上传 \d+ \/ \d+/).waitFor()
    // the download button is back from its loading (disabled-looking) state
    await page.waitForFunction(() => !document.querySelector('[data-testid=registration-form] .is-loading'))
    await expectAccessible(page, '登记表面板（省级管理员）')
    await screenshot(page, 'console-regform-province')
  })

  step('另一省的管理员打开该学院的单位页：看不到（404）', async () => {
    const bj = await apiLogin('bj_admin')
    const gd = await apiLogin('gd_admin')
    const kids = await gd.expect(200, 'GET', `/api/v1/orgs/${gd.user.org_id}/registration-forms`)
    const college = kids.items.find((r) => r.org.name === '岭南示范职业技术学院（演示）')
    assert.ok(college?.form, JSON.stringify(kids))
    assert.equal((await bj.get(`/api/v1/orgs/${college.org.id}/registration-form`)).status, 404)
    assert.equal((await bj.get(college.form.url)).status, 404)
  })

  step('统计页：未登记负责人的单位（列表与 Excel）', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '统计', exact: true }).click()
    const panel = page.getByTestId('missing-contacts')
    await panel.getByRole('heading', { name: '未登记负责人的单位' }).waitFor()
    await panel.getByText(/联系人报送截止|未设联系人报送截止时间|尚无征集批次/).first().waitFor()
    const gd = await apiLogin('gd_admin')
    const expected = await gd.expect(200, 'GET', '/api/v1/stats/missing-contacts')
    const rows = panel.getByTestId('missing-contacts-table').locator('tbody tr')
    if (expected.items.length) {
      await rows.filter({ hasText: expected.items[0].org.name }).waitFor()
    } else {
      await panel.getByText('下级单位都已登记负责人').waitFor()
    }
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByTestId('missing-contacts-xlsx').click()])
    assert.match(download.suggestedFilename(), /未登记负责人单位\.xlsx$/)
    assert.equal((await downloaded(download)).subarray(0, 2).toString(), 'PK')
    await expectAccessible(page, '未登记负责人的单位')
    await screenshot(page, 'console-missing-contacts')
  })

  step('资源管理：导出时可选征集批次，下载的文件按所选批次', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '资源管理', exact: true }).click()
    const select = page.getByTestId('export-campaign')
    await select.waitFor()
    const options = await select.locator('option').allTextContents()
    assert.ok(options.length >= 2, `征集批次选项：${options}`)
    const value = await select.locator('option').nth(1).getAttribute('value')
    await select.selectOption(value)
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/resources/export.xlsx')),
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ])
    assert.equal(new URL(request.url()).searchParams.get('campaign_id'), value)
    await page.setViewportSize(PHONE)
    await expectNoHorizontalScroll(page, '资源管理 phone（导出批次）')
    await page.setViewportSize(DESKTOP)
    await screenshot(page, 'console-export-campaign')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
