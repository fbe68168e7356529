import assert from 'node:assert/strict'
import type { IncomingHttpHeaders } from 'node:http'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call } from './support/http-client.ts'

describeEachBackend('integrator surface', (env) => {
  test('sessions.fromRequest / fromHeaders read the session cookie from fetch Headers, Node headers or a plain object', async () => {
    const { sigra } = env()
    const { token, user } = await createConfirmedUser(sigra)
    assert.equal(sigra.sessions.cookieName, 'sigra_session', 'on localhost the cookie has no __Host- prefix')

    const fromRequest = await sigra.sessions.fromRequest(new Request('http://localhost:3000/app', { headers: { cookie: `theme=dark; sigra_session=${token}; other=1` } }))
    assert.equal(fromRequest?.user.id, user.id)
    assert.equal(fromRequest?.via, 'cookie')
    assert.equal(fromRequest?.session?.userId, user.id)

    const node: IncomingHttpHeaders = { host: 'localhost:3000', cookie: `sigra_session=${token}` }
    assert.equal((await sigra.sessions.fromHeaders(node))?.user.id, user.id)
    // Node joins repeated Cookie headers, but a hand-built object may carry an array.
    assert.equal((await sigra.sessions.fromHeaders({ Cookie: ['a=b', `sigra_session=${token}`] }))?.user.id, user.id, 'any case, arrays joined')
    assert.equal((await sigra.sessions.fromHeaders(new Headers({ cookie: `sigra_session=${token}` })))?.user.id, user.id)

    for (const headers of [{}, { cookie: 'sigra_session=garbage' }, { cookie: `__Host-sigra_session=${token}` }, { cookie: `xsigra_session=${token}` }]) {
      assert.equal(await sigra.sessions.fromHeaders(headers), null, JSON.stringify(headers))
    }
    assert.equal(await sigra.sessions.fromHeaders(null as never), null)
    await sigra.auth.logOut(token)
    assert.equal(await sigra.sessions.fromHeaders({ cookie: `sigra_session=${token}` }), null, 'through the one enforcement point: revoked is revoked')
  })

  test('outside localhost the cookie name is __Host-prefixed, and fromHeaders applies the same rule', async () => {
    const { sigra } = await env().makeSigra({ baseUrl: 'https://app.example.com' })
    assert.equal(sigra.sessions.cookieName, '__Host-sigra_session')
    const { token } = await createConfirmedUser(sigra)
    assert.ok(await sigra.sessions.fromHeaders({ cookie: `__Host-sigra_session=${token}` }))
    assert.equal(await sigra.sessions.fromHeaders({ cookie: `sigra_session=${token}` }), null, 'the unprefixed name is not this configuration’s cookie')
  })

  test('the handler looks the session up only on routes and pages that use it', async () => {
    const { sigra } = await env().makeSigra()
    const { token, email, password } = await createConfirmedUser(sigra)
    let lookups = 0
    const resolve = sigra.sessions.resolve
    sigra.sessions.resolve = (t) => {
      lookups++
      return resolve(t)
    }
    const count = async (method: string, path: string, body?: unknown) => {
      lookups = 0
      await call(sigra, method, path, { token, ...(body ? { body } : {}) })
      return lookups
    }
    assert.equal(await count('POST', '/auth/login', { login: email, password: 'wrong password here!' }), 0, 'login')
    assert.equal(await count('POST', '/auth/register', { email: uniqueEmail(), password: GOOD_PASSWORD }), 0, 'registration')
    assert.equal(await count('POST', '/auth/password-reset/request', { email }), 0, 'reset request')
    assert.equal(await count('GET', '/auth/openapi.json'), 0, 'the document')
    assert.equal(await count('POST', '/auth/logout'), 0, 'logout needs only the token')
    const again = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(again.ok)
    lookups = 0
    await call(sigra, 'GET', '/auth/sessions', { token: again.token })
    assert.equal(lookups, 1, 'an authenticated route looks it up once')
    lookups = 0
    await call(sigra, 'GET', '/account/settings', { token: again.token })
    assert.equal(lookups, 1, 'a page looks it up once (layout and page share it)')
  })

  test('rateLimit: false turns every limit off; a rule set to false turns that one off', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: false, lockout: false })
    const email = uniqueEmail()
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    for (let i = 0; i < 40; i++) {
      const result = await sigra.auth.logIn({ login: email, password: 'not the password at all', ip: '203.0.113.9' })
      assert.equal(result.ok ? 'ok' : result.error, 'invalid_credentials', `attempt ${i + 1}: neither rate-limited nor locked`)
    }
    assert.ok((await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '203.0.113.9' })).ok)

    const partial = await env().makeSigra({ rateLimit: { rules: { loginIp: false, loginAccount: false } } })
    const other = uniqueEmail()
    assert.ok((await partial.sigra.auth.register({ email: other, password: GOOD_PASSWORD })).ok)
    const codes = new Set<string>()
    for (let i = 0; i < 12; i++) {
      const result = await partial.sigra.auth.logIn({ login: other, password: 'not the password at all', ip: '203.0.113.10' })
      codes.add(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual([...codes].sort(), ['invalid_credentials', 'locked'], 'no rate limit, but the lockout still applies')
    for (let i = 0; i < 4; i++) assert.ok((await partial.sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, ip: '203.0.113.11' })).ok)
  })

  test('lockout: false counts and audits failures but never locks', async () => {
    const { sigra } = await env().makeSigra({ lockout: false })
    const email = uniqueEmail()
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    for (let i = 0; i < 8; i++) {
      const result = await sigra.auth.logIn({ login: email, password: 'still not the password', ip: `198.51.100.${i + 1}` })
      assert.equal(result.ok ? 'ok' : result.error, 'invalid_credentials')
    }
    const row = await sigra.db.selectFrom('users').select(['failed_login_attempts', 'locked_until']).where('email', '=', email).executeTakeFirstOrThrow()
    assert.equal(row.failed_login_attempts, 8)
    assert.equal(row.locked_until, null)
    const audit = await sigra.audit.list({ action: 'auth.lockout' })
    assert.equal(audit.events.length, 0)
  })
})
