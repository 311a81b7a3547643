// 录入员（issue 19 第 4 项）：资源列表标出被退回的资源并显示技术检测是否通过；编辑页显示审核员的退回意见与审核记录；
// 因媒体未通过检测而被拒绝的提交直接链接到检测报告；检测判定无法读取的文件不能预览；点击量、学习人数不能手填。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { DESKTOP, expectAccessible, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'
import { createResource, makeMedia, review, submittedResource, team, uploadCover, uploadMedia } from './fixtures.mjs'

const RUN = String(Date.now()).slice(-6)
const RETURNED = `被退回的讲座${RUN}`
const BROKEN = `文件损坏的讲座${RUN}`
const COMMENT = `请补充字幕，并把简介改为面向老年人的表述（${RUN}）`

let browser
let page
let media
const ids = {}

const step = serialSteps('uploader', () => page)
const row = (id) => page.getByTestId('resources-table').locator(`tr[data-id="${id}"]`)

describe('录入员：审核意见、技术检测与提交', () => {
  before(async () => {
    media = makeMedia()
    const t = await team()
    ids.returned = await submittedResource(t, media, RETURNED)
    await review(t.first, ids.returned, 'return', COMMENT)
    const broken = await createResource(t.uploader, BROKEN)
    ids.broken = broken.id
    await uploadCover(t.uploader, broken.id, media.cover)
    const m = await uploadMedia(t.uploader, broken.id, media.broken)
    assert.equal(m.passed, false, '损坏的文件不应通过检测')
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('资源列表：被退回的资源有标记与「查看审核意见」，技术检测显示通过 / 不通过', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console/)
    await page.goto('/console/resources')
    await page.getByLabel('关键字').fill(String(RUN))
    await page.getByRole('button', { name: '查询' }).click()
    await row(ids.returned).waitFor()
    await row(ids.returned).getByText('有审核意见').waitFor()
    await row(ids.returned).getByTestId('check-cell').getByText('✓ 通过').waitFor()
    await row(ids.broken).getByTestId('check-cell').getByText('✗ 不通过').waitFor()
    assert.equal(await row(ids.broken).getByText('有审核意见').count(), 0)
    await expectAccessible(page, '资源列表（审核意见、技术检测）')
    await screenshot(page, 'uploader-list-feedback')
  })

  step('编辑页显示审核员的退回意见与审核记录', async () => {
    await row(ids.returned).getByRole('link', { name: /查看审核意见/ }).click()
    await page.waitForURL(new RegExp(`/console/resources/${ids.returned}#review-feedback$`))
    const fb = page.getByTestId('review-feedback')
    await fb.getByRole('heading', { name: '审核意见：退回修改' }).waitFor()
    assert.equal((await fb.getByTestId('feedback-comment').textContent()).trim(), COMMENT)
    await fb.getByText(/广东省教育厅/).first().waitFor()
    await page.waitForFunction(() => document.activeElement?.id === 'review-feedback')
    // 审核记录（全部）
    await fb.getByText(/全部审核记录/).click()
    await fb.getByText(`意见：${COMMENT}`).waitFor()
    await expectAccessible(page, '编辑页（退回意见）')
    await screenshot(page, 'uploader-edit-feedback')
  })

  step('点击量、学习人数不能手填', async () => {
    const form = page.locator('.resource-form')
    assert.equal(await form.getByLabel('点击量').count(), 0)
    assert.equal(await form.getByLabel('学习人数').count(), 0)
    await page.getByTestId('counters').getByText(/不能手工填写/).waitFor()
    await page.goto('/console/resources/new')
    await page.getByRole('heading', { level: 1, name: '新建资源' }).waitFor()
    assert.equal(await page.locator('.resource-form').getByLabel('点击量').count(), 0)
    assert.equal(await page.locator('.resource-form').getByLabel('学习人数').count(), 0)
  })

  step('检测判定无法读取的文件不能预览；因此被拒绝的提交直接链接到检测报告', async () => {
    await page.goto(`/console/resources/${ids.broken}`)
    const panel = page.getByTestId('media-panel')
    await panel.getByTestId('media-verdict').getByText('不符合技术标准').waitFor()
    await panel.getByTestId('no-preview').waitFor()
    assert.equal(await panel.getByTestId('player').count(), 0, '无法读取的文件不应出现播放器')
    const submit = page.getByTestId('submit-panel')
    await submit.getByTestId('attestation').click()
    await submit.getByRole('button', { name: '提交审核' }).click()
    const link = submit.getByTestId('submit-error').getByRole('link', { name: '查看技术标准检测报告' })
    await link.waitFor()
    await link.click()
    await page.waitForFunction(() => document.activeElement?.id === 'media-panel')
    await expectAccessible(page, '编辑页（提交被拒绝）')
    await screenshot(page, 'uploader-submit-refused')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
