// tus-js-client (the real npm client, under node) uploads a 1280×720 H.264/AAC lecture in
// 1 MiB chunks; the upload is interrupted mid-way and resumed, and the server must end up with
// exactly our bytes (SHA-256) and a report where every rule passes.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tus from 'tus-js-client'

import {
  AbortingHttpStack,
  MiB,
  assertStoredAndPassing,
  authHeaders,
  baseUrl,
  createResource,
  fixtureMp4,
  login,
  startCuttingProxy,
  tusHead,
  tusMetadata,
} from './helpers.mjs'

const base = baseUrl()
let fixture
let session
let storageDir

before(async () => {
  fixture = await fixtureMp4()
  session = await login(base)
  storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lep-tus-urls-'))
})

after(() => {
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true })
})

// Options shared by every tus-js-client upload here: cookie + CSRF header auth.
function tusOptions(endpointBase, resourceId, extra = {}) {
  return {
    endpoint: `${endpointBase}/api/v1/uploads/`,
    headers: authHeaders(session),
    metadata: tusMetadata(resourceId, '太极拳第一讲.mp4'),
    chunkSize: 1 * MiB,
    ...extra,
  }
}

/** Runs an Upload to success; rejects with its error. */
function runToEnd(upload) {
  return new Promise((resolve, reject) => {
    upload.options.onSuccess = () => resolve(upload)
    upload.options.onError = reject
    upload.start()
  })
}

test('abort() mid-way, then a new tus.Upload finds the stored URL and resumes to the right SHA-256', async (t) => {
  const resourceId = await createResource(base, session, 'tus 续传（中断后重新打开）')
  const urlStorage = new tus.FileUrlStorage(path.join(storageDir, 'abort.json'))
  const cutAt = Math.floor(fixture.size * 0.45) | 0x8000 // not on a 1 MiB boundary

  // First session: abort() ~45 % in, in the middle of a 1 MiB chunk (like a closed laptop
  // lid). The body of each PATCH goes through a counting stream so the abort lands mid-chunk.
  let acceptedBeforeAbort = 0
  let firstUrl = null
  let abortedAt = null
  await new Promise((resolve, reject) => {
    let upload = null
    const stack = new AbortingHttpStack(new tus.DefaultHttpStack(), cutAt, (at) => {
      abortedAt = at
      firstUrl = upload.url
      upload.abort().then(resolve, reject)
    })
    upload = new tus.Upload(
      fs.createReadStream(fixture.path),
      tusOptions(base, resourceId, {
        urlStorage,
        httpStack: stack,
        retryDelays: null,
        onChunkComplete: (_chunk, accepted) => {
          acceptedBeforeAbort = accepted
        },
        onSuccess: () => reject(new Error('the upload finished although it was aborted')),
        onError: reject,
      }),
    )
    upload.start()
  })
  assert.ok(abortedAt % MiB !== 0, `aborted inside a chunk (at ${abortedAt})`)
  assert.ok(firstUrl && firstUrl.includes('/api/v1/uploads/'), `upload URL ${firstUrl}`)
  assert.ok(acceptedBeforeAbort >= 4 * MiB, `chunks accepted before the abort: ${acceptedBeforeAbort}`)

  // The server holds every acknowledged chunk and at most the one chunk that was in flight.
  const mid = await tusHead(base, session, firstUrl)
  assert.equal(mid.status, 200)
  assert.equal(mid.length, fixture.size)
  assert.ok(mid.offset >= acceptedBeforeAbort, `HEAD offset ${mid.offset} ≥ acknowledged ${acceptedBeforeAbort}`)
  assert.ok(mid.offset <= acceptedBeforeAbort + MiB, `HEAD offset ${mid.offset} ≤ acknowledged + the chunk in flight`)
  assert.ok(mid.offset < fixture.size)
  t.diagnostic(`aborted at byte ${abortedAt}; server offset ${mid.offset} B`)

  // Second session, as after a browser restart: look the upload up by fingerprint.
  const patchOffsets = []
  const second = new tus.Upload(
    fs.createReadStream(fixture.path),
    tusOptions(base, resourceId, {
      urlStorage,
      // The aborted PATCH may still be settling on the server (423 Locked / 409): retry.
      retryDelays: [100, 500, 1000, 2000, 4000],
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') patchOffsets.push(Number(req.getHeader('Upload-Offset')))
      },
    }),
  )
  const previous = await second.findPreviousUploads()
  assert.equal(previous.length, 1, 'the interrupted upload was stored by fingerprint')
  assert.equal(previous[0].uploadUrl, firstUrl)
  second.resumeFromPreviousUpload(previous[0])
  await runToEnd(second)
  assert.equal(second.url, firstUrl, 'the resume used the same upload, not a new one')
  assert.ok(patchOffsets.length > 0)
  assert.ok(patchOffsets[0] >= acceptedBeforeAbort, `resumed from ${patchOffsets[0]}, not from 0`)

  const done = await tusHead(base, session, firstUrl)
  assert.equal(done.offset, fixture.size)
  await assertStoredAndPassing(base, session, resourceId, fixture)
})

test('the connection is dropped mid-chunk by a proxy; tus-js-client retries and resumes on its own', async (t) => {
  const resourceId = await createResource(base, session, 'tus 续传（网络中断自动重试）')
  const port = Number(new URL(base).port)
  // 6.5 MiB of PATCH bodies: half-way through the 7th 1 MiB chunk.
  const proxy = await startCuttingProxy(port, { cutAfter: 6.5 * MiB })
  try {
    const errors = []
    const patchOffsets = []
    const upload = new tus.Upload(
      fs.createReadStream(fixture.path),
      tusOptions(proxy.base, resourceId, {
        retryDelays: [100, 500, 1000, 2000, 4000, 8000],
        onShouldRetry: (err) => {
          errors.push(err)
          return true
        },
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') patchOffsets.push(Number(req.getHeader('Upload-Offset')))
        },
      }),
    )
    await runToEnd(upload)
    const cut = await proxy.cut
    t.diagnostic(
      `cut after ${cut.totalPatchBytes} PATCH bytes (${cut.requestBodyBytes} B into that chunk); ` +
        `${errors.length} retry(ies); PATCH offsets ${patchOffsets.join(',')}`,
    )
    assert.ok(errors.length >= 1, 'the client saw the dropped connection')
    assert.equal(cut.totalPatchBytes, 6.5 * MiB)
    // Chunks 0…6 went out before the cut; afterwards the client asked for the offset and went
    // on from there (6 MiB, or 6.5 MiB once the server settled the broken PATCH), not from 0.
    assert.deepEqual(patchOffsets.slice(0, 7), [0, 1, 2, 3, 4, 5, 6].map((i) => i * MiB))
    const afterCut = patchOffsets.slice(7)
    assert.ok(afterCut.length > 0 && afterCut.every((o) => o >= 6 * MiB), `offsets after the cut: ${afterCut}`)
    assert.equal((await tusHead(base, session, upload.url)).offset, fixture.size)
    await assertStoredAndPassing(base, session, resourceId, fixture)
  } finally {
    await proxy.close()
  }
})
