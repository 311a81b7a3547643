// The shared pieces introduced for issue 19: composables, table/meta components and pure helpers.
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { defineComponent, h, nextTick } from 'vue'
import { ApiError } from '@/api/client'
import { useSubmit } from '@/composables/useSubmit'
import { useLoad } from '@/composables/useLoad'
import DataTable from '@/components/DataTable.vue'
import MetaList from '@/components/MetaList.vue'
import ReviewFeedback from '@/components/review/ReviewFeedback.vue'
import { latestFeedback, nextInQueue } from '@/utils/review'
import { isUnreadable, verdictFromField, verdictFromLink, verdictFromMedia } from '@/utils/technicalCheck'
import { filterCategories, flattenCategories, nonEmptyCategories } from '@/utils/categories'
import { media } from './fixtures'

const fieldError = (fields: { field: string; message: string }[], message = '有错误') =>
  new ApiError(400, 'invalid_argument', message, fields.map((f) => ({ ...f, label: f.field })))

describe('useSubmit', () => {
  it('服务端字段错误放到字段下；都能就地显示时顶部只播报（quiet）', async () => {
    const s = useSubmit({ fields: ['name', 'mobile'] })
    const ok = await s.run(() => Promise.reject(fieldError([{ field: 'mobile', message: '手机号码应为 11 位' }], '负责人信息有误')))
    expect(ok).toBe(false)
    expect(s.fieldErrors).toEqual({ mobile: '手机号码应为 11 位' })
    expect(s.error).toBe('负责人信息有误')
    expect(s.quiet).toBe(true)
    expect(s.busy).toBe(false)
    // 表单上没有的字段：顶部照常显示
    await s.run(() => Promise.reject(fieldError([{ field: 'cover', message: '请上传封面' }])))
    expect(s.quiet).toBe(false)
    s.clearField('cover')
    expect(s.fieldErrors.cover).toBeUndefined()
  })

  it('客户端先行校验不发请求；onError 可以接管某些错误（如 409）', async () => {
    const s = useSubmit()
    expect(s.invalid({ name: null, kind: '请选择单位类型' })).toBe(true)
    expect(s.fieldErrors).toEqual({ kind: '请选择单位类型' })
    expect(s.invalid({ name: null })).toBe(false)
    const handled = await s.run(
      () => Promise.reject(new ApiError(409, 'conflict', '资源已被他人修改')),
      (e) => {
        s.say('请重新加载')
        return e instanceof ApiError && e.status === 409
      },
    )
    expect(handled).toBe(false)
    expect(s.error).toBe('请重新加载')
    expect(await s.run(async () => undefined)).toBe(true)
    expect(s.error).toBe('')
  })

  it('网络错误给出中文说明', async () => {
    const s = useSubmit()
    await s.run(() => Promise.reject(new TypeError('Failed to fetch')))
    expect(s.error).toBe('无法连接服务器，请检查网络后重试')
  })
})

describe('useLoad', () => {
  it('挂载时加载；失败时给出说明并保留旧数据', async () => {
    let fail = false
    let state!: ReturnType<typeof useLoad<number[]>>
    const C = defineComponent({
      setup() {
        state = useLoad(async () => {
          if (fail) throw new ApiError(403, 'permission_denied', '没有权限')
          return [1, 2]
        }, [] as number[])
        return () => h('p', state.loading ? 'loading' : state.data.join(','))
      },
    })
    const w = mount(C)
    expect(w.text()).toBe('loading')
    await nextTick()
    await nextTick()
    expect(w.text()).toBe('1,2')
    fail = true
    expect(await state.load()).toBe(false)
    expect(state.error).toBe('没有权限')
    expect(state.data).toEqual([1, 2])
  })

  it('先发出的加载后返回时不覆盖后一次的结果（切换筛选条件）', async () => {
    const pending: ((v: string) => void)[] = []
    const state = useLoad(() => new Promise<string>((resolve) => pending.push(resolve)), '', { immediate: false })
    const first = state.load()
    const second = state.load()
    pending[1]('新条件')
    expect(await second).toBe(true)
    pending[0]('旧条件')
    expect(await first).toBe(false)
    expect(state.data).toBe('新条件')
    expect(state.loading).toBe(false)
  })
})

describe('DataTable 与 MetaList', () => {
  it('表格：加载中、空表提示与表体行；区域名称与标题区分开', () => {
    const loading = mount(DataTable, { props: { label: '批次列表', columns: ['批次', '资源数'], count: 0, loading: true } })
    expect(loading.get('td').text()).toBe('正在加载…')
    expect(loading.get('td').attributes('colspan')).toBe('2')
    expect(loading.get('[role="region"]').attributes('aria-label')).toBe('批次列表（表格）')
    const empty = mount(DataTable, { props: { label: 'x', columns: ['a'], count: 0, empty: '还没有发布批次' } })
    expect(empty.get('td').text()).toBe('还没有发布批次')
    const rows = mount(DataTable, {
      props: { label: 'x', columns: ['a'], count: 1, empty: '无' },
      slots: { default: '<tr><td>第1批</td></tr>' },
    })
    expect(rows.findAll('tbody tr')).toHaveLength(1)
    expect(rows.text()).toContain('第1批')
  })

  it('名称：值列表跳过空值', () => {
    const w = mount(MetaList, { props: { items: [{ label: '主讲人', value: '张三' }, { label: '关键词', value: '' }, { label: '时长', value: null }] } })
    expect(w.findAll('dt').map((d) => d.text())).toEqual(['主讲人'])
  })
})

const entry = (to: string, at: number, comment = '') => ({
  action: to === 'returned' ? 'return' : 'approve', from: 'first_review', to, comment, checklist: '', actor_id: 1,
  actor: '审核员甲', unit: '广东省教育厅', took_over: false, at,
})

describe('审核意见与下一条', () => {
  it('退回修改 / 不予通过时取导致当前状态的那条记录', () => {
    const h = [entry('returned', 1, '旧意见'), entry('first_review', 2), entry('returned', 3, '请补充字幕')]
    expect(latestFeedback(h, 'returned')?.comment).toBe('请补充字幕')
    expect(latestFeedback(h, 'draft')).toBeNull()
    expect(latestFeedback([], 'rejected')).toBeNull()
  })

  it('编辑页醒目显示最近的意见与审核人', () => {
    const w = mount(ReviewFeedback, { props: { history: [entry('returned', 3, '请补充字幕')], state: 'returned' } })
    expect(w.get('h2').text()).toBe('审核意见：退回修改')
    expect(w.get('[data-testid="feedback-comment"]').text()).toBe('请补充字幕')
    expect(w.text()).toContain('广东省教育厅')
  })

  it('下一条：当前之后第一条可以通过的；没有时回到前面的；都没有时为 null', () => {
    const q = (id: number, can = true) => ({ id, allowed_actions: can ? [{ action: 'approve' }] : [{ action: 'publish' }] })
    const items = [q(1), q(2, false), q(3), q(4)]
    expect(nextInQueue(items, 3)?.id).toBe(4)
    expect(nextInQueue(items, 4)?.id).toBe(1)
    expect(nextInQueue(items, 99)?.id).toBe(1)
    expect(nextInQueue([q(5)], 5)).toBeNull()
  })
})

describe('技术检测结论', () => {
  it('音视频看检测报告，课程看链接检测，服务端直接给出时用它', () => {
    expect(verdictFromMedia(null).state).toBe('none')
    expect(verdictFromMedia(media({ passed: true })).label).toBe('✓ 通过')
    expect(verdictFromMedia(media({ passed: false })).label).toBe('✗ 不通过')
    expect(verdictFromMedia(media({ state: 'remuxing' })).state).toBe('processing')
    expect(verdictFromLink(null).label).toBe('尚未检测')
    expect(verdictFromField(false).state).toBe('failed')
    expect(verdictFromField(null).state).toBe('none')
  })

  it('无法读取的文件：探测出错或 readable 一项不通过', () => {
    expect(isUnreadable(media())).toBe(false)
    expect(isUnreadable(media({ probe: { ...media().probe, error: '文件已损坏' } }))).toBe(true)
    const bad = { rule: 'readable', label: '可读取', required: '', measured: '', pass: false, fixable: false }
    expect(isUnreadable(media({ report: [bad] }))).toBe(true)
    expect(isUnreadable(null)).toBe(false)
  })
})

describe('分类', () => {
  const tree = [
    { name: '健康养生', path: '健康养生', count: 2, children: [
      { name: '太极拳', path: '健康养生-太极拳', count: 2, children: [{ name: '二十四式', path: '健康养生-太极拳-二十四式', count: 0, children: [] }] },
      { name: '园艺', path: '健康养生-园艺', count: 0, children: [] },
    ] },
    { name: '学历教育', path: '学历教育', count: 0, children: [] },
  ]

  it('平铺为完整路径，可按文字筛选（第三级也在列表里）', () => {
    const all = flattenCategories(tree)
    expect(all.map((c) => c.label)).toContain('健康养生 / 太极拳 / 二十四式')
    expect(all.find((c) => c.path === '健康养生-太极拳-二十四式')?.depth).toBe(2)
    expect(filterCategories(all, '太极').map((c) => c.path)).toEqual(['健康养生-太极拳', '健康养生-太极拳-二十四式'])
    expect(filterCategories(all, '  ')).toHaveLength(all.length)
  })

  it('门户首页去掉没有已发布资源的分类', () => {
    const shown = nonEmptyCategories(tree)
    expect(shown.map((c) => c.name)).toEqual(['健康养生'])
    expect(shown[0].children.map((c) => c.name)).toEqual(['太极拳'])
    expect(shown[0].children[0].children).toEqual([])
  })
})

describe('审核队列数量（导航上的数字）', () => {
  it('只数初审中 / 终审中；切换页面时最多 30 秒读一次队列，审核操作后立即刷新', async () => {
    const { createPinia, setActivePinia } = await import('pinia')
    const { useReviewQueueStore } = await import('@/stores/reviewQueue')
    const { json, mockFetch } = await import('./helpers')
    setActivePinia(createPinia())
    const item = (state: string) => ({ state, allowed_actions: [] })
    const { calls } = mockFetch(() => json(200, { items: [item('first_review'), item('final_review'), item('approved')], total: 3 }))
    const q = useReviewQueueStore()
    await q.refresh(false)
    expect(q.count).toBe(2)
    await q.refresh(false)
    expect(calls).toHaveLength(1)
    await q.refresh()
    expect(calls).toHaveLength(2)
  })
})
