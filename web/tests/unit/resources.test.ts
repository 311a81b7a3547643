import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { setCsrfToken } from '@/api/client'
import { filterQuery, normalizeReport, resourcesApi, type MediaInfo, type Resource } from '@/api/resources'
import { SpeedMeter, formatBytes, formatEta, formatSpeed, percent } from '@/utils/uploadStats'
import { canConfirmImport, importErrorRows, importSummary, stripRowPrefix } from '@/utils/importReport'
import { bindFieldErrors, emptyForm, formFromResource, inputFromForm, RESOURCE_FIELDS, splitList } from '@/utils/resourceForm'
import { DEFAULT_CHUNK_SIZE, pendingUploadsFor, shouldRetryTus, tusErrorMessage, uploadChunkSize, uploadFingerprint } from '@/utils/tusUpload'
import MediaReport from '@/components/resources/MediaReport.vue'
import ResourceEditView from '@/views/console/ResourceEditView.vue'
import { json, mockFetch } from './helpers'
import { useAuthStore } from '@/stores/auth'
import { media as fixtureMedia, org, principal } from './fixtures'

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  setCsrfToken('tok')
})
afterEach(() => vi.unstubAllGlobals())

describe('上传速度与剩余时间', () => {
  it('按时间窗口计算速度（字节/秒）与剩余时间', () => {
    const m = new SpeedMeter(5000)
    expect(m.speed()).toBeNull()
    m.add(0, 0)
    m.add(1024 * 1024, 100)
    expect(m.speed()).toBeNull() // 时间太短，不给出数字
    m.add(2 * 1024 * 1024, 1000)
    expect(m.speed()).toBeCloseTo(2 * 1024 * 1024, 0)
    expect(m.eta(10 * 1024 * 1024)).toBeCloseTo(4, 5)
  })

  it('只看最近的窗口：早先的快速段不影响当前速度', () => {
    const m = new SpeedMeter(2000)
    m.add(0, 0)
    m.add(50 * 1024 * 1024, 1000) // 很快
    for (let t = 2000; t <= 10000; t += 1000) m.add(50 * 1024 * 1024 + ((t - 1000) / 1000) * 1024 * 1024, t)
    expect(m.speed()).toBeCloseTo(1024 * 1024, 0)
  })

  it('重置后（暂停、续传）重新计算；进度回退时自动重置', () => {
    const m = new SpeedMeter()
    m.add(0, 0)
    m.add(1000, 1000)
    m.reset()
    expect(m.speed()).toBeNull()
    m.add(5000, 2000)
    m.add(3000, 3000) // 回退
    expect(m.speed()).toBeNull()
    expect(m.eta(10000)).toBeNull()
  })

  it('格式化：MB/s、剩余时间、字节、百分比', () => {
    expect(formatSpeed(3.25 * 1024 * 1024)).toBe('3.25 MB/s')
    expect(formatSpeed(null)).toBe('—')
    expect(formatEta(8.2)).toBe('约 9 秒')
    expect(formatEta(200)).toBe('约 3 分 20 秒')
    expect(formatEta(3720)).toBe('约 1 小时 2 分')
    expect(formatEta(0)).toBe('即将完成')
    expect(formatEta(null)).toBe('—')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(20 * 1024 * 1024)).toBe('20.0 MB')
    expect(percent(1, 3)).toBe(33.3)
    expect(percent(5, 0)).toBe(0)
    expect(percent(10, 10)).toBe(100)
  })
})

describe('tus 设置', () => {
  it('分块大小默认 1 MiB，测试可覆盖（过小的值被忽略）', () => {
    expect(uploadChunkSize({ getItem: () => null })).toBe(DEFAULT_CHUNK_SIZE)
    expect(uploadChunkSize({ getItem: () => String(256 * 1024) })).toBe(256 * 1024)
    expect(uploadChunkSize({ getItem: () => '10' })).toBe(DEFAULT_CHUNK_SIZE)
  })

  it('指纹与未完成上传的筛选（本资源、media，新的在前）', () => {
    expect(uploadFingerprint(7, 'media', { name: 'a.mp4', size: 10 })).toBe('lep-media-7-10-a.mp4')
    const mk = (rid: string, kind: string, t: string) => ({
      size: 1,
      metadata: { resource_id: rid, kind, filename: 'a.mp4' },
      creationTime: t,
      urlStorageKey: `k${rid}${kind}${t}`,
      uploadUrl: '/api/v1/uploads/x',
      parallelUploadUrls: null,
    })
    const list = pendingUploadsFor(
      [mk('7', 'media', '2024-01-01'), mk('8', 'media', '2024-01-02'), mk('7', 'cover', '2024-01-03'), mk('7', 'media', '2024-02-01')],
      7,
    )
    expect(list.map((u) => u.creationTime)).toEqual(['2024-02-01', '2024-01-01'])
  })

  it('错误信息取服务端的中文 message；4xx 不重试', () => {
    const res = (status: number, body: string) => ({ getStatus: () => status, getBody: () => body, getHeader: () => undefined, getUnderlyingObject: () => null })
    const e403 = { originalResponse: res(403, JSON.stringify({ error: { code: 'forbidden', message: '没有权限上传该资源的文件' } })) }
    expect(tusErrorMessage(e403)).toBe('没有权限上传该资源的文件')
    expect(tusErrorMessage({ originalResponse: res(502, '<html>') })).toBe('服务器暂时无法访问，请稍后再试')
    expect(tusErrorMessage(new Error('xhr'))).toBe('无法连接服务器，请检查网络后重试')
    expect(shouldRetryTus(e403 as never)).toBe(false)
    expect(shouldRetryTus({ originalResponse: res(409, '') } as never)).toBe(true)
    expect(shouldRetryTus({ originalResponse: res(503, '') } as never)).toBe(true)
    expect(shouldRetryTus({} as never)).toBe(true)
  })
})

describe('批量导入结果', () => {
  const report = normalizeReport({
    dry_run: true,
    total_rows: 3,
    valid_rows: 1,
    error_rows: 2,
    unknown_columns: ['备注'],
    errors: [
      { row: 4, field: 'title', label: '资源名称', message: '资源名称为必填项，不能为空' },
      { row: 3, field: 'created_on', label: '创建时间', message: '第 3 行：创建时间应为真实存在的日期' },
      { row: 3, field: 'type', label: '资源类型', message: '资源类型应为 A01、A02 或 A03' },
    ],
  })

  it('按行号排序（同一行保持服务端顺序），字段显示中文名，去掉重复的「第 N 行：」', () => {
    const rows = importErrorRows(report.errors)
    expect(rows.map((r) => [r.row, r.field])).toEqual([
      [3, '创建时间'],
      [3, '资源类型'],
      [4, '资源名称'],
    ])
    expect(rows[0].message).toBe('创建时间应为真实存在的日期')
    expect(stripRowPrefix('第12行:x')).toBe('x')
  })

  it('摘要与「确认导入」的条件', () => {
    expect(importSummary(report)).toBe('共 3 行，正确 1 行，有错误 2 行（3 处）')
    expect(canConfirmImport(report)).toBe(false)
    const ok = normalizeReport({ total_rows: 2, valid_rows: 2, error_rows: 0, errors: [] })
    expect(importSummary(ok)).toBe('共 2 行，正确 2 行，没有错误')
    expect(canConfirmImport(ok)).toBe(true)
    expect(canConfirmImport(normalizeReport({ total_rows: 0, valid_rows: 0 }))).toBe(false)
    expect(canConfirmImport(null)).toBe(false)
  })

  it('更新已有资源的行数写进摘要；旧的回复没有这些字段时按 0 处理', () => {
    const upd = normalizeReport({ total_rows: 3, valid_rows: 3, error_rows: 0, update_rows: 2, errors: [] })
    expect(importSummary(upd)).toBe('共 3 行，正确 3 行，其中更新已有资源 2 行，没有错误')
    expect(normalizeReport({}).updated_ids).toEqual([])
  })
})

const RES: Resource = {
  id: 5,
  org_id: 39,
  title: '太极拳入门',
  type: 'A01',
  type_label: '视频资源',
  domain: '老年教育',
  platform: '',
  link: '',
  series: '太极',
  series_order: '01',
  summary: '简介',
  duration: '00:00:54',
  created_on: '2022-02-28',
  copyright_holder: '岭南学院',
  presenters: ['张建华', '(藏族)班班多杰'],
  clicks: 0,
  learners: 30,
  toc: '',
  keywords: ['太极拳'],
  category: '健康养生-太极拳',
  state: 'draft',
  state_label: '草稿',
  version: 3,
  created_at: 1,
  updated_at: 2,
  cover: null,
  toc_tree: null,
  campaign_id: null,
  batch_id: null,
}

describe('资源表单模型', () => {
  it('列表字段：全角分号、换行都可以分隔', () => {
    expect(splitList('张三；李四;\n王五 ; ')).toEqual(['张三', '李四', '王五'])
  })

  it('资源 → 表单 → 提交体：数组、version；视频不提交时长；导入的点击量、学习人数原样带回', () => {
    const f = formFromResource(RES)
    expect(f.presenters).toBe('张建华;(藏族)班班多杰')
    // 点击量、学习人数不是表单字段（不能手填）
    expect('clicks' in f).toBe(false)
    expect('learners' in f).toBe(false)
    const body = inputFromForm(f, RES)
    expect(body.presenters).toEqual(['张建华', '(藏族)班班多杰'])
    expect(body.version).toBe(3)
    expect(body.learners).toBe(30)
    expect(body.clicks).toBe(0)
    expect('duration' in body).toBe(false)
    // 网络课程可以填写时长；新建时不提交点击量、学习人数
    const course = { ...emptyForm(), type: 'A03', duration: ' 02:45:32 ' }
    const b2 = inputFromForm(course)
    expect(b2.duration).toBe('02:45:32')
    expect('clicks' in b2).toBe(false)
    expect('learners' in b2).toBe(false)
    expect('version' in b2).toBe(false)
  })

  it('网络课程的提交方式：上传课程视频时提交 delivery=files，时长由课时合计（不提交）；其他类型不提交 delivery', () => {
    const files = { ...emptyForm(), type: 'A03', delivery: 'files', duration: '01:00:00' }
    const b = inputFromForm(files)
    expect(b.delivery).toBe('files')
    expect('duration' in b).toBe(false)
    const link = inputFromForm({ ...emptyForm(), type: 'A03', duration: '01:00:00' })
    expect(link.delivery).toBe('link')
    expect(link.duration).toBe('01:00:00')
    expect('delivery' in inputFromForm({ ...emptyForm(), type: 'A01', delivery: 'files' })).toBe(false)
    expect(formFromResource({ ...RES, type: 'A03', delivery: 'files' }).delivery).toBe('files')
  })

  it('服务端字段错误绑定到表单字段；表单上没有的字段单独列出', () => {
    const b = bindFieldErrors(
      [
        { field: 'title', label: '资源名称', message: '资源名称为必填项，不能为空' },
        { field: 'created_on', label: '创建时间', message: '日期无效' },
        { field: 'created_on', label: '创建时间', message: '不能晚于今天' },
        { field: 'cover', label: '资源封面', message: '请上传封面' },
      ],
      RESOURCE_FIELDS,
    )
    expect(b.byField).toEqual({ title: '资源名称为必填项，不能为空', created_on: '日期无效；不能晚于今天' })
    expect(b.other.map((o) => o.field)).toEqual(['cover'])
  })
})

describe('接口', () => {
  it('筛选条件转为查询串（空值省略）', () => {
    expect(filterQuery({ type: 'A01', domain: '', q: '太极 拳', page: 2 })).toBe('?type=A01&q=%E5%A4%AA%E6%9E%81+%E6%8B%B3&page=2')
    expect(filterQuery({})).toBe('')
  })

  it('封面以 image/jpeg 原样上传，带 CSRF 令牌；非 JPEG 的中文错误原样给出', async () => {
    const seen: { headers: Record<string, string>; body: unknown }[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_url: string, init: RequestInit) => {
        seen.push({ headers: init.headers as Record<string, string>, body: init.body })
        return json(400, { error: { code: 'invalid_argument', message: '封面必须是 JPG 图片（文件内容不是 JPEG 格式）', fields: [{ field: 'cover', label: '资源封面', message: '封面必须是 JPG 图片（文件内容不是 JPEG 格式）' }] } })
      }),
    )
    const blob = new Blob(['png'], { type: 'image/png' })
    await expect(resourcesApi.uploadCover(5, blob)).rejects.toThrow('封面必须是 JPG 图片（文件内容不是 JPEG 格式）')
    expect(seen[0].headers['Content-Type']).toBe('image/jpeg')
    expect(seen[0].headers['X-CSRF-Token']).toBe('tok')
    expect(seen[0].body).toBe(blob)
  })
})

describe('MediaReport', () => {
  it('逐项显示要求、实测与结论（文字「通过 / 不通过」，不只靠颜色）', () => {
    const media: MediaInfo = fixtureMedia({
      passed: false,
      report: [
        { rule: 'resolution', label: '分辨率', required: '≥ 1280×720', measured: '1280×720', pass: true, fixable: false },
        { rule: 'frame_rate', label: '帧率', required: '≥ 25 fps', measured: '24.85 fps', pass: false, fixable: false },
      ],
    })
    const w = mount(MediaReport, { props: { media } })
    const rows = w.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('✓ 通过')
    expect(rows[1].text()).toContain('✗ 不通过')
    expect(rows[1].text()).toContain('24.85 fps')
    expect(w.get('[data-testid="media-verdict"]').text()).toContain('不符合技术标准')
  })

  it('未通过的项附通俗的修改建议；通过的项不显示建议', () => {
    const media: MediaInfo = fixtureMedia({
      passed: false,
      report: [
        { rule: 'resolution', label: '分辨率', required: '≥ 1280×720', measured: '1280×720', pass: true, fixable: false, advice: '' },
        { rule: 'video_codec', label: '视频编码', required: 'H.264', measured: 'H.264（High 10 档次，10 位）', pass: false, fixable: false, advice: '请重新导出为 8 位 H.264' },
      ],
    })
    const w = mount(MediaReport, { props: { media } })
    const advice = w.findAll('[data-testid="rule-advice"]')
    expect(advice).toHaveLength(1)
    expect(advice[0].text()).toBe('怎么改：请重新导出为 8 位 H.264')
  })

  it('相同文件：列出可见的资源（含单位与状态），其他单位的只给份数', () => {
    const media: MediaInfo = fixtureMedia({
      duplicates: { items: [{ id: 9, title: '太极拳入门', state: 'submitted', state_label: '待初审', org_name: '岭南学院' }], hidden: 2 },
    })
    const w = mount(MediaReport, { props: { media }, global: { stubs: { RouterLink: RouterLinkStub } } })
    const note = w.get('[data-testid="media-duplicates"]')
    expect(note.text()).toContain('《太极拳入门》（岭南学院，待初审）')
    expect(note.text()).toContain('另有 2 份')
    expect(w.findComponent(RouterLinkStub).props('to')).toBe('/console/resources/9')
    const none = mount(MediaReport, { props: { media: fixtureMedia({ duplicates: { items: [], hidden: 0 } }) } })
    expect(none.find('[data-testid="media-duplicates"]').exists()).toBe(false)
  })
})

describe('ResourceEditView', () => {
  beforeEach(() => {
    useAuthStore().user = principal({
      id: 7,
      username: 'gd_uploader',
      role: 'uploader',
      role_label: '录入员',
      org_id: 22,
      org: org({ id: 22, name: '岭南', kind: 'provincial_college', kind_label: '省属院校', level: 2, parent_id: 21, child_kinds: [] }),
    })
  })

  function makeRouter() {
    return createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/console/resources', name: 'resources', component: { template: '<p>list</p>' } },
        { path: '/console/resources/new', name: 'resource-new', component: ResourceEditView },
        { path: '/console/resources/:id(\\d+)', name: 'resource-edit', component: ResourceEditView },
      ],
    })
  }

  it('新建时服务端的字段错误显示在对应字段下方', async () => {
    const { calls } = mockFetch((c) => {
      if (c.url.includes('/categories')) return json(200, { items: [], tree: [] })
      if (c.url.endsWith('/campaigns')) return json(200, { items: [] })
      return json(400, {
        error: {
          code: 'invalid_argument',
          message: '资源信息有 2 处错误',
          fields: [
            { field: 'title', label: '资源名称', message: '资源名称为必填项，不能为空' },
            { field: 'created_on', label: '创建时间', message: '创建时间应为真实存在的日期' },
          ],
        },
      })
    })
    const router = makeRouter()
    await router.push('/console/resources/new')
    const w = mount(ResourceEditView, { global: { plugins: [router], stubs: { transition: false } }, attachTo: document.body })
    await flushPromises()
    await w.get('input[name="created_on"]').setValue('2022-02-30')
    await w.get('input[name="presenters"]').setValue('张三；李四')
    await w.get('form').trigger('submit')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.url).toBe('/api/v1/resources')
    expect((post.body as Record<string, unknown>).presenters).toEqual(['张三', '李四'])
    expect((post.body as Record<string, unknown>).created_on).toBe('2022-02-30')
    await vi.waitFor(() => {
      expect(w.get('[data-field="title"] .el-form-item__error').text()).toBe('资源名称为必填项，不能为空')
      expect(w.get('[data-field="created_on"] .el-form-item__error').text()).toBe('创建时间应为真实存在的日期')
    })
    expect(w.find('[data-field="summary"] .el-form-item__error').exists()).toBe(false)
    // 视频：时长只读
    expect(w.get('input[name="duration"]').attributes('readonly')).toBeDefined()
    expect(w.text()).toContain('由上传的文件自动测得')
    expect(w.text()).not.toContain('"error"')
    w.unmount()
  })

  it('409：提示他人已修改并提供「重新加载」', async () => {
    mockFetch((c) => {
      if (c.url.includes('/categories')) return json(200, { items: [], tree: [] })
      if (c.url.endsWith('/campaigns')) return json(200, { items: [] })
      if (c.url.endsWith('/media')) return json(200, { media: null })
      if (c.url.endsWith('/history')) return json(200, { items: [], allowed_actions: [] })
      if (c.method === 'GET') return json(200, RES)
      return json(409, { error: { code: 'conflict', message: '资源已被他人修改，请刷新后重试', fields: [] } })
    })
    const router = makeRouter()
    await router.push('/console/resources/5')
    const w = mount(ResourceEditView, { global: { plugins: [router], stubs: { transition: false } }, attachTo: document.body })
    await flushPromises()
    expect((w.get('input[name="title"]').element as HTMLInputElement).value).toBe('太极拳入门')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.text()).toContain('这条资源已被他人修改')
    expect(w.get('[data-testid="conflict"]').text()).toContain('重新加载')
    w.unmount()
  })
})
