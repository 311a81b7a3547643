// 老年学习者用手机（适老化，issue 19 第 3 项），390×844：页头收进「菜单」不再占去大半屏；首页先给资源、
// 不列没有资源的分类；每个可点的控件至少 44 像素高（大字模式 60 像素）；大字模式有大号播放按钮；打开搜索结果后
// 焦点落在新页面的标题上；搜索框的焦点框看得见；后台的分类选择在手机上是整行宽、可输入筛选的列表。
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  DESKTOP,
  expectAccessible,
  expectNoHorizontalScroll,
  launch,
  login,
  newPage,
  openPortalMenu,
  screenshot,
  serialSteps,
  setLargeText,
} from './helpers.mjs'
import { makeMedia, publishedResource, team } from './fixtures.mjs'

const PHONE_390 = { width: 390, height: 844 }
const RUN = String(Date.now()).slice(-6)
const TITLE = `太极养生十八式${RUN}`

let browser
let page
let media
let resourceId

const step = serialSteps('elderly', () => page)

/** 页面上看得见的每个可点击控件（链接、按钮、输入框、下拉框）中高度不足 min 像素的 */
async function smallControls(min) {
  return page.evaluate((minPx) => {
    const out = []
    for (const el of document.querySelectorAll('header a, header button, header input, main a, main button, main input, main select, main summary')) {
      if (el.classList.contains('skip-link')) continue
      const r = el.getBoundingClientRect()
      const st = getComputedStyle(el)
      if (r.width === 0 || r.height === 0 || st.visibility === 'hidden') continue
      if (r.height + 0.5 < minPx) out.push(`${el.tagName.toLowerCase()}「${(el.textContent || el.getAttribute('aria-label') || el.id).trim().slice(0, 20)}」${Math.round(r.height)}px`)
    }
    return out
  }, min)
}

/** 焦点变化后的样式过渡（减少动态效果时为 0.01ms）结束后再读样式 */
async function settledStyles() {
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'))
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))))
}

function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((v) => {
    const c = v / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}
function contrast(a, b) {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p)
  return (x + 0.05) / (y + 0.05)
}

describe('适老化：老年学习者用手机', () => {
  before(async () => {
    media = makeMedia()
    resourceId = await publishedResource(await team(), media, TITLE, { category: '健康养生-太极拳' })
    browser = await launch(PHONE_390)
    page = await newPage(browser, PHONE_390)
  })
  after(async () => {
    await browser?.close()
    media?.cleanup()
  })

  step('手机页头只占一行：站名与「菜单」，搜索、登录、大字模式收在菜单里', async () => {
    await page.goto('/')
    await page.getByRole('heading', { level: 1 }).waitFor()
    for (const large of [false, true]) {
      await setLargeText(page, large)
      const h = (await page.locator('header.site-header').boundingBox()).height
      const limit = PHONE_390.height * (large ? 0.15 : 0.12)
      assert.ok(h <= limit, `页头高 ${Math.round(h)}px，超过屏幕的 ${large ? 15 : 12}%（${Math.round(limit)}px）`)
    }
    await setLargeText(page, false)
    const toggle = page.getByTestId('menu-toggle')
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false')
    await toggle.click()
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true')
    const menu = page.locator('#site-menu')
    await menu.getByRole('searchbox', { name: '搜索学习资源' }).waitFor()
    await menu.getByRole('link', { name: '登录', exact: true }).waitFor()
    await menu.getByRole('button', { name: /大字模式/ }).waitFor()
    await expectAccessible(page, '手机首页（菜单展开）')
    await screenshot(page, 'elderly-home-menu-open', { fullPage: false })
    await toggle.click()
    await menu.getByRole('link', { name: '登录', exact: true }).waitFor({ state: 'hidden' })
  })

  step('首页先给资源，不列没有资源的分类', async () => {
    const newest = await page.locator('#newest-title').boundingBox()
    const domains = await page.locator('#domains-title').boundingBox()
    assert.ok(newest.y < domains.y, '「最新资源」应在「按领域浏览」之前')
    await page.locator('.lists').getByRole('link', { name: new RegExp(TITLE) }).first().waitFor()
    const cats = page.getByTestId('categories')
    await cats.getByRole('link', { name: /太极拳/ }).waitFor()
    for (const c of await cats.locator('.cat-count').allTextContents()) assert.notEqual(c.trim(), '（0）')
    await expectNoHorizontalScroll(page, '手机首页')
    await screenshot(page, 'elderly-home-phone')
  })

  step('每个控件至少 44 像素高；大字模式至少 60 像素', async () => {
    assert.deepEqual(await smallControls(44), [], '标准字号下太小的控件')
    await openPortalMenu(page)
    assert.deepEqual(await smallControls(44), [], '菜单中太小的控件')
    await page.getByTestId('menu-toggle').click()
    await setLargeText(page, true)
    assert.deepEqual(await smallControls(60), [], '大字模式下太小的控件')
    await openPortalMenu(page)
    assert.deepEqual(await smallControls(60), [], '大字模式菜单中太小的控件')
    await expectAccessible(page, '手机首页大字模式')
    await screenshot(page, 'elderly-home-phone-large')
    await page.getByTestId('menu-toggle').click()
  })

  step('搜索后打开结果：焦点落在资源页的标题上', async () => {
    const box = page.getByRole('searchbox', { name: '搜索学习资源' })
    await box.fill(TITLE)
    await box.press('Enter')
    await page.waitForURL(/\/search\?q=/)
    await page.getByTestId('search-results').getByRole('link', { name: TITLE }).click()
    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor()
    await page.waitForFunction((t) => document.activeElement?.tagName === 'H1' && document.activeElement.textContent.includes(t), TITLE)
  })

  step('大字模式的资源页有大号播放按钮（≥ 60 像素），按下即播放', async () => {
    const controls = page.getByTestId('big-controls')
    await controls.waitFor()
    for (const b of await controls.getByRole('button').all()) {
      const h = (await b.boundingBox()).height
      assert.ok(h >= 59.5, `播放按钮「${await b.textContent()}」只有 ${h}px 高`)
    }
    await page.evaluate(() => {
      document.querySelector('video').muted = true
    })
    await controls.getByRole('button', { name: /播放/ }).click()
    await page.waitForFunction(() => document.querySelector('video').currentTime > 0.5, null, { timeout: 20000 })
    await controls.getByRole('button', { name: /暂停/ }).click()
    await controls.getByRole('button', { name: /后退 10 秒/ }).click()
    await page.waitForFunction(() => document.querySelector('video').currentTime < 0.5)
    await expectAccessible(page, '大字模式资源页')
    await screenshot(page, 'elderly-resource-large')
    await setLargeText(page, false)
    assert.equal(await page.getByTestId('big-controls').count(), 0)
  })

  step('搜索框的焦点框看得见（桌面页头、手机首页）', async () => {
    await page.setViewportSize(DESKTOP)
    await page.goto('/')
    await page.getByRole('heading', { level: 1 }).waitFor()
    await page.locator('#site-search').focus()
    await settledStyles()
    const desk = await page.evaluate(() => {
      if (document.activeElement?.id !== 'site-search') return { style: 'not focused' }
      const st = getComputedStyle(document.activeElement)
      return { style: st.outlineStyle, width: parseFloat(st.outlineWidth), color: st.outlineColor, bg: getComputedStyle(document.querySelector('header.site-header')).backgroundColor }
    })
    assert.equal(desk.style, 'solid')
    assert.ok(desk.width >= 2)
    assert.ok(contrast(desk.color, desk.bg) >= 3, `焦点框 ${desk.color} 与页头 ${desk.bg} 对比度不足`)
    assert.ok(contrast(desk.color, 'rgb(255, 255, 255)') >= 1.2, '焦点框不能是白色（输入框是白底）')
    await page.setViewportSize(PHONE_390)
    await page.locator('#home-search').focus()
    await settledStyles()
    const phone = await page.evaluate(() => {
      if (document.activeElement?.id !== 'home-search') return { style: 'not focused' }
      const st = getComputedStyle(document.activeElement)
      return { style: st.outlineStyle, color: st.outlineColor }
    })
    assert.equal(phone.style, 'solid')
    assert.ok(contrast(phone.color, 'rgb(244, 247, 251)') >= 3, `首页搜索框焦点框 ${phone.color} 对比度不足`)
  })

  step('后台的所属分类在手机上是整行宽、可输入筛选的列表，第三级也点得到', async () => {
    await login(page, 'gd_uploader')
    await page.waitForURL(/\/console\//)
    await page.goto('/console/resources/new')
    await page.getByRole('heading', { level: 1, name: '新建资源' }).waitFor()
    const picker = page.getByTestId('category-picker')
    await picker.getByLabel(/输入文字筛选分类/).fill('太极')
    const options = picker.getByRole('radio')
    await options.first().waitFor()  // the list filters as the text arrives
    assert.ok((await options.count()) >= 1)
    for (const o of await picker.locator('label.option').all()) {
      const r = await o.boundingBox()
      assert.ok(r.x >= 0 && r.x + r.width <= PHONE_390.width + 1, '分类选项超出屏幕')
      assert.ok(r.height >= 43.5, '分类选项太小')
    }
    await picker.locator('label.option').filter({ hasText: '太极拳' }).first().click()
    await picker.getByText(/已选：.*太极拳/).waitFor()
    await expectNoHorizontalScroll(page, '手机新建资源')
    await expectAccessible(page, '手机新建资源（分类选择）')
    await screenshot(page, 'elderly-console-category-phone')
  })

  test('页面没有脚本错误或 CSP 违规', () => {
    assert.deepEqual(browser.errors, [])
  })
})
