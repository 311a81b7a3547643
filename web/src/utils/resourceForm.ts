// 资源编辑表单：表单模型 ↔ 接口 JSON、字段标签（标准字段中文名）、服务端字段错误的就地显示。
import type { Resource, ResourceInput } from '@/api/resources'

export const RESOURCE_TYPES = [
  { value: 'A01', label: '视频资源' },
  { value: 'A02', label: '音频资源' },
  { value: 'A03', label: '网络课程' },
] as const

export const DOMAINS = ['学历继续教育', '非学历教育培训', '老年教育', '社区教育'] as const

export const STATES = [
  { value: 'draft', label: '草稿' },
  { value: 'submitted', label: '已提交' },
  { value: 'first_review', label: '初审中' },
  { value: 'final_review', label: '终审中' },
  { value: 'approved', label: '已通过' },
  { value: 'published', label: '已发布' },
  { value: 'returned', label: '退回修改' },
  { value: 'rejected', label: '未通过' },
  { value: 'withdrawn', label: '已下线' },
] as const

export function typeLabel(t: string): string {
  return RESOURCE_TYPES.find((x) => x.value === t)?.label ?? t
}

/** JSON 字段名 → 标准中文字段名（附件2 表1） */
export const FIELD_LABELS = {
  title: '资源名称',
  type: '资源类型',
  domain: '征集内容范围',
  platform: '部署平台',
  link: '资源链接',
  series: '所属系列',
  series_order: '所属顺序',
  summary: '资源简介',
  duration: '资源时长',
  created_on: '创建时间',
  copyright_holder: '版权方',
  presenters: '主讲人',
  clicks: '点击量',
  learners: '学习人数',
  toc: '资源目录',
  keywords: '关键词',
  category: '所属分类',
  delivery: '提交方式',
} as const

/** 网络课程（A03）的提交方式：课程链接，或上传课程视频（实体资源，按课时） */
export const DELIVERIES = [
  { value: 'link', label: '课程链接' },
  { value: 'files', label: '上传课程视频' },
] as const

export type ResourceField = keyof typeof FIELD_LABELS
export const RESOURCE_FIELDS = Object.keys(FIELD_LABELS) as ResourceField[]
/**
 * 点击量、学习人数是批量导入时带来的初始值（之后由门户计数），不在表单中手填：
 * 编辑时原样带回，新建时为 0。
 */
export const COUNTER_FIELDS = ['clicks', 'learners'] as const
/** 表单上可以填写（并就地显示错误）的字段 */
export const FORM_FIELDS = RESOURCE_FIELDS.filter((f) => !(COUNTER_FIELDS as readonly string[]).includes(f))

export interface ResourceFormModel {
  title: string
  type: string
  domain: string
  platform: string
  link: string
  series: string
  series_order: string
  summary: string
  duration: string
  created_on: string
  copyright_holder: string
  /** 以「;」分隔的文本（也接受全角「；」和换行） */
  presenters: string
  keywords: string
  toc: string
  category: string
  /** 仅网络课程：link | files */
  delivery: string
}

export function emptyForm(): ResourceFormModel {
  return {
    title: '',
    type: 'A01',
    domain: '',
    platform: '',
    link: '',
    series: '',
    series_order: '',
    summary: '',
    duration: '',
    created_on: '',
    copyright_holder: '',
    presenters: '',
    keywords: '',
    toc: '',
    category: '',
    delivery: 'link',
  }
}

/** 音视频（以及上传课程视频的网络课程）的时长由上传的文件测得，不能手填 */
export function durationFromMedia(type: string, delivery = 'link'): boolean {
  return type === 'A01' || type === 'A02' || (type === 'A03' && delivery === 'files')
}

export function splitList(s: string): string[] {
  return s
    .split(/[;；\n]/)
    .map((x) => x.trim())
    .filter(Boolean)
}

export function joinList(v: string[] | undefined | null): string {
  return (v ?? []).join(';')
}

export function formFromResource(r: Resource): ResourceFormModel {
  return {
    title: r.title ?? '',
    type: r.type ?? 'A01',
    domain: r.domain ?? '',
    platform: r.platform ?? '',
    link: r.link ?? '',
    series: r.series ?? '',
    series_order: r.series_order ?? '',
    summary: r.summary ?? '',
    duration: r.duration ?? '',
    created_on: r.created_on ?? '',
    copyright_holder: r.copyright_holder ?? '',
    presenters: joinList(r.presenters),
    keywords: joinList(r.keywords),
    toc: r.toc ?? '',
    category: r.category ?? '',
    delivery: r.delivery ?? 'link',
  }
}

/** 编辑已有资源时带回的内容：版本（防止覆盖他人修改）与导入的点击量、学习人数（原样保留） */
export type Kept = Pick<Resource, 'version' | 'clicks' | 'learners'>

export function inputFromForm(f: ResourceFormModel, kept?: Kept): ResourceInput {
  const body: ResourceInput = {
    title: f.title.trim(),
    type: f.type,
    domain: f.domain,
    platform: f.platform.trim(),
    link: f.link.trim(),
    series: f.series.trim(),
    series_order: f.series_order.trim(),
    summary: f.summary.trim(),
    created_on: f.created_on.trim(),
    copyright_holder: f.copyright_holder.trim(),
    presenters: splitList(f.presenters),
    toc: f.toc.trim(),
    keywords: splitList(f.keywords),
    category: f.category,
  }
  if (f.type === 'A03') body.delivery = f.delivery === 'files' ? 'files' : 'link'
  if (!durationFromMedia(f.type, f.delivery)) body.duration = f.duration.trim()
  if (kept) {
    body.version = kept.version
    body.clicks = kept.clicks
    body.learners = kept.learners
  }
  return body
}

export interface BoundErrors {
  /** 字段名 → 显示在该字段下方的提示 */
  byField: Partial<Record<string, string>>
  /** 无法显示在表单字段下方的错误（如 cover、未知字段）：在表单顶部列出 */
  other: { field: string; label: string; message: string }[]
}

/** 把服务端 fields[] 绑定到表单字段；shown 为页面上实际显示的字段 */
export function bindFieldErrors(
  fields: { field: string; label: string; message: string }[],
  shown: readonly string[],
): BoundErrors {
  const byField: Record<string, string> = {}
  const other: BoundErrors['other'] = []
  for (const f of fields) {
    if (shown.includes(f.field)) {
      byField[f.field] = byField[f.field] ? `${byField[f.field]}；${f.message}` : f.message
    } else {
      other.push(f)
    }
  }
  return { byField, other }
}
