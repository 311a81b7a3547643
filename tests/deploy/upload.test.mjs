// tus-js-client (the real npm client, under node) uploads LEP_DEPLOY_FILE through nginx
// (LEP_DEPLOY_BASE, the site of deploy/nginx/) in 1 MiB chunks like the web front end, abort()s
// in the middle of a chunk, then a new tus.Upload finds the stored URL, asks the server for its
// offset (HEAD) and resumes; the SHA-256 the API reports must equal the local file's. Started
// by run.sh; writes {resource_id, cookie} to LEP_DEPLOY_OUT for its Range check.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as tus from 'tus-js-client'

import {
  AbortingHttpStack,
  MiB,
  createResource,
  fetchMedia,
  login,
  sha256File,
  tusHead,
  waitFor,
} from '../e2e_tus/helpers.mjs'

const base = process.env.LEP_DEPLOY_BASE
const file = process.env.LEP_DEPLOY_FILE
const nginxBodyTmp = process.env.LEP_DEPLOY_NGINX_BODY_TMP
assert.ok(base && file && nginxBodyTmp, 'run tests/deploy/run.sh')

function filesUnder(dir) {
  let n = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    n += e.isDirectory() ? filesUnder(path.join(dir, e.name)) : 1
  }
  return n
}

/** The media record once the upload completed: { sha256, size, … }. */
function storedMedia(session, resourceId) {
  return waitFor('the media record', async () => {
    const media = await fetchMedia(base, session, resourceId)
    return media?.sha256 ? media : null
  }, { timeoutMs: 20_000, intervalMs: 200 })
}

test('200 MB through nginx: abort mid-chunk, resume from the server offset, same SHA-256', { timeout: 100_000 }, async (t) => {
  const size = fs.statSync(file).size
  const localSha = sha256File(file)
  const session = await login(base, 'gd_uploader')
  const auth = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }

  const resourceId = await createResource(base, session, '部署测试：经 nginx 续传')

  const storage = new tus.FileUrlStorage(path.join(path.dirname(file), 'tus-urls.json'))
  const options = (extra) => ({
    endpoint: `${base}/api/v1/uploads`, // UPLOAD_ENDPOINT of web/src/utils/tusUpload.ts
    headers: auth,
    metadata: { resource_id: String(resourceId), filename: '部署测试.mp4', kind: 'media' },
    chunkSize: 1 * MiB, // what web/src/utils/tusUpload.ts sends
    urlStorage: storage,
    ...extra,
  })

  // First session: abort() ~45 % in, inside a chunk.
  const cutAt = Math.floor(size * 0.45) + 333_333
  let accepted = 0
  let firstUrl = null
  let abortedAt = 0
  let nginxSpooled = -1
  const t0 = Date.now()
  await new Promise((resolve, reject) => {
    let upload = null
    const stack = new AbortingHttpStack(new tus.DefaultHttpStack(), cutAt, (at) => {
      abortedAt = at
      firstUrl = upload.url
      // proxy_request_buffering off: nothing of the PATCH body sits in nginx's temp dir.
      nginxSpooled = filesUnder(nginxBodyTmp)
      upload.abort().then(resolve, reject)
    })
    upload = new tus.Upload(
      fs.createReadStream(file),
      options({
        httpStack: stack,
        retryDelays: null,
        onChunkComplete: (_c, acc) => {
          accepted = acc
        },
        onSuccess: () => reject(new Error('finished although aborted')),
        onError: reject,
      }),
    )
    upload.start()
  })
  const firstMs = Date.now() - t0
  assert.ok(firstUrl && new URL(firstUrl, base).pathname.startsWith('/api/v1/uploads/'), `upload URL ${firstUrl}`)
  assert.ok(abortedAt % MiB !== 0, `aborted inside a chunk (${abortedAt})`)
  assert.ok(accepted >= 50 * MiB, `acknowledged before the abort: ${accepted}`)
  assert.equal(nginxSpooled, 0, 'nginx buffered no request body to client_body_temp_path')

  // The server keeps every acknowledged chunk, at most the one in flight more. nginx may still
  // be handing lep the bytes it had read before the client hung up: wait until the offset is
  // the same on two HEADs 300 ms apart (the aborted PATCH has settled).
  let mid = { status: 0, offset: -1 }
  for (let i = 0; i < 60; i++) {
    const h = await tusHead(base, session, firstUrl)
    if (h.status === 200 && h.offset === mid.offset) break
    mid = h
    await new Promise((r) => setTimeout(r, 300))
  }
  assert.equal(mid.status, 200)
  assert.equal(mid.length, size)
  assert.ok(mid.offset >= accepted && mid.offset <= accepted + MiB, `offset ${mid.offset} vs acknowledged ${accepted}`)

  // Second session (a reopened browser): find the upload by fingerprint and resume.
  const patchOffsets = []
  const second = new tus.Upload(
    fs.createReadStream(file),
    options({
      retryDelays: [100, 500, 1000, 2000, 4000],
      onBeforeRequest: (req) => {
        if (req.getMethod() === 'PATCH') patchOffsets.push(Number(req.getHeader('Upload-Offset')))
      },
    }),
  )
  const previous = await second.findPreviousUploads()
  assert.equal(previous.length, 1, 'the interrupted upload was stored by fingerprint')
  second.resumeFromPreviousUpload(previous[0])
  const t1 = Date.now()
  await new Promise((resolve, reject) => {
    second.options.onSuccess = resolve
    second.options.onError = reject
    second.start()
  })
  const secondMs = Date.now() - t1
  assert.equal(second.url, firstUrl, 'resumed the same upload')
  assert.equal(patchOffsets[0], mid.offset, 'the first PATCH after the resume starts at the HEAD offset')

  const done = await tusHead(base, session, firstUrl)
  assert.equal(done.offset, size)

  // The media record: SHA-256 over the stored bytes (random bytes fail the probe; the hash and
  // size do not depend on it). It is written when the upload completes; poll briefly.
  const media = await storedMedia(session, resourceId)
  assert.equal(media.size, size)
  assert.equal(media.sha256, await localSha, 'the SHA-256 the API reports equals the local file')
  t.diagnostic(
    `${(size / 1e6).toFixed(0)} MB; aborted at ${abortedAt} (after ${firstMs} ms), server offset ${mid.offset}; ` +
      `resumed in ${secondMs} ms; sha256 ${media.sha256.slice(0, 16)}…`,
  )
  fs.writeFileSync(process.env.LEP_DEPLOY_OUT, JSON.stringify({ resource_id: resourceId, cookie: session.cookie }))
})

test('nginx workers are killed mid-upload; tus-js-client retries and resumes on its own', { timeout: 100_000 }, async (t) => {
  const master = Number(process.env.LEP_DEPLOY_NGINX_PID)
  assert.ok(master > 0, 'LEP_DEPLOY_NGINX_PID')
  const size = fs.statSync(file).size
  const localSha = sha256File(file)
  const session = await login(base, 'gd_uploader')
  const auth = { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }
  const resourceId = await createResource(base, session, '部署测试：代理中断后自动重试')
  let killed = []
  let killedAt = 0
  const retries = []
  const upload = new tus.Upload(fs.createReadStream(file), {
    endpoint: `${base}/api/v1/uploads`,
    headers: auth,
    metadata: { resource_id: String(resourceId), filename: '部署测试2.mp4', kind: 'media' },
    chunkSize: 1 * MiB,
    retryDelays: [200, 500, 1000, 2000, 4000],
    onShouldRetry: (err) => {
      retries.push(String(err).slice(0, 120))
      return true
    },
    onProgress: (sent) => {
      // Once a third is through: SIGKILL every worker of our nginx (the connection dies as if
      // the proxy host crashed); the master starts new workers at once.
      if (killed.length === 0 && sent > size / 3) {
        killedAt = sent
        killed = execFileSync('pgrep', ['-P', String(master)], { encoding: 'utf8' }).split(/\s+/).filter(Boolean).map(Number)
        for (const pid of killed) process.kill(pid, 'SIGKILL')
      }
    },
  })
  await new Promise((resolve, reject) => {
    upload.options.onSuccess = resolve
    upload.options.onError = reject
    upload.start()
  })
  assert.ok(killed.length > 0, 'nginx workers were killed')
  assert.ok(retries.length >= 1, 'tus-js-client saw the failure and retried')
  const media = await storedMedia(session, resourceId)
  assert.equal(media.size, size)
  assert.equal(media.sha256, await localSha, 'the SHA-256 the API reports equals the local file')
  t.diagnostic(`killed nginx workers ${killed.join(',')} at ${killedAt} B; ${retries.length} retry(ies): ${retries[0]}`)
})
