// The OpenAPI document as Ajv validators, for checking real responses of a running lep.
//
// Two things are made stricter than the published document on purpose:
// - every object with declared properties is closed (additionalProperties: false), so a field the
//   server sends but the document does not list fails the test (the document stays extensible for
//   clients, the test keeps it complete);
// - OpenAPI 3.0 `nullable: true` becomes `anyOf [schema, null]` (Ajv's own nullable keyword needs a
//   sibling `type`, which `allOf: [$ref]` does not have).
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Ajv from 'ajv'

const here = path.dirname(fileURLToPath(import.meta.url))
export const OPENAPI_PATH = path.resolve(here, '..', '..', '..', 'docs', 'openapi.json')

export function loadDocument() {
  return JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'))
}

/** Returns a copy of a schema with closed objects and nullable rewritten (see above). */
export function strictSchema(schema) {
  if (Array.isArray(schema)) return schema.map(strictSchema)
  if (!schema || typeof schema !== 'object') return schema
  const out = {}
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'nullable' || k === 'example' || k === 'description') continue
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, strictSchema(s)])) : strictSchema(v)
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false
  if (schema.nullable) return { anyOf: [out, { type: 'null' }] }
  return out
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']

/** Every operation of the document as "METHOD /path". */
export function operations(doc) {
  const out = []
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${p}`)
  }
  return out
}

/** Finds the path template of the document that a concrete path matches. */
export function matchTemplate(doc, concretePath) {
  const parts = concretePath.split('?')[0].split('/')
  if (doc.paths[parts.join('/')]) return parts.join('/')
  for (const t of Object.keys(doc.paths)) {
    const tp = t.split('/')
    if (tp.length === parts.length && tp.every((seg, i) => (/^\{.+\}$/.test(seg) ? parts[i] !== '' : seg === parts[i]))) return t
  }
  return null
}

export class ResponseChecker {
  constructor(doc = loadDocument()) {
    this.doc = doc
    this.components = strictSchema(doc.components)
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
    this.cache = new Map()
    /** operations seen with a response that conformed */
    this.covered = new Set()
  }

  validator(key, schema) {
    let v = this.cache.get(key)
    if (!v) {
      v = this.ajv.compile({ ...strictSchema(schema), components: this.components })
      this.cache.set(key, v)
    }
    return v
  }

  /**
   * Checks one response against the document: the status is declared (or covered by `default`
   * for errors), the media type is declared, and a JSON body validates against its schema.
   * Returns a list of problems (empty when it conforms).
   */
  problems(method, concretePath, status, contentType, body) {
    const template = matchTemplate(this.doc, concretePath)
    if (!template) return [`${method} ${concretePath}: path is not in the document`]
    const op = this.doc.paths[template][method.toLowerCase()]
    if (!op) return [`${method} ${template}: operation is not in the document`]
    const key = `${method.toUpperCase()} ${template}`
    const declared = op.responses[String(status)] ?? (status >= 400 ? op.responses.default : undefined)
    if (!declared) return [`${key} → ${status}: status is not declared (${Object.keys(op.responses).join(', ')})`]
    const content = declared.content
    const problems = []
    if (!content) {
      if (body !== null && body !== undefined && body !== '') problems.push(`${key} → ${status}: declared without a body but got one`)
    } else {
      const media = (contentType || '').split(';')[0].trim()
      const entry = content[media]
      if (!entry) {
        problems.push(`${key} → ${status}: media type ${media || '(none)'} not declared (${Object.keys(content).join(', ')})`)
      } else if (media === 'application/json') {
        const v = this.validator(`${key} ${status}`, entry.schema)
        if (!v(body)) {
          for (const e of v.errors.slice(0, 8)) {
            problems.push(`${key} → ${status}: ${e.instancePath || '(body)'} ${e.message}${e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : ''}`)
          }
        }
      }
    }
    if (!problems.length) this.covered.add(key)
    return problems
  }
}
