// 网络课程以「实体资源」提交（issue 17 第 5 项）：录入员在编辑页选择「上传课程视频」，一次选择两个视频按课时上传
// （tus，逐个显示进度），改名、调整顺序；低于技术标准的课时阻止提交并指明是第几课，删除后提交；
// 审核页列出课时并可播放；发布后学习门户的详情页列出课时、点选播放，手机上不出现横向滚动。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { DESKTOP, PHONE, expectAccessible, expectNoHorizontalScroll, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'
import { makeMedia, review, team, uploadCover } from './fixtures.mjs'

const RUN = String(Date.now()).slice(-6)
const TITLE = `书法入门网课${RUN}`

let browser
let page
let media
let t
let courseId = 0
const files = {}

const step = serialSteps('lessons', () => page)
const panel = () => page.getByTestId('lessons-panel')
const lessonItems = () => panel().getByTestId('lesson-list').locator('li')

describe('网络课程（实体资源）：按课时上传、检测、审核与学习门户播放', () => {
  before(async () => {
    media = makeMedia()
    // 两个符合标准的课时（文件名决定默认顺序与名称）和一个 640×360 的课时
    files.first = path.join(media.dir, '01 执笔与坐姿.mp4')
    files.second = path.join(media.dir, '02 基本笔画.mp4')
    execFileSync('cp', [media.video, files.first])
    execFileSync('cp', [media.video, files.second])
    files.small = path.join(media.dir, '03 章法.mp4')
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=2',
      '-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', files.small])
    t = await team()
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('新建网络课程：选择「上传课程视频」后不必填写资源链接', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console/)
    await page.goto('/console/resources/new')
    await page.getByRole('heading', { level: 1, name: '新建资源' }).waitFor()
    const form = page.locator('.resource-form')
    await form.getByLabel('资源名称').fill(TITLE)
    await form.locator('label.el-radio').filter({ hasText: 'A03 网络课程' }).click()
    await form.locator('label.el-radio').filter({ hasText: '老年教育' }).click()
    await form.locator('label.el-radio').filter({ hasText: '上传课程视频' }).click()
    await page.getByTestId('delivery-hint').getByText(/按课时上传课程视频/).waitFor()
    await form.getByLabel('资源简介').fill('面向老年学习者的书法入门课程，共若干课时。')
    await form.getByLabel('版权方').fill('岭南示范职业技术学院')
    await form.getByLabel('主讲人').fill('王书法')
    await form.getByRole('button', { name: '保存草稿' }).click()
    await page.waitForURL(/\/console\/resources\/\d+$/)
    courseId = Number(new URL(page.url()).pathname.split('/').pop())
    await panel().getByTestId('no-lessons').waitFor()
    assert.ok(await form.getByRole('radio', { name: '上传课程视频' }).isChecked())
  })

  step('一次选择两个视频：逐个上传并检测，按文件名成为第 1、2 课', async () => {
    await panel().getByLabel('选择课程视频（可多选）').setInputFiles([files.second, files.first])
    await panel().getByTestId('lesson-uploads').waitFor()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lesson-list"] li').length === 2, null, { timeout: 60_000 })
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="lesson-verdict"]')].filter((e) => e.textContent.includes('检测通过')).length === 2,
      null,
      { timeout: 60_000 },
    )
    const titles = await panel().getByTestId('lesson-title').allTextContents()
    assert.deepEqual(titles.map((s) => s.trim()), ['01 执笔与坐姿', '02 基本笔画'])
    assert.equal(await panel().locator('[data-testid="lesson-uploads"] [data-state="done"]').count(), 2)
    await panel().getByTestId('lessons-summary').getByText(/共 2 课/).waitFor()
    await expectAccessible(page, '编辑页（课程视频）')
    await screenshot(page, 'lessons-edit-uploaded')
  })

  step('改名与调整顺序（版本号随之更新，之后保存草稿不冲突）', async () => {
    await lessonItems().nth(1).getByRole('button', { name: '改名第 2 课' }).click()
    const input = panel().getByLabel('第 2 课的新名称')
    await input.fill('第一课 基本笔画')
    await panel().getByRole('button', { name: '保存', exact: true }).click()
    await panel().getByText('第一课 基本笔画').waitFor()
    await lessonItems().nth(1).getByRole('button', { name: '上移第 2 课' }).click()
    await page.waitForFunction(() => document.querySelector('[data-testid="lesson-list"] li [data-testid="lesson-title"]')?.textContent.includes('第一课 基本笔画'))
    // 播放一课：视频能读出时长
    await lessonItems().first().getByRole('button', { name: '播放' }).click()
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="lesson-player"]')
      return v && v.readyState >= 1 && v.duration > 3
    })
    await page.locator('.resource-form').getByLabel('关键词').fill('书法;入门')
    await page.locator('.resource-form').getByRole('button', { name: '保存草稿' }).click()
    await page.getByText('草稿已保存').first().waitFor()
  })

  step('低于技术标准的课时阻止提交，并指明是第几课；删除后提交成功', async () => {
    await uploadCover(t.uploader, courseId, media.cover)
    await panel().getByLabel('选择课程视频（可多选）').setInputFiles([files.small])
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lesson-list"] li').length === 3, null, { timeout: 60_000 })
    await lessonItems().nth(2).getByText('✗ 未通过').waitFor()
    await page.reload()
    const submit = page.getByTestId('submit-panel')
    await submit.getByTestId('attestation').click()
    await submit.getByRole('button', { name: '提交审核' }).click()
    await submit.getByText(/第 3 课“03 章法”未通过技术检测/).first().waitFor()
    await submit.getByRole('link', { name: '查看课程视频的检测结果' }).waitFor()
    await screenshot(page, 'lessons-submit-refused')
    await lessonItems().nth(2).getByRole('button', { name: '删除第 3 课' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '删除' }).click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lesson-list"] li').length === 2)
    await page.reload()
    await page.getByTestId('submit-panel').getByTestId('attestation').click()
    await page.getByTestId('submit-panel').getByRole('button', { name: '提交审核' }).click()
    await page.getByTestId('resource-state').getByText('初审中').waitFor()
  })

  step('审核页列出课时并可播放', async () => {
    const reviewer = await newPage(browser, DESKTOP)
    await login(reviewer, 'gd_reviewer')
    await reviewer.waitForURL(/\/console/)
    await reviewer.goto(`/console/review/${courseId}`)
    const lessons = reviewer.getByTestId('lessons-panel')
    await lessons.getByTestId('lesson-list').locator('li').nth(1).waitFor()
    assert.equal(await lessons.getByRole('button', { name: /删除/ }).count(), 0, '审核员不能删除课时')
    await lessons.getByTestId('lesson-list').locator('li').first().getByRole('button', { name: '播放' }).click()
    await reviewer.waitForFunction(() => {
      const v = document.querySelector('[data-testid="lesson-player"]')
      return v && v.readyState >= 1
    })
    await expectAccessible(reviewer, '审核页（课程视频）')
    await screenshot(reviewer, 'lessons-review')
    await reviewer.close()
  })

  step('发布后学习门户：手机上列出课时、点选播放，无横向滚动', async () => {
    await review(t.first, courseId, 'approve', '初审通过')
    await review(t.final, courseId, 'approve', '终审通过')
    const b = await t.admin.expect(201, 'POST', '/api/v1/batches', { resource_ids: [courseId] })
    await t.admin.expect(200, 'POST', `/api/v1/batches/${b.id}/publish`)
    const phone = await newPage(browser, PHONE)
    await phone.goto(`/resources/${courseId}`)
    const player = phone.getByTestId('lesson-player')
    await player.getByTestId('lesson-list').locator('li').nth(1).waitFor()
    await player.getByTestId('lesson-now').getByText('第 1 课 第一课 基本笔画').waitFor()
    await player.getByRole('button', { name: /第 2 课/ }).click()
    await player.getByTestId('lesson-now').getByText('第 2 课 01 执笔与坐姿').waitFor()
    await phone.waitForFunction(() => {
      const v = document.querySelector('[data-testid="lesson-player"] video')
      return v && v.readyState >= 1 && v.duration > 3
    })
    await expectNoHorizontalScroll(phone, '手机门户（课程视频）')
    await expectAccessible(phone, '门户详情（课程视频）')
    await screenshot(phone, 'lessons-portal-phone')
    await phone.close()
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
