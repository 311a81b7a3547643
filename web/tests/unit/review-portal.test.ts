import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { ApiError, setCsrfToken } from '@/api/client'
import { portalApi, queueQuery, reviewApi, searchQueryString } from '@/api/portal'
import type { Resource } from '@/api/resources'
import type { Campaign } from '@/api/portal'
import { ProgressTracker, formatClock, loadPosition, savePosition } from '@/utils/player'
import {
  checklistComplete,
  checklistText,
  describeError,
  emptyChecklist,
  facetEntries,
  highlightSegments,
  hitsByField,
  resubmitDeadline,
  tocItems,
  tocTitle,
} from '@/utils/review'
import SubmitPanel from '@/components/resources/SubmitPanel.vue'
import SearchView from '@/views/portal/SearchView.vue'
import { json, mockFetch } from './helpers'
import { resource as fixtureResource } from './fixtures'

beforeEach(() => {
  setActivePinia(createPinia())
  localStorage.clear()
  setCsrfToken('tok')
})
afterEach(() => vi.unstubAllGlobals())

describe('播放进度与续播', () => {
  it('按资源保存位置，读取时忽略无效值与接近结尾的位置', () => {
    expect(loadPosition(5)).toBe(0)
    savePosition(5, 123.456)
    expect(localStorage.getItem('lep.pos.5')).toBe('123.5')
    expect(loadPosition(5)).toBeCloseTo(123.5)
    expect(loadPosition(5, 600)).toBeCloseTo(123.5)
    expect(loadPosition(5, 125)).toBe(0) // 已看到结尾
    expect(loadPosition(6)).toBe(0) // 其它资源互不影响
    localStorage.setItem('lep.pos.7', 'abc')
    expect(loadPosition(7)).toBe(0)
    savePosition(8, Number.NaN)
    expect(localStorage.getItem('lep.pos.8')).toBeNull()
    // 短视频：6 秒的视频看到 2.6 秒仍可续播
    savePosition(9, 2.6)
    expect(loadPosition(9, 6)).toBeCloseTo(2.6)
  })

  it('心跳只累计真正播放的秒数，每满 10 秒发送一次，余数保留', () => {
    const sent: number[] = []
    const t = new ProgressTracker((s) => sent.push(s), 10)
    for (let x = 0; x <= 12; x += 0.25) t.tick(x)
    expect(sent).toEqual([10])
    expect(t.pendingSeconds).toBeCloseTo(2)
    // 拖动进度条（跳跃超过 2 秒）不计
    t.tick(100)
    t.tick(100.25)
    expect(t.pendingSeconds).toBeCloseTo(2.25)
    // 暂停时 flush 整数秒
    t.reset()
    t.flush()
    expect(sent).toEqual([10, 2])
    expect(t.pendingSeconds).toBeCloseTo(0.25)
    // reset 后的第一次 tick 只记起点
    t.tick(50)
    expect(t.pendingSeconds).toBeCloseTo(0.25)
    // 倒退不计
    t.tick(49)
    expect(t.pendingSeconds).toBeCloseTo(0.25)
  })

  it('时间格式', () => {
    expect(formatClock(0)).toBe('0:00')
    expect(formatClock(75.9)).toBe('1:15')
    expect(formatClock(3723)).toBe('1:02:03')
    expect(formatClock(Number.NaN)).toBe('0:00')
  })
})

describe('审核辅助', () => {
  const hit = (field: string, position: number, length: number, word = 'x') => ({ field, label: field, word, matched: word, position, length })

  it('敏感词按码点位置分段高亮，忽略越界与重叠', () => {
    const segs = highlightSegments('甲乙丙丁戊😀己', [hit('t', 1, 2, '乙丙'), hit('t', 2, 1), hit('t', 5, 1, '😀'), hit('t', 6, 5)])
    expect(segs.map((s) => [s.text, !!s.hit])).toEqual([
      ['甲', false],
      ['乙丙', true],
      ['丁戊', false],
      ['😀', true],
      ['己', false],
    ])
    expect(highlightSegments('', [])).toEqual([{ text: '' }])
    expect(highlightSegments('<b>', [hit('t', 0, 1)])[0].text).toBe('<') // 文本原样交给插值，不拼 HTML
    expect(Object.keys(hitsByField([hit('a', 0, 1), hit('b', 0, 1), hit('a', 2, 1)]))).toEqual(['a', 'b'])
  })

  it('核查清单：四项都勾选才完整；时间线文本', () => {
    const c = emptyChecklist()
    expect(checklistComplete(c)).toBe(false)
    Object.assign(c, { ideology: true, copyright: true, secrecy: true })
    expect(checklistComplete(c)).toBe(false)
    c.science = true
    expect(checklistComplete(c)).toBe(true)
    expect(checklistText('意识形态与政治导向：已核查')).toBe('意识形态与政治导向：已核查')
    expect(checklistText({ ideology: true, science: false })).toBe('意识形态与政治导向：已核查；科学性与规范性：未核查')
    expect(checklistText(null)).toBe('')
  })

  it('错误说明附上字段提示', () => {
    const e = new ApiError(400, 'invalid_argument', '提交条件不满足', [
      { field: 'cover', label: '封面', message: '请上传封面' },
      { field: 'media', label: '文件', message: '音视频未通过技术标准检测' },
    ])
    expect(describeError(e)).toBe('提交条件不满足：请上传封面；音视频未通过技术标准检测')
    expect(describeError(new ApiError(409, 'x', '已过提交截止日期（2022-05-15）'))).toBe('已过提交截止日期（2022-05-15）')
    expect(describeError(new Error('boom'), '失败')).toBe('失败')
  })

  it('分面按数量排序；目录树跳过根节点', () => {
    expect(facetEntries({ domain: { 老年教育: 2, 社区教育: 5 } }, 'domain')).toEqual([
      { value: '社区教育', count: 5 },
      { value: '老年教育', count: 2 },
    ])
    expect(facetEntries({}, 'type')).toEqual([])
    const root = { tag: '目录', title: '', attrs: {}, children: [{ tag: '章', title: '第一章', attrs: {}, children: [] }] }
    expect(tocItems(root).map(tocTitle)).toEqual(['第一章'])
    expect(tocItems(null)).toEqual([])
    expect(tocTitle({ tag: '章', title: '', attrs: { 标题: '绪论' }, children: [] })).toBe('绪论')
  })

  it('查询串：省略空值、默认排序与第 1 页', () => {
    expect(searchQueryString({ q: '太极', domain: '', sort: 'relevance', page: 1 })).toBe(`?q=${encodeURIComponent('太极')}`)
    expect(searchQueryString({ sort: 'clicks', page: 3 })).toBe('?sort=clicks&page=3')
    expect(queueQuery({ state: 'first_review', overdue: true })).toBe('?state=first_review&overdue=true')
    expect(queueQuery({})).toBe('')
  })
})

describe('审核与门户接口', () => {
  it('提交带承诺，审核带核查清单与版本，心跳带秒数', async () => {
    const { calls } = mockFetch(() => json(200, {}))
    await reviewApi.submit(3, 2)
    await reviewApi.act(3, { action: 'approve', comment: '好', checklist: { ideology: true, copyright: true, secrecy: true, science: true }, version: 4 })
    await reviewApi.bulkApprove([1, 2], '', emptyChecklist())
    await portalApi.progress(3, 10)
    expect(calls[0]).toMatchObject({ url: '/api/v1/resources/3/submit', method: 'POST', body: { attestation: true, version: 2 } })
    expect(calls[0].headers['X-CSRF-Token']).toBe('tok')
    expect(calls[1].body).toMatchObject({ action: 'approve', version: 4, checklist: { science: true } })
    expect(calls[2]).toMatchObject({ url: '/api/v1/reviews/bulk-approve', body: { ids: [1, 2] } })
    expect(calls[3]).toMatchObject({ url: '/api/v1/portal/resources/3/progress', body: { seconds: 10 } })
  })
})

function resource(): Resource {
  return fixtureResource()
}

describe('提交审核面板', () => {
  it('未勾选承诺不发请求；服务端的中文错误（含字段提示）显示在面板中', async () => {
    const { calls: all } = mockFetch((c) =>
      c.url.endsWith('/campaigns')
        ? json(200, { items: [] })
        : json(400, {
            error: {
              code: 'invalid_argument',
              message: '提交条件不满足',
              fields: [
                { field: 'cover', label: '封面', message: '请先上传封面' },
                { field: 'technical_check', label: '技术检测', message: '媒体文件未通过技术检测或尚未检测' },
              ],
            },
          }),
    )
    const calls = {
      get length() {
        return all.filter((c) => c.method === 'POST').length
      },
    }
    const w = mount(SubmitPanel, { props: { resource: resource() } })
    await w.find('button').trigger('click')
    expect(calls).toHaveLength(0)
    expect(w.get('[data-testid="submit-error"]').text()).toBe('请先勾选承诺声明')
    expect(w.text()).toContain('本单位已完成内容与版权审查，承诺资源无危害国家安全、涉密、敏感信息及侵犯知识产权的内容')
    await w.get('input[type="checkbox"]').setValue(true)
    await w.find('button').trigger('click')
    await flushPromises()
    expect(calls).toHaveLength(1)
    const err = w.get('[data-testid="submit-error"]')
    expect(err.text()).toContain('提交条件不满足：')
    expect(err.get('[data-field="cover"]').text()).toContain('请先上传封面')
    // 每个原因都能直接跳到要修改的地方：未通过技术检测 → 检测报告
    expect(err.get('[data-field="cover"] a').attributes('href')).toBe('#cover-panel')
    expect(err.get('[data-field="technical_check"] a').text()).toBe('查看技术标准检测报告')
    expect(err.get('[data-field="technical_check"] a').attributes('href')).toBe('#media-panel')
    expect(w.text()).not.toContain('"error"')
    expect(w.emitted('submitted')).toBeUndefined()
  })
})

function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    id: 1,
    name: '2022年征集',
    year: 2022,
    description: '',
    starts: '',
    contact_deadline: '',
    submission_deadline: '2022-05-15',
    first_review_deadline: '2022-05-22 18:00',
    final_review_deadline: '2022-05-31',
    starts_at: null,
    contact_deadline_at: null,
    submission_deadline_at: 1652630400000,
    first_review_deadline_at: 1653213600000,
    final_review_deadline_at: 1654012800000,
    open: true,
    ...over,
  }
}

describe('提交到哪个征集（issue 17）', () => {
  it('有多个征集正在进行时须先选择，所选征集随提交发出', async () => {
    const { calls } = mockFetch((c) =>
      c.url.endsWith('/campaigns')
        ? json(200, { items: [campaign({ id: 2, name: '2023年征集' }), campaign()] })
        : json(200, fixtureResource({ state: 'first_review', campaign_id: 2 })),
    )
    const w = mount(SubmitPanel, { props: { resource: resource() } })
    await flushPromises()
    await w.get('input[type="checkbox"]').setValue(true)
    await w.find('button').trigger('click')
    expect(w.get('[data-testid="submit-error"]').text()).toBe('当前有多个征集正在进行，请选择要提交到的征集')
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0)
    await w.get('[data-testid="submit-campaign"]').setValue('2')
    await w.find('button').trigger('click')
    await flushPromises()
    const post = calls.find((c) => c.method === 'POST')
    expect(post?.body).toMatchObject({ attestation: true, campaign_id: 2 })
    expect(w.emitted('submitted')).toHaveLength(1)
  })

  it('只有一个正在进行的征集时直接说明提交到哪里', async () => {
    mockFetch(() => json(200, { items: [campaign(), campaign({ id: 3, name: '已结束', open: false })] }))
    const w = mount(SubmitPanel, { props: { resource: resource() } })
    await flushPromises()
    expect(w.get('[data-testid="submit-campaign-info"]').text()).toBe('将提交到「2022年征集」，资源提交截止时间 2022-05-15（北京时间）。')
    expect(w.find('[data-testid="submit-campaign"]').exists()).toBe(false)
  })

  it('退回修改的资源说明须在退回它的审核环节截止前重新提交', () => {
    const c = campaign()
    const back = (from: string) => [
      { action: 'submit', from: 'draft' },
      { action: 'return', from },
    ]
    expect(resubmitDeadline(c, back('first_review'), 'returned')).toBe('退回修改的资源须在初审截止时间 2022-05-22 18:00（北京时间）前重新提交')
    expect(resubmitDeadline(c, back('final_review'), 'returned')).toBe('退回修改的资源须在终审截止时间 2022-05-31（北京时间）前重新提交')
    expect(resubmitDeadline(c, back('first_review'), 'draft')).toBeNull()
    expect(resubmitDeadline({ ...c, first_review_deadline: '' }, back('first_review'), 'returned')).toBeNull()
  })
})

describe('搜索结果页', () => {
  it('只有 title_html / snippet_html 以 HTML 渲染，其余字段按文本显示；分面带计数', async () => {
    mockFetch(() =>
      json(200, {
        total: 1,
        page: 1,
        facets: { domain: { 老年教育: 1 }, type: { A01: 1 } },
        items: [
          {
            ...resource(),
            title: '<img src=x onerror=alert(1)>太极',
            presenters: ['<b>张</b>'],
            title_html: '&lt;img src=x onerror=alert(1)&gt;<mark>太极</mark>',
            snippet_html: '学习<mark>太极</mark>拳',
          },
        ],
      }),
    )
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/search', name: 'search', component: SearchView },
        { path: '/resources/:id', name: 'resource', component: { template: '<div/>' } },
      ],
    })
    await router.push('/search?q=太极')
    const w = mount(SearchView, { global: { plugins: [router] } })
    await flushPromises()
    const hits = w.get('[data-testid="search-results"]')
    expect(hits.findAll('mark').map((m) => m.text())).toEqual(['太极', '太极'])
    expect(hits.find('img[src="x"]').exists()).toBe(false)
    expect(hits.text()).toContain('<img src=x onerror=alert(1)>太极')
    expect(hits.text()).toContain('<b>张</b>')
    expect(hits.find('b').exists()).toBe(false)
    expect(w.get('[data-testid="search-total"]').text()).toBe('1')
    expect(w.text()).toContain('视频资源 (1)')
    expect(w.text()).toContain('老年教育 (1)')
  })
})
