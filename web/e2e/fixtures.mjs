// Test data made through the real API of the test server: media generated with ffmpeg, resources
// created by gd_uploader, uploaded with tus, submitted, reviewed by gd_reviewer (初审) and
// nou_reviewer (终审) and published in a batch by nou_admin. Each spec makes its own data, so the
// specs do not depend on each other or on what `lep seed-demo` publishes.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { apiLogin } from './helpers.mjs'

export const CHECKLIST = { ideology: true, copyright: true, secrecy: true, science: true }

function ffmpeg(args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

/** A JPEG cover, a 4 s video that passes the technical standard, and an "mp4" that is not one. */
export function makeMedia() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lep-e2e-media-'))
  const cover = path.join(dir, 'cover.jpg')
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', cover])
  const video = path.join(dir, 'ok.mp4')
  ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=4',
    '-t', '4', '-c:v', 'libx264', '-b:v', '3M', '-minrate', '3M', '-maxrate', '3M', '-bufsize', '1M',
    '-x264-params', 'nal-hrd=cbr', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', video,
  ])
  const broken = path.join(dir, 'broken.mp4')
  const bytes = Buffer.alloc(256 * 1024)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) % 251
  writeFileSync(broken, bytes)
  return { dir, cover, video, broken, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

export function resourceBody(title, extra = {}) {
  return {
    title,
    type: 'A01',
    domain: '老年教育',
    summary: '端到端测试用的视频资源。',
    copyright_holder: '岭南示范职业技术学院',
    presenters: ['张老师'],
    keywords: ['测试'],
    created_on: '2022-03-01',
    ...extra,
  }
}

/** Sessions of the demo accounts a resource passes through. */
export async function team() {
  return {
    uploader: await apiLogin('gd_uploader'),
    first: await apiLogin('gd_reviewer'),
    final: await apiLogin('nou_reviewer'),
    admin: await apiLogin('nou_admin'),
  }
}

export async function createResource(uploader, title, extra = {}) {
  return uploader.expect(201, 'POST', '/api/v1/resources', resourceBody(title, extra))
}

export async function uploadCover(uploader, id, file) {
  const r = await uploader.request('POST', `/api/v1/resources/${id}/cover`, readFileSync(file), { 'Content-Type': 'image/jpeg' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
}

/** tus upload of a whole file (512 KiB PATCHes), then waits until the check report is there. */
export async function uploadMedia(uploader, id, file) {
  const data = readFileSync(file)
  const b64 = (s) => Buffer.from(String(s)).toString('base64')
  const tus = { 'Tus-Resumable': '1.0.0' }
  const created = await uploader.request('POST', '/api/v1/uploads', undefined, {
    ...tus,
    'Upload-Length': String(data.length),
    'Upload-Metadata': `resource_id ${b64(id)},filename ${b64(path.basename(file))},kind ${b64('media')}`,
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const location = created.headers.get('location')
  for (let off = 0; off < data.length; off += 512 * 1024) {
    const r = await uploader.request('PATCH', location, new Uint8Array(data.subarray(off, off + 512 * 1024)), {
      ...tus,
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(off),
    })
    assert.equal(r.status, 204, JSON.stringify(r.body))
  }
  for (let i = 0; i < 60; i++) {
    const m = (await uploader.expect(200, 'GET', `/api/v1/resources/${id}/media`)).media
    if (m && m.state !== 'remuxing') return m
    await new Promise((ok) => setTimeout(ok, 500))
  }
  assert.fail('检测报告超时')
}

export async function submit(uploader, id) {
  const r = await uploader.expect(200, 'GET', `/api/v1/resources/${id}`)
  return uploader.expect(200, 'POST', `/api/v1/resources/${id}/submit`, { attestation: true, version: r.version })
}

/** A resource with cover and a passing video, submitted: it waits in gd_reviewer's queue. */
export async function submittedResource(t, media, title, extra = {}) {
  const r = await createResource(t.uploader, title, extra)
  await uploadCover(t.uploader, r.id, media.cover)
  const m = await uploadMedia(t.uploader, r.id, media.video)
  assert.ok(m.passed, `视频应通过技术检测：${JSON.stringify(m.report)}`)
  await submit(t.uploader, r.id)
  return r.id
}

export async function review(session, id, action, comment = '') {
  const r = await session.expect(200, 'GET', `/api/v1/resources/${id}`)
  return session.expect(200, 'POST', `/api/v1/resources/${id}/review`, { action, comment, checklist: CHECKLIST, version: r.version })
}

/** Through both review levels and a published batch: the resource is on the portal. */
export async function publishedResource(t, media, title, extra = {}) {
  const id = await submittedResource(t, media, title, extra)
  await review(t.first, id, 'approve', '初审通过')
  await review(t.final, id, 'approve', '终审通过')
  const b = await t.admin.expect(201, 'POST', '/api/v1/batches', { resource_ids: [id] })
  await t.admin.expect(200, 'POST', `/api/v1/batches/${b.id}/publish`)
  return id
}
