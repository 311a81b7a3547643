// 批量工作（issue 17 §3）：审核员在队列中勾选多个资源、以同一条意见批量退回修改；录入员导入元数据后在一个页面
// 一次拖入多个真实的音视频与封面文件，按导入表的「媒体文件名」列或资源名称对应资源，未匹配的文件上传前列出，
// 其余经 tus 逐个上传，总进度与每个文件的状态；手机宽度下不出现横向滚动。
import { after, before, describe } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync } from 'node:fs'
import path from 'node:path'
import { DESKTOP, PHONE, expectAccessible, expectNoHorizontalScroll, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'
import { makeMedia, submittedResource, team } from './fixtures.mjs'

const RUN = String(Date.now()).slice(-6)
const COMMENT = `请补充字幕并统一封面风格（批量${RUN}）`

let browser
let page
let media
let t
const ids = {}
const files = {}

const step = serialSteps('bulk', () => page)
const queueRow = (id) => page.getByTestId('queue-table').locator(`tr[data-id="${id}"]`)

describe('批量工作：批量退回与批量上传媒体', () => {
  before(async () => {
    media = makeMedia()
    t = await team()
    ids.a = await submittedResource(t, media, `批量退回甲${RUN}`)
    ids.b = await submittedResource(t, media, `批量退回乙${RUN}`)
    // 元数据导入：第一行给出媒体文件名，第二行按资源名称对应
    const csv =
      '资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人,媒体文件名,封面文件名\n' +
      `批量媒体一${RUN},A01,老年教育,简介,演示学院,张三,lesson-${RUN}.mp4,\n` +
      `批量媒体二${RUN},A01,老年教育,简介,演示学院,李四,,\n`
    const imported = await t.uploader.request('POST', '/api/v1/resources/import?dry_run=false', csv, { 'Content-Type': 'text/csv; charset=utf-8' })
    assert.equal(imported.status, 200, JSON.stringify(imported.body))
    ;[ids.m1, ids.m2] = imported.body.created_ids
    files.byColumn = path.join(media.dir, `lesson-${RUN}.mp4`)
    files.byTitle = path.join(media.dir, `批量媒体二${RUN}.mp4`)
    files.cover = path.join(media.dir, `批量媒体二${RUN}.jpg`)
    files.stray = path.join(media.dir, `无此资源${RUN}.mp4`)
    copyFileSync(media.video, files.byColumn)
    copyFileSync(media.video, files.byTitle)
    copyFileSync(media.cover, files.cover)
    copyFileSync(media.video, files.stray)
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('省厅审核员勾选两个资源，须填写意见，以同一条意见批量退回修改', async () => {
    await login(page, 'gd_reviewer')
    await page.waitForURL(/\/console/)
    await page.goto('/console/review')
    await queueRow(ids.a).waitFor()
    await queueRow(ids.a).getByRole('checkbox').check()
    await queueRow(ids.b).getByRole('checkbox').check()
    await page.getByTestId('bulk-return-open').click()
    const dialog = page.getByRole('dialog', { name: /批量退回修改（2 个）/ })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: '确认退回' }).click()
    await dialog.getByRole('alert').getByText(/须填写审核意见/).waitFor()
    await dialog.getByLabel('退回意见（必填）').fill(COMMENT)
    await expectAccessible(page, '批量退回对话框')
    await screenshot(page, 'bulk-return-dialog')
    await dialog.getByRole('button', { name: '确认退回' }).click()
    await page.getByText('已退回 2 个资源').waitFor()
    await page.waitForFunction((id) => !document.querySelector(`[data-testid="queue-table"] tr[data-id="${id}"]`), ids.b)
    for (const id of [ids.a, ids.b]) {
      const r = await t.uploader.expect(200, 'GET', `/api/v1/resources/${id}`)
      assert.equal(r.state, 'returned')
      const h = await t.uploader.expect(200, 'GET', `/api/v1/resources/${id}/history`)
      assert.equal(h.items.at(-1).comment, COMMENT)
    }
  })

  step('录入员一次拖入四个文件：三个对应到资源，未匹配的一个上传前列出', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console/)
    await page.goto('/console/import')
    await page.getByRole('link', { name: '批量上传媒体与封面' }).first().click()
    await page.getByRole('heading', { level: 1, name: '批量上传媒体与封面' }).waitFor()
    await page.getByLabel('选择多个音视频或封面文件').setInputFiles([files.byColumn, files.byTitle, files.cover, files.stray])
    const summary = page.getByTestId('bulk-media-summary')
    await summary.getByText('共 4 个文件：可上传 3 个，未匹配或有问题 1 个').waitFor()
    const problems = page.getByTestId('bulk-media-problems')
    await problems.getByText(`无此资源${RUN}.mp4`).waitFor()
    const table = page.getByTestId('bulk-media-table')
    assert.match(await table.locator(`tr[data-file="lesson-${RUN}.mp4"]`).textContent(), new RegExp(`批量媒体一${RUN}.*按文件名列`))
    assert.match(await table.locator(`tr[data-file="批量媒体二${RUN}.jpg"]`).textContent(), /封面/)
    assert.equal(await table.locator(`tr[data-file="无此资源${RUN}.mp4"]`).getAttribute('data-state'), 'skipped')
    await expectAccessible(page, '批量上传媒体（匹配结果）')
    await screenshot(page, 'bulk-media-matched')
  })

  step('开始上传：每个文件经 tus 上传，总进度到 100%，资源得到媒体与封面', async () => {
    await page.getByTestId('bulk-media-start').click()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="bulk-media-table"] tr[data-state="done"]').length === 3,
      undefined,
      { timeout: 60_000 },
    )
    await page.getByTestId('bulk-media-overall').getByText('已完成 3 / 3 个文件').waitFor()
    assert.equal(await page.getByTestId('bulk-media-overall').getByRole('progressbar').getAttribute('aria-valuenow'), '100')
    await screenshot(page, 'bulk-media-done')
    for (const id of [ids.m1, ids.m2]) {
      let m = null
      for (let i = 0; i < 60 && !m; i++) {
        m = (await t.uploader.expect(200, 'GET', `/api/v1/resources/${id}/media`)).media
        if (!m) await new Promise((ok) => setTimeout(ok, 500))
      }
      assert.ok(m, `资源 ${id} 应有媒体`)
    }
    const second = await t.uploader.expect(200, 'GET', `/api/v1/resources/${ids.m2}`)
    assert.ok(second.cover, '第二个资源应有封面')
    const first = await t.uploader.expect(200, 'GET', `/api/v1/resources/${ids.m1}`)
    assert.ok(!first.cover, '第一个资源没有拖入封面')
  })

  step('手机宽度：批量上传页没有横向滚动', async () => {
    await page.setViewportSize(PHONE)
    await page.reload()
    await page.getByRole('heading', { level: 1, name: '批量上传媒体与封面' }).waitFor()
    await page.getByLabel('选择多个音视频或封面文件').setInputFiles([files.stray])
    await page.getByTestId('bulk-media-summary').waitFor()
    await expectNoHorizontalScroll(page, '批量上传媒体（手机）')
    await screenshot(page, 'bulk-media-phone')
  })
})
