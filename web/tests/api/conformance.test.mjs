// Real responses of a running lep conform to docs/openapi.json (issue 19 item 7).
//
// Drives every operation of the document through the HTTP API of the test server (LEP_E2E_BASE,
// a fresh `lep seed-demo` instance started by web/scripts/test.sh): a resource goes from draft with
// a cover and a generated video through both review levels into a published batch, a learner
// rates and bookmarks it, administrators look at statistics, the audit log and the security
// policy. Every response — success and error — is validated with Ajv against the schema the
// document declares for its status; objects are closed, so an undocumented field fails too. The
// last test checks that no operation of the document was left out.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BASE_URL, DEMO_PASSWORD, totpCode, totpStep } from '../../e2e/helpers.mjs'
import { ResponseChecker, operations } from './openapi-schemas.mjs'

const checker = new ResponseChecker()
const RUN = String(Date.now()).slice(-6)
const problems = []

/** One HTTP session (cookie + CSRF token); every response goes through the checker. */
class Client {
  constructor(name) {
    this.name = name
    this.cookie = ''
    this.csrf = ''
  }

  async call(method, path, { json, raw, headers = {}, expect } = {}) {
    const h = { Accept: 'application/json, */*', ...headers }
    if (this.cookie) h.Cookie = this.cookie
    if (this.csrf && !['GET', 'HEAD', 'OPTIONS'].includes(method)) h['X-CSRF-Token'] = this.csrf
    let body
    if (json !== undefined) {
      h['Content-Type'] = 'application/json'
      body = JSON.stringify(json)
    } else if (raw !== undefined) {
      body = raw
    }
    const res = await fetch(`${BASE_URL}${path}`, { method, headers: h, body })
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('lep_session='))
    if (setCookie) this.cookie = setCookie.split(';')[0]
    const type = res.headers.get('content-type') || ''
    const buf = Buffer.from(await res.arrayBuffer())
    let data = buf.length ? buf : null
    if (type.includes('application/json') && buf.length) data = JSON.parse(buf.toString('utf8'))
    if (data && typeof data === 'object' && typeof data.csrf_token === 'string') this.csrf = data.csrf_token
    const found = checker.problems(method, path, res.status, type, data)
    problems.push(...found.map((p) => `[${this.name}] ${p}`))
    if (expect !== undefined) {
      assert.equal(res.status, expect, `[${this.name}] ${method} ${path} → ${res.status} ${type.includes('json') ? JSON.stringify(data) : ''}`)
    }
    assert.deepEqual(found, [], `[${this.name}] ${method} ${path} 不符合 OpenAPI 文档`)
    return { status: res.status, body: data, headers: res.headers }
  }

  get(path, expect = 200) {
    return this.call('GET', path, { expect }).then((r) => r.body)
  }
  post(path, json, expect = 200) {
    return this.call('POST', path, { json, expect }).then((r) => r.body)
  }
  put(path, json, expect = 200) {
    return this.call('PUT', path, { json, expect }).then((r) => r.body)
  }
  delete(path, expect = 204) {
    return this.call('DELETE', path, { expect }).then((r) => r.body)
  }

  async login(username, password = DEMO_PASSWORD, second = {}) {
    this.name = username
    await this.post('/api/v1/auth/login', { username, password, ...second })
    return this
  }
}

const signIn = (username) => new Client(username).login(username)

function ffmpeg(args) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
}

const CHECKLIST = { ideology: true, copyright: true, secrecy: true, science: true }
const RESOURCE = (title) => ({
  title,
  type: 'A01',
  domain: '老年教育',
  summary: '接口一致性测试用的视频资源。',
  copyright_holder: '岭南示范职业技术学院',
  presenters: ['张老师'],
  keywords: ['测试'],
  created_on: '2022-03-01',
})

let work
const ctx = {}

describe('真实响应符合 OpenAPI 文档', () => {
  before(() => {
    work = mkdtempSync(path.join(tmpdir(), 'lep-api-'))
    ctx.cover = path.join(work, 'cover.jpg')
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x360', '-frames:v', '1', ctx.cover])
    ctx.video = path.join(work, 'v.mp4')
    ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=4',
      '-t', '4', '-c:v', 'libx264', '-b:v', '3M', '-minrate', '3M', '-maxrate', '3M', '-bufsize', '1M',
      '-x264-params', 'nal-hrd=cbr', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', ctx.video,
    ])
  })
  after(() => {
    if (work) rmSync(work, { recursive: true, force: true })
  })

  test('公开接口与系统接口', async () => {
    const anon = new Client('游客')
    await anon.get('/healthz')
    await anon.get('/readyz')
    await anon.get('/metrics')
    await anon.get('/api/v1/openapi.json')
    await anon.get('/api/v1/org-kinds')
    await anon.get('/api/v1/categories')
    await anon.get('/api/v1/portal/home')
    await anon.get('/api/v1/portal/search?q=%E5%85%BB%E7%94%9F')
    await anon.get('/api/v1/portal/catalog')
    await anon.get('/api/v1/portal/categories')
    await anon.get('/api/v1/resources/template.xlsx')
    // OAI-PMH（XML；协议错误也是 200）
    await anon.get('/oai?verb=Identify')
    await anon.call('POST', '/oai', { raw: 'verb=ListSets', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, expect: 200 })
    // 错误也符合统一的错误体
    await anon.get('/api/v1/me', 401)
    await anon.post('/api/v1/auth/login', { username: 'gd_admin', password: 'Wrong@Pass1' }, 401)
    await anon.get('/api/v1/portal/resources/999999', 404)
    await anon.call('OPTIONS', '/api/v1/uploads', { expect: 204 })
  })

  test('单位、账号与负责人', async () => {
    const bj = await signIn('bj_admin')
    const me = await bj.get('/api/v1/me')
    const orgId = me.user.org_id
    ctx.bjOrg = orgId
    await bj.get('/api/v1/orgs')
    await bj.get(`/api/v1/orgs/${orgId}`)
    await bj.get(`/api/v1/orgs/${orgId}/children`)
    await bj.post(`/api/v1/orgs/${orgId}/children`, { name: `接口测试学院${RUN}`, kind: 'provincial_college' }, 201)
    await bj.post(`/api/v1/orgs/${orgId}/children`, { name: '某', kind: 'provincial_college' }, 400)
    await bj.get(`/api/v1/orgs/${orgId}/contact`)
    await bj.put(`/api/v1/orgs/${orgId}/contact`, {
      name: '演示联系人乙', title: '副处长', office_phone: '010-00000002', mobile: '13800000002', email: 'bj-contact@example.org',
    })
    await bj.get(`/api/v1/orgs/${orgId}/contacts.xlsx`)
    // 加盖公章的登记表扫描件（PDF，按内容校验）与下级单位的上传情况；未登记负责人的单位
    const head = '%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'
    const pdf = Buffer.from(`${head}xref\n0 2\n0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n${head.length}\n%%EOF\n`)
    const pdfHeaders = { 'Content-Type': 'application/pdf' }
    await bj.call('POST', `/api/v1/orgs/${orgId}/registration-form?filename=${encodeURIComponent('登记表（盖章）.pdf')}`, { raw: pdf, headers: pdfHeaders, expect: 201 })
    await bj.call('POST', `/api/v1/orgs/${orgId}/registration-form`, { raw: Buffer.from('不是 PDF'), headers: pdfHeaders, expect: 400 })
    const forms = await bj.get(`/api/v1/orgs/${orgId}/registration-form`)
    assert.equal(forms.history.length, 1)
    await bj.get(forms.current.url)
    await bj.get(`/api/v1/orgs/${orgId}/registration-forms`)
    await bj.get('/api/v1/stats/missing-contacts')
    await bj.get('/api/v1/stats/missing-contacts.xlsx')
    await bj.get(`/api/v1/orgs/${orgId}/users`)
    const created = await bj.post(
      `/api/v1/orgs/${orgId}/users`,
      { username: `api_rv${RUN}`, password: DEMO_PASSWORD, role: 'reviewer', display_name: '接口测试审核员' },
      201,
    )
    ctx.newReviewer = created.user
    // 批量开设下级单位与账号：模板、检查、开设（激活链接与清单只返回这一次）、有错误时 400 附 report
    await bj.get('/api/v1/org-bulk/template.xlsx')
    const units = `单位名称,账号用户名\n批量接口学院${RUN},api_bulk${RUN}\n`
    const csv = { 'Content-Type': 'text/csv; charset=utf-8' }
    const dry = await bj.call('POST', `/api/v1/orgs/${orgId}/bulk-units?dry_run=true`, { raw: units, headers: csv, expect: 200 })
    assert.equal(dry.body.valid_rows, 1)
    const made = await bj.call('POST', `/api/v1/orgs/${orgId}/bulk-units?dry_run=false`, { raw: units, headers: csv, expect: 200 })
    assert.equal(made.body.accounts_created, 1)
    assert.ok(made.body.workbook)
    await bj.call('POST', `/api/v1/orgs/${orgId}/bulk-units?dry_run=false`, { raw: units, headers: csv, expect: 400 })
  })

  test('账号生命周期：激活链接、临时密码、重置、停用与启用、调整角色、单位改名、修改密码', async () => {
    const bj = await signIn('bj_admin')
    const linked = await bj.post(`/api/v1/orgs/${ctx.bjOrg}/users`, { username: `api_link${RUN}`, role: 'uploader' }, 201)
    const token = linked.credential.activation_path.split('#token=')[1]
    const anon = new Client('激活')
    await anon.post('/api/v1/auth/activation/check', { token })
    await anon.post('/api/v1/auth/activate', { token, password: 'short' }, 400)
    await anon.post('/api/v1/auth/activate', { token, password: 'Activ@2024x' })
    await anon.post('/api/v1/auth/activation/check', { token }, 410)
    const temp = await bj.post(
      `/api/v1/orgs/${ctx.bjOrg}/users`,
      { username: `api_temp${RUN}`, role: 'uploader', delivery: 'temporary_password' },
      201,
    )
    const owner = await new Client('临时密码').login(`api_temp${RUN}`, temp.credential.temporary_password)
    await owner.get('/api/v1/resources', 403)
    await owner.post('/api/v1/me/password', { current_password: 'Wrong@Pass1', new_password: 'Owner@2024x' }, 400)
    await owner.post('/api/v1/me/password', { current_password: temp.credential.temporary_password, new_password: 'Owner@2024x' }, 204)
    const id = linked.user.id
    await bj.post(`/api/v1/users/${id}/password-reset`, { delivery: 'temporary_password' })
    await bj.post(`/api/v1/users/${id}/password-reset`, { delivery: 'nonsense' }, 400)
    await bj.post(`/api/v1/users/${id}/disable`)
    await bj.post(`/api/v1/users/${id}/enable`)
    await bj.put(`/api/v1/users/${id}/role`, { role: 'unit_admin' })
    await bj.put(`/api/v1/users/${id}/role`, { role: 'platform_admin' }, 400)
    const gd = await signIn('gd_admin')
    await gd.post(`/api/v1/users/${id}/disable`, undefined, 404)
    const college = (await bj.get(`/api/v1/orgs/${ctx.bjOrg}/children`)).items.find((o) => o.name === `接口测试学院${RUN}`)
    await bj.put(`/api/v1/orgs/${college.id}/name`, { name: `接口测试学院${RUN}（更名）` })
    await bj.put(`/api/v1/orgs/${ctx.bjOrg}/name`, { name: '自己改名' }, 403)
  })

  test('学习者注册、登录与退出', async () => {
    const anon = new Client('注册')
    await anon.post('/api/v1/auth/register', { username: `api_learner${RUN}`, password: 'Learn@2024x', privacy_consent: true }, 201)
    ctx.learner = await new Client('learner').login(`api_learner${RUN}`, 'Learn@2024x')
    // 学习者的电子邮箱（忘记密码用）与忘记密码：无论账号是否存在答复相同
    await anon.post('/api/v1/auth/register', { username: `api_mail${RUN}`, password: 'Learn@2024x', email: 'not-an-email', privacy_consent: true }, 400)
    await ctx.learner.get('/api/v1/me/email')
    await ctx.learner.put('/api/v1/me/email', { email: `api_learner${RUN}@example.org` })
    await ctx.learner.put('/api/v1/me/email', { email: 'bad@' }, 400)
    await anon.post('/api/v1/auth/password-reset', { login: `api_learner${RUN}` }, 202)
    await anon.post('/api/v1/auth/password-reset', { login: 'nobody@example.org' }, 202)
    await anon.post('/api/v1/auth/password-reset', { login: '' }, 400)
  })

  test('双因素认证：绑定、验证码错误（会话仍有效）、恢复码', async () => {
    const rv = await signIn(ctx.newReviewer.username)
    const setup = await rv.post('/api/v1/me/totp/setup')
    const step = totpStep()
    const wrong = ['000000', '111111', '222222'].find((c) => ![step - 1, step, step + 1].some((s) => totpCode(setup.secret, s) === c))
    await rv.post('/api/v1/me/totp/confirm', { code: wrong }, 401)
    await rv.get('/api/v1/me')
    await rv.post('/api/v1/me/totp/confirm', { code: totpCode(setup.secret, step) })
    await rv.post('/api/v1/me/totp/recovery-codes', { code: wrong }, 401)
    await rv.post('/api/v1/me/totp/recovery-codes', { code: totpCode(setup.secret, step + 1) })
    // 已启用：只有密码的登录要求验证码
    await new Client('totp').call('POST', '/api/v1/auth/login', {
      json: { username: ctx.newReviewer.username, password: DEMO_PASSWORD },
      expect: 401,
    })
  })

  test('录入员：资源、封面、断点续传上传、导入导出、提交', async () => {
    const up = await signIn('gd_uploader')
    ctx.uploader = up
    const me = await up.get('/api/v1/me')
    const orgId = me.user.org_id
    await up.get('/api/v1/campaigns')
    await up.post('/api/v1/resources/validate', RESOURCE(`校验${RUN}`))
    await up.post('/api/v1/resources/validate', { ...RESOURCE(''), created_on: '2022-02-30' }, 400)
    const r = await up.post('/api/v1/resources', { ...RESOURCE(`接口一致性${RUN}`), series: `接口系列${RUN}`, series_order: '01' }, 201)
    ctx.resourceId = r.id
    await up.get('/api/v1/resources?page=1&page_size=5')
    await up.get(`/api/v1/resources/${r.id}`)
    const updated = await up.put(`/api/v1/resources/${r.id}`, { ...RESOURCE(`接口一致性${RUN}`), series: `接口系列${RUN}`, series_order: '01', version: r.version })
    await up.put(`/api/v1/resources/${r.id}`, { ...RESOURCE(`接口一致性${RUN}`), version: 1 }, 409)
    await up.get(`/api/v1/orgs/${orgId}/series`)
    await up.get(`/api/v1/resources/${r.id}/media`)
    // 封面
    await up.call('POST', `/api/v1/resources/${r.id}/cover`, { raw: readFileSync(ctx.cover), headers: { 'Content-Type': 'image/jpeg' }, expect: 200 })
    await up.get(`/api/v1/resources/${r.id}/cover?size=thumb`)
    // 提交前没有视频：字段错误说明缺什么
    await up.post(`/api/v1/resources/${r.id}/submit`, { attestation: true }, 400)
    // tus：创建、查询偏移、分段续传；另一个上传创建后终止
    const video = readFileSync(ctx.video)
    const b64 = (s) => Buffer.from(String(s)).toString('base64')
    const tus = { 'Tus-Resumable': '1.0.0' }
    const created = await up.call('POST', '/api/v1/uploads', {
      headers: { ...tus, 'Upload-Length': String(video.length), 'Upload-Metadata': `resource_id ${b64(r.id)},filename ${b64('v.mp4')},kind ${b64('media')}` },
      expect: 201,
    })
    const location = created.headers.get('location')
    await up.call('OPTIONS', location, { expect: 204 })
    let offset = 0
    const CHUNK = 512 * 1024
    while (offset < video.length) {
      const end = Math.min(video.length, offset + CHUNK)
      await up.call('PATCH', location, {
        raw: video.subarray(offset, end),
        headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
        expect: 204,
      })
      offset = end
      if (offset === CHUNK) await up.call('HEAD', location, { headers: tus, expect: 200 })
    }
    const other = await up.call('POST', '/api/v1/uploads', {
      headers: { ...tus, 'Upload-Length': '10', 'Upload-Metadata': `resource_id ${b64(r.id)},filename ${b64('x.mp4')},kind ${b64('media')}` },
      expect: 201,
    })
    await up.call('DELETE', other.headers.get('location'), { headers: tus, expect: 204 })
    await up.call('POST', '/api/v1/uploads', { headers: { 'Upload-Length': '10' }, expect: 412 })
    let media = null
    for (let i = 0; i < 60 && !(media && media.state === 'ready'); i++) {
      media = (await up.get(`/api/v1/resources/${r.id}/media`)).media
      if (!media || media.state !== 'ready') await new Promise((ok) => setTimeout(ok, 500))
    }
    assert.ok(media?.passed, `视频应通过技术检测：${JSON.stringify(media?.report)}`)
    // 自适应码流：通过技术检测即排队转码；字幕上传（错误逐行说明）、替换与删除
    const ladder = (await up.get(`/api/v1/resources/${r.id}/video`)).video
    assert.ok(['queued', 'running', 'ready'].includes(ladder.state), JSON.stringify(ladder))
    await up.post(`/api/v1/resources/${r.id}/video/transcode`, undefined, 202)
    const srt = '1\n00:00:00,200 --> 00:00:01,500\n起势\n\n2\n00:00:01,600 --> 00:00:03,000\n收势\n'
    const srtHeaders = { 'Content-Type': 'application/x-subrip' }
    await up.call('POST', `/api/v1/resources/${r.id}/captions?language=zh`, { raw: srt, headers: srtHeaders, expect: 201 })
    await up.call('POST', `/api/v1/resources/${r.id}/captions`, { raw: '1\n00:00:02,000 --> 00:00:01,000\n倒序\n', headers: srtHeaders, expect: 400 })
    const en = await up.call('POST', `/api/v1/resources/${r.id}/captions?language=en&label=English`, { raw: srt, headers: srtHeaders, expect: 201 })
    await up.delete(`/api/v1/resources/${r.id}/captions/${en.body.caption.id}`)
    await up.call('GET', `/media/resources/${r.id}`, { expect: 200 })
    await up.call('GET', `/media/resources/${r.id}`, { headers: { Range: 'bytes=0-99' }, expect: 206 })
    // 导出、导入（检查通过；正式导入有错误时 400 附 report）
    await up.get('/api/v1/resources/export.xlsx')
    await up.get('/api/v1/resources/export.csv')
    await up.get('/api/v1/resources/export.xlsx?campaign_id=abc', 400)
    const header = '资源名称,资源类型,征集内容范围,资源简介,版权方,主讲人\n'
    const good = `${header}导入测试${RUN},A03,社区教育,简介,版权方,张三\n`
    await up.call('POST', '/api/v1/resources/import?dry_run=true', { raw: good, headers: { 'Content-Type': 'text/csv; charset=utf-8' }, expect: 200 })
    await up.call('POST', '/api/v1/resources/import?dry_run=false', {
      raw: `${header}导入测试${RUN},A09,社区教育,简介,版权方,张三\n`,
      headers: { 'Content-Type': 'text/csv; charset=utf-8' },
      expect: 400,
    })
    // 批量上传媒体与封面：文件名 → 资源
    const match = await up.post('/api/v1/resources/media-match', { files: [`接口一致性${RUN}.mp4`, '无此资源.jpg', '说明.docx'] })
    assert.equal(match.items.length, 3)
    assert.equal(match.items[0].status, 'matched')
    assert.equal(match.items[0].resource_id, r.id)
    await up.post('/api/v1/resources/media-match', { files: 'x' }, 400)
    // 网络课程：链接检测结果；草稿可以删除
    const course = await up.post('/api/v1/resources', { ...RESOURCE(`课程${RUN}`), type: 'A03', link: 'http://127.0.0.1:9/none' }, 201)
    await up.get(`/api/v1/resources/${course.id}/link-check`)
    await up.delete(`/api/v1/resources/${course.id}`)
    // 网络课程（实体资源）：两个课时经 tus 上传，改名、调整顺序、删除（版本过期 409），播放
    const lessons = await up.post('/api/v1/resources', { ...RESOURCE(`课时课程${RUN}`), type: 'A03', delivery: 'files' }, 201)
    for (const name of ['第一课', '第二课']) {
      const c = await up.call('POST', '/api/v1/uploads', {
        headers: { ...tus, 'Upload-Length': String(video.length), 'Upload-Metadata': `resource_id ${b64(lessons.id)},filename ${b64('l.mp4')},kind ${b64('lesson')},title ${b64(name)}` },
        expect: 201,
      })
      await up.call('PATCH', c.headers.get('location'), {
        raw: video,
        headers: { ...tus, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
        expect: 204,
      })
    }
    let list = await up.get(`/api/v1/resources/${lessons.id}/lessons`)
    assert.equal(list.items.length, 2)
    const [l1, l2] = list.items
    let v = (await up.call('PATCH', `/api/v1/resources/${lessons.id}/lessons/${l1.id}`, { json: { title: '第一课 起势', version: list.version }, expect: 200 })).body.version
    await up.call('PATCH', `/api/v1/resources/${lessons.id}/lessons/${l1.id}`, { json: { title: 'x', version: list.version }, expect: 409 })
    v = (await up.put(`/api/v1/resources/${lessons.id}/lessons`, { lesson_ids: [l2.id, l1.id], version: v })).version
    await up.put(`/api/v1/resources/${lessons.id}/lessons`, { lesson_ids: [l2.id], version: v }, 400)
    await up.call('GET', l1.url, { headers: { Range: 'bytes=0-99' }, expect: 206 })
    await up.call('GET', l1.url, { expect: 200 })
    await up.call('DELETE', `/api/v1/resources/${lessons.id}/lessons/${l2.id}?version=${v}`, { expect: 200 })
    list = await up.get(`/api/v1/resources/${lessons.id}/lessons`)
    assert.equal(list.items.length, 1)
    // 提交审核
    const fresh = await up.get(`/api/v1/resources/${r.id}`)
    assert.ok(fresh.version > updated.version)
    await up.post(`/api/v1/resources/${r.id}/submit`, { attestation: true, version: fresh.version })
  })

  test('审核员：队列、时间线、敏感词筛查、批量通过与终审', async () => {
    const gd = await signIn('gd_reviewer')
    const q = await gd.get('/api/v1/reviews/queue')
    assert.ok(q.items.some((i) => i.id === ctx.resourceId))
    await gd.get(`/api/v1/resources/${ctx.resourceId}/history`)
    await gd.get(`/api/v1/resources/${ctx.resourceId}/screening`)
    await gd.post(`/api/v1/resources/${ctx.resourceId}/review`, { action: 'return', comment: '' }, 400)
    await gd.post('/api/v1/reviews/bulk-return', { items: [{ id: ctx.resourceId }], comment: '' }, 400)
    const missing = await gd.post('/api/v1/reviews/bulk-return', { items: [{ id: 999999999, version: 1 }], comment: '请补充字幕' })
    assert.equal(missing.results[0].code, 'not_found')
    await gd.post('/api/v1/reviews/bulk-approve', { ids: [ctx.resourceId], comment: '初审通过', checklist: CHECKLIST })
    const nou = await signIn('nou_reviewer')
    const r = await nou.get(`/api/v1/resources/${ctx.resourceId}`)
    await nou.post(`/api/v1/resources/${ctx.resourceId}/review`, { action: 'approve', comment: '终审通过', checklist: CHECKLIST, version: r.version })
  })

  test('国家开放大学：征集批次、分类、发布批次、下线与重新上线、统计', async () => {
    const admin = await signIn('nou_admin')
    ctx.admin = admin
    const c = await admin.post('/api/v1/campaigns', {
      name: `接口测试征集${RUN}`, year: 2022, description: '', contact_deadline: '2099-01-01', submission_deadline: '2099-02-01',
      first_review_deadline: '2099-03-01', final_review_deadline: '2099-04-01',
    }, 201)
    await admin.put(`/api/v1/campaigns/${c.id}`, { ...c, starts: '2098-12-01 09:00', final_review_deadline: '2099-05-01 18:00' })
    await admin.put(`/api/v1/campaigns/${c.id}`, { ...c, first_review_deadline: '2099-01-15' }, 400)
    await admin.get(`/api/v1/campaigns/${c.id}/progress`)
    const gd = await signIn('gd_admin')
    const me = await gd.get('/api/v1/me')
    await gd.put(`/api/v1/campaigns/${c.id}/unit-deadlines/${me.user.org_id}`, { submission_deadline: '2099-01-20 12:00' })
    await gd.put(`/api/v1/campaigns/${c.id}/unit-deadlines/${me.user.org_id}`, { submission_deadline: '2099-03-01' }, 400)
    await gd.get(`/api/v1/campaigns/${c.id}/unit-deadlines`)
    const cat = await admin.post('/api/v1/categories', { name: `接口分类${RUN}` }, 201)
    await admin.put(`/api/v1/categories/${cat.id}`, { name: `接口分类改${RUN}` })
    await admin.delete(`/api/v1/categories/${cat.id}`)
    await admin.get('/api/v1/batches')
    const b = await admin.post('/api/v1/batches', { resource_ids: [ctx.resourceId] }, 201)
    await admin.get(`/api/v1/batches/${b.id}`)
    await admin.put(`/api/v1/batches/${b.id}`, { scheduled_at: Date.now() + 86_400_000 })
    await admin.put(`/api/v1/batches/${b.id}`, { scheduled_at: null })
    const draft = await admin.post('/api/v1/batches', { name: '待删除', resource_ids: [ctx.resourceId] }, 201)
    await admin.put(`/api/v1/batches/${draft.id}`, { resource_ids: [ctx.resourceId] })
    await admin.delete(`/api/v1/batches/${draft.id}`, 200)
    await admin.post(`/api/v1/batches/${b.id}/publish`)
    await admin.delete(`/api/v1/batches/${b.id}`, 409)
    await admin.post(`/api/v1/resources/${ctx.resourceId}/withdraw`, { reason: '接口测试：暂时下线' })
    await admin.post(`/api/v1/resources/${ctx.resourceId}/republish`, {})
    await admin.get('/api/v1/sensitive-words')
    await admin.get('/api/v1/stats/top?metric=clicks&days=0')
    await admin.get('/api/v1/stats/broken-links')
    await admin.get('/api/v1/stats/submissions?group=state')
    await admin.get('/api/v1/stats/report.xlsx')
    await admin.get('/api/v1/stats/usage?group=domain')
    await admin.get('/api/v1/stats/top?metric=nothing', 400)
  })

  test('门户与学习者：详情、心跳、评价与审核、收藏、学习记录、通知', async () => {
    const anon = new Client('游客')
    const id = ctx.resourceId
    await anon.get(`/api/v1/portal/resources/${id}`)
    await anon.post(`/api/v1/portal/resources/${id}/view`)
    await anon.post(`/api/v1/portal/resources/${id}/progress`, { seconds: 10 })
    await anon.get(`/api/v1/portal/resources/${id}/ratings`)
    await anon.get('/api/v1/portal/catalog?format=csv')
    await anon.get('/api/v1/portal/catalog?format=xlsx')
    await anon.get(`/api/v1/resources/${id}/cover`)
    // 已发布资源的 HLS 文件公开：主播放列表、各清晰度播放列表、初始化分片与分片、字幕
    let video = null
    // seed-demo 的演示视频可能先在排队转码
    for (let i = 0; i < 800 && video?.state !== 'ready'; i++) {
      if (video) await new Promise((ok) => setTimeout(ok, 500))
      video = (await anon.get(`/api/v1/resources/${id}/video`)).video
      assert.ok(!['failed', 'cancelled', 'none'].includes(video.state), JSON.stringify(video))
    }
    assert.equal(video.state, 'ready', JSON.stringify(video))
    assert.equal(video.has_captions, true)
    const master = (await anon.get(video.master_url)).toString('utf8')
    assert.match(master, /^#EXTM3U/)
    const rendition = video.renditions.find((x) => !x.audio)
    const playlist = (await anon.get(rendition.url)).toString('utf8')
    const base = rendition.url.slice(0, rendition.url.lastIndexOf('/') + 1)
    const init = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist)[1]
    const segment = playlist.split('\n').find((l) => l && !l.startsWith('#'))
    await anon.get(base + init)
    await anon.call('GET', base + segment, { headers: { Range: 'bytes=0-99' }, expect: 206 })
    await anon.get(video.captions[0].url)
    await anon.get(`${base}${'0'.repeat(32)}.m4s`, 404)
    const me = ctx.learner
    const rating = await me.post(`/api/v1/portal/resources/${id}/ratings`, { score: 5, comment: '讲得清楚' }, 201)
    await me.post(`/api/v1/portal/resources/${id}/ratings`, { score: 9 }, 400)
    await me.put(`/api/v1/me/favourites/${id}`, undefined, 204)
    await me.get('/api/v1/me/favourites')
    await me.put(`/api/v1/me/history/${id}`, { position_s: 12 }, 204)
    await me.get('/api/v1/me/history')
    await me.delete(`/api/v1/me/favourites/${id}`)
    const pending = await ctx.admin.get('/api/v1/ratings/pending')
    assert.ok(pending.items.some((r) => r.id === rating.id))
    await ctx.admin.post(`/api/v1/ratings/${rating.id}/moderate`, { decision: 'approve' })
    await anon.get(`/api/v1/portal/resources/${id}/ratings`)
    // 录入员收到「已发布」通知
    const inbox = await ctx.uploader.get('/api/v1/me/notifications?limit=20')
    assert.ok(inbox.items.length > 0)
    await ctx.uploader.post(`/api/v1/me/notifications/${inbox.items[0].id}/read`, undefined, 204)
    await ctx.uploader.post('/api/v1/me/notifications/read-all', undefined, 204)
    await me.post('/api/v1/auth/logout', undefined, 204)
  })

  test('安全管理员与审计员', async () => {
    const sec = await signIn('nou_security')
    const policy = await sec.get('/api/v1/security/policy')
    await sec.put('/api/v1/security/policy', policy)
    await sec.put('/api/v1/security/policy', { password_min_length: 'x' }, 400)
    const words = await sec.get('/api/v1/sensitive-words')
    await sec.put('/api/v1/sensitive-words', { words: words.words })
    await sec.post(`/api/v1/users/${ctx.newReviewer.id}/unlock`, undefined, 204)
    await sec.post(`/api/v1/users/${ctx.newReviewer.id}/totp/reset`, undefined, 204)
    const auditor = await signIn('nou_auditor')
    await auditor.get('/api/v1/audit?limit=5')
    await auditor.get('/api/v1/audit/verify')
    await auditor.get('/api/v1/security/policy', 403)
  })

  test('文档中的每个接口都被调用过，且响应符合文档', () => {
    assert.deepEqual(problems, [])
    const missing = operations(checker.doc).filter((op) => !checker.covered.has(op))
    assert.deepEqual(missing, [], '没有被一致性测试覆盖的接口')
  })
})
