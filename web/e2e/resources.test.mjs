// 资源管理端到端：录入员新建资源（字段错误就地显示）、上传封面、断点续传视频（暂停/继续/刷新后续传）、
// 技术标准检测报告与播放、批量导入（检查 → 错误表 → 改正后导入）、导出。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DESKTOP, PHONE, expectAccessible, expectNoHorizontalScroll, launch, login, newPage, screenshot, serialSteps } from './helpers.mjs'

const RUN = String(Date.now()).slice(-6)
const TITLE = `E2E视频资源${RUN}`
/** 每个 PATCH 在浏览器侧延迟这么久，模拟慢速网络，使上传可以被暂停、刷新打断 */
const PATCH_DELAY_MS = Number(process.env.LEP_E2E_PATCH_DELAY_MS || 350)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let browser
let page
let work
let files
let resourceId
const uploadRequests = []

function fieldError(scope, label) {
  const root = typeof scope.page === 'function' ? scope.page() : scope
  return scope
    .locator('.el-form-item')
    .filter({ has: root.locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
    .locator('.el-form-item__error')
}

const step = serialSteps('resources', () => page)

function ffmpeg(args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** 生成测试文件：JPEG 封面、伪装成 .jpg 的 PNG、约 20 MB 的合规视频、导入用 CSV */
function makeFiles(dir) {
  const cover = path.join(dir, 'cover.jpg')
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', cover])
  const png = path.join(dir, 'fake.png')
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64', '-frames:v', '1', png])
  const fakeJpg = path.join(dir, 'not-a-jpeg.jpg')
  copyFileSync(png, fakeJpg)
  // 3 秒 720p/25fps、3 Mbps CBR 的 H.264 只编码一次，再无损循环拼接到 54 秒（约 20 MB），
  // 配上 54 秒 44.1 kHz 的 AAC 音轨、faststart。（带音频一起循环会在接缝处产生间隙，使平均帧率略低于 25。）
  const short = path.join(dir, 'short.mp4')
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25',
    '-t', '3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-b:v', '3M', '-minrate', '3M', '-maxrate', '3M', '-bufsize', '1M',
    '-x264-params', 'nal-hrd=cbr', '-an', short,
  ])
  const video = path.join(dir, `讲座视频${RUN}.mp4`)
  ffmpeg([
    '-stream_loop', '17', '-i', short,
    '-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=54',
    '-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', video,
  ])
  const header = '资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人,创建时间,关键词\n'
  const badCsv = path.join(dir, 'import-bad.csv')
  writeFileSync(
    badCsv,
    header +
      `导入音频甲${RUN},A02,社区教育,社区音频课程,岭南示范职业技术学院,张三;李四,2022-03-01,社区;音频\n` +
      `导入视频乙${RUN},视频资源,老年教育,老年视频课程,岭南示范职业技术学院,王五,2022-02-30,\n`,
  )
  const goodCsv = path.join(dir, 'import-good.csv')
  writeFileSync(
    goodCsv,
    header +
      `导入音频甲${RUN},A02,社区教育,社区音频课程,岭南示范职业技术学院,张三;李四,2022-03-01,社区;音频\n` +
      `导入视频乙${RUN},视频资源,老年教育,老年视频课程,岭南示范职业技术学院,王五,2022-02-28,\n`,
  )
  return { cover, fakeJpg, video, badCsv, goodCsv }
}

async function uploadPercent() {
  const t = await page.getByTestId('upload-percent').textContent()
  return Number.parseFloat(t)
}

async function waitPercentAbove(min, timeout = 60000) {
  await page.waitForFunction(
    (m) => {
      const el = document.querySelector('[data-testid="upload-percent"]')
      return !!el && Number.parseFloat(el.textContent) > m
    },
    min,
    { timeout },
  )
}

async function readDownload(download) {
  const stream = await download.createReadStream()
  const chunks = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks)
}

describe('资源管理（录入员）', () => {
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'lep-e2e-res-'))
    files = makeFiles(work)
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
    // 慢速网络：延迟每个 PATCH（tus 分块），其余请求照常
    await browser.context.route('**/api/v1/uploads**', async (route) => {
      const req = route.request()
      uploadRequests.push(`${req.method()} ${new URL(req.url()).pathname}`)
      if (req.method() === 'PATCH') await sleep(PATCH_DELAY_MS)
      await route.continue().catch(() => undefined)
    })
  })
  after(async () => {
    await browser?.close()
    if (work) rmSync(work, { recursive: true, force: true })
  })

  step('录入员从侧边导航进入资源管理，列表页通过 axe', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console/)
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '资源管理', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '资源管理' }).waitFor()
    await page.getByTestId('resources-table').waitFor()
    await page.getByText('正在加载…').waitFor({ state: 'hidden' })
    await expectAccessible(page, '资源列表')
    await screenshot(page, 'console-resources-list-empty-desktop')
  })

  step('新建资源：资源名称为空、创建时间 2022-02-30 时，错误显示在对应字段下方', async () => {
    await page.getByRole('link', { name: '新建资源' }).click()
    await page.getByRole('heading', { level: 1, name: '新建资源' }).waitFor()
    const form = page.locator('.resource-form')
    await form.locator('label.el-radio').filter({ hasText: 'A01 视频资源' }).click()
    await form.locator('label.el-radio').filter({ hasText: '老年教育' }).click()
    assert.ok(await form.getByRole('radio', { name: '老年教育' }).isChecked())
    await form.getByLabel('资源简介').fill('面向老年学习者的太极拳入门讲座。')
    await form.getByLabel('版权方').fill('岭南示范职业技术学院')
    await form.getByLabel('主讲人').fill('张建华；(藏族)班班多杰')
    await form.getByLabel('关键词').fill('太极拳;养生')
    await form.getByLabel('创建时间').fill('2022-02-30')
    await form.getByLabel('所属系列').fill(`太极入门${RUN}`)
    await form.getByLabel('所属顺序').fill('01')
    // 资源时长：视频由文件测得，只读
    assert.equal(await form.getByLabel('资源时长').getAttribute('readonly'), '')
    await page.getByText('由上传的文件自动测得').waitFor()
    await form.getByRole('button', { name: '保存草稿' }).click()
    await fieldError(form, '资源名称').getByText('资源名称为必填项').waitFor()
    await fieldError(form, '创建时间').getByText(/创建时间应为真实存在的日期/).waitFor()
    assert.equal(await fieldError(form, '版权方').count(), 0)
    assert.match(page.url(), /\/console\/resources\/new$/)
    await expectAccessible(page, '新建资源（含字段错误）')
    await screenshot(page, 'console-resource-new-errors-desktop')
  })

  step('改正后保存草稿，进入编辑页（含所属分类）', async () => {
    const form = page.locator('.resource-form')
    await form.getByLabel('资源名称').fill(TITLE)
    await form.getByLabel('创建时间').fill('2022-02-28')
    // 所属分类：级联选择（可输入搜索）
    await form.getByLabel('所属分类').click()
    await page.locator('.el-cascader-node').filter({ hasText: '健康养生' }).first().click()
    await page.locator('.el-cascader-node').filter({ hasText: '太极拳' }).first().locator('.el-radio').click()
    await page.keyboard.press('Escape')
    await form.getByRole('button', { name: '保存草稿' }).click()
    await page.waitForURL(/\/console\/resources\/\d+$/)
    resourceId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.getByRole('heading', { level: 1, name: `编辑资源：${TITLE}` }).waitFor()
    assert.equal((await page.getByTestId('resource-state').textContent()).trim(), '草稿')
    assert.equal(await page.locator('.resource-form').getByLabel('创建时间').inputValue(), '2022-02-28')
    assert.equal(await page.locator('.resource-form').getByLabel('主讲人').inputValue(), '张建华;(藏族)班班多杰')
    const cat = await page.locator('.resource-form').getByLabel('所属分类').inputValue()
    assert.match(cat, /太极拳/)
    // 再保存一次（带 version），版本号增加
    // 点击量、学习人数不能手填（只显示导入的初始值）
    assert.equal(await page.locator('.resource-form').getByLabel('点击量').count(), 0)
    await page.getByTestId('counters').getByText(/点击量 0，学习人数 0/).waitFor()
    await page.locator('.resource-form').getByLabel('关键词').fill('太极拳;养生;入门')
    await page.locator('.resource-form').getByRole('button', { name: '保存草稿' }).click()
    await page.getByText(/版本 2/).waitFor()
  })

  step('封面：非 JPEG 显示中文错误，JPG 上传后显示缩略图', async () => {
    const panel = page.getByTestId('cover-panel')
    await panel.getByLabel('选择封面图片').setInputFiles(files.fakeJpg)
    await panel.getByTestId('cover-error').getByText(/封面必须是 JPG 图片/).waitFor()
    await panel.getByLabel('选择封面图片').setInputFiles(files.cover)
    const img = panel.getByTestId('cover-thumb')
    await img.waitFor()
    await page.waitForFunction(() => {
      const i = document.querySelector('[data-testid="cover-thumb"]')
      return i && i.complete && i.naturalWidth > 0
    })
    assert.equal(await panel.getByTestId('cover-error').textContent(), '')
    await panel.getByText('原图 640 × 360 像素').waitFor()
  })

  step('视频上传：进度、速度、剩余时间；暂停与继续', async () => {
    const size = statSync(files.video).size
    assert.ok(size > 15 * 1024 * 1024, `测试视频应约 20 MB（实际 ${size}）`)
    const panel = page.getByTestId('media-panel')
    await panel.getByLabel('选择视频文件').setInputFiles(files.video)
    await panel.getByTestId('upload-progress').waitFor()
    await panel.getByRole('progressbar', { name: '视频上传进度' }).waitFor()
    await waitPercentAbove(8)
    // 速度（MB/s）与剩余时间
    await page.waitForFunction(() => /MB\/s/.test(document.querySelector('[data-testid="upload-speed"]')?.textContent ?? ''))
    await page.waitForFunction(() => /约|即将/.test(document.querySelector('[data-testid="upload-eta"]')?.textContent ?? ''))
    await screenshot(page, 'console-media-uploading-desktop')
    await panel.getByRole('button', { name: '暂停' }).click()
    await panel.getByText('已暂停', { exact: true }).waitFor()
    const paused = await uploadPercent()
    await sleep(PATCH_DELAY_MS * 3)
    assert.equal(await uploadPercent(), paused, '暂停后进度不应再增加')
    await expectAccessible(page, '视频上传（暂停中）')
    await panel.getByRole('button', { name: '继续' }).click()
    await waitPercentAbove(paused + 5)
  })

  step('上传中途刷新页面：提示未完成的上传，重新选择同一文件后从中断处继续', async () => {
    await waitPercentAbove(35)
    const before = await uploadPercent()
    assert.ok(before < 90, `上传太快，无法在中途刷新（已 ${before}%）`)
    await page.reload()
    await page.getByRole('heading', { level: 1, name: `编辑资源：${TITLE}` }).waitFor()
    const panel = page.getByTestId('media-panel')
    const notice = panel.getByTestId('pending-upload')
    await notice.waitFor()
    await notice.getByText(/尚未完成/).waitFor()
    await expectAccessible(page, '刷新后：未完成的上传提示')
    await screenshot(page, 'console-media-resume-after-reload-desktop')
    const postsBefore = uploadRequests.filter((r) => r.startsWith('POST')).length
    await panel.getByLabel(/选择视频文件/).setInputFiles(files.video)
    await panel.getByTestId('upload-progress').waitFor()
    // 续传：第一次报告的进度就从中断处开始，而不是 0
    await page.waitForFunction(() => Number.parseFloat(document.querySelector('[data-testid="upload-percent"]')?.textContent ?? '0') > 0)
    const resumedAt = await uploadPercent()
    assert.ok(resumedAt >= before - 10, `应从约 ${before}% 处续传（实际 ${resumedAt}%）`)
    assert.equal(uploadRequests.filter((r) => r.startsWith('POST')).length, postsBefore, '续传不应新建上传')
    assert.ok(uploadRequests.some((r) => r.startsWith('HEAD')), '续传应先用 HEAD 查询偏移量')
  })

  step('上传完成：检测报告逐项通过，视频可以播放，时长自动填写', async () => {
    const panel = page.getByTestId('media-panel')
    const report = panel.getByTestId('media-report')
    await report.waitFor({ timeout: 90000 })
    const rows = report.locator('tbody tr')
    const n = await rows.count()
    assert.ok(n >= 5, `检测报告应有多项（实际 ${n}）`)
    for (let i = 0; i < n; i++) {
      const text = await rows.nth(i).textContent()
      assert.match(text, /✓ 通过/, `检测项未通过：${text}`)
      assert.doesNotMatch(text, /不通过/)
    }
    await panel.getByTestId('media-verdict').getByText('符合技术标准').waitFor()
    assert.equal(uploadRequests.filter((r) => r.startsWith('POST')).length, 1, '整个过程只应创建一次上传')
    // 时长由文件测得（约 54 秒）
    await page.waitForFunction(() => /^00:00:5\d$/.test(document.querySelector('input[name="duration"]')?.value ?? ''))
    // 播放：currentTime 前进
    const video = panel.getByTestId('player')
    await video.evaluate(async (v) => {
      v.muted = true
      await v.play()
    })
    await page.waitForFunction(() => document.querySelector('[data-testid="player"]').currentTime > 0.5, null, { timeout: 15000 })
    await video.evaluate((v) => v.pause())
    await expectAccessible(page, '资源编辑页（检测报告与播放器）')
    await screenshot(page, 'console-resource-edit-report-desktop')
  })

  step('资源编辑页在手机宽度下可用并通过 axe', async () => {
    await page.setViewportSize(PHONE)
    await page.getByTestId('media-report').waitFor()
    await expectNoHorizontalScroll(page, '资源编辑页 phone')
    await expectAccessible(page, '资源编辑页 phone')
    await screenshot(page, 'console-resource-edit-phone')
    await page.setViewportSize(DESKTOP)
  })

  step('资源列表：新资源出现，可按类型与关键字筛选，导出 Excel', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '资源管理', exact: true }).click()
    const table = page.getByTestId('resources-table')
    await table.getByRole('link', { name: TITLE, exact: true }).waitFor()
    await page.getByLabel('关键字').fill(`视频资源${RUN}`)
    await page.getByRole('button', { name: '查询' }).click()
    await page.waitForURL(/q=/)
    await table.getByRole('link', { name: TITLE, exact: true }).waitFor()
    assert.equal((await page.getByTestId('resource-total').textContent()).includes('共 1 条'), true)
    const row = table.getByRole('row').filter({ hasText: TITLE })
    assert.match(await row.textContent(), /已上传/)
    assert.match(await row.textContent(), /00:00:5\d/)
    await page.getByLabel('关键字').fill('不存在的资源名称xyz')
    await page.getByRole('button', { name: '查询' }).click()
    await table.getByText('没有符合条件的资源').waitFor()
    await page.getByRole('button', { name: '重置' }).click()
    await table.getByRole('link', { name: TITLE, exact: true }).waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 Excel' }).click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    assert.equal((await readDownload(download)).subarray(0, 2).toString(), 'PK')
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()])
    assert.match(csv.suggestedFilename(), /\.csv$/)
    assert.match((await readDownload(csv)).toString('utf8'), new RegExp(TITLE))
    await expectAccessible(page, '资源列表（有数据）')
    await screenshot(page, 'console-resources-list-desktop')
  })

  step('批量导入：下载模板；检查出第 3 行「创建时间」错误，不能确认导入', async () => {
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '批量导入', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '批量导入' }).waitFor()
    await expectAccessible(page, '批量导入页')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载导入模板' }).click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    assert.equal((await readDownload(download)).subarray(0, 2).toString(), 'PK')
    await page.getByLabel('选择文件（xlsx 或 CSV）').setInputFiles(files.badCsv)
    await page.getByTestId('import-file-name').getByText('import-bad.csv').waitFor()
    assert.ok(await page.getByTestId('confirm-import').isDisabled(), '检查前不能确认导入')
    await page.getByRole('button', { name: '检查' }).click()
    const table = page.getByTestId('import-errors')
    await table.waitFor()
    const row = table.getByRole('row').filter({ hasText: '第 3 行' })
    await row.waitFor()
    assert.match(await row.textContent(), /创建时间/)
    assert.match(await row.textContent(), /2022-02-30/)
    assert.match(await page.getByTestId('import-summary').textContent(), /共 2 行，正确 1 行，有错误 1 行/)
    assert.ok(await page.getByTestId('confirm-import').isDisabled(), '有错误时不能确认导入')
    await expectAccessible(page, '批量导入（错误表）')
    await screenshot(page, 'console-import-errors-desktop')
  })

  step('批量导入：改正后检查通过，确认导入，资源出现在列表中', async () => {
    await page.getByLabel('选择文件（xlsx 或 CSV）').setInputFiles(files.goodCsv)
    await page.getByRole('button', { name: '检查' }).click()
    await page.getByText('没有发现错误，可以确认导入。').waitFor()
    const confirm = page.getByTestId('confirm-import')
    await page.waitForFunction(() => !document.querySelector('[data-testid="confirm-import"]').disabled)
    await confirm.click()
    await page.getByTestId('import-done').getByText('新建了 2 条资源').waitFor()
    await screenshot(page, 'console-import-done-desktop')
    await page.getByTestId('import-done').getByRole('link', { name: '查看资源列表' }).click()
    const table = page.getByTestId('resources-table')
    await table.getByRole('link', { name: `导入音频甲${RUN}`, exact: true }).waitFor()
    await table.getByRole('link', { name: `导入视频乙${RUN}`, exact: true }).waitFor()
  })

  step('删除草稿需要确认', async () => {
    const table = page.getByTestId('resources-table')
    await table.getByRole('link', { name: `导入音频甲${RUN}`, exact: true }).click()
    await page.getByRole('heading', { level: 1, name: `编辑资源：导入音频甲${RUN}` }).waitFor()
    // 音频资源：显示音频文件区
    await page.getByTestId('media-panel').getByRole('heading', { name: '音频文件' }).waitFor()
    await page.getByRole('button', { name: '删除草稿' }).click()
    const dlg = page.getByRole('dialog', { name: '删除草稿' })
    await dlg.waitFor()
    await dlg.getByRole('button', { name: '删除' }).click()
    await page.waitForURL(/\/console\/resources$/)
    await page.getByTestId('resources-table').getByRole('link', { name: `导入视频乙${RUN}`, exact: true }).waitFor()
    assert.equal(await page.getByTestId('resources-table').getByRole('link', { name: `导入音频甲${RUN}`, exact: true }).count(), 0)
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
