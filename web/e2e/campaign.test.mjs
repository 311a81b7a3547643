// 征集的截止时间模型与审核员的一天（issue 17 第 2、6 项）：征集时间带时刻并检查先后顺序；省级教育行政部门为
// 下属单位设定更早的内部截止时间；资源显示所属征集，提交面板说明将提交到哪个征集；初审退回的资源显示须在
// 初审截止前重新提交；国家开放大学的审核队列显示省份，1280 像素宽时队列与检测报告不被截掉，审核页按层级显示
// 资源目录；未发布的批次可以修改资源、删除；统计可查看未关联征集的资源。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, apiLogin, expectAccessible, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'
import { createResource, makeMedia, review, submittedResource, team, uploadCover, uploadMedia } from './fixtures.mjs'

const RUN = String(Date.now()).slice(-6)
const TOC = '<目录><章 标题="第一讲 起势与调息"><节 标题="两手托天理三焦"/></章><章 标题="第二讲 收势"/></目录>'
const TITLES = { returned: `退回重交${RUN}`, toc: `目录树${RUN}`, draft: `未提交草稿${RUN}`, batch: `批次修改${RUN}` }

let browser
let page
let media
let t
const ids = {}
let campaign
let gdOrg

const step = serialSteps('campaign', () => page)

/** 区域内的表格没有被截掉：不需要横向滚动就能看到最后一列 */
async function fitsWithoutScrolling(region, label) {
  const { sw, cw } = await region.evaluate((el) => ({ sw: el.scrollWidth, cw: el.clientWidth }))
  assert.ok(sw <= cw + 1, `${label}：表格宽 ${sw}px，可见 ${cw}px，有一列被截掉`)
}

async function switchUser(username) {
  await browser.context.clearCookies()
  await login(page, username)
  await page.waitForURL(/\/console/)
}

describe('征集截止时间与审核员的一天', () => {
  before(async () => {
    media = makeMedia()
    t = await team()
    const list = await t.uploader.expect(200, 'GET', '/api/v1/campaigns')
    campaign = list.items.find((c) => c.open)
    assert.ok(campaign, '演示数据应有一个正在征集的批次')
    gdOrg = (await apiLogin('gd_admin')).user.org_id
    ids.returned = await submittedResource(t, media, TITLES.returned)
    await review(t.first, ids.returned, 'return', `请补充字幕（${RUN}）`)
    const r = await createResource(t.uploader, TITLES.toc, { toc: TOC })
    await uploadCover(t.uploader, r.id, media.cover)
    await uploadMedia(t.uploader, r.id, media.video)
    const cur = await t.uploader.expect(200, 'GET', `/api/v1/resources/${r.id}`)
    await t.uploader.expect(200, 'POST', `/api/v1/resources/${r.id}/submit`, { attestation: true, version: cur.version })
    await review(t.first, r.id, 'approve', '初审通过')
    ids.toc = r.id
    ids.draft = (await createResource(t.uploader, TITLES.draft)).id
    ids.batch = await submittedResource(t, media, TITLES.batch)
    await review(t.first, ids.batch, 'approve', '初审通过')
    await review(t.final, ids.batch, 'approve', '终审通过')
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    // 不留下会影响其他测试的内部截止时间
    await (await apiLogin('gd_admin')).request('PUT', `/api/v1/campaigns/${campaign.id}/unit-deadlines/${gdOrg}`, { submission_deadline: '' })
    await browser?.close()
    media?.cleanup()
  })

  step('平台管理员：征集时间可带时刻（北京时间），顺序不对时指出是哪一项', async () => {
    await switchUser('nou_admin')
    await page.goto('/console/campaigns')
    await page.getByRole('button', { name: '新建征集批次' }).click()
    const dlg = page.getByRole('dialog', { name: '新建征集批次' })
    await dlg.getByLabel('名称').fill(`端到端征集${RUN}`)
    await dlg.getByLabel('征集开始').fill('2099-04-20 09:00')
    await dlg.getByLabel('资源提交截止').fill('2099-05-09 12:00')
    await dlg.getByLabel('初审截止').fill('2099-05-09 11:00')
    await dlg.getByRole('button', { name: '保存' }).click()
    await dlg.getByText('初审截止时间不能早于资源提交截止时间 2099-05-09 12:00').first().waitFor()
    await dlg.getByLabel('初审截止').fill('2099-05-22')
    await dlg.getByRole('button', { name: '保存' }).click()
    await page.getByText('征集批次已创建').waitFor()
    const row = page.getByTestId('campaigns-table').locator('tr').filter({ hasText: `端到端征集${RUN}` })
    await row.getByText('2099-05-09 12:00').waitFor()
    await row.getByText('未在征集').waitFor()
    await expectAccessible(page, '征集批次')
    await screenshot(page, 'campaign-times')
  })

  step('省级教育行政部门：为下属单位设定内部截止时间，不能晚于征集截止', async () => {
    await switchUser('gd_admin')
    await page.goto('/console/campaigns')
    const row = page.getByTestId('campaigns-table').locator(`tr[data-id="${campaign.id}"]`)
    await row.getByTestId('set-unit-deadline').click()
    const dlg = page.getByRole('dialog', { name: /本单位内部提交截止时间/ })
    await dlg.getByLabel('内部截止时间').fill('2099-12-31 12:00')
    await dlg.getByRole('button', { name: '保存' }).click()
    await dlg.getByText(/不能晚于征集的资源提交截止时间/).first().waitFor()
    await dlg.getByLabel('内部截止时间').fill(campaign.submission_deadline)
    await dlg.getByRole('button', { name: '保存' }).click()
    await page.getByText('本单位内部截止时间已保存').waitFor()
    await row.getByTestId('unit-deadline').getByText(`广东省教育厅内部截止：${campaign.submission_deadline}`).waitFor()
  })

  step('录入员：资源显示所属征集；被初审退回的资源列表有标记，编辑页说明须在初审截止前重新提交', async () => {
    await switchUser('gd_uploader')
    await page.goto(`/console/resources/${ids.draft}`)
    await page.getByTestId('resource-campaign').getByText('未关联（提交时确定）').waitFor()
    await page.getByTestId('submit-campaign-info').getByText(`将提交到「${campaign.name}」`).waitFor()
    await page.goto('/console/resources?q=' + encodeURIComponent(TITLES.returned))
    const tr = page.getByTestId('resources-table').locator(`tr[data-id="${ids.returned}"]`)
    await tr.getByTestId('feedback-mark').getByText(`「请补充字幕（${RUN}）」`).waitFor()
    await tr.getByRole('link', { name: /已退回，查看审核意见/ }).click()
    await page.getByTestId('feedback-comment').getByText(`请补充字幕（${RUN}）`).waitFor()
    await page.getByTestId('resource-campaign').getByText(campaign.name).waitFor()
    const info = page.getByTestId('submit-campaign-info')
    await info.getByText(`退回修改的资源须在初审截止时间 ${campaign.first_review_deadline}（北京时间）前重新提交`).waitFor()
    await screenshot(page, 'campaign-returned-edit')
  })

  step('国家开放大学审核员：1280 像素宽的队列显示省份、不被截掉；审核页按层级显示目录，检测报告不被截掉', async () => {
    await switchUser('nou_reviewer')
    await page.goto('/console/review')
    const row = page.getByTestId('queue-table').locator(`tr[data-id="${ids.toc}"]`)
    await row.getByTestId('queue-province').getByText('广东省教育厅').waitFor()
    await fitsWithoutScrolling(page.getByTestId('queue-table').locator('xpath=..'), '审核队列')
    await screenshot(page, 'campaign-nou-queue-1280', { fullPage: false })
    await row.getByRole('link', { name: TITLES.toc }).click()
    await page.getByRole('heading', { level: 1, name: TITLES.toc }).waitFor()
    const toc = page.getByTestId('review-toc')
    await toc.locator('li li').getByText('两手托天理三焦').waitFor()
    assert.equal(await toc.locator(':scope > ul > li').count(), 2, '目录有两章')
    await page.getByTestId('media-report').waitFor()
    await fitsWithoutScrolling(page.getByTestId('media-report').locator('xpath=..'), '检测报告')
    const cells = page.getByTestId('media-report').locator('tr').first().locator('th, td')
    const last = await cells.last().boundingBox()
    assert.ok(last.x + last.width <= DESKTOP.width, '检测报告最后一列在屏幕之外')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    assert.ok(overflow <= 1, `审核页出现横向滚动（${overflow}px）`)
    await expectAccessible(page, '审核页（目录树）')
    await screenshot(page, 'campaign-review-toc-1280', { fullPage: false })
  })

  step('未发布的批次可以修改资源、删除；第 N 批在发布时编号', async () => {
    await switchUser('nou_admin')
    await page.goto('/console/batches')
    await page.getByTestId('approved-table').getByRole('checkbox', { name: `选择 ${TITLES.batch}` }).check()
    await page.getByLabel(/批次名称/).fill(`待删批次${RUN}`)
    await page.getByRole('button', { name: /^组建发布批次/ }).click()
    const row = page.getByTestId('batches-table').locator('tr').filter({ hasText: `待删批次${RUN}` })
    await row.getByText('待发布').waitFor()
    await row.getByRole('button', { name: /^修改资源/ }).click()
    const dlg = page.getByRole('dialog', { name: /^修改资源/ })
    await dlg.getByTestId('batch-items').getByText(TITLES.batch).waitFor()
    await dlg.getByRole('checkbox').first().uncheck()
    await dlg.getByRole('button', { name: '保存' }).click()
    await dlg.getByText(/至少要有一个资源/).first().waitFor()
    await dlg.getByRole('button', { name: /关闭|Close|取消/ }).first().click()
    await row.getByRole('button', { name: /^删除/ }).click()
    await page.getByRole('dialog', { name: '删除批次' }).getByRole('button', { name: '删除', exact: true }).click()
    await page.getByText('批次已删除').waitFor()
    await row.waitFor({ state: 'detached' })
    await page.getByTestId('approved-table').getByText(TITLES.batch).waitFor()
  })

  step('统计：可以查看未关联征集的资源（草稿等），不再显示「共 0 个资源」', async () => {
    await page.goto('/console/stats')
    await page.getByLabel('征集批次').selectOption({ label: '未关联征集（草稿等尚未提交的资源）' })
    await page.getByTestId('sub-total').getByText(/未关联征集的资源共 [1-9]\d* 个/).waitFor()
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
