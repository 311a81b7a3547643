// Robustness (issue 14 item 1): clients that hang up while /media/… or a cover is being sent
// must cost one request, never the server. sendfile(2) to a socket whose peer has gone raises
// SIGPIPE, which ends a process that does not ignore it (exit status 141 / signal SIGPIPE).
// 60 downloads are cut at random points with three close styles — close (FIN), shutdown of
// the write side only, and a reset (SO_LINGER 0, RST) — then the same server process must
// still answer /healthz and serve the whole file.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as tus from 'tus-js-client'

import {
  authHeaders,
  createResource,
  fixtureMp4,
  login,
  seededDataDir,
  sha256File,
  startLep,
  tusMetadata,
  waitFor,
  fetchMedia,
} from './helpers.mjs'

const bin = process.env.LEP_BIN
let dataDir
let server
let session
let fixture
let resourceId

before(async () => {
  assert.ok(bin, 'LEP_BIN is set (run.sh)')
  fixture = await fixtureMp4()
  dataDir = await seededDataDir(bin, 'lep-hangup-')
  server = await startLep(bin, dataDir)
  session = await login(server.base)
  resourceId = await createResource(server.base, session, '断开连接测试')
  await new Promise((resolve, reject) => {
    const up = new tus.Upload(fs.createReadStream(fixture.path), {
      endpoint: `${server.base}/api/v1/uploads/`,
      headers: authHeaders(session),
      metadata: tusMetadata(resourceId, '断开.mp4'),
      chunkSize: 8 << 20,
      retryDelays: null,
      onError: reject,
      onSuccess: resolve,
    })
    up.start()
  })
  await waitFor('media record', () => fetchMedia(server.base, session, resourceId))
})

after(async () => {
  if (server) await server.stop()
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
})

/** Mulberry32: a seeded PRNG so a failing run can be repeated (the seed is printed). */
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Sends one GET on a raw socket and hangs up once `cutAfter` response bytes arrived (style:
 * 'close' | 'shutdown' | 'reset'). Resolves with the bytes seen.
 */
function cutDownload(port, path, headers, cutAfter, style) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port })
    let seen = 0
    let done = false
    const finish = () => {
      if (done) return
      done = true
      resolve(seen)
    }
    sock.on('connect', () => {
      const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`]
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
      sock.write(lines.join('\r\n') + '\r\n\r\n')
    })
    sock.on('data', (d) => {
      seen += d.length
      if (seen < cutAfter || done) return
      if (style === 'reset') {
        sock.resetAndDestroy() // SO_LINGER 0 + close: the server's next write meets RST
      } else if (style === 'shutdown') {
        sock.pause() // stop reading: the server's window fills, then we half-close and go
        sock.end()
        setTimeout(() => sock.destroy(), 20)
      } else {
        sock.destroy()
      }
      finish()
    })
    sock.on('error', (e) => (done ? undefined : reject(e)))
    sock.on('close', finish)
  })
}

/** 60 cut downloads (and a burst of three every tenth); returns how many were cut mid-body. */
async function cutMany(port, resourceId, headers, rand) {
  const styles = ['close', 'shutdown', 'reset']
  const path = `/media/resources/${resourceId}`
  let cuts = 0
  for (let i = 0; i < 60; i++) {
    // Whole file, or a Range from a random offset: both go out through sendfile.
    const h = { ...headers }
    if (rand() < 0.3) h.Range = `bytes=${Math.floor(rand() * (fixture.size / 2))}-`
    const cutAfter = 1 + Math.floor(rand() * 4 * 1024 * 1024)
    const seen = await cutDownload(port, path, h, cutAfter, styles[i % styles.length])
    if (seen < fixture.size) cuts++
    // Several at once now and then, as a page of players would.
    if (i % 10 === 9) {
      await Promise.all([0, 1, 2].map((k) => cutDownload(port, path, headers, 200_000 * (k + 1), styles[k])))
    }
  }
  return cuts
}

test('60 media downloads cut at random points leave the server serving', async (t) => {
  const seed = Number(process.env.LEP_HANGUP_SEED || Date.now() % 100000)
  t.diagnostic(`seed ${seed} (LEP_HANGUP_SEED to repeat)`)
  const port = Number(new URL(server.base).port)
  const headers = { Cookie: session.cookie }
  let cuts = 0
  let broke = null
  try {
    cuts = await cutMany(port, resourceId, headers, rng(seed))
  } catch (e) {
    broke = e // the server went away mid-loop: say how it ended below
    await new Promise((r) => setTimeout(r, 500))
  }
  assert.equal(server.proc.signalCode, null, `lep was killed by ${server.proc.signalCode} (${broke})`)
  assert.equal(server.proc.exitCode, null, `lep exited with status ${server.proc.exitCode} (${broke})`)
  assert.equal(broke, null, `a download failed: ${broke}`)
  t.diagnostic(`${cuts} downloads hung up before the end`)
  assert.ok(cuts >= 50, `most downloads were cut mid-body (${cuts})`)

  const health = await fetch(`${server.base}/healthz`)
  assert.equal(health.status, 200, 'healthz answers after the hang-ups')
  // And the same file still goes out whole and intact.
  const res = await fetch(`${server.base}/media/resources/${resourceId}`, { headers })
  assert.equal(res.status, 200)
  const tmp = `${dataDir}/whole.mp4`
  fs.writeFileSync(tmp, Buffer.from(await res.arrayBuffer()))
  assert.equal(await sha256File(tmp), fixture.sha256)
})
