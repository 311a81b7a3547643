// 审核员（issue 19 第 5 项）：「通过并审核下一条」、每次做出结论后回到队列；认领有说明；1280 像素宽时队列的
// 「可执行操作」与检测报告的「结论」不被截掉；使用评价审核页显示资源名称；后台页面没有 region / landmark-unique
// 问题（axe 最佳实践规则）。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import AxeBuilderModule from '@axe-core/playwright'
import { DESKTOP, apiLogin, expectAccessible, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'
import { makeMedia, publishedResource, submittedResource, team } from './fixtures.mjs'

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule
const RUN = String(Date.now()).slice(-6)
const TITLES = [`审核测试甲${RUN}`, `审核测试乙${RUN}`]
const RATED = `评价测试讲座${RUN}`

let browser
let page
let media
let ids = []
let ratedId

const step = serialSteps('reviewer', () => page)

/** 区域内的表格没有被截掉：不需要横向滚动就能看到最后一列 */
async function fitsWithoutScrolling(region, label) {
  const { sw, cw } = await region.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }))
  assert.ok(sw <= cw + 1, `${label}：表格宽 ${sw}px，可见 ${cw}px，最后一列被截掉`)
}

async function expectLandmarksClean(label) {
  const r = await new AxeBuilder({ page }).withRules(['region', 'landmark-unique']).analyze()
  const found = r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)
  assert.deepEqual(found, [], `${label} 的 axe 地标问题`)
}

describe('审核员：连续审核、队列与报告的布局、评价审核', () => {
  before(async () => {
    media = makeMedia()
    const t = await team()
    for (const title of TITLES) ids.push(await submittedResource(t, media, title, { keywords: ['审核测试', '较长的关键词用于撑开表格'] }))
    ratedId = await publishedResource(t, media, RATED)
    const learner = await apiLogin('demo_learner')
    await learner.expect(201, 'POST', `/api/v1/portal/resources/${ratedId}/ratings`, { score: 4, comment: `适合老年人（${RUN}）` })
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('1280 像素宽：队列的「可执行操作」完整可见；页面说明什么是认领', async () => {
    await login(page, 'gd_reviewer')
    await page.waitForURL(/\/console/)
    await page.goto('/console/review')
    const table = page.getByTestId('queue-table')
    await table.locator(`tr[data-id="${ids[0]}"]`).waitFor()
    await fitsWithoutScrolling(page.getByTestId('queue-table').locator('xpath=..'), '审核队列')
    await page.getByTestId('claim-help').getByText(/认领/).waitFor()
    assert.match(await page.getByTestId('claim-help').textContent(), /其他审核员不能再处理/)
    await expectLandmarksClean('审核队列')
    await screenshot(page, 'reviewer-queue-1280', { fullPage: false })
  })

  step('审核页：检测报告的「结论」完整可见；「通过并审核下一条」打开队列中的下一条', async () => {
    const queue = await (await apiLogin('gd_reviewer')).expect(200, 'GET', '/api/v1/reviews/queue')
    const approvable = queue.items.filter((i) => i.allowed_actions.some((a) => a.action === 'approve'))
    const at = queue.items.findIndex((i) => i.id === ids[0])
    const expected = approvable.find((i) => i.id !== ids[0] && queue.items.indexOf(i) > at) ?? approvable.find((i) => i.id !== ids[0])
    await page.getByTestId('queue-table').locator(`tr[data-id="${ids[0]}"]`).getByRole('link').click()
    await page.getByRole('heading', { level: 1, name: TITLES[0] }).waitFor()
    await page.getByTestId('media-report').waitFor()
    await fitsWithoutScrolling(page.getByTestId('media-report').locator('xpath=..'), '检测报告')
    const verdict = await page.getByTestId('media-report').locator('tbody tr').first().locator('td').last().boundingBox()
    assert.ok(verdict.x + verdict.width <= DESKTOP.width, '「结论」一列在屏幕之外')
    await expectLandmarksClean('审核页')
    await expectAccessible(page, '审核页')
    const actions = page.getByTestId('review-actions')
    for (const label of ['意识形态与政治导向', '版权与知识产权', '涉密与敏感信息', '科学性与规范性']) {
      await actions.locator('label.el-checkbox').filter({ hasText: label }).click()
    }
    await actions.getByTestId('approve-next').click()
    await page.waitForURL(new RegExp(`/console/review/${expected.id}$`))
    await page.getByRole('heading', { level: 1, name: expected.title }).waitFor()
    await screenshot(page, 'reviewer-next', { fullPage: false })
  })

  step('退回修改后回到审核队列', async () => {
    await page.goto(`/console/review/${ids[1]}`)
    await page.getByRole('heading', { level: 1, name: TITLES[1] }).waitFor()
    const actions = page.getByTestId('review-actions')
    await actions.getByLabel(/审核意见/).fill('请补充字幕')
    await actions.getByRole('button', { name: '退回修改' }).click()
    await page.waitForURL(/\/console\/review$/)
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    assert.equal(await page.getByTestId('queue-table').locator(`tr[data-id="${ids[1]}"]`).count(), 0)
  })

  step('使用评价审核页显示资源名称而不是编号', async () => {
    await browser.context.clearCookies()
    await login(page, 'nou_admin')
    await page.waitForURL(/\/console/)
    await page.goto('/console/ratings')
    const rowEl = page.getByTestId('pending-ratings').locator('tbody tr').filter({ hasText: `适合老年人（${RUN}）` })
    await rowEl.getByRole('link', { name: RATED }).waitFor()
    assert.equal(await rowEl.getByText(`资源 ${ratedId}`, { exact: true }).count(), 0)
    await expectLandmarksClean('使用评价审核')
    await screenshot(page, 'reviewer-ratings-title')
  })

  step('其它后台页面也没有 region / landmark-unique 问题', async () => {
    for (const path of ['/console/batches', '/console/stats', '/console/resources', '/console/campaigns', '/console/org']) {
      await page.goto(path)
      await page.locator('main h1').first().waitFor()
      await page.waitForFunction(() => !document.querySelector('main')?.textContent?.includes('正在加载'))
      await expectLandmarksClean(path)
    }
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
