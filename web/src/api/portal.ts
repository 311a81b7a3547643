// 学习门户（公开，无需登录）与审核流程的接口。
import { http } from './client'
import type {
  ActionInfo,
  Batch,
  BatchPreview,
  BulkApproveResult,
  BulkReturnResult,
  Campaign,
  CampaignInput,
  CategoryCount,
  Checklist,
  HistoryEntry,
  Items,
  LessonList,
  PortalDetail,
  PortalHome,
  PortalResource,
  QueueItem,
  Resource,
  ScreeningHit,
  SearchResult,
  UnitDeadline,
} from './types'

export type {
  ActionInfo,
  Batch,
  BatchItem,
  BatchPreview,
  Campaign,
  CampaignInput,
  CategoryCount,
  Checklist,
  HistoryEntry,
  PortalDetail,
  PortalHome,
  PortalResource,
  QueueItem,
  ScreeningHit,
  SearchHit,
  SearchResult,
  SeriesItem,
  TocNode,
  UnitDeadline,
} from './schema'

export type FacetName = 'domain' | 'type' | 'category' | 'province'
export type Facets = Partial<Record<FacetName, Record<string, number>>>

export type SortKey = 'relevance' | 'clicks' | 'learners' | 'newest'

export interface SearchParams {
  q?: string
  domain?: string
  type?: string
  category?: string
  province?: string
  sort?: SortKey | string
  page?: number
  page_size?: number
}

export const SEARCH_PAGE_SIZE = 10

export function searchQueryString(p: SearchParams): string {
  const u = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === null || v === '') continue
    if (k === 'sort' && v === 'relevance') continue
    if (k === 'page' && Number(v) <= 1) continue
    u.set(k, String(v))
  }
  const s = u.toString()
  return s ? `?${s}` : ''
}

export const portalApi = {
  home: () => http.get<PortalHome>('/portal/home'),
  search: (p: SearchParams) => http.get<SearchResult>(`/portal/search${searchQueryString({ page_size: SEARCH_PAGE_SIZE, ...p })}`),
  resource: (id: number) => http.get<PortalDetail>(`/portal/resources/${id}`),
  /** 点击计数：详情页可被缓存，打开时单独发送一次 */
  view: (id: number) => http.post<{ counted: boolean }>(`/portal/resources/${id}/view`, {}, { quiet401: true }),
  progress: (id: number, seconds: number) =>
    http.post<{ learner_counted: boolean }>(`/portal/resources/${id}/progress`, { seconds }, { quiet401: true }),
  catalog: () => http.get<Items<PortalResource>>('/portal/catalog?format=json'),
  catalogFile: (format: 'xlsx' | 'csv' | 'json') => http.download(`/portal/catalog?format=${format}`),
  categories: () => http.get<Items<CategoryCount>>('/portal/categories'),
  /** 以「实体资源」提交的网络课程的课时（已发布的课程公开） */
  lessons: (id: number) => http.get<LessonList>(`/resources/${id}/lessons`),
}

// ---------------------------------------------------------------- 审核

export type ReviewAction = 'approve' | 'return' | 'reject' | 'claim' | 'unclaim' | 'take_over'

export interface QueueFilter {
  state?: string
  overdue?: boolean
  domain?: string
  type?: string
}

export function queueQuery(f: QueueFilter): string {
  const u = new URLSearchParams()
  if (f.state) u.set('state', f.state)
  if (f.overdue) u.set('overdue', 'true')
  if (f.domain) u.set('domain', f.domain)
  if (f.type) u.set('type', f.type)
  const s = u.toString()
  return s ? `?${s}` : ''
}

export const reviewApi = {
  /** campaign_id：提交到哪个征集（只有一个正在征集时可省略） */
  submit: (id: number, version?: number, campaign_id?: number) =>
    http.post<Resource>(`/resources/${id}/submit`, { attestation: true, version, campaign_id }),
  queue: (f: QueueFilter = {}) => http.get<{ items: QueueItem[]; total: number }>(`/reviews/queue${queueQuery(f)}`),
  act: (id: number, body: { action: string; comment?: string; checklist?: Checklist; version?: number }) =>
    http.post<Resource>(`/resources/${id}/review`, body),
  bulkApprove: (ids: number[], comment: string, checklist: Checklist) =>
    http.post<BulkApproveResult>('/reviews/bulk-approve', {
      ids,
      comment,
      checklist,
    }),
  /** 以同一条意见批量退回修改；逐项返回结果（version：读取时的版本，防止覆盖他人的处理） */
  bulkReturn: (items: { id: number; version?: number }[], comment: string) =>
    http.post<BulkReturnResult>('/reviews/bulk-return', { items, comment }),
  history: (id: number) => http.get<{ items: HistoryEntry[]; allowed_actions: ActionInfo[] }>(`/resources/${id}/history`),
  screening: (id: number) => http.get<{ hits: ScreeningHit[]; count: number }>(`/resources/${id}/screening`),
  campaigns: () => http.get<Items<Campaign>>('/campaigns'),
  createCampaign: (c: CampaignInput) => http.post<Campaign>('/campaigns', c),
  updateCampaign: (id: number, c: Partial<CampaignInput>) => http.put<Campaign>(`/campaigns/${id}`, c),
  batches: () => http.get<Items<Batch>>('/batches'),
  createBatch: (resource_ids: number[], name?: string, scheduled_at?: number) =>
    http.post<Batch>('/batches', { resource_ids, name, scheduled_at }),
  batch: (id: number) => http.get<BatchPreview>(`/batches/${id}`),
  updateBatch: (id: number, body: { scheduled_at?: number | null; name?: string; resource_ids?: number[] }) =>
    http.put<Batch>(`/batches/${id}`, body),
  deleteBatch: (id: number) => http.delete<{ deleted: boolean; id: number }>(`/batches/${id}`),
  unitDeadlines: (campaignId: number) => http.get<Items<UnitDeadline>>(`/campaigns/${campaignId}/unit-deadlines`),
  setUnitDeadline: (campaignId: number, orgId: number, submission_deadline: string) =>
    http.put<UnitDeadline>(`/campaigns/${campaignId}/unit-deadlines/${orgId}`, { submission_deadline }),
  publishBatch: (id: number) => http.post<Batch>(`/batches/${id}/publish`),
}
