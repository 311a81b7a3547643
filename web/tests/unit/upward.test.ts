// 上报材料（issue 17 §4）：统计表下载的请求与中文文件名。
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { setCsrfToken } from '@/api/client'
import { statsApi } from '@/api/stats'
import { mockFetch } from './helpers'

beforeEach(() => {
  setActivePinia(createPinia())
  setCsrfToken(null)
})
afterEach(() => vi.unstubAllGlobals())

describe('征集进度统计表下载', () => {
  it('按所选征集批次请求 xlsx，并取用服务器给出的中文文件名', async () => {
    const { calls } = mockFetch(
      () =>
        new Response(new Uint8Array([0x50, 0x4b, 3, 4]), {
          status: 200,
          headers: {
            'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            'Content-Disposition':
              "attachment; filename=\"progress.xlsx\"; filename*=UTF-8''%E5%BE%81%E9%9B%86%E8%BF%9B%E5%BA%A6%E7%BB%9F%E8%AE%A1.xlsx",
          },
        }),
    )
    const { blob, filename } = await statsApi.report(3)
    expect(calls[0].method).toBe('GET')
    expect(calls[0].url).toMatch(/\/api\/v1\/stats\/report\.xlsx\?campaign_id=3$/)
    expect(filename).toBe('征集进度统计.xlsx')
    expect(blob.size).toBe(4)
    await statsApi.report()
    expect(calls[1].url).toMatch(/\/api\/v1\/stats\/report\.xlsx$/)
  })
})
