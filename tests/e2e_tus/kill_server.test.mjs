// kill -9 of the server in the middle of a long PATCH (a raw request from node's http module,
// the whole file in one body, sent in slices). The server checkpoints durably every 16 MiB
// inside one PATCH, so after a restart on the same data directory HEAD must report a durable
// offset: at least the checkpoint we saw before the kill, never more than we sent; resuming
// from it with tus-js-client completes with the right SHA-256.
//
// This test runs its own lep (LEP_BIN) because it kills it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as tus from 'tus-js-client'

import {
  MiB,
  assertStoredAndPassing,
  authHeaders,
  createResource,
  fixtureMp4,
  login,
  seededDataDir,
  startLep,
  tusHead,
  waitFor,
} from './helpers.mjs'

const LEP_BIN = process.env.LEP_BIN
const CHECKPOINT = 16 * MiB
const SLICE = 256 * 1024

function b64(s) {
  return Buffer.from(s, 'utf8').toString('base64')
}

test('kill -9 mid-PATCH: the restarted server reports a durable offset and the resume is exact', { timeout: 480_000 }, async (t) => {
  assert.ok(LEP_BIN && fs.existsSync(LEP_BIN), `LEP_BIN must name the lep binary (got ${LEP_BIN})`)
  const fixture = await fixtureMp4()
  assert.ok(fixture.size > CHECKPOINT + 2 * MiB)
  const dataDir = await seededDataDir(LEP_BIN, 'lep-e2e-kill-')
  let server = await startLep(LEP_BIN, dataDir)
  t.after(async () => {
    await server.stop()
    if (process.env.LEP_E2E_KEEP) t.diagnostic(`data kept in ${dataDir}`)
    else fs.rmSync(dataDir, { recursive: true, force: true })
  })

  let session = await login(server.base)
  const resourceId = await createResource(server.base, session, 'tus 断电续传')
  const created = await fetch(`${server.base}/api/v1/uploads/`, {
    method: 'POST',
    headers: {
      ...authHeaders(session),
      'Tus-Resumable': '1.0.0',
      'Upload-Length': String(fixture.size),
      'Upload-Metadata': `resource_id ${b64(String(resourceId))},filename ${b64('断电.mp4')},kind ${b64('media')}`,
    },
  })
  assert.equal(created.status, 201, await created.text())
  const location = created.headers.get('location')
  assert.match(location, /^\/api\/v1\/uploads\/[0-9a-f]{32}$/)

  // One PATCH declaring the whole file, fed slice by slice.
  const req = http.request(new URL(location, server.base), {
    method: 'PATCH',
    agent: false,
    headers: {
      ...authHeaders(session),
      'Tus-Resumable': '1.0.0',
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': '0',
      'Content-Length': String(fixture.size),
    },
  })
  const outcome = new Promise((resolve) => {
    req.on('error', (error) => resolve({ error }))
    req.on('response', (res) => {
      res.resume()
      resolve({ status: res.statusCode, headers: res.headers })
    })
  })
  const fd = fs.openSync(fixture.path, 'r')
  t.after(() => fs.closeSync(fd))
  let sent = 0
  async function sendUpTo(limit) {
    while (sent < limit) {
      const buf = Buffer.alloc(Math.min(SLICE, limit - sent))
      fs.readSync(fd, buf, 0, buf.length, sent)
      await new Promise((resolve, reject) =>
        req.write(buf, (err) =>
          err
            ? reject(new Error(`the server closed the PATCH after ${sent} bytes without an answer (${err.message})`))
            : resolve(),
        ),
      )
      sent += buf.length
    }
  }

  // Past the first checkpoint, then wait (HEAD on another connection) until it is durable.
  await sendUpTo(CHECKPOINT + 512 * 1024)
  const before = await waitFor(
    'the 16 MiB checkpoint',
    async () => {
      const h = await tusHead(server.base, session, location)
      assert.equal(h.status, 200)
      return h.offset > 0 ? h.offset : null
    },
    { timeoutMs: 120_000 },
  )
  assert.ok(before >= CHECKPOINT && before <= sent, `checkpoint at ${before} (sent ${sent})`)
  // Some bytes beyond the checkpoint that will never be acknowledged, then kill -9.
  await sendUpTo(CHECKPOINT + 1536 * 1024)
  const exit = await server.kill9()
  assert.equal(exit.signal, 'SIGKILL')
  const result = await outcome
  assert.ok(result.error, `the PATCH must not have been answered (got ${result.status})`)
  t.diagnostic(`killed after ${sent} B sent; durable offset before the kill ${before}`)

  // Restart on the same data directory.
  server = await startLep(LEP_BIN, dataDir)
  session = await login(server.base)
  const after = await tusHead(server.base, session, location)
  assert.equal(after.status, 200)
  assert.equal(after.length, fixture.size)
  t.diagnostic(`after restart HEAD Upload-Offset ${after.offset}`)
  assert.ok(after.offset > 0, 'the 16 MiB checkpoint survived kill -9')
  assert.ok(after.offset >= before, `offset ${after.offset} ≥ durable offset seen before the kill ${before}`)
  assert.ok(after.offset <= sent, `offset ${after.offset} ≤ bytes sent ${sent}`)

  // Resume from there with tus-js-client and the known upload URL.
  const patchOffsets = []
  await new Promise((resolve, reject) => {
    const upload = new tus.Upload(fs.createReadStream(fixture.path), {
      uploadUrl: new URL(location, server.base).href,
      headers: authHeaders(session),
      chunkSize: 2 * MiB,
      retryDelays: [100, 500, 1000, 2000],
      onBeforeRequest: (r) => {
        if (r.getMethod() === 'PATCH') patchOffsets.push(Number(r.getHeader('Upload-Offset')))
      },
      onSuccess: resolve,
      onError: reject,
    })
    upload.start()
  })
  assert.equal(patchOffsets[0], after.offset, 'the resume started at the reported offset')
  assert.equal((await tusHead(server.base, session, location)).offset, fixture.size)
  await assertStoredAndPassing(server.base, session, resourceId, fixture)
})
