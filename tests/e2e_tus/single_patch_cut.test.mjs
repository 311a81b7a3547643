// tus-js-client with its default chunkSize (Infinity: the whole file in ONE PATCH) is cut
// mid-body by a proxy. The server must keep what it received (tus: partial PATCHes count), and
// a resume must finish with the right SHA-256.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as tus from 'tus-js-client'

import {
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

test('one whole-file PATCH cut after 9 MiB keeps the received bytes; the resume completes', async (t) => {
  const resourceId = await createResource(base, session, 'tus 单请求上传中断')
  const port = Number(new URL(base).port)
  const cutAfter = 9 * MiB
  const proxy = await startCuttingProxy(port, { cutAfter })
  try {
    const urlStorage = new tus.FileUrlStorage(path.join(storageDir, 'infinity.json'))
    const options = {
      endpoint: `${proxy.base}/api/v1/uploads/`,
      headers: authHeaders(session),
      metadata: tusMetadata(resourceId, '单请求.mp4'),
      urlStorage,
      // chunkSize left at its default, Infinity.
    }
    const patches = []
    const first = new tus.Upload(fs.createReadStream(fixture.path), {
      ...options,
      retryDelays: null,
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') patches.push(req.getHeader('Upload-Offset'))
      },
    })
    const err = await new Promise((resolve, reject) => {
      first.options.onError = resolve
      first.options.onSuccess = () => reject(new Error('finished although the proxy cut it'))
      first.start()
    })
    t.diagnostic(`first attempt failed as expected: ${String(err).split('\n')[0]}`)
    assert.deepEqual(patches, ['0'], 'a single PATCH carried the body')
    assert.ok(first.url, 'the upload was created before the cut')

    assert.ok(
      proxy.didCut,
      `the connection ended before the proxy cut it (${proxy.patchBytes} PATCH bytes had reached ` +
        'the server): the server refused or dropped the whole-file PATCH',
    )
    // Wait until the server closed the cut connection: it has settled the broken PATCH.
    const cut = await proxy.cut
    assert.equal(cut.requestBodyBytes, cutAfter)
    const head = await tusHead(base, session, first.url)
    assert.equal(head.status, 200)
    t.diagnostic(`server kept ${head.offset} of the ${cut.requestBodyBytes} bytes that reached it`)
    assert.ok(head.offset > 0, 'the server keeps what it received of an interrupted PATCH')
    assert.ok(head.offset <= cut.requestBodyBytes, `offset ${head.offset} ≤ bytes received ${cut.requestBodyBytes}`)

    // Resume through the (now transparent) proxy, found by fingerprint.
    const resumedFrom = []
    const second = new tus.Upload(fs.createReadStream(fixture.path), {
      ...options,
      retryDelays: [100, 500, 1000, 2000],
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') resumedFrom.push(Number(req.getHeader('Upload-Offset')))
      },
    })
    const previous = await second.findPreviousUploads()
    assert.equal(previous.length, 1)
    second.resumeFromPreviousUpload(previous[0])
    await new Promise((resolve, reject) => {
      second.options.onSuccess = resolve
      second.options.onError = reject
      second.start()
    })
    assert.equal(second.url, first.url)
    assert.deepEqual(resumedFrom, [head.offset], 'one PATCH from the kept offset')
    assert.equal((await tusHead(base, session, first.url)).offset, fixture.size)
    await assertStoredAndPassing(base, session, resourceId, fixture)
  } finally {
    await proxy.close()
  }
})
