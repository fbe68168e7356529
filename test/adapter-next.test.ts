import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { toNextHandler } from 'sigra/next'
import { assertAuditEvent, latestMail } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

/**
 * Next.js is not installed (too heavy for a dev dependency): these tests call the exports exactly
 * as Next's App Router calls a route handler — `(request, { params: Promise<{ sigra: string[] }> })`
 * with an absolute URL whose host came from the Host header.
 */
const ORIGIN = 'https://app.example.com'
const HOST_BUILT = 'http://internal-host:3000'

function call(handler: ReturnType<typeof toNextHandler>, method: 'GET' | 'POST', path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) {
  const segments = path.split('?')[0]!.split('/').filter(Boolean).slice(1)
  const request = new Request(HOST_BUILT + path, {
    method,
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/json', origin: ORIGIN } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  })
  return handler[method](request, { params: Promise.resolve({ sigra: segments }) })
}

describeEachBackend('Next.js route handlers', (env) => {
  async function nextSigra(trustProxy: number): Promise<{ sigra: Sigra; handler: ReturnType<typeof toNextHandler>; urls: string[] }> {
    const { sigra } = await env().makeSigra({ baseUrl: ORIGIN, http: { trustProxy } })
    const urls: string[] = []
    const handler = toNextHandler({ config: sigra.config, handler: (request, info) => (urls.push(request.url), sigra.handler(request, info)) })
    return { sigra, handler, urls }
  }

  test('register, confirm, log in and read the session through GET/POST; behind one proxy the address comes from X-Forwarded-For', async () => {
    const { sigra, handler, urls } = await nextSigra(1)
    const email = uniqueEmail('next')
    const forwarded = { 'x-forwarded-for': '198.51.100.23' }
    const registered = await call(handler, 'POST', '/auth/register', { body: { email, password: GOOD_PASSWORD }, headers: forwarded })
    assert.equal(registered.status, 202)
    const { token } = await latestMail(sigra, email)
    const confirmed = await call(handler, 'POST', '/auth/confirm', { body: { token } })
    assert.equal(confirmed.status, 200, await confirmed.clone().text())

    const login = await call(handler, 'POST', '/auth/login', { body: { login: email, password: GOOD_PASSWORD }, headers: { 'x-forwarded-for': '203.0.113.99, 198.51.100.23' } })
    assert.equal(login.status, 200, await login.clone().text())
    const setCookie = login.headers.getSetCookie()
    assert.equal(setCookie.length, 1)
    assert.match(setCookie[0]!, /^__Host-sigra_session=.+; Path=\/; HttpOnly; SameSite=Lax; Secure/)
    const cookie = setCookie[0]!.split(';')[0]!
    const { user } = (await login.json()) as { user: { id: string } }

    const session = await call(handler, 'GET', '/auth/session', { headers: { cookie } })
    assert.equal(session.status, 200)
    assert.equal(((await session.json()) as { user: { id: string } }).user.id, user.id)

    // The proxy's own entry (the last one) is trusted, the client-supplied one before it is not.
    const audit = await assertAuditEvent(sigra, { action: 'auth.login.success', userId: user.id })
    assert.equal(audit.ip, '198.51.100.23')
    // Every Request handed to Sigra is on baseUrl's origin, not the host Next built the URL from.
    assert.ok(urls.every((u) => u.startsWith(`${ORIGIN}/auth/`)), urls.join(' '))
  })

  test('without trustProxy, X-Forwarded-For is ignored and no address is recorded', async () => {
    const { sigra, handler } = await nextSigra(0)
    const email = uniqueEmail('next')
    await call(handler, 'POST', '/auth/register', { body: { email, password: GOOD_PASSWORD } })
    const login = await call(handler, 'POST', '/auth/login', { body: { login: email, password: GOOD_PASSWORD }, headers: { 'x-forwarded-for': '198.51.100.23' } })
    assert.equal(login.status, 200, await login.clone().text())
    const { user } = (await login.json()) as { user: { id: string } }
    const audit = await assertAuditEvent(sigra, { action: 'auth.login.success', userId: user.id })
    assert.equal(audit.ip, null)
  })

  test('a cross-site POST is refused and a path outside Sigra answers 404', async () => {
    const { handler } = await nextSigra(0)
    const crossSite = await call(handler, 'POST', '/auth/logout', { body: {}, headers: { origin: 'https://evil.example' } })
    assert.equal(crossSite.status, 403)
    const outside = await call(handler, 'GET', '/elsewhere')
    assert.equal(outside.status, 404)
  })
})
