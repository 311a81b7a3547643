// 学习门户（公开，无需登录）与审核流程的接口。
import { http } from './client'
import type { Cover, Resource } from './resources'
import type { Items } from './types'

/** 门户上公开的资源（不含 state/version 等内部字段） */
export interface PortalResource {
  id: number
  title: string
  type: string
  type_label: string
  domain: string
  series: string
  series_order: string
  summary?: string
  duration: string
  created_on: string
  copyright_holder: string
  presenters: string[]
  keywords: string[]
  category: string
  platform: string
  link: string
  clicks: number
  learners: number
  unit?: string
  province?: string
  media_url?: string
  cover: Cover | null
}

export interface TocNode {
  tag: string
  title: string
  attrs?: Record<string, string>
  children: TocNode[]
}

export interface SeriesItem {
  id: number
  title: string
  series_order: string
  current: boolean
}

export interface PortalDetail extends PortalResource {
  toc?: string
  toc_tree: TocNode | null
  series_items?: SeriesItem[]
}

export interface PortalHome {
  domains: { domain: string; count: number }[]
  newest: PortalResource[]
  most_clicked: PortalResource[]
  most_learned: PortalResource[]
}

export interface SearchHit extends PortalResource {
  /** 服务端已转义，只含 <mark> */
  title_html: string
  snippet_html: string
}

export type FacetName = 'domain' | 'type' | 'category' | 'province'
export type Facets = Partial<Record<FacetName, Record<string, number>>>

export interface SearchResult {
  total: number
  page: number
  items: SearchHit[]
  facets: Facets
}

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
}

/** 分类树节点与该子树中已发布资源数 */
export interface CategoryCount {
  id: number
  name: string
  /** 以「-」连接的分类路径，如「科学文化-航空知识」 */
  path: string
  count: number
  children: CategoryCount[]
}

// ---------------------------------------------------------------- 审核

export interface ActionInfo {
  action: ReviewAction | string
  label: string
}

export type ReviewAction = 'approve' | 'return' | 'reject' | 'claim' | 'unclaim' | 'take_over'

export interface Checklist {
  ideology: boolean
  copyright: boolean
  secrecy: boolean
  science: boolean
}

export interface QueueItem extends Resource {
  org_name: string
  overdue: boolean
  allowed_actions: ActionInfo[]
}

export interface HistoryEntry {
  action: string
  from: string
  to: string
  comment: string
  /** 服务端给出的中文文本（如「意识形态与政治导向：已核查；…」）；旧数据可能是对象 */
  checklist: string | Partial<Checklist> | null
  actor: string
  actor_id?: number
  unit: string
  took_over: boolean
  at: number
}

export interface ScreeningHit {
  field: string
  label: string
  word: string
  matched: string
  position: number
  length: number
}

export interface Campaign {
  id: number
  name: string
  year: number
  description: string
  contact_deadline: string
  submission_deadline: string
  first_review_deadline: string
  final_review_deadline: string
}

export type CampaignInput = Omit<Campaign, 'id'>

export interface Batch {
  id: number
  number: number
  name: string
  state: string
  published_at: number | null
  /** 定时发布时间（毫秒）；未设定时为 null */
  scheduled_at?: number | null
  created_at?: number
  resource_ids: number[]
}

export interface BatchItem {
  id: number
  title: string
  unit: string
  domain: string
  type: string
}

export interface BatchPreview extends Batch {
  items: BatchItem[]
}

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
  submit: (id: number, version?: number) => http.post<Resource>(`/resources/${id}/submit`, { attestation: true, version }),
  queue: (f: QueueFilter = {}) => http.get<{ items: QueueItem[]; total: number }>(`/reviews/queue${queueQuery(f)}`),
  act: (id: number, body: { action: string; comment?: string; checklist?: Checklist; version?: number }) =>
    http.post<Resource>(`/resources/${id}/review`, body),
  bulkApprove: (ids: number[], comment: string, checklist: Checklist) =>
    http.post<{ approved: number; results: { id: number; ok: boolean; state?: string; error?: string }[] }>('/reviews/bulk-approve', {
      ids,
      comment,
      checklist,
    }),
  history: (id: number) => http.get<{ items: HistoryEntry[]; allowed_actions: ActionInfo[] }>(`/resources/${id}/history`),
  screening: (id: number) => http.get<{ hits: ScreeningHit[]; count: number }>(`/resources/${id}/screening`),
  campaigns: () => http.get<Items<Campaign>>('/campaigns'),
  createCampaign: (c: CampaignInput) => http.post<Campaign>('/campaigns', c),
  updateCampaign: (id: number, c: Partial<CampaignInput>) => http.put<Campaign>(`/campaigns/${id}`, c),
  batches: () => http.get<Items<Batch>>('/batches'),
  createBatch: (resource_ids: number[], name?: string, scheduled_at?: number) =>
    http.post<Batch>('/batches', { resource_ids, name, scheduled_at }),
  batch: (id: number) => http.get<BatchPreview>(`/batches/${id}`),
  updateBatch: (id: number, body: { scheduled_at?: number | null; name?: string }) => http.put<Batch>(`/batches/${id}`, body),
  publishBatch: (id: number) => http.post<Batch>(`/batches/${id}/publish`),
}
