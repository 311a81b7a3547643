// E2E 公共工具：用 playwright-core 驱动 Debian 的 /usr/bin/chromium（不下载浏览器），
// 用 @axe-core/playwright 做 WCAG 2.1 A/AA 检查，截图保存到 <仓库根>/test-output/web/。
import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { chromium } from 'playwright-core'
import AxeBuilderModule from '@axe-core/playwright'

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule

const here = path.dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = path.resolve(here, '..', '..')
export const OUT_DIR = process.env.LEP_E2E_OUT || path.join(REPO_ROOT, 'test-output', 'web')
export const BASE_URL = (process.env.LEP_E2E_BASE || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
export const DEMO_PASSWORD = 'Lep@Demo2022'

export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 375, height: 812 }

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * 启动一个全新的浏览器（新的临时 --user-data-dir；playwright 通过 launchPersistentContext
 * 传入该目录）。返回 { context, close }。
 */
export async function launch(viewport = DESKTOP) {
  mkdirSync(OUT_DIR, { recursive: true })
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'lep-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: 'reduce',
    acceptDownloads: true,
    baseURL: BASE_URL,
  })
  context.setDefaultTimeout(15000)
  const errors = []
  context.on('page', (p) => watchPage(p, errors))
  for (const p of context.pages()) watchPage(p, errors)
  return {
    context,
    /** 页面上的 JS 错误与 CSP 违规（应为空） */
    errors,
    async close() {
      await context.close().catch(() => undefined)
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}

function watchPage(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) errors.push(`csp: ${m.text()}`)
  })
}

export async function newPage(browser, viewport) {
  const page = browser.context.pages().find((p) => p.url() === 'about:blank') ?? (await browser.context.newPage())
  if (viewport) await page.setViewportSize(viewport)
  return page
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  const file = path.join(OUT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage })
  return file
}

/** 在当前页面运行 axe（WCAG 2.1 A/AA），有违规即失败并列出详情 */
export async function expectAccessible(page, label) {
  // 等过渡动画结束（对话框淡入时颜色尚未到位，会误报对比度）
  await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 5000 }).catch(() => undefined)
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const v = results.violations
  if (v.length) {
    const lines = v.map(
      (x) =>
        `- ${x.id} (${x.impact}): ${x.help}\n` +
        x.nodes
          .slice(0, 5)
          .map((n) => `    ${n.target.join(' ')} :: ${n.failureSummary?.replace(/\s+/g, ' ')}`)
          .join('\n'),
    )
    assert.fail(`axe 发现 ${v.length} 类无障碍问题（${label}）：\n${lines.join('\n')}`)
  }
  return results
}

/** 手机宽度下不应出现横向滚动 */
export async function expectNoHorizontalScroll(page, label) {
  const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }))
  assert.ok(sw <= iw + 1, `${label}: 页面出现横向滚动（scrollWidth=${sw}, innerWidth=${iw}）`)
}

/** 手机宽度下门户页头的搜索、账号与大字模式收在「菜单」里：需要时先展开（返回是否展开过） */
export async function openPortalMenu(page) {
  const toggle = page.getByTestId('menu-toggle')
  if ((await toggle.count()) && (await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') {
    await toggle.click()
    return true
  }
  return false
}

export async function closePortalMenu(page) {
  const toggle = page.getByTestId('menu-toggle')
  if ((await toggle.count()) && (await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) === 'true') await toggle.click()
}

export async function setLargeText(page, on) {
  const btn = page.getByRole('button', { name: /大字模式/ })
  const opened = (await btn.count()) === 0 ? await openPortalMenu(page) : false
  const pressed = (await btn.first().getAttribute('aria-pressed')) === 'true'
  if (pressed !== on) await btn.first().click()
  await page.waitForFunction((want) => document.documentElement.classList.contains('lep-large-text') === want, on)
  if (opened) await closePortalMenu(page)
}

export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await page.getByLabel('用户名').fill(username)
  await page.getByLabel('密码', { exact: true }).fill(password)
  await page.getByRole('button', { name: '登录' }).click()
}

/** RFC 6238 TOTP（SHA-1、6 位、30 秒），与身份验证器应用一致；step 可指定时间步 */
export function totpCode(secretB32, step = Math.floor(Date.now() / 1000 / 30)) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const ch of secretB32.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch)
    if (v < 0) throw new Error(`invalid base32: ${ch}`)
    bits += v.toString(2).padStart(5, '0')
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8))
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2)
  const msg = Buffer.alloc(8)
  msg.writeBigUInt64BE(BigInt(step))
  const h = createHmac('sha1', key).update(msg).digest()
  const o = h[h.length - 1] & 0xf
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]
  return String(n % 1_000_000).padStart(6, '0')
}

export function totpStep() {
  return Math.floor(Date.now() / 1000 / 30)
}

/**
 * The steps of one spec file, run in order: after a failing step the later ones are skipped
 * (no chain of timeouts), and the failing step leaves a FAILED-<label>-… screenshot of getPage().
 */
export function serialSteps(label, getPage) {
  let broken = false
  return function step(name, fn) {
    test(name, async (t) => {
      if (broken) {
        t.skip('前一步骤失败')
        return
      }
      try {
        await fn(t)
      } catch (e) {
        broken = true
        const page = getPage()
        if (page) await screenshot(page, `FAILED-${label}-${name.slice(0, 20)}`).catch(() => undefined)
        throw e
      }
    })
  }
}

/**
 * A signed-in API session for test set-up (node fetch against the test server): cookie + CSRF
 * token, JSON in and out. request() resolves to { status, body } and never throws on HTTP errors.
 */
export class ApiSession {
  constructor(cookie, csrf, user) {
    this.cookie = cookie
    this.csrf = csrf
    this.user = user
  }

  async request(method, path, body, headers = {}) {
    const h = { Accept: 'application/json', Cookie: this.cookie, ...headers }
    if (method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = this.csrf
    let payload
    if (body !== undefined) {
      if (body instanceof Uint8Array || typeof body === 'string') {
        payload = body
      } else {
        h['Content-Type'] = 'application/json'
        payload = JSON.stringify(body)
      }
    }
    const res = await fetch(`${BASE_URL}${path}`, { method, headers: h, body: payload })
    const text = await res.text()
    let json = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {
      json = text
    }
    return { status: res.status, body: json, headers: res.headers }
  }

  get(path) {
    return this.request('GET', path)
  }
  post(path, body) {
    return this.request('POST', path, body ?? {})
  }
  put(path, body) {
    return this.request('PUT', path, body ?? {})
  }
  delete(path) {
    return this.request('DELETE', path)
  }

  /** Like request() but fails the test unless the status is the expected one; returns the body. */
  async expect(status, method, path, body) {
    const r = await this.request(method, path, body)
    assert.equal(r.status, status, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`)
    return r.body
  }
}

export async function apiLogin(username, password = DEMO_PASSWORD, second = {}) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password, ...second }),
  })
  const body = await res.json()
  assert.equal(res.status, 200, `登录 ${username}：${res.status} ${JSON.stringify(body)}`)
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lep_session='))
  return new ApiSession(cookie.split(';')[0], body.csrf_token, body.user)
}

/** Opens an account through a unit admin's API session; returns its username. */
export async function createAccount(admin, { username, role, orgId = admin.user.org_id, displayName }) {
  await admin.expect(201, 'POST', `/api/v1/orgs/${orgId}/users`, {
    username,
    password: DEMO_PASSWORD,
    role,
    display_name: displayName ?? username,
  })
  return username
}
