import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { onEnrolmentRequired, request, setCsrfToken } from '@/api/client'
import { auditQuery } from '@/api/security'
import { useAuthStore } from '@/stores/auth'
import { principal } from './fixtures'
import { kindLabel, notificationLink, useNotificationsStore } from '@/stores/notifications'
import { graceRemaining, groupSecret, normaliseTotpCode, recoveryCodesText, svgDataUrl } from '@/utils/totp'
import { auditFilterFromForm, dayStartMs, parseWordList, policyFromForm, policyToForm } from '@/utils/security'
import { dayRange, isoDay, submissionsOption, submissionsTotal, usageByKey, usageTrend } from '@/utils/stats'
import { canEditCampaigns, canListUsers, canPublishBatches, canSee, canWriteResources, homeFor, navFor } from '@/nav'
import { json, mockFetch } from './helpers'

beforeEach(() => {
  setActivePinia(createPinia())
  setCsrfToken(null)
})
afterEach(() => {
  vi.unstubAllGlobals()
  onEnrolmentRequired(null)
})

describe('双因素认证工具', () => {
  it('验证码只接受 6 位数字（允许空格）', () => {
    expect(normaliseTotpCode(' 123 456 ')).toBe('123456')
    expect(normaliseTotpCode('12345')).toBeNull()
    expect(normaliseTotpCode('abcdef')).toBeNull()
  })
  it('密钥每 4 位一组', () => {
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ')
  })
  it('宽限期剩余时间的中文描述', () => {
    const now = 1_000_000_000_000
    expect(graceRemaining(now + (6 * 24 + 5) * 3600_000, now)).toBe('6 天 5 小时')
    expect(graceRemaining(now + 90 * 60_000, now)).toBe('1 小时 30 分钟')
    expect(graceRemaining(now + 30_000, now)).toBe('1 分钟')
    expect(graceRemaining(now - 1, now)).toBeNull()
    expect(graceRemaining(null, now)).toBeNull()
  })
  it('恢复码文件逐行编号，二维码用 data: 地址', () => {
    const t = recoveryCodesText(['aaaa-bbbb', 'cccc-dddd'], 'nou_security', new Date(2026, 0, 2, 3, 4))
    expect(t).toContain('账号：nou_security')
    expect(t).toContain(' 1. aaaa-bbbb')
    expect(t).toContain(' 2. cccc-dddd')
    expect(t).toContain('2026-01-02 03:04')
    expect(svgDataUrl('<svg a="b"/>')).toBe('data:image/svg+xml;charset=utf-8,%3Csvg%20a%3D%22b%22%2F%3E')
  })
})

describe('安全策略与审计筛选', () => {
  it('表单 ↔ 整数，非整数给出字段提示', () => {
    const form = policyToForm({
      password_min_length: 10,
      lockout_threshold: 5,
      lockout_window_minutes: 15,
      lockout_minutes: 30,
      session_idle_minutes: 30,
      totp_grace_days: 7,
    })
    expect(form.password_min_length).toBe('10')
    form.lockout_threshold = '五'
    const { policy, errors } = policyFromForm(form)
    expect(errors).toEqual({ lockout_threshold: '锁定前允许的失败次数应为整数' })
    expect(policy.password_min_length).toBe(10)
    expect(policy).not.toHaveProperty('lockout_threshold')
  })
  it('日期 → 毫秒，截止日期取次日 0 点；空条件不出现在查询串里', () => {
    const from = dayStartMs('2026-03-01')!
    const to = dayStartMs('2026-03-01', true)!
    expect(to - from).toBe(86400000)
    const f = auditFilterFromForm({ action: ' auth. ', actor: '', from: '2026-03-01', to: '' }, 20)
    expect(f).toEqual({ action: 'auth.', actor: undefined, from, to: undefined, limit: 20 })
    expect(auditQuery({ ...f, before_id: 99 })).toBe(`?action=auth.&from=${from}&limit=20&before_id=99`)
  })
  it('敏感词：多种分隔符、去空、去重', () => {
    expect(parseWordList('甲\n乙，丙；甲\n\n 丁 、戊')).toEqual(['甲', '乙', '丙', '丁', '戊'])
  })
})

describe('统计数据整理', () => {
  it('日期范围与北京时间', () => {
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'])
    expect(dayRange('2026-03-02', '2026-03-01')).toEqual([])
    // 2026-03-01 16:30 UTC = 北京时间 3 月 2 日 00:30
    expect(isoDay(Date.UTC(2026, 2, 1, 16, 30))).toBe('2026-03-02')
  })
  it('按日汇总并补 0；按键汇总并降序', () => {
    const rows = [
      { key: '老年教育', date: '2026-03-01', clicks: 2, learners: 1 },
      { key: '社区教育', date: '2026-03-01', clicks: 5, learners: 0 },
      { key: '老年教育', date: '2026-03-03', clicks: 1, learners: 1 },
      { key: '老年教育', date: '2026-02-01', clicks: 9, learners: 9 },
    ]
    const t = usageTrend(rows, '2026-03-01', '2026-03-03')
    expect(t.dates).toHaveLength(3)
    expect(t.clicks).toEqual([7, 0, 1])
    expect(t.learners).toEqual([1, 0, 1])
    expect(usageByKey(rows)[0]).toEqual({ key: '老年教育', clicks: 12, learners: 11 })
  })
  it('征集统计柱状图的系列与合计', () => {
    const g = [
      { key: '1', label: '广东省教育厅', count: 3, overdue: 1 },
      { key: '2', label: '北京市教育委员会', count: 2, overdue: 0 },
    ]
    expect(submissionsTotal(g)).toEqual({ count: 5, overdue: 1 })
    const o = submissionsOption(g)
    expect(o.xAxis.data).toEqual(['广东省教育厅', '北京市教育委员会'])
    expect(o.series.map((s) => s.data)).toEqual([
      [3, 2],
      [1, 0],
    ])
  })
})

describe('导航按角色', () => {
  const user = (role: string, kind = 'province_dept') => ({ role, org: { kind } })
  const labels = (role: string, kind?: string) => navFor(user(role, kind)).map((i) => i.label)

  it('审计员看到审计日志，安全管理员看到安全策略与敏感词表，录入员都看不到', () => {
    expect(labels('auditor', 'open_university')).toContain('审计日志')
    expect(labels('auditor', 'open_university')).not.toContain('安全策略')
    expect(labels('security_admin', 'open_university')).toEqual(expect.arrayContaining(['安全策略', '敏感词表', '统计']))
    expect(labels('uploader', 'provincial_college')).not.toEqual(expect.arrayContaining(['统计']))
    expect(labels('uploader', 'provincial_college')).toContain('双因素认证')
  })

  it('没有服务端会拒绝的菜单项：录入员不见审核与发布批次，单位管理员不见审核队列', () => {
    expect(labels('uploader', 'provincial_college')).toEqual(['我的单位', '资源管理', '批量导入', '征集批次', '双因素认证'])
    expect(labels('unit_admin')).not.toContain('审核队列')
    expect(labels('unit_admin')).not.toContain('发布批次')
    expect(labels('reviewer')).toEqual(['我的单位', '审核队列', '征集批次', '双因素认证'])
    // 国家开放大学的审核员（终审）还负责发布批次
    expect(labels('reviewer', 'open_university')).toContain('发布批次')
    expect(labels('platform_admin', 'open_university')).toEqual(
      expect.arrayContaining(['资源管理', '审核队列', '发布批次', '征集批次', '使用评价', '统计', '敏感词表']),
    )
    expect(labels('platform_admin', 'open_university')).not.toContain('批量导入')
  })

  it('各角色的落地页', () => {
    expect(homeFor(user('uploader', 'provincial_college'))).toBe('resources')
    expect(homeFor(user('reviewer'))).toBe('review-queue')
    expect(homeFor(user('platform_admin', 'open_university'))).toBe('batches')
    expect(homeFor(user('unit_admin'))).toBe('my-org')
    expect(homeFor(user('security_admin', 'open_university'))).toBe('security')
    expect(homeFor(user('auditor', 'open_university'))).toBe('audit')
    expect(homeFor(null)).toBe('my-org')
  })

  it('按钮级权限：录入、发布批次、征集批次、账号列表', () => {
    expect(canWriteResources(user('uploader'))).toBe(true)
    expect(canWriteResources(user('platform_admin', 'open_university'))).toBe(false)
    expect(canPublishBatches(user('reviewer'))).toBe(false)
    expect(canPublishBatches(user('reviewer', 'open_university'))).toBe(true)
    expect(canEditCampaigns(user('unit_admin'))).toBe(false)
    expect(canListUsers(user('uploader'))).toBe(false)
    expect(canSee(user('uploader'), 'review')).toBe(false)
  })
})

describe('登录的第二步与受限会话', () => {
  it('totp_required 时抛出带 code 的错误，带验证码重试后登录成功', async () => {
    const { calls } = mockFetch((c) => {
      const body = c.body as Record<string, string>
      if (!body.totp_code) return json(401, { error: { code: 'totp_required', message: '请输入动态验证码（或一个恢复码）' } })
      return json(200, {
        csrf_token: 't',
        user: { id: 2, username: 'nou_security', display_name: '', role: 'security_admin', role_label: '安全管理员', org_id: 1, totp: { enabled: true, required: true, grace_until: null, enrolment_required: false } },
      })
    })
    const auth = useAuthStore()
    await expect(auth.login('nou_security', 'pw')).rejects.toMatchObject({ code: 'totp_required', status: 401 })
    const u = await auth.login('nou_security', 'pw', { totp_code: '123456' })
    expect(u.role).toBe('security_admin')
    expect(calls[1].body).toEqual({ username: 'nou_security', password: 'pw', totp_code: '123456' })
    expect(auth.enrolmentRequired).toBe(false)
  })

  it('403 totp_enrolment_required 时调用已注册的处理函数', async () => {
    mockFetch(() => json(403, { error: { code: 'totp_enrolment_required', message: '双因素认证宽限期已过' } }))
    const seen: string[] = []
    onEnrolmentRequired((e) => seen.push(e.code))
    await expect(request('GET', '/orgs')).rejects.toMatchObject({ status: 403 })
    expect(seen).toEqual(['totp_enrolment_required'])
  })

  it('markEnrolmentRequired 把会话标成受限', () => {
    const auth = useAuthStore()
    auth.user = principal({ id: 1, username: 'a', display_name: '', role: 'reviewer', role_label: '审核员', org_id: 1 })
    auth.markEnrolmentRequired()
    expect(auth.enrolmentRequired).toBe(true)
  })
})

describe('通知 store', () => {
  it('加载、标记一条与全部已读', async () => {
    const { calls } = mockFetch((c) => {
      if (c.method === 'GET')
        return json(200, {
          items: [
            { id: 1, kind: 'returned', title: '退回', body: '', resource_id: 7, created_at: 1, read_at: null },
            { id: 2, kind: 'published', title: '发布', body: '', resource_id: 8, created_at: 2, read_at: null },
          ],
          unread: 2,
        })
      return json(204, null)
    })
    setCsrfToken('x')
    const s = useNotificationsStore()
    await s.load()
    expect(s.unread).toBe(2)
    await s.markRead(1)
    expect(s.unread).toBe(1)
    expect(s.items[0].read_at).not.toBeNull()
    await s.markAllRead()
    expect(s.unread).toBe(0)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET /api/v1/me/notifications?limit=50',
      'POST /api/v1/me/notifications/1/read',
      'POST /api/v1/me/notifications/read-all',
    ])
    expect(calls[1].headers['X-CSRF-Token']).toBe('x')
  })
  it('类别中文名与链接', () => {
    expect(kindLabel('returned')).toBe('退回修改')
    expect(kindLabel('other')).toBe('通知')
    expect(notificationLink({ kind: 'published', resource_id: 3 })).toBe('/resources/3')
    expect(notificationLink({ kind: 'queued', resource_id: 3 })).toBe('/console/review/3')
    expect(notificationLink({ kind: 'returned', resource_id: 3 })).toBe('/console/resources/3#review-feedback')
    expect(notificationLink({ kind: 'rejected', resource_id: 3 })).toBe('/console/resources/3#review-feedback')
    expect(notificationLink({ kind: 'deadline', resource_id: null })).toBeNull()
  })
})

describe('定时发布时间', () => {
  it('datetime-local ↔ 毫秒，过去的时间给出提示', async () => {
    const { localInputToMs, msToLocalInput, scheduleHint } = await import('@/utils/schedule')
    const ms = localInputToMs('2030-05-06T09:30')!
    expect(new Date(ms).getHours()).toBe(9)
    expect(msToLocalInput(ms)).toBe('2030-05-06T09:30')
    expect(msToLocalInput(null)).toBe('')
    expect(localInputToMs('2030-05-06')).toBeNull()
    expect(scheduleHint('')).toBeNull()
    expect(scheduleHint('2000-01-01T00:00')).toBe('定时发布时间应晚于现在')
    expect(scheduleHint('abc')).toBe('请填写有效的日期和时间')
    expect(scheduleHint('2030-05-06T09:30', Date.UTC(2026, 0, 1))).toBeNull()
  })
})
