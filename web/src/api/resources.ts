// 资源、分类、封面、音视频检测报告、批量导入导出的接口。
import { API_BASE, http, getCsrfToken, toApiError, NETWORK_ERROR_MESSAGE, ApiError } from './client'
import type { Categories, CoverUploaded, ImportReport, Items, LessonList, LinkCheck, MediaInfo, Resource, ResourceInput, ResourcePage, SeriesInfo } from './types'

export type { Cover, Resource, ResourceSummary, ResourceInput, ResourcePage, CategoryNode, SeriesInfo, MediaRule, MediaInfo, ImportRowError, ImportReport, Lesson, LessonList } from './schema'

export type ResourceType = 'A01' | 'A02' | 'A03'

export interface ResourceFilter {
  type?: string
  domain?: string
  state?: string
  series?: string
  q?: string
  /** 仅导出：该征集批次的资源 */
  campaign_id?: number
  page?: number
  page_size?: number
}

/** 把筛选条件转为查询串（空值省略） */
export function filterQuery(f: ResourceFilter): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(f)) {
    if (v === undefined || v === null || v === '') continue
    p.set(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

import type { MediaMatchResult } from './types'
export type { MediaMatchResult }
export type MediaMatch = MediaMatchResult['items'][number]

export const resourcesApi = {
  /** 批量上传：文件名 → 本单位可编辑的资源（先按导入表的文件名列，再按资源名称） */
  mediaMatch: (files: string[]) => http.post<MediaMatchResult>('/resources/media-match', { files }),
  list: (f: ResourceFilter = {}) => http.get<ResourcePage>(`/resources${filterQuery(f)}`),
  get: (id: number) => http.get<Resource>(`/resources/${id}`),
  create: (body: ResourceInput) => http.post<Resource>('/resources', body),
  update: (id: number, body: ResourceInput) => http.put<Resource>(`/resources/${id}`, body),
  remove: (id: number) => http.delete<void>(`/resources/${id}`),
  categories: () => http.get<Categories>('/categories'),
  series: (orgId: number) => http.get<Items<SeriesInfo>>(`/orgs/${orgId}/series`),
  uploadCover: (id: number, file: Blob) =>
    http.post<CoverUploaded>(`/resources/${id}/cover`, undefined, { raw: file, contentType: 'image/jpeg' }),
  media: (id: number) => http.get<{ media: MediaInfo | null }>(`/resources/${id}/media`),
  /** 网络课程（实体资源）的课时；修改须带资源当前版本号，返回新的版本号 */
  lessons: (id: number) => http.get<LessonList>(`/resources/${id}/lessons`),
  renameLesson: (id: number, lessonId: number, title: string, version: number) =>
    http.patch<{ version: number }>(`/resources/${id}/lessons/${lessonId}`, { title, version }),
  removeLesson: (id: number, lessonId: number, version: number) =>
    http.delete<{ version: number }>(`/resources/${id}/lessons/${lessonId}?version=${version}`),
  reorderLessons: (id: number, lessonIds: number[], version: number) =>
    http.put<{ version: number }>(`/resources/${id}/lessons`, { lesson_ids: lessonIds, version }),
  linkCheck: (id: number) => http.get<{ link_check: LinkCheck | null }>(`/resources/${id}/link-check`),
  template: () => http.download('/resources/template.xlsx'),
  exportFile: (format: 'xlsx' | 'csv', f: ResourceFilter = {}) => {
    const { page: _p, page_size: _s, ...rest } = f
    return http.download(`/resources/export.${format}${filterQuery(rest)}`)
  },
}

export interface ImportProgress {
  phase: 'uploading' | 'processing'
  /** 0–100；processing 阶段为 100 */
  percent: number
}

/**
 * 批量导入：原样上传文件（带上传进度）。dryRun=true 只检查；false 时全部正确才写入。
 * 检查结果（200）返回 report；导入失败（400 且带 report）同样返回 report（ok=false）。
 */
export function importResources(
  file: File,
  dryRun: boolean,
  onProgress?: (p: ImportProgress) => void,
  orgId?: number,
): Promise<{ ok: boolean; report: ImportReport; message?: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `${API_BASE}/resources/import?dry_run=${dryRun ? 'true' : 'false'}${orgId ? `&org_id=${orgId}` : ''}`)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    const isCsv = /\.csv$/i.test(file.name)
    xhr.setRequestHeader(
      'Content-Type',
      isCsv ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    const token = getCsrfToken()
    if (token) xhr.setRequestHeader('X-CSRF-Token', token)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.({ phase: 'uploading', percent: Math.min(100, Math.round((e.loaded / e.total) * 100)) })
    }
    xhr.upload.onload = () => onProgress?.({ phase: 'processing', percent: 100 })
    xhr.onerror = () => reject(new ApiError(0, 'network_error', NETWORK_ERROR_MESSAGE))
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        body = xhr.responseText
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ ok: true, report: normalizeReport(body) })
        return
      }
      const err = toApiError(xhr.status, body, xhr.getResponseHeader('Retry-After'))
      if (body && typeof body === 'object' && 'report' in body) {
        resolve({ ok: false, report: normalizeReport((body as { report: unknown }).report), message: err.message })
        return
      }
      reject(err)
    }
    xhr.send(file)
  })
}

export function normalizeReport(body: unknown): ImportReport {
  const b = (body && typeof body === 'object' ? body : {}) as Partial<ImportReport>
  return {
    dry_run: b.dry_run !== false,
    total_rows: Number(b.total_rows ?? 0),
    valid_rows: Number(b.valid_rows ?? 0),
    error_rows: Number(b.error_rows ?? 0),
    created: Number(b.created ?? 0),
    created_ids: Array.isArray(b.created_ids) ? b.created_ids : [],
    update_rows: Number(b.update_rows ?? 0),
    updated: Number(b.updated ?? 0),
    updated_ids: Array.isArray(b.updated_ids) ? b.updated_ids : [],
    unknown_columns: Array.isArray(b.unknown_columns) ? b.unknown_columns.map(String) : [],
    errors: Array.isArray(b.errors) ? b.errors : [],
  }
}
