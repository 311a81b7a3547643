// @vitest-environment node
// docs/openapi.json: valid OpenAPI 3.0 (checked by @apidevtools/swagger-parser, a standard
// validator), and every operation declares what it answers — so the TypeScript API types can be
// generated from it (npm run gen:api) and tests/api/conformance.test.mjs can hold the server to it.
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import SwaggerParser from '@apidevtools/swagger-parser'

const DOC_PATH = path.resolve(__dirname, '../../../docs/openapi.json')
const load = () => JSON.parse(readFileSync(DOC_PATH, 'utf8'))
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const

type Op = { responses: Record<string, { content?: Record<string, { schema?: unknown }> }>; requestBody?: unknown }
function ops(doc: ReturnType<typeof load>): [string, string, Op][] {
  const out: [string, string, Op][] = []
  for (const [p, item] of Object.entries(doc.paths as Record<string, Record<string, Op>>)) {
    for (const m of METHODS) if (item[m]) out.push([m, p, item[m]])
  }
  return out
}

/** Operations that answer no body on success (tus, 204) or take none. */
const BODYLESS_SUCCESS = new Set(['post /api/v1/uploads', 'head /api/v1/uploads/{id}', 'patch /api/v1/uploads/{id}'])
const NO_REQUEST_BODY = new Set([
  'post /api/v1/portal/resources/{id}/view',
  'post /api/v1/auth/logout',
  'post /api/v1/me/totp/setup',
  'post /api/v1/users/{id}/totp/reset',
  'post /api/v1/users/{id}/unlock',
  'post /api/v1/uploads',
  'post /api/v1/batches/{id}/publish',
  'post /api/v1/resources/{id}/video/transcode',
  'put /api/v1/me/favourites/{id}',
  'post /api/v1/me/notifications/read-all',
  'post /api/v1/me/notifications/{id}/read',
])

describe('docs/openapi.json', () => {
  it('是有效的 OpenAPI 3.0 文档（swagger-parser 校验，所有 $ref 可解析）', async () => {
    const api = await SwaggerParser.validate(load())
    expect((api as { openapi?: string }).openapi).toMatch(/^3\.0\./)
  })

  it('每个操作都声明了成功响应的内容与结构', () => {
    const missing: string[] = []
    for (const [m, p, op] of ops(load())) {
      const ok = Object.entries(op.responses).filter(([code]) => code.startsWith('2'))
      if (!ok.length) missing.push(`${m} ${p}: no 2xx`)
      for (const [code, r] of ok) {
        if (code === '204' || BODYLESS_SUCCESS.has(`${m} ${p}`) || m === 'options') continue
        const schemas = Object.values(r.content ?? {}).map((c) => c.schema)
        if (!schemas.length || schemas.some((s) => !s)) missing.push(`${m} ${p} ${code}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('会修改数据的操作都声明了请求体', () => {
    const missing = ops(load())
      .filter(([m]) => m === 'post' || m === 'put' || m === 'patch')
      .filter(([m, p, op]) => !op.requestBody && !NO_REQUEST_BODY.has(`${m} ${p}`))
      .map(([m, p]) => `${m} ${p}`)
    expect(missing).toEqual([])
  })

  it('错误响应一律是统一的错误体', () => {
    const bad = ops(load())
      .filter(([, , op]) => JSON.stringify(op.responses.default?.content?.['application/json']?.schema) !== '{"$ref":"#/components/schemas/Error"}')
      .map(([m, p]) => `${m} ${p}`)
    expect(bad).toEqual([])
  })
})
