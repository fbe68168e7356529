import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { Sigra } from 'sigra'
import { sigraRoutes } from 'sigra/hono'
import { sigraHono, type SigraHonoEnv } from 'sigra/middleware'
import { createConfirmedUser } from 'sigra/testing'
import { closeServer, runAccountFlow, sessionCookieOf } from './support/adapter-flow.ts'
import { describeEachBackend, GOOD_PASSWORD } from './support/harness.ts'

describeEachBackend('Hono adapter (@hono/node-server)', (env) => {
  let server: Server
  let origin: string
  let sigra: Sigra
  let bodies: unknown[] = []

  before(async () => {
    const app = new Hono<SigraHonoEnv>()
    // Routes are added after listening (the port must be known for baseUrl) and before any request.
    server = await new Promise<Server>((resolve) => {
      const s: Server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s)) as Server
    })
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    ;({ sigra } = await env().makeSigra({ baseUrl: origin }))
    // A host middleware that reads JSON bodies before Sigra's routes (a logger, say).
    app.use('*', async (c, next) => {
      if (c.req.method === 'POST' && c.req.header('x-log-body')) bodies.push(await c.req.json())
      await next()
    })
    app.route('/', sigraRoutes(sigra))
    const auth = sigraHono(sigra)
    app.get('/me', auth.requireAuth(), (c) => c.json({ email: c.get('sigra').user.email }))
  })
  after(async () => {
    await closeServer(server)
  })

  test('register, confirm, log in and read the session over a socket; the audit row has the socket address', async () => {
    const { cookie, email } = await runAccountFlow(origin, sigra)
    const me = await fetch(`${origin}/me`, { headers: { cookie } })
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), { email })
  })

  test("paths outside Sigra's fall through to the host's routes", async () => {
    const anonymous = await fetch(`${origin}/me`)
    assert.equal(anonymous.status, 401)
    assert.deepEqual(await anonymous.json(), { ok: false, error: 'unauthenticated' })
    const unknown = await fetch(`${origin}/auth/nope`)
    assert.deepEqual([unknown.status, await unknown.json()], [404, { ok: false, error: 'not_found' }])
    const hono404 = await fetch(`${origin}/elsewhere`)
    assert.deepEqual([hono404.status, await hono404.text()], [404, '404 Not Found'])
  })

  test('a body a host middleware already read reaches Sigra intact', async () => {
    bodies = []
    const fixture = await createConfirmedUser(sigra, { password: GOOD_PASSWORD })
    const login = await fetch(`${origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'x-log-body': '1' },
      body: JSON.stringify({ login: fixture.email, password: GOOD_PASSWORD }),
    })
    assert.equal(login.status, 200, await login.clone().text())
    assert.ok(sessionCookieOf(login))
    assert.deepEqual(bodies, [{ login: fixture.email, password: GOOD_PASSWORD }])
  })

  test('an unsafe request from another origin is refused (CSRF sees the real Origin)', async () => {
    const crossSite = await fetch(`${origin}/auth/logout`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' })
    assert.equal(crossSite.status, 403)
  })
})
