import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DESKTOP,
  PHONE,
  expectAccessible,
  expectNoHorizontalScroll,
  launch,
  newPage,
  screenshot,
  openPortalMenu,
  setLargeText,
} from './helpers.mjs'

const DOMAINS = ['学历继续教育', '非学历教育培训', '老年教育', '社区教育']

describe('学习门户首页', () => {
  let browser
  before(async () => {
    browser = await launch(DESKTOP)
  })
  after(async () => {
    await browser?.close()
  })

  for (const [vpName, vp] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ]) {
    for (const large of [false, true]) {
      const mode = large ? 'large' : 'normal'
      test(`首页以中文呈现并通过 axe（${vpName}，${large ? '大字模式' : '标准字号'}）`, async () => {
        const page = await newPage(browser, vp)
        await page.goto('/')
        await setLargeText(page, large)
        assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN')
        await page.getByRole('heading', { level: 1 }).waitFor()
        assert.match(await page.title(), /终身教育数字化学习资源征集与学习门户平台/)
        assert.ok(await page.getByRole('link', { name: /终身教育数字化学习资源征集与学习门户平台/ }).isVisible())
        for (const d of DOMAINS) {
          assert.ok(await page.getByRole('link', { name: new RegExp(d) }).first().isVisible(), `缺少领域卡片 ${d}`)
        }
        assert.ok(await page.getByRole('searchbox', { name: '搜索学习资源' }).isVisible())
        // 手机上登录、注册收在页头的「菜单」里
        if (vp === PHONE) await openPortalMenu(page)
        assert.ok(await page.getByRole('link', { name: '登录', exact: true }).isVisible())
        assert.ok(await page.getByRole('link', { name: '注册', exact: true }).isVisible())
        const rootPx = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize))
        assert.equal(rootPx, large ? 20 : 16)
        if (vp === PHONE) await expectNoHorizontalScroll(page, `首页 ${vpName} ${mode}`)
        await expectAccessible(page, `首页 ${vpName} ${mode}`)
        await screenshot(page, `home-${vpName}-${mode}`)
        await page.close()
      })
    }
  }

  test('大字模式保存在 localStorage，刷新后仍然生效', async () => {
    const page = await newPage(browser, PHONE)
    await page.goto('/')
    await setLargeText(page, true)
    assert.equal(await page.evaluate(() => localStorage.getItem('lep.largeText')), '1')
    await page.reload()
    await page.getByRole('heading', { level: 1 }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('lep-large-text')), true)
    assert.equal(await page.locator('button.large-text-toggle').first().getAttribute('aria-pressed'), 'true')
    await setLargeText(page, false)
    await page.reload()
    await page.getByRole('heading', { level: 1 }).waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.classList.contains('lep-large-text')), false)
    await page.close()
  })

  test('搜索框跳转到 /search?q=，显示搜索结果页', async () => {
    const page = await newPage(browser, DESKTOP)
    await page.goto('/')
    await page.getByRole('searchbox', { name: '搜索学习资源' }).fill('老年人智能手机')
    await page.getByRole('searchbox', { name: '搜索学习资源' }).press('Enter')
    await page.waitForURL(/\/search\?q=/)
    assert.equal(new URL(page.url()).searchParams.get('q'), '老年人智能手机')
    await page.getByText(/共找到/).waitFor()
    await expectAccessible(page, '搜索页')
    await screenshot(page, 'search-desktop')
    await page.close()
  })

  test('键盘可以到达跳转链接与搜索框，焦点可见', async () => {
    const page = await newPage(browser, DESKTOP)
    await page.goto('/')
    await page.keyboard.press('Tab')
    const first = await page.evaluate(() => document.activeElement?.textContent?.trim())
    assert.equal(first, '跳到主要内容')
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle)
    assert.notEqual(outline, 'none')
    await page.close()
  })

  test('未知路径显示中文的「页面不存在」（SPA 回退）', async () => {
    const page = await newPage(browser, DESKTOP)
    const res = await page.goto('/no/such/page')
    assert.equal(res.status(), 200)
    await page.getByRole('heading', { name: '页面不存在' }).waitFor()
    await page.close()
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
