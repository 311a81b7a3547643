// 与 lep 服务端通信的最小客户端：
// - 同源 Cookie（lep_session）随请求发送；
// - 登录 / GET /api/v1/me 返回的 csrf_token 被记住，所有非 GET 请求带上 X-CSRF-Token；
// - 统一错误体 {"error":{"code","message","fields":[{field,label,message}]}} 转为 ApiError，
//   表单据此在各字段下方显示提示，对话框显示 message，绝不把原始 JSON 展示给用户。

export interface FieldError {
  field: string
  label: string
  message: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldError[]
  /** 429 时建议的等待秒数（来自响应体 retry_after 或 Retry-After 头） */
  readonly retryAfter?: number
  /** 已解析的响应体（例如导入失败时附带的 report），仅供程序使用，绝不直接展示 */
  data?: unknown

  constructor(status: number, code: string, message: string, fields: FieldError[] = [], retryAfter?: number) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.retryAfter = retryAfter
  }

  /** 字段名 → 中文提示；同一字段多条提示以「；」连接 */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {}
    for (const f of this.fields) {
      out[f.field] = out[f.field] ? `${out[f.field]}；${f.message}` : f.message
    }
    return out
  }

  hasFieldErrors(): boolean {
    return this.fields.length > 0
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  400: '提交的信息有误，请检查后重试',
  401: '请先登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在',
  409: '数据已被修改，请刷新后重试',
  413: '提交的内容过大',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误，请稍后再试',
  502: '服务器暂时无法访问，请稍后再试',
  503: '服务器繁忙，请稍后再试',
  504: '服务器响应超时，请稍后再试',
}

export function fallbackMessage(status: number): string {
  return STATUS_MESSAGES[status] ?? `请求失败（${status}），请稍后再试`
}

export const NETWORK_ERROR_MESSAGE = '无法连接服务器，请检查网络后重试'

/** 把任意响应转换为 ApiError；body 可以是已解析的 JSON、文本或 null */
export function toApiError(status: number, body: unknown, retryAfterHeader?: string | null): ApiError {
  let code = `http_${status}`
  let message = fallbackMessage(status)
  let fields: FieldError[] = []
  let retryAfter: number | undefined
  if (body && typeof body === 'object' && 'error' in body) {
    const e = (body as { error: unknown }).error
    if (e && typeof e === 'object') {
      const eo = e as Record<string, unknown>
      if (typeof eo.code === 'string' && eo.code) code = eo.code
      if (typeof eo.message === 'string' && eo.message.trim()) message = eo.message
      if (Array.isArray(eo.fields)) {
        fields = eo.fields
          .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
          .map((f) => ({
            field: String(f.field ?? ''),
            label: String(f.label ?? f.field ?? ''),
            message: String(f.message ?? ''),
          }))
          .filter((f) => f.field && f.message)
      }
      if (typeof eo.retry_after === 'number') retryAfter = eo.retry_after
    }
  }
  if (retryAfter === undefined && retryAfterHeader) {
    const n = Number(retryAfterHeader)
    if (Number.isFinite(n)) retryAfter = n
  }
  const err = new ApiError(status, code, message, fields, retryAfter)
  err.data = body
  return err
}

let csrfToken: string | null = null
export function getCsrfToken(): string | null {
  return csrfToken
}
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/**
 * 401 的原因不只是会话失效：验证码错误（totp_invalid）、需要第二因素（totp_required）时会话仍然有效，
 * 不能当作「登录已失效」把用户送回登录页。
 */
const SECOND_FACTOR_CODES: ReadonlySet<string> = new Set(['totp_invalid', 'totp_required'])

/** 这个错误是否表示会话已失效（未登录或登录已过期） */
export function isSessionExpired(err: ApiError): boolean {
  return err.status === 401 && !SECOND_FACTOR_CODES.has(err.code)
}

type UnauthorizedHandler = (err: ApiError) => void
let unauthorizedHandler: UnauthorizedHandler | null = null
/** 注册会话失效（401，验证码错误除外）的处理（通常：跳转登录页并保留返回路径） */
export function onUnauthorized(fn: UnauthorizedHandler | null): void {
  unauthorizedHandler = fn
}

type EnrolmentHandler = (err: ApiError) => void
let enrolmentHandler: EnrolmentHandler | null = null
/** 注册 403 totp_enrolment_required 处理（双因素认证宽限期已过：跳转到绑定页面） */
export function onEnrolmentRequired(fn: EnrolmentHandler | null): void {
  enrolmentHandler = fn
}

export interface RequestOptions {
  body?: unknown
  /** 401 时不触发全局跳转（登录、启动时探测登录状态等） */
  quiet401?: boolean
  /** 以 Blob 返回（下载文件） */
  blob?: boolean
  signal?: AbortSignal
  /** 原样发送的请求体（文件上传），与 contentType 一起使用；优先于 body */
  raw?: BodyInit
  contentType?: string
}

export const API_BASE = '/api/v1'

function isSafeMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD'
}

async function parseBody(res: Response): Promise<unknown> {
  if (res.status === 204) return null
  const ct = res.headers.get('Content-Type') || ''
  const text = await res.text()
  if (!text) return null
  if (ct.includes('json') || /^[\s]*[{[]/.test(text)) {
    try {
      return JSON.parse(text)
    } catch {
      return text
    }
  }
  return text
}

function rememberCsrf(body: unknown): void {
  if (body && typeof body === 'object' && 'csrf_token' in body) {
    const t = (body as { csrf_token: unknown }).csrf_token
    if (typeof t === 'string' && t) csrfToken = t
  }
}

export interface BlobResult {
  blob: Blob
  filename: string | null
}

export function filenameFromDisposition(cd: string | null): string | null {
  if (!cd) return null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(cd)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(cd)
  return plain ? plain[1].trim() : null
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: opts.blob ? '*/*' : 'application/json' }
  let body: BodyInit | undefined
  if (opts.raw !== undefined) {
    if (opts.contentType) headers['Content-Type'] = opts.contentType
    body = opts.raw
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  if (!isSafeMethod(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  const url = path.startsWith('/') && !path.startsWith(API_BASE) && !path.startsWith('/healthz') ? API_BASE + path : path
  try {
    return await fetch(url, { method, headers, body, credentials: 'same-origin', signal: opts.signal })
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e
    throw new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE)
  }
}

export async function request<T = unknown>(method: string, path: string, opts: RequestOptions = {}, retried = false): Promise<T> {
  method = method.toUpperCase()
  const res = await send(method, path, opts)
  if (res.ok) {
    if (opts.blob) {
      return { blob: await res.blob(), filename: filenameFromDisposition(res.headers.get('Content-Disposition')) } as T
    }
    const data = await parseBody(res)
    rememberCsrf(data)
    return data as T
  }
  const data = await parseBody(res)
  const err = toApiError(res.status, data, res.headers.get('Retry-After'))
  // CSRF 令牌失效（例如会话在别的标签页被刷新）：重新取一次令牌再试一次。
  if (err.code === 'csrf_failed' && !retried && !isSafeMethod(method)) {
    try {
      await request('GET', '/me', { quiet401: true }, true)
    } catch {
      throw err
    }
    return request<T>(method, path, opts, true)
  }
  if (isSessionExpired(err) && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err)
  if (res.status === 403 && err.code === 'totp_enrolment_required' && enrolmentHandler) enrolmentHandler(err)
  throw err
}

export const http = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
  download: (path: string) => request<BlobResult>('GET', path, { blob: true }),
}
