// tus 断点续传的公共设置：上传地址、分块大小、指纹（用于刷新页面后续传）、错误信息转换。
import { Upload, type DetailedError, type PreviousUpload } from 'tus-js-client'
import { ApiError, NETWORK_ERROR_MESSAGE, getCsrfToken, toApiError } from '@/api/client'

export const UPLOAD_ENDPOINT = '/api/v1/uploads'

/**
 * 每个 PATCH 请求的大小。理想值约 5 MiB，但当前的 lep 服务端会断开 Content-Length 超过 1 MiB 的请求
 * （见 web/README.md），因此取 1 MiB。测试可通过 localStorage「lep.test.uploadChunkSize」改小。
 */
export const DEFAULT_CHUNK_SIZE = 1024 * 1024

export function uploadChunkSize(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): number {
  try {
    const v = Number(storage?.getItem('lep.test.uploadChunkSize'))
    if (Number.isFinite(v) && v >= 64 * 1024) return Math.floor(v)
  } catch {
    /* localStorage 不可用 */
  }
  return DEFAULT_CHUNK_SIZE
}

/** 同一资源、同名同大小的文件视为同一次上传（刷新页面后重新选择该文件即可续传） */
export function uploadFingerprint(resourceId: number, kind: string, file: { name: string; size: number }): string {
  return `lep-${kind}-${resourceId}-${file.size}-${file.name}`
}

/** 本资源未完成的上传（最新的在前） */
export function pendingUploadsFor(all: PreviousUpload[], resourceId: number, kind = 'media'): PreviousUpload[] {
  return all
    .filter((u) => u.metadata?.resource_id === String(resourceId) && (u.metadata?.kind ?? 'media') === kind)
    .sort((a, b) => String(b.creationTime).localeCompare(String(a.creationTime)))
}

/** tus-js-client 的错误 → 中文提示（服务端错误体里的 message；网络中断时给出通用提示） */
export function tusErrorMessage(err: unknown): string {
  const d = err as Partial<DetailedError> | undefined
  const res = d?.originalResponse
  if (res) {
    const status = res.getStatus()
    let body: unknown = null
    try {
      body = JSON.parse(res.getBody() || 'null')
    } catch {
      body = null
    }
    return toApiError(status, body).message
  }
  if (err instanceof ApiError) return err.message
  return NETWORK_ERROR_MESSAGE
}

/** 4xx（除 409、423、429）不重试：例如无权限、文件过大、资源状态不允许 */
export function shouldRetryTus(err: Partial<DetailedError>): boolean {
  const status = err.originalResponse ? err.originalResponse.getStatus() : 0
  if (status >= 400 && status < 500) return status === 409 || status === 423 || status === 429
  return true
}

/** 一个文件的一次 tus 上传（批量上传、网络课程的课时共用）：有未完成的同一文件则续传 */
export interface TusFileUpload {
  file: File
  resourceId: number
  kind: string
  /** 另外放进 Upload-Metadata 的字段（如课时名称 title） */
  metadata?: Record<string, string>
  onProgress?: (sent: number, total: number) => void
  /** 开始前最后一次确认（用户可能已点了「停止」） */
  shouldStart?: () => boolean
}
export type TusOutcome = { state: 'done' } | { state: 'failed'; error: string } | { state: 'stopped' }

/** 开始上传；返回可中断的 tus.Upload 与结果（不会 reject） */
export function startTusUpload(o: TusFileUpload): { upload: Upload; outcome: Promise<TusOutcome> } {
  const headers: Record<string, string> = { 'X-CSRF-Token': getCsrfToken() ?? '' }
  let upload!: Upload
  const outcome = new Promise<TusOutcome>((resolve) => {
    upload = new Upload(o.file, {
      endpoint: `${window.location.origin}${UPLOAD_ENDPOINT}`,
      chunkSize: uploadChunkSize(),
      retryDelays: [0, 1000, 3000, 5000],
      metadata: { resource_id: String(o.resourceId), filename: o.file.name, kind: o.kind, ...o.metadata },
      // 会话 Cookie 同源自动携带；CSRF 令牌放在请求头（不要在 onBeforeRequest 里再 setHeader）
      headers,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      fingerprint: (f: File) => Promise.resolve(uploadFingerprint(o.resourceId, o.kind, f)),
      onShouldRetry: (err) => shouldRetryTus(err),
      onProgress: (bytes, size) => o.onProgress?.(bytes, size),
      onSuccess: () => resolve({ state: 'done' }),
      onError: (err) => resolve({ state: 'failed', error: tusErrorMessage(err) }),
    })
    upload
      .findPreviousUploads()
      .then((previous) => {
        const mine = pendingUploadsFor(previous, o.resourceId, o.kind)
        if (mine.length) upload.resumeFromPreviousUpload(mine[0])
      })
      .catch(() => undefined)
      .finally(() => {
        if (o.shouldStart && !o.shouldStart()) {
          resolve({ state: 'stopped' })
          return
        }
        upload.start()
      })
  })
  return { upload, outcome }
}

/** 一行待上传文件的状态（批量上传、课时上传） */
export interface UploadRow {
  file: File
  state: string
  sent: number
  error: string
}

/** 上传结束后更新这一行：完成 / 失败（带原因）/ 未开始（回到等待） */
export function settleRow(row: UploadRow, outcome: TusOutcome): void {
  if (outcome.state === 'done') {
    row.state = 'done'
    row.sent = row.file.size
  } else if (outcome.state === 'failed') {
    row.state = 'failed'
    row.error = outcome.error
  } else {
    row.state = 'waiting'
  }
}
