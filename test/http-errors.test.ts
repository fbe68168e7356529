import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { API_ERROR_CODES } from '../src/http/api/domain-error-codes.ts'
import { API_ROUTES } from '../src/http/api/routes.ts'
import { ERROR_STATUS, statusFor } from '../src/http/error-status.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, json, ORIGIN } from './support/http-client.ts'

const WEIRD_VALUES: unknown[] = [1, -1.5, true, null, [], ['a'], {}, { $gt: '' }, 'x'.repeat(5000), '\u0000']
const FIELDS = ['email', 'password', 'currentPassword', 'login', 'token', 'username', 'rememberMe']

describeEachBackend('http errors', (env) => {
  test('every error code the API can answer has a 4xx status in the table (none falls to 500); unavailable is the one 503', () => {
    assert.ok(API_ERROR_CODES.length >= 25, `${API_ERROR_CODES.length} codes`)
    for (const code of API_ERROR_CODES) {
      assert.ok(code in ERROR_STATUS, `${code} is in ERROR_STATUS`)
      if (code === 'unavailable') assert.equal(statusFor(code), 503)
      else assert.ok(statusFor(code) >= 400 && statusFor(code) < 500, `${code} → ${statusFor(code)}`)
    }
    assert.equal(statusFor('rate_limited'), 429)
    assert.equal(statusFor('unauthenticated'), 401)
    assert.equal(statusFor('sudo_required'), 403)
  })

  test('a body of the wrong shape is 400 invalid with field issues', async () => {
    const { sigra } = env()
    const res = await call(sigra, 'POST', '/auth/login', { body: { login: 'a@example.com', password: 12 } })
    assert.equal(res.status, 400)
    const body = await json(res)
    assert.equal(body.error, 'invalid')
    assert.deepEqual((body.issues as Array<{ field: string; code: string }>).map(({ field, code }) => ({ field, code })), [{ field: 'password', code: 'invalid_type' }])
    const missing = await json(await call(sigra, 'POST', '/auth/register', { body: { password: GOOD_PASSWORD } }))
    assert.deepEqual((missing.issues as Array<{ field: string; code: string }>).map(({ field, code }) => ({ field, code })), [{ field: 'email', code: 'required' }])
  })

  test('no route answers 500 to bodies of wrong types or sizes', async () => {
    const { sigra } = env()
    for (const route of API_ROUTES.filter((r) => r.body)) {
      const { token } = await createConfirmedUser(sigra)
      for (const value of WEIRD_VALUES) {
        const body = Object.fromEntries(FIELDS.map((field) => [field, value]))
        const res = await call(sigra, route.method.toUpperCase(), `/auth${route.path}`, { token, body })
        assert.ok(res.status >= 400 && res.status < 500, `${route.method} ${route.path} with ${JSON.stringify(value).slice(0, 20)} → ${res.status}`)
        assert.equal((await json(res)).ok, false)
      }
    }
  })

  test('an unknown route is 404 not_found', async () => {
    const { sigra } = env()
    for (const [method, path] of [['GET', '/auth/nope'], ['POST', '/auth/sessions/x/y'], ['GET', '/auth'], ['PUT', '/auth/nope']] as const) {
      const res = await call(sigra, method, path)
      assert.equal(res.status, 404, `${method} ${path}`)
      assert.deepEqual(await json(res), { ok: false, error: 'not_found' })
      assert.equal(res.headers.get('allow'), null)
    }
  })

  test('a method a known path does not have is 405 method_not_allowed, with Allow listing the methods it has', async () => {
    const { sigra } = env()
    const login = await call(sigra, 'GET', '/auth/login')
    assert.equal(login.status, 405)
    assert.equal(login.headers.get('allow'), 'POST')
    assert.deepEqual(await json(login), { ok: false, error: 'method_not_allowed' })
    assert.equal((await call(sigra, 'DELETE', '/auth/session')).headers.get('allow'), 'GET, HEAD')
    assert.equal((await call(sigra, 'GET', '/auth/email-change')).headers.get('allow'), 'DELETE, POST')
    assert.equal((await call(sigra, 'PUT', '/auth/deletion')).headers.get('allow'), 'DELETE, GET, HEAD, POST')
    // A path two patterns match (`/sessions/revoke-others` and `/sessions/:id`) has the methods of both.
    assert.equal((await call(sigra, 'GET', '/auth/sessions/revoke-others')).headers.get('allow'), 'DELETE, POST')
    assert.equal((await call(sigra, 'POST', `/auth/sessions/${'00000000-0000-4000-8000-000000000000'}`)).headers.get('allow'), 'DELETE')

    // Every path of the route table, from the table: each method it lacks is refused with the methods it has.
    const table = API_ROUTES.map((r) => ({ method: r.method.toUpperCase(), path: r.path, pattern: new RegExp(`^${r.path.replace(/:[a-z]+/g, '[^/]+')}$`) }))
    for (const path of new Set(table.map((r) => r.path))) {
      const concrete = path.replace(/:[a-z]+/g, 'x')
      const own = new Set(table.filter((r) => r.pattern.test(concrete)).map((r) => r.method))
      if (own.has('GET')) own.add('HEAD')
      for (const method of ['GET', 'HEAD', 'POST', 'DELETE', 'PUT', 'PATCH'].filter((m) => !own.has(m))) {
        const res = await call(sigra, method, `/auth${concrete}`, method === 'GET' || method === 'HEAD' ? {} : { body: {} })
        assert.equal(res.status, 405, `${method} ${concrete}`)
        assert.equal(res.headers.get('allow'), [...own].sort().join(', '), `${method} ${concrete}`)
        if (method !== 'HEAD') assert.equal((await json(res)).error, 'method_not_allowed')
      }
    }
  })

  test('a missing key is the field issue `required` with a sentence of our own, not the validator\'s text', async () => {
    const { sigra } = env()
    const res = await call(sigra, 'POST', '/auth/login', { body: { password: 'whatever it is' } })
    assert.equal(res.status, 400)
    assert.deepEqual(await json(res), { ok: false, error: 'invalid', issues: [{ field: 'login', code: 'required', message: 'This field is required.' }] })
    const both = await json(await call(sigra, 'POST', '/auth/register', { body: {} }))
    assert.deepEqual(both.issues, [
      { field: 'email', code: 'required', message: 'This field is required.' },
      { field: 'password', code: 'required', message: 'This field is required.' },
    ])
  })

  test('a body over maxBodyBytes is 413, whether declared or streamed', async () => {
    const { sigra } = env()
    const huge = JSON.stringify({ login: 'a@example.com', password: 'x'.repeat(sigra.config.http.maxBodyBytes) })
    const declared = await call(sigra, 'POST', '/auth/login', { body: huge })
    assert.equal(declared.status, 413)
    assert.equal((await json(declared)).error, 'payload_too_large')
    const bytes = new TextEncoder().encode(huge)
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192))
        controller.close()
      },
    })
    const request = new Request(`${ORIGIN}/auth/login`, { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': 'application/json', origin: ORIGIN } } as RequestInit)
    const streamed = await sigra.handler(request, { ip: '192.0.2.1' })
    assert.equal(streamed.status, 413)
    assert.equal((await json(streamed)).error, 'payload_too_large')
  })

  test('an unsupported content type is 415; malformed JSON and non-object JSON are 400 invalid_json', async () => {
    const { sigra } = env()
    const xml = await call(sigra, 'POST', '/auth/login', { body: '<login/>', headers: { 'content-type': 'application/xml' } })
    assert.equal(xml.status, 415)
    assert.equal((await json(xml)).error, 'unsupported_media_type')
    for (const text of ['{', '{"login":', '[]', '"text"', '42', 'null']) {
      const res = await call(sigra, 'POST', '/auth/login', { body: text })
      assert.equal(res.status, 400, text)
      assert.equal((await json(res)).error, 'invalid_json', text)
    }
  })

  test('a throttled call is 429 rate_limited with Retry-After', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: { rules: { loginAccount: { points: 2, duration: 60 } } } })
    // The per-account budget is charged before the lookup, so an unknown address is throttled alike.
    const email = uniqueEmail('throttled')
    const statuses: number[] = []
    let last: Response | undefined
    for (let i = 0; i < 3; i++) {
      last = await call(sigra, 'POST', '/auth/login', { body: { login: email, password: 'wrong password here' } })
      statuses.push(last.status)
    }
    assert.deepEqual(statuses, [401, 401, 429])
    const retryAfter = Number(last!.headers.get('retry-after'))
    // A sliding window (two fixed windows weighted) can ask for up to twice the duration when refused attempts keep counting.
    assert.ok(retryAfter > 0 && retryAfter <= 120, `Retry-After ${retryAfter}`)
    const body = await json(last!)
    assert.equal(body.error, 'rate_limited')
    assert.equal(body.retryAfter, retryAfter)
  })

  test('registration answers byte for byte the same for a new and a taken address', async () => {
    const { sigra } = env()
    const { email: taken } = await createConfirmedUser(sigra)
    const fresh = await call(sigra, 'POST', '/auth/register', { body: { email: uniqueEmail('fresh'), password: GOOD_PASSWORD } })
    const again = await call(sigra, 'POST', '/auth/register', { body: { email: taken, password: GOOD_PASSWORD } })
    assert.equal(fresh.status, again.status)
    assert.deepEqual([...fresh.headers].filter(([k]) => k !== 'date'), [...again.headers].filter(([k]) => k !== 'date'))
    assert.deepEqual(new Uint8Array(await fresh.arrayBuffer()), new Uint8Array(await again.arrayBuffer()))
  })

  test('with hideEmailTaken: false a new address is 201 and a taken one 409 email_taken', async () => {
    const { sigra } = await env().makeSigra({ http: { hideEmailTaken: false } })
    const email = uniqueEmail('open')
    const created = await call(sigra, 'POST', '/auth/register', { body: { email, password: GOOD_PASSWORD } })
    assert.equal(created.status, 201)
    assert.equal(((await json(created)).user as { email: string }).email, email)
    const taken = await call(sigra, 'POST', '/auth/register', { body: { email, password: GOOD_PASSWORD } })
    assert.equal(taken.status, 409)
    assert.deepEqual(await json(taken), { ok: false, error: 'email_taken' })
  })
})
