import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ApiError,
  filenameFromDisposition,
  getCsrfToken,
  http,
  NETWORK_ERROR_MESSAGE,
  onUnauthorized,
  setCsrfToken,
  toApiError,
} from '@/api/client'
import { api } from '@/api'
import { json, mockFetch } from './helpers'

beforeEach(() => {
  setCsrfToken(null)
  onUnauthorized(null)
})
afterEach(() => {
  vi.unstubAllGlobals()
})

describe('toApiError：统一错误体 → ApiError', () => {
  it('保留 code、message 与逐字段错误', () => {
    const e = toApiError(400, {
      error: {
        code: 'invalid_argument',
        message: '负责人信息有误，请按提示修改',
        fields: [
          { field: 'mobile', label: '手机号码', message: '手机号码应为以 1 开头的 11 位数字' },
          { field: 'email', label: '电子邮箱', message: '电子邮箱格式不正确，例如 name@example.org' },
        ],
      },
    })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.status).toBe(400)
    expect(e.code).toBe('invalid_argument')
    expect(e.message).toBe('负责人信息有误，请按提示修改')
    expect(e.fieldErrors).toEqual({
      mobile: '手机号码应为以 1 开头的 11 位数字',
      email: '电子邮箱格式不正确，例如 name@example.org',
    })
    expect(e.hasFieldErrors()).toBe(true)
  })

  it('同一字段的多条错误合并显示', () => {
    const e = toApiError(400, {
      error: { code: 'x', message: 'm', fields: [
        { field: 'password', label: '密码', message: '太短' },
        { field: 'password', label: '密码', message: '不含用户名' },
      ] },
    })
    expect(e.fieldErrors.password).toBe('太短；不含用户名')
  })

  it('非 JSON 或缺少 message 时使用中文兜底说明，绝不暴露原始内容', () => {
    const e = toApiError(502, '<html>Bad Gateway</html>')
    expect(e.message).toBe('服务器暂时无法访问，请稍后再试')
    expect(e.message).not.toContain('<html>')
    expect(toApiError(418, null).message).toBe('请求失败（418），请稍后再试')
    expect(toApiError(400, { error: { code: 'x', message: '   ' } }).message).toBe('提交的信息有误，请检查后重试')
  })

  it('429 带出 retry_after（响应体优先，其次 Retry-After 头）', () => {
    const body = { error: { code: 'too_many_requests', message: '密码错误次数过多，请于 15 分钟后再试', fields: [], retry_after: 900 } }
    expect(toApiError(429, body).retryAfter).toBe(900)
    expect(toApiError(429, { error: { code: 'too_many_requests', message: 'm' } }, '60').retryAfter).toBe(60)
  })

  it('忽略格式不对的字段项', () => {
    const e = toApiError(400, { error: { code: 'x', message: 'm', fields: [null, 1, { field: '', message: 'a' }, { field: 'name', message: '必填' }] } })
    expect(e.fields).toEqual([{ field: 'name', label: 'name', message: '必填' }])
  })
})

describe('request：Cookie、CSRF 与错误处理', () => {
  it('登录后记住 csrf_token，并在非 GET 请求中带上 X-CSRF-Token', async () => {
    const { calls } = mockFetch((c) => {
      if (c.url === '/api/v1/auth/login') return json(200, { csrf_token: 'tok-1', user: { id: 1 } })
      return json(200, { ok: true })
    })
    await api.login('gd_admin', 'pw')
    expect(getCsrfToken()).toBe('tok-1')
    await http.get('/orgs')
    await http.post('/orgs/21/children', { name: '某学院', kind: 'provincial_college' })
    await http.put('/orgs/21/contact', { name: 'x' })
    expect(calls[0].headers['X-CSRF-Token']).toBeUndefined()
    expect(calls[1].headers['X-CSRF-Token']).toBeUndefined()
    expect(calls[2].headers['X-CSRF-Token']).toBe('tok-1')
    expect(calls[2].headers['Content-Type']).toBe('application/json')
    expect(calls[2].body).toEqual({ name: '某学院', kind: 'provincial_college' })
    expect(calls[3].method).toBe('PUT')
    expect(calls[3].headers['X-CSRF-Token']).toBe('tok-1')
    for (const c of calls) expect(c.credentials).toBe('same-origin')
  })

  it('GET /me 返回的令牌同样被记住', async () => {
    mockFetch(() => json(200, { csrf_token: 'tok-me', user: { id: 2 } }))
    await api.me()
    expect(getCsrfToken()).toBe('tok-me')
  })

  it('CSRF 校验失败时重新获取令牌并重试一次', async () => {
    setCsrfToken('stale')
    let posts = 0
    const { calls } = mockFetch((c) => {
      if (c.url === '/api/v1/me') return json(200, { csrf_token: 'fresh', user: { id: 1 } })
      posts++
      if (c.headers['X-CSRF-Token'] === 'stale') return json(403, { error: { code: 'csrf_failed', message: '缺少 CSRF 令牌', fields: [] } })
      return json(201, { id: 9 })
    })
    await expect(http.post('/orgs/1/children', {})).resolves.toEqual({ id: 9 })
    expect(posts).toBe(2)
    expect(calls.map((c) => c.url)).toEqual(['/api/v1/orgs/1/children', '/api/v1/me', '/api/v1/orgs/1/children'])
  })

  it('400 抛出带字段错误的 ApiError', async () => {
    mockFetch(() =>
      json(400, { error: { code: 'invalid_argument', message: '账号信息有误', fields: [{ field: 'password', label: '密码', message: '密码长度至少 8 位' }] } }),
    )
    const err = (await http.post('/orgs/1/users', {}).catch((e) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.fieldErrors).toEqual({ password: '密码长度至少 8 位' })
  })

  it('401 触发跳转登录处理；登录接口本身的 401 不触发', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch(() => json(401, { error: { code: 'unauthenticated', message: '请先登录', fields: [] } }))
    await expect(http.get('/orgs')).rejects.toMatchObject({ status: 401, message: '请先登录' })
    expect(handler).toHaveBeenCalledTimes(1)
    await expect(api.login('a', 'b')).rejects.toMatchObject({ status: 401 })
    await expect(api.me()).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('验证码错误的 401（totp_invalid / totp_required）不是会话失效，不跳转登录页', async () => {
    const handler = vi.fn()
    onUnauthorized(handler)
    mockFetch(() =>
      json(401, {
        error: { code: 'totp_invalid', message: '验证码不正确', fields: [{ field: 'code', label: '验证码', message: '验证码不正确' }] },
      }),
    )
    const err = (await http.post('/me/totp/confirm', { code: '000000' }).catch((e) => e)) as ApiError
    expect(err).toMatchObject({ status: 401, code: 'totp_invalid' })
    expect(err.fieldErrors).toEqual({ code: '验证码不正确' })
    mockFetch(() => json(401, { error: { code: 'totp_required', message: '请输入动态验证码', fields: [] } }))
    await expect(http.post('/me/totp/recovery-codes', { code: '' })).rejects.toMatchObject({ code: 'totp_required' })
    expect(handler).not.toHaveBeenCalled()
    // 没有错误体的 401（例如代理返回）仍按会话失效处理
    mockFetch(() => new Response('', { status: 401 }))
    await expect(http.get('/me/notifications')).rejects.toMatchObject({ status: 401 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('429 的中文说明原样给到界面', async () => {
    mockFetch(() =>
      json(429, { error: { code: 'too_many_requests', message: '密码错误次数过多，账号已临时锁定，请于 2026-11-25 23:57（北京时间，约 15 分钟后）再试', fields: [], retry_after: 900 } }, { 'Retry-After': '900' }),
    )
    const err = await api.login('a', 'b').catch((e) => e)
    expect(err.status).toBe(429)
    expect(err.message).toContain('约 15 分钟后')
    expect(err.retryAfter).toBe(900)
  })

  it('网络错误转成中文提示', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    await expect(http.get('/orgs')).rejects.toMatchObject({ status: 0, message: NETWORK_ERROR_MESSAGE })
  })

  it('204 返回 null', async () => {
    mockFetch(() => new Response(null, { status: 204 }))
    await expect(api.logout()).resolves.toBeNull()
  })

  it('下载返回 Blob 与中文文件名', async () => {
    mockFetch(() =>
      new Response(new Uint8Array([80, 75, 3, 4]), {
        status: 200,
        headers: {
          'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          'Content-Disposition': `attachment; filename="contacts.xlsx"; filename*=UTF-8''%E8%81%94%E7%B3%BB%E4%BA%BA%E4%BF%A1%E6%81%AF%E7%99%BB%E8%AE%B0%E8%A1%A8.xlsx`,
        },
      }),
    )
    const r = await api.contactsXlsx(21)
    expect(r.filename).toBe('联系人信息登记表.xlsx')
    expect(r.blob.size).toBe(4)
  })
})

describe('filenameFromDisposition', () => {
  it('解析 filename 与 filename*', () => {
    expect(filenameFromDisposition('attachment; filename="a.xlsx"')).toBe('a.xlsx')
    expect(filenameFromDisposition("attachment; filename*=UTF-8''%E8%A1%A8.xlsx")).toBe('表.xlsx')
    expect(filenameFromDisposition(null)).toBeNull()
  })
})
