import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { API_ROUTES } from '../src/http/api/routes.ts'
import { describeEachBackend } from './support/harness.ts'
import { call, json } from './support/http-client.ts'

const SOME_ID = '00000000-0000-4000-8000-000000000000'
const UNSAFE = API_ROUTES.filter((route) => route.method !== 'get').map((route) => ({
  method: route.method.toUpperCase(),
  path: `/auth${route.path.replace(':id', SOME_ID)}`,
}))

describeEachBackend('http csrf', (env) => {
  test('the route table has unsafe routes to check', () => {
    assert.ok(UNSAFE.length >= 15, `${UNSAFE.length} unsafe routes`)
  })

  test('a cross-site Origin is refused with 403 csrf on every unsafe route, before anything happens', async () => {
    const { sigra } = env()
    const { token } = await createConfirmedUser(sigra)
    for (const { method, path } of UNSAFE) {
      const res = await call(sigra, method, path, { token, body: {}, headers: { origin: 'https://evil.example' } })
      assert.equal(res.status, 403, `${method} ${path}`)
      assert.deepEqual(await json(res), { ok: false, error: 'csrf' }, `${method} ${path}`)
    }
    assert.ok(await sigra.sessions.validate(token), 'the cross-site logout did not end the session')
  })

  test('Sec-Fetch-Site cross-site (and same-site) is refused on every unsafe route, even with a matching Origin', async () => {
    const { sigra } = env()
    const { token } = await createConfirmedUser(sigra)
    for (const site of ['cross-site', 'same-site']) {
      for (const { method, path } of UNSAFE) {
        const res = await call(sigra, method, path, { token, body: {}, headers: { 'sec-fetch-site': site, origin: 'http://localhost:3000' } })
        assert.equal(res.status, 403, `${site} ${method} ${path}`)
        assert.equal((await json(res)).error, 'csrf')
      }
    }
  })

  test('same-origin requests pass: by Sec-Fetch-Site, by Origin, and from a configured allowed origin', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const body = { login: email, password }
    assert.equal((await call(sigra, 'POST', '/auth/login', { body, headers: { 'sec-fetch-site': 'same-origin' } })).status, 200)
    assert.equal((await call(sigra, 'POST', '/auth/login', { body, headers: { origin: 'http://localhost:3000' } })).status, 200)
    assert.equal((await call(sigra, 'POST', '/auth/login', { form: { login: email, password: password! }, headers: { 'sec-fetch-site': 'none' } })).status, 200)
    const { sigra: other } = await env().makeSigra({ http: { allowedOrigins: ['https://admin.example.com'] } })
    const fixture = await createConfirmedUser(other)
    const allowed = await call(other, 'POST', '/auth/login', { body: { login: fixture.email, password: fixture.password }, headers: { origin: 'https://admin.example.com' } })
    assert.equal(allowed.status, 200)
  })

  test('a form post without Origin or Sec-Fetch-Site is refused (urlencoded, multipart, text/plain)', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    const form = await call(sigra, 'POST', '/auth/login', { noOrigin: true, form: { login: email, password: password! } })
    assert.equal(form.status, 403)
    assert.equal((await json(form)).error, 'csrf')
    // A route without a body reads no media type: the CSRF check refuses these.
    for (const type of ['multipart/form-data; boundary=x', 'text/plain']) {
      const res = await call(sigra, 'POST', '/auth/logout', { token, noOrigin: true, body: '', headers: { 'content-type': type } })
      assert.equal(res.status, 403, type)
      assert.equal((await json(res)).error, 'csrf')
    }
    assert.ok(await sigra.sessions.validate(token), 'the cross-site logout did not end the session')
  })

  test('a route with a body checks the media type first: text/plain and multipart are 415 with or without Origin, and never reach the handler', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const body = JSON.stringify({ login: email, password })
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=x', 'application/xml']) {
      for (const headers of [{}, { origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { origin: 'http://localhost:3000' }] as Array<Record<string, string>>) {
        const res = await call(sigra, 'POST', '/auth/login', { noOrigin: true, body, headers: { 'content-type': type, ...headers } })
        assert.equal(res.status, 415, `${type} ${JSON.stringify(headers)}`)
        assert.deepEqual(await json(res), { ok: false, error: 'unsupported_media_type' })
        assert.equal(res.headers.get('set-cookie'), null, 'no session was created')
      }
    }
    const cross = await call(sigra, 'POST', '/auth/login', { body, headers: { origin: 'https://evil.example' } })
    assert.deepEqual([cross.status, (await json(cross)).error], [403, 'csrf'], 'a readable cross-site body is still refused as csrf')
  })

  test('JSON without Origin (a non-browser client) is allowed', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'POST', '/auth/login', { noOrigin: true, body: { login: email, password } })
    assert.equal(res.status, 200)
  })

  test('safe methods are never refused for their origin', async () => {
    const { sigra } = env()
    const { token } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'GET', '/auth/session', { token, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })
    assert.equal(res.status, 200)
  })
})
