import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Sigra } from 'sigra'
import { sigraFastify } from 'sigra/fastify'
import { guard } from 'sigra/middleware'
import { createConfirmedUser } from 'sigra/testing'
import { closeServer, listenLoopback, runAccountFlow, sessionCookieOf } from './support/adapter-flow.ts'
import { describeEachBackend, GOOD_PASSWORD } from './support/harness.ts'

describeEachBackend('Fastify adapter', (env) => {
  let server: Server
  let app: FastifyInstance
  let origin: string
  let sigra: Sigra

  before(async () => {
    // The port must be known before Sigra (baseUrl) and Fastify routes are made, so Fastify runs on
    // a node:http server we listen first (its documented `serverFactory`).
    server = createServer()
    origin = await listenLoopback(server)
    ;({ sigra } = await env().makeSigra({ baseUrl: origin }))
    app = Fastify({
      serverFactory: (handler) => {
        server.on('request', handler)
        return server
      },
    })
    await app.register(sigraFastify(sigra))
    // A second Sigra-like mount whose handler answers with two cookies, under its own basePath.
    await app.register(
      sigraFastify({
        config: { ...sigra.config, basePath: '/twice', http: { ...sigra.config.http, pages: false, devMailbox: false } },
        handler: async () => {
          const headers = new Headers()
          headers.append('set-cookie', 'a=1; Path=/')
          headers.append('set-cookie', 'b=2; Path=/')
          return new Response('two', { headers })
        },
      }),
    )
    app.get('/me', async (request, reply) => {
      const result = await guard(sigra, new Request(origin + request.url, { headers: { cookie: request.headers.cookie ?? '' } }))
      if (!result.ok) return reply.send(result.response)
      return { email: result.user.email }
    })
    app.post('/echo', async (request) => ({ got: request.body }))
    await app.ready()
  })
  after(async () => {
    await app.close()
    await closeServer(server)
  })

  test('register, confirm, log in and read the session over a socket; the audit row has the socket address', async () => {
    const { cookie, email } = await runAccountFlow(origin, sigra)
    const me = await fetch(`${origin}/me`, { headers: { cookie } })
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), { email })
  })

  test("the host's own routes keep Fastify's parsing; paths under basePath stay Sigra's", async () => {
    const anonymous = await fetch(`${origin}/me`)
    assert.deepEqual([anonymous.status, await anonymous.json()], [401, { ok: false, error: 'unauthenticated' }])
    const echo = await fetch(`${origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
    assert.deepEqual(await echo.json(), { got: { a: 1 } })
    const unknown = await fetch(`${origin}/auth/nope`)
    assert.deepEqual([unknown.status, await unknown.json()], [404, { ok: false, error: 'not_found' }])
  })

  test('Sigra reads the raw body: forms (no Fastify parser) log in, oversize bodies get 413, unknown types 415', async () => {
    const fixture = await createConfirmedUser(sigra, { password: GOOD_PASSWORD })
    const form = await fetch(`${origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ login: fixture.email, password: GOOD_PASSWORD }),
    })
    assert.equal(form.status, 200, await form.clone().text())
    assert.ok(sessionCookieOf(form))
    const huge = await fetch(`${origin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ login: fixture.email, password: 'x'.repeat(sigra.config.http.maxBodyBytes) }),
    })
    assert.deepEqual([huge.status, ((await huge.json()) as { error: string }).error], [413, 'payload_too_large'])
    const xml = await fetch(`${origin}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/xml', origin }, body: '<login/>' })
    assert.deepEqual([xml.status, ((await xml.json()) as { error: string }).error], [415, 'unsupported_media_type'])
  })

  test('every Set-Cookie of the response reaches the client', async () => {
    const response = await fetch(`${origin}/twice/x`)
    assert.equal(await response.text(), 'two')
    assert.deepEqual(response.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/'])
  })
})
