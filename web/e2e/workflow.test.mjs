// 审核与发布全流程 + 学习门户：录入员准备资源（封面、生成的视频）并带承诺提交 → 省厅初审在队列中批量通过 →
// 国家开放大学终审在审核页通过 → 平台管理员组建第 N 批并发布 → 游客用中文搜索、打开资源并播放（currentTime 前进、
// 发送学习心跳、刷新后续播）→ 学习者收藏与评价（评价审核后显示平均分）→ 首页分类 → 目录页下载；
// 门户四个页面在手机/桌面、标准/大字模式下通过 axe。发布批次页还走一遍预览、定时发布与取消定时。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
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
const TITLE = `银龄八段锦养生讲座${RUN}`

let browser
let page
let work
let resourceId

const step = serialSteps('workflow', () => page)

function ffmpeg(args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** 6 秒 720p/25fps、3 Mbps CBR H.264 + 44.1 kHz AAC，faststart（约 2.3 MB，符合技术标准） */
function makeFiles(dir) {
  const cover = path.join(dir, 'cover.jpg')
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', cover])
  const video = path.join(dir, `八段锦${RUN}.mp4`)
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=6',
    '-t', '6', '-c:v', 'libx264', '-b:v', '3M', '-minrate', '3M', '-maxrate', '3M', '-bufsize', '1M',
    '-x264-params', 'nal-hrd=cbr', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', video,
  ])
  return { cover, video }
}

async function switchUser(username) {
  await browser.context.clearCookies()
  await login(page, username)
  await page.waitForURL(/\/console/)
}

async function tickChecklist(scope) {
  for (const label of ['意识形态与政治导向', '版权与知识产权', '涉密与敏感信息', '科学性与规范性']) {
    await scope.locator('label.el-checkbox').filter({ hasText: label }).click()
  }
}

describe('审核、发布与学习门户', () => {
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'lep-e2e-wf-'))
    work = { dir: work, ...makeFiles(work) }
    browser = await launch(DESKTOP)
    page = await newPage(browser, DESKTOP)
  })
  after(async () => {
    await browser?.close()
    if (work) rmSync(work.dir, { recursive: true, force: true })
  })

  step('录入员准备资源：元数据、封面、上传视频并通过技术检测', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console/)
    await page.goto('/console/resources/new')
    await page.getByRole('heading', { level: 1, name: '新建资源' }).waitFor()
    const form = page.locator('.resource-form')
    await form.locator('label.el-radio').filter({ hasText: 'A01 视频资源' }).click()
    await form.locator('label.el-radio').filter({ hasText: '老年教育' }).click()
    await form.getByLabel('资源名称').fill(TITLE)
    await form.getByLabel('资源简介').fill('八段锦是一套传统健身功法，本讲座面向老年学习者，讲解动作要领与养生原理。')
    await form.getByLabel('版权方').fill('岭南示范职业技术学院')
    await form.getByLabel('主讲人').fill('李秀英')
    await form.getByLabel('关键词').fill('八段锦;养生;老年健身')
    await form.getByLabel('创建时间').fill('2022-03-01')
    await form.getByLabel('资源目录').fill('<目录><章 标题="第一讲 起势与调息"><节 标题="两手托天理三焦"/></章><章 标题="第二讲 收势"/></目录>')
    await form.getByRole('button', { name: '保存草稿' }).click()
    await page.getByRole('heading', { level: 1, name: `编辑资源：${TITLE}` }).waitFor()
    resourceId = Number(new URL(page.url()).pathname.split('/').pop())
    assert.ok(resourceId > 0)

    await page.getByTestId('cover-panel').getByLabel('选择封面图片').setInputFiles(work.cover)
    await page.getByTestId('cover-thumb').waitFor()
    const media = page.getByTestId('media-panel')
    await media.getByLabel('选择视频文件').setInputFiles(work.video)
    await media.getByTestId('media-verdict').getByText('符合技术标准').waitFor({ timeout: 60000 })
  })

  step('提交审核：未勾选承诺时提示，勾选承诺后提交成功', async () => {
    const panel = page.getByTestId('submit-panel')
    await panel.getByText('本单位已完成内容与版权审查，承诺资源无危害国家安全、涉密、敏感信息及侵犯知识产权的内容').waitFor()
    await panel.getByRole('button', { name: '提交审核' }).click()
    await panel.getByTestId('submit-error').getByText('请先勾选承诺声明').waitFor()
    await panel.locator('label.el-checkbox').click()
    await screenshot(page, 'workflow-submit-desktop')
    await panel.getByRole('button', { name: '提交审核' }).click()
    await page.waitForFunction(() => {
      const t = document.querySelector('[data-testid="resource-state"]')?.textContent?.trim()
      return t && t !== '草稿'
    })
    const state = (await page.getByTestId('resource-state').textContent()).trim()
    assert.match(state, /已提交|初审中/)
    assert.equal(await page.getByTestId('submit-panel').count(), 0)
  })

  step('省厅审核员在队列中勾选资源，完成四项核查后批量通过', async () => {
    await switchUser('gd_reviewer')
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: /^审核队列/ }).click()
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    const row = page.getByTestId('queue-table').locator(`tr[data-id="${resourceId}"]`)
    await row.waitFor()
    assert.match(await row.textContent(), /岭南示范职业技术学院/)
    await row.getByRole('checkbox').check()
    const bulk = page.getByTestId('bulk-panel')
    // 核查项未勾选时不能通过
    await bulk.getByRole('button', { name: '批量通过' }).click()
    await bulk.getByRole('alert').getByText(/四项均须勾选/).waitFor()
    await tickChecklist(bulk)
    await bulk.getByLabel('审核意见（选填）').fill('内容健康，同意推荐。')
    await screenshot(page, 'workflow-queue-desktop')
    await bulk.getByRole('button', { name: '批量通过' }).click()
    await page.getByRole('dialog').getByRole('button', { name: '通过', exact: true }).click()
    await page.getByText(/已通过 1 个资源/).waitFor()
    await page.waitForFunction((id) => {
      const tr = document.querySelector(`[data-testid="queue-table"] tr[data-id="${id}"]`)
      return !tr || /终审中/.test(tr.textContent)
    }, resourceId)
  })

  step('国家开放大学终审：审核页显示播放器、检测报告、敏感词筛查与时间线，核查后通过', async () => {
    await switchUser('nou_reviewer')
    await page.goto('/console/review')
    const row = page.getByTestId('queue-table').locator(`tr[data-id="${resourceId}"]`)
    await row.getByRole('link', { name: TITLE }).click()
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    await page.getByTestId('media-report').waitFor()
    await page.getByTestId('screening-summary').waitFor()
    const history = page.getByTestId('history')
    await history.getByText('内容健康，同意推荐。').waitFor()
    assert.match(await history.textContent(), /广东省教育厅/)
    const actions = page.getByTestId('review-actions')
    // 退回修改须填写意见
    await actions.getByRole('button', { name: '退回修改' }).click()
    await actions.getByTestId('review-error').getByText(/须填写审核意见/).waitFor()
    await tickChecklist(actions)
    await actions.getByLabel(/审核意见/).fill('终审通过。')
    await screenshot(page, 'workflow-review-desktop')
    await actions.getByRole('button', { name: /^(审核)?通过$/ }).click()
    // 做出结论后回到审核队列
    await page.waitForURL(/\/console\/review$/)
    await page.getByRole('heading', { level: 1, name: '审核队列' }).waitFor()
    await page.goto(`/console/review/${resourceId}`)
    await page.waitForFunction(() => document.querySelector('[data-testid="review-state"]')?.textContent?.trim() === '已通过')
    await history.getByText('终审通过。').waitFor()
    await history.getByText(/意识形态与政治导向：已核查/).first().waitFor()
    await page.getByTestId('no-actions').waitFor()
  })

  step('平台管理员组建发布批次并确认发布', async () => {
    await switchUser('nou_admin')
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '征集批次', exact: true }).click()
    await page.getByTestId('campaigns-table').waitFor()
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '发布批次', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: '发布批次' }).waitFor()
    const approved = page.getByTestId('approved-table')
    await approved.getByRole('checkbox', { name: `选择 ${TITLE}` }).check()
    await page.getByRole('button', { name: /^组建发布批次/ }).click()
    const pending = page.getByTestId('batches-table').locator('tbody tr').first()
    await pending.filter({ hasText: '待发布' }).waitFor()
    await screenshot(page, 'workflow-batches-desktop')
    // 预览：批内资源
    await pending.getByRole('button', { name: /^预览/ }).click()
    const pv = page.getByRole('dialog', { name: /^批次预览/ })
    await pv.getByTestId('batch-preview').getByText(TITLE).waitFor()
    await expectAccessible(page, '批次预览对话框')
    await pv.getByRole('button', { name: /关闭|Close/ }).click()
    await pv.waitFor({ state: 'hidden' })
    // 定时发布：设为明天 09:30，再取消
    const d = new Date(Date.now() + 86400000)
    const p2 = (n) => String(n).padStart(2, '0')
    const local = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T09:30`
    await pending.getByRole('button', { name: /^定时发布/ }).click()
    const sd = page.getByRole('dialog', { name: '定时发布' })
    await sd.getByLabel('发布时间').fill(local)
    await sd.getByRole('button', { name: '保存' }).click()
    await page.getByText(/已设定「.*」的定时发布时间/).waitFor()
    await pending.getByTestId('batch-scheduled').getByText(`${local.slice(0, 10)} 09:30`).waitFor()
    await pending.getByText('定时发布', { exact: true }).waitFor()
    await pending.getByRole('button', { name: /^取消定时/ }).click()
    await page.getByRole('dialog', { name: '取消定时发布' }).getByRole('button', { name: '取消定时' }).click()
    await page.getByText('已取消定时发布').waitFor()
    await pending.filter({ hasText: '待发布' }).waitFor()
    await pending.getByRole('button', { name: /^立即发布/ }).click()
    const dlg = page.getByRole('dialog', { name: '发布批次' })
    await dlg.getByText(/将在学习门户上线/).waitFor()
    await dlg.getByRole('button', { name: '发布', exact: true }).click()
    await page.getByText('批次已发布').waitFor()
    // The toast comes before the table reloads, and older batches already read 已发布: wait until
    // the row of this batch no longer reads 待发布 (times out, and fails, if it never changes).
    await page.getByTestId('batches-table').locator('tr').filter({ hasText: '待发布' }).first().waitFor({ state: 'detached' })
    await pending.filter({ hasText: '已发布' }).waitFor()
    assert.equal(await page.getByTestId('batches-table').locator('tr').filter({ hasText: '待发布' }).count(), 0)
  })

  step('游客用中文搜索，结果高亮，打开资源并播放（currentTime 前进、发送学习心跳）', async () => {
    await browser.context.clearCookies()
    await page.goto('/')
    await page.getByTestId('domain-count').first().waitFor()
    await page.getByRole('searchbox', { name: '搜索学习资源' }).fill('八段锦')
    await page.getByRole('searchbox', { name: '搜索学习资源' }).press('Enter')
    await page.waitForURL(/\/search\?q=/)
    const results = page.getByTestId('search-results')
    await results.waitFor()
    const mark = results.locator('mark').first()
    assert.equal(await mark.textContent(), '八段锦')
    await page.getByRole('complementary', { name: '筛选' }).getByRole('link', { name: /老年教育/ }).first().waitFor()
    await results.getByRole('link', { name: TITLE }).click()
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    await page.getByTestId('toc').getByText('两手托天理三焦').waitFor()
    const beat = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes(`/portal/resources/${resourceId}/progress`), { timeout: 20000 })
    await page.evaluate(async () => {
      const v = document.querySelector('video')
      v.muted = true
      await v.play()
    })
    await page.waitForFunction(() => document.querySelector('video').currentTime > 2.5, null, { timeout: 20000 })
    await page.evaluate(() => document.querySelector('video').pause())
    const req = await beat
    const secs = JSON.parse(req.postData()).seconds
    assert.ok(secs >= 1 && secs <= 10, `心跳秒数 ${secs}`)
    await screenshot(page, 'workflow-resource-playing-desktop')
    // 刷新后从上次的位置继续
    await page.reload()
    await page.getByTestId('resume-note').waitFor()
    const t = await page.evaluate(() => document.querySelector('video').currentTime)
    assert.ok(t > 2, `续播位置 ${t}`)
  })

  step('学习者收藏并评价资源，「我的收藏」中出现；评价审核通过后显示平均分', async () => {
    await browser.context.clearCookies()
    await login(page, 'demo_learner')
    await page.waitForURL((u) => u.pathname === '/')
    await page.goto(`/resources/${resourceId}`)
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    await page.getByRole('button', { name: '收藏', exact: true }).click()
    await page.getByRole('button', { name: '已收藏（点击取消）' }).waitFor()
    const rating = page.getByTestId('ratings')
    await rating.getByText('暂无使用评价').waitFor()
    // 未选评分时提示
    await rating.getByRole('button', { name: '提交评价' }).click()
    await rating.getByText('请选择 1–5 分').waitFor()
    await rating.getByRole('radio', { name: '5 分' }).check()
    await rating.getByLabel('评价内容（选填）').fill('讲解清楚，动作示范到位。')
    await rating.getByRole('button', { name: '提交评价' }).click()
    await rating.getByText('评价已提交，审核通过后显示').waitFor()
    await expectAccessible(page, '资源页（学习者，评价后）')
    await screenshot(page, 'portal-resource-learner-rated')
    await page.getByRole('navigation', { name: '账号与显示' }).getByRole('link', { name: '我的收藏' }).click()
    await page.getByRole('heading', { level: 1, name: '我的收藏' }).waitFor()
    await page.getByTestId('favourites-list').getByRole('link', { name: TITLE }).waitFor()
    await expectAccessible(page, '我的收藏')
    await screenshot(page, 'portal-favourites-desktop')
    await page.getByRole('link', { name: '学习记录' }).first().click()
    await page.getByRole('heading', { level: 1, name: '学习记录' }).waitFor()
    await expectAccessible(page, '学习记录')

    // 平台管理员在「使用评价」页审核通过这条评价，游客看到平均分
    await browser.context.clearCookies()
    await login(page, 'nou_admin')
    await page.waitForURL(/\/console/)
    await page.getByRole('navigation', { name: '管理后台导航' }).getByRole('link', { name: '使用评价', exact: true }).click()
    const row = page.getByTestId('pending-ratings').locator('tbody tr').filter({ hasText: '讲解清楚，动作示范到位。' })
    await row.waitFor()
    await expectAccessible(page, '使用评价审核')
    await screenshot(page, 'console-ratings-pending')
    await row.getByRole('button', { name: /^通过/ }).click()
    await page.getByText('评价已通过，将在资源页公开显示').waitFor()
    await browser.context.clearCookies()
    await page.goto(`/resources/${resourceId}`)
    await page.getByTestId('rating-average').getByText('5.0').waitFor()
    await page.getByTestId('ratings').getByText('讲解清楚，动作示范到位。').waitFor()
    await page.getByTestId('ratings').getByRole('link', { name: '登录后评价' }).waitFor()
  })

  step('首页按分类浏览：只列出有已发布资源的分类', async () => {
    await page.goto('/')
    await page.getByTestId('domain-count').first().waitFor()
    const counts = await page.locator('[data-testid="categories"] .cat-count').allTextContents()
    for (const c of counts) assert.notEqual(c.trim(), '（0）', '不应列出没有资源的分类')
  })

  step('目录页列出已发布资源，可下载 CSV 与 JSON', async () => {
    await page.goto('/catalog')
    await page.getByTestId('catalog-table').getByRole('link', { name: TITLE }).waitFor()
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 CSV' }).click()])
    const buf = await readDownload(csv)
    assert.ok(buf.toString('utf8').includes(TITLE), 'CSV 中应包含资源名称')
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载 JSON' }).click()])
    assert.ok(JSON.parse((await readDownload(json)).toString('utf8')).items.some((r) => r.title === TITLE))
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /下载 Excel/ }).click()])
    assert.equal((await readDownload(xlsx)).subarray(0, 2).toString('latin1'), 'PK')
  })

  for (const [vpName, vp] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ]) {
    for (const large of [false, true]) {
      const mode = large ? 'large' : 'normal'
      step(`门户首页、搜索、资源、目录页通过 axe（${vpName}，${large ? '大字模式' : '标准字号'}）`, async () => {
        const p = await newPage(browser, vp)
        try {
          await p.goto('/')
          await setLargeText(p, large)
          const pages = [
            ['home', '/', () => p.getByTestId('domain-count').first().waitFor()],
            ['search', `/search?q=${encodeURIComponent('八段锦')}`, () => p.getByTestId('search-results').waitFor()],
            ['resource', `/resources/${resourceId}`, () => p.getByTestId('player').waitFor()],
            ['catalog', '/catalog', () => p.getByTestId('catalog-table').waitFor()],
          ]
          for (const [name, url, ready] of pages) {
            await p.goto(url)
            await ready()
            if (vp === PHONE) await expectNoHorizontalScroll(p, `${name} ${vpName} ${mode}`)
            await expectAccessible(p, `${name} ${vpName} ${mode}`)
            await screenshot(p, `portal-${name}-${vpName}-${mode}`)
          }
        } finally {
          await p.close()
        }
      })
    }
  }

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})

async function readDownload(download) {
  const stream = await download.createReadStream()
  const chunks = []
  for await (const c of stream) chunks.push(c)
  return Buffer.concat(chunks)
}
