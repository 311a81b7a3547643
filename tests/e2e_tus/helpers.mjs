// Shared pieces of the tus end-to-end tests: the fixture mp4 (ffmpeg), sign-in, resources,
// tus HEAD, the media report, a TCP proxy that cuts one upload mid-body, and starting /
// killing a private lep server. Loopback only.
import { spawn, execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable, Transform } from 'node:stream'
import { promisify } from 'node:util'
import assert from 'node:assert/strict'

const execFileP = promisify(execFile)

export const MiB = 1 << 20
export const PASSWORD = 'Lep@Demo2022'

/** Base URL of the server started by run.sh (http://127.0.0.1:PORT). */
export function baseUrl() {
  const b = process.env.LEP_E2E_BASE
  if (!b) throw new Error('LEP_E2E_BASE is not set: run tests/e2e_tus/run.sh')
  return b.replace(/\/$/, '')
}

export function sha256File(file) {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    fs.createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
}

/**
 * The upload fixture: 1280×720 25 fps H.264 (CBR 8 Mbps) + AAC stereo 44.1 kHz, moov first,
 * 20 s ≈ 19.4 MiB — about 20 chunks of 1 MiB and more than one 16 MiB server checkpoint.
 * Made once per run in LEP_E2E_WORK (run.sh) or the system temp directory.
 */
export async function fixtureMp4() {
  const dir = process.env.LEP_E2E_WORK || path.join(os.tmpdir(), 'lep-e2e-tus-fixtures')
  fs.mkdirSync(dir, { recursive: true })
  const file = path.join(dir, 'lecture-720p25-8M.mp4')
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp.mp4`
    // prettier-ignore
    await execFileP('ffmpeg', [
      '-v', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
      '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-b:v', '8M', '-minrate', '8M', '-maxrate', '8M', '-bufsize', '2M',
      '-x264-params', 'nal-hrd=cbr', '-c:a', 'aac', '-b:a', '128k', '-ac', '2',
      '-movflags', '+faststart', tmp,
    ], { timeout: 180_000 })
    fs.renameSync(tmp, file)
  }
  const size = fs.statSync(file).size
  assert.ok(size > 17 * MiB && size < 24 * MiB, `fixture size ${size}`)
  return { path: file, size, sha256: await sha256File(file) }
}

/** Signs in; returns { cookie, csrf } for the Cookie and X-CSRF-Token headers. */
export async function login(base, username = 'gd_uploader') {
  const res = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  })
  const text = await res.text()
  assert.equal(res.status, 200, `login ${username}: ${text}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('lep_session='))
  assert.ok(cookie, 'login sets the lep_session cookie')
  const csrf = JSON.parse(text).csrf_token
  assert.ok(csrf, 'login returns csrf_token')
  return { cookie, csrf }
}

/** Headers that authenticate a state-changing request. */
export function authHeaders(session) {
  return { Cookie: session.cookie, 'X-CSRF-Token': session.csrf }
}

/** A new draft A01 resource of gd_uploader's unit; returns its id. */
export async function createResource(base, session, title) {
  const res = await fetch(`${base}/api/v1/resources`, {
    method: 'POST',
    headers: { ...authHeaders(session), 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title,
      type: 'A01',
      domain: '老年教育',
      summary: 'tus-js-client 端到端测试',
      copyright_holder: '岭南示范职业技术学院（演示）',
      presenters: '张演示',
    }),
  })
  const text = await res.text()
  assert.equal(res.status, 201, `create resource: ${text}`)
  const id = JSON.parse(text).id
  assert.ok(Number.isInteger(id) && id > 0, `resource id ${text}`)
  return id
}

export function tusMetadata(resourceId, filename) {
  return { resource_id: String(resourceId), filename, kind: 'media' }
}

/** tus HEAD: { status, offset, length } (offset/length are null when absent). */
export async function tusHead(base, session, uploadUrl) {
  // Always straight to base (never through a test proxy), whatever host the URL names.
  const url = new URL(new URL(uploadUrl, base).pathname, base)
  const res = await fetch(url, {
    method: 'HEAD',
    headers: { ...authHeaders(session), 'Tus-Resumable': '1.0.0' },
  })
  const num = (h) => (res.headers.get(h) === null ? null : Number(res.headers.get(h)))
  return { status: res.status, offset: num('upload-offset'), length: num('upload-length') }
}

/**
 * A tus-js-client HTTP stack around `inner` (new tus.DefaultHttpStack()), with each PATCH body counted on its way out; once the
 * absolute position (Upload-Offset + body bytes) reaches cutAt, onCut(position) is called once.
 */
export class AbortingHttpStack {
  constructor(inner, cutAt, onCut) {
    this.inner = inner
    this.cutAt = cutAt
    this.onCut = onCut
    this.fired = false
  }

  getName() {
    return 'AbortingHttpStack'
  }

  createRequest(method, url) {
    const req = this.inner.createRequest(method, url)
    const stack = this
    const send = req.send.bind(req)
    req.send = (body) => {
      if (method !== 'PATCH' || !(body instanceof Readable) || stack.fired) return send(body)
      let position = Number(req.getHeader('Upload-Offset'))
      const counted = new Transform({
        transform(chunk, _enc, cb) {
          cb(null, chunk)
          position += chunk.length
          if (!stack.fired && position >= stack.cutAt) {
            stack.fired = true
            // After these bytes were handed to the socket: the server sees a partial chunk.
            setImmediate(() => stack.onCut(position))
          }
        },
      })
      counted.size = body.size // tus-js-client sets Content-Length from it
      body.on('error', (e) => counted.destroy(e))
      return send(body.pipe(counted))
    }
    return req
  }
}

/** GET /api/v1/resources/{id}/media → the "media" object (null when none yet). */
export async function fetchMedia(base, session, resourceId) {
  const res = await fetch(`${base}/api/v1/resources/${resourceId}/media`, {
    headers: { Cookie: session.cookie },
  })
  const text = await res.text()
  assert.equal(res.status, 200, `media of ${resourceId}: ${text}`)
  return JSON.parse(text).media
}

/** The server stored exactly our bytes and every rule of the technical standard passes. */
export async function assertStoredAndPassing(base, session, resourceId, fixture) {
  const m = await fetchMedia(base, session, resourceId)
  assert.ok(m, 'a media record exists after completion')
  assert.equal(m.sha256, fixture.sha256, 'server SHA-256 equals the file SHA-256')
  assert.equal(m.size, fixture.size)
  assert.ok(Array.isArray(m.report) && m.report.length >= 5, `report: ${JSON.stringify(m.report)}`)
  const failing = m.report.filter((r) => r.pass !== true)
  assert.deepEqual(failing, [], 'every rule of the report passes')
  assert.equal(m.passed, true)
  assert.equal(m.probe.width, 1280)
  assert.equal(m.probe.height, 720)
  assert.equal(m.probe.video_codec, 'h264')
  assert.equal(m.probe.audio_codec, 'aac')
  assert.equal(m.remuxed, false, 'a faststart upload is not remuxed')
  return m
}

/** Resolves when fn() returns a truthy value; polls every intervalMs, fails after timeoutMs. */
export async function waitFor(what, fn, { timeoutMs = 60_000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

/**
 * Follows HTTP/1.1 requests on one client→server byte stream (request heads and
 * Content-Length bodies) so the proxy knows where PATCH bodies are.
 */
class RequestTracker {
  constructor() {
    this.head = Buffer.alloc(0)
    this.inBody = false
    this.remaining = 0
    this.method = ''
    this.bodySeen = 0 // body bytes of the current request
  }

  /**
   * Splits buf into segments: { bytes, method, body: bool, bodyOffset } (bodyOffset = body
   * bytes of this request before the segment).
   */
  segments(buf) {
    const out = []
    let pos = 0
    while (pos < buf.length) {
      if (!this.inBody) {
        const rest = buf.subarray(pos)
        const joined = Buffer.concat([this.head, rest])
        const end = joined.indexOf('\r\n\r\n')
        if (end < 0) {
          this.head = joined
          out.push({ bytes: rest, body: false })
          break
        }
        const used = end + 4 - this.head.length
        const headText = joined.subarray(0, end).toString('latin1')
        this.head = Buffer.alloc(0)
        this.method = headText.slice(0, headText.indexOf(' '))
        const cl = /\r\ncontent-length:\s*(\d+)/i.exec(headText)
        if (/\r\ntransfer-encoding:\s*chunked/i.test(headText)) {
          throw new Error('the cutting proxy does not follow chunked request bodies')
        }
        this.remaining = cl ? Number(cl[1]) : 0
        this.bodySeen = 0
        this.inBody = this.remaining > 0
        out.push({ bytes: buf.subarray(pos, pos + used), body: false })
        pos += used
      } else {
        const n = Math.min(this.remaining, buf.length - pos)
        out.push({ bytes: buf.subarray(pos, pos + n), body: true, method: this.method, bodyOffset: this.bodySeen })
        this.bodySeen += n
        this.remaining -= n
        pos += n
        if (this.remaining === 0) this.inBody = false
      }
    }
    return out
  }
}

/**
 * A loopback TCP proxy in front of target port. Once the PATCH body bytes that went through
 * it (over all connections) reach cutAfter, it forwards exactly up to that byte, then drops the
 * client's connection (the client sees a reset / hang-up) and half-closes the server side, as a
 * campus NAT dropping a flow would look to the server: the bytes so far, then the end. It cuts
 * once; later connections pass through untouched.
 *
 * proxy.cut resolves, after the server has closed its side (so it has settled the broken
 * PATCH), to { requestBodyBytes: body bytes of the cut request that reached the server,
 * totalPatchBytes, serverReply: whatever the server answered on that connection }.
 */
export async function startCuttingProxy(targetPort, { cutAfter }) {
  let patchBytes = 0
  let armed = true
  let resolveCut
  const cut = new Promise((r) => (resolveCut = r))
  const sockets = new Set()
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1')
    sockets.add(client)
    sockets.add(upstream)
    client.on('close', () => sockets.delete(client))
    upstream.on('close', () => sockets.delete(upstream))
    const tracker = new RequestTracker()
    let cutHere = false
    const reply = []
    client.on('error', () => {})
    upstream.on('error', () => {})
    upstream.on('data', (d) => {
      if (cutHere) reply.push(d)
      else if (!client.destroyed) client.write(d)
    })
    upstream.on('close', () => {
      if (!cutHere) client.destroy()
    })
    client.on('close', () => {
      if (!cutHere) upstream.destroy()
    })
    client.on('data', (buf) => {
      if (cutHere) return
      if (!armed) {
        upstream.write(buf)
        return
      }
      for (const seg of tracker.segments(buf)) {
        if (armed && seg.body && seg.method === 'PATCH' && patchBytes + seg.bytes.length >= cutAfter) {
          const keep = cutAfter - patchBytes
          const requestBodyBytes = seg.bodyOffset + keep
          armed = false
          cutHere = true
          patchBytes += keep
          client.destroy()
          upstream.write(seg.bytes.subarray(0, keep))
          upstream.end()
          upstream.on('close', () =>
            resolveCut({
              requestBodyBytes,
              totalPatchBytes: patchBytes,
              serverReply: Buffer.concat(reply).toString('latin1'),
            }),
          )
          return
        }
        if (seg.body && seg.method === 'PATCH') patchBytes += seg.bytes.length
        upstream.write(seg.bytes)
      }
    })
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    cut,
    get patchBytes() {
      return patchBytes
    },
    /** Whether the cut has happened (false: every connection so far ended on its own). */
    get didCut() {
      return !armed
    },
    close() {
      for (const s of sockets) s.destroy()
      return new Promise((r) => server.close(() => r()))
    },
  }
}

/** Spawns `lep serve` on 127.0.0.1:0 for dataDir; resolves once it prints its URL. */
export function startLep(bin, dataDir, { timeoutMs = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const log = fs.openSync(path.join(dataDir, 'server.log'), 'a')
    const proc = spawn(bin, ['serve', '--data', dataDir, '--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', log],
      env: { ...process.env, LEP_ARGON2_MEMLIMIT: '8192', LEP_ARGON2_OPSLIMIT: '1' },
    })
    fs.closeSync(log)
    const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })))
    let out = ''
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`lep did not start within ${timeoutMs} ms: ${out}`))
    }, timeoutMs)
    proc.stdout.setEncoding('utf8')
    proc.stdout.on('data', (d) => {
      out += d
      const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)
      if (m) {
        clearTimeout(timer)
        proc.off('exit', onEarlyExit)
        proc.stdout.removeAllListeners('data')
        proc.stdout.resume()
        resolve({
          proc,
          base: m[1],
          exited,
          async kill9() {
            proc.kill('SIGKILL')
            return exited
          },
          async stop() {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
            const t = setTimeout(() => proc.kill('SIGKILL'), 10_000)
            await exited
            clearTimeout(t)
          },
        })
      }
    })
    function onEarlyExit(code, signal) {
      clearTimeout(timer)
      let logText = ''
      try {
        logText = fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8').slice(-2000)
      } catch {}
      reject(new Error(`lep exited (code ${code}, signal ${signal}) before listening:\n${logText}`))
    }
    proc.once('exit', onEarlyExit)
  })
}

/** `lep seed-demo` into a new temporary data directory; returns its path. */
export async function seededDataDir(bin, prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  await execFileP(bin, ['seed-demo', '--data', dir], {
    env: { ...process.env, LEP_ARGON2_MEMLIMIT: '8192', LEP_ARGON2_OPSLIMIT: '1' },
    timeout: 120_000,
  })
  return dir
}
