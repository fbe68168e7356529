import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, test } from 'node:test'
import express, { type Request } from 'express'
import type { Sigra } from 'sigra'
import { sigraNode, type SigraNodeRequest } from 'sigra/middleware'
import { toNodeHandler } from 'sigra/node'
import { closeServer, jsonPost, listenLoopback, runAccountFlow, sessionCookieOf } from './support/adapter-flow.ts'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD } from './support/harness.ts'

describeEachBackend('Express adapter', (env) => {
  let server: Server
  let origin: string
  let sigra: Sigra
  // A second app that (wrongly) parses bodies before Sigra: the adapter must cope.
  let lateServer: Server
  let lateOrigin: string
  let lateSigra: Sigra

  before(async () => {
    const app = express()
    server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
    ;({ sigra } = await env().makeSigra({ baseUrl: origin }))
    // The documented order: Sigra first, then the host's parsers and routes.
    app.use(toNodeHandler(sigra))
    app.use(express.json())
    app.get('/me', sigraNode(sigra).requireAuth(), (req: Request, res) => {
      res.json({ email: (req as SigraNodeRequest).sigra!.user.email })
    })
    app.post('/echo', (req, res) => {
      res.json({ got: req.body as unknown })
    })

    const late = express()
    lateServer = createServer()
    lateOrigin = await listenLoopback(lateServer)
    ;({ sigra: lateSigra } = await env().makeSigra({ baseUrl: lateOrigin }))
    late.use(express.json())
    late.use(express.urlencoded({ extended: false }))
    late.use(toNodeHandler(lateSigra))
    lateServer.on('request', late)
  })
  after(async () => {
    await closeServer(server)
    await closeServer(lateServer)
  })

  test('register, confirm, log in and read the session over a socket; the audit row has the socket address', async () => {
    const { cookie, email } = await runAccountFlow(origin, sigra)
    const me = await fetch(`${origin}/me`, { headers: { cookie } })
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), { email })
  })

  test("paths outside Sigra's fall through to Express; paths under basePath never do", async () => {
    const anonymous = await fetch(`${origin}/me`)
    assert.equal(anonymous.status, 401)
    assert.deepEqual(await anonymous.json(), { ok: false, error: 'unauthenticated' })
    // The host's JSON parser still sees its own bodies (Sigra did not read them).
    const echo = await fetch(`${origin}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
    assert.deepEqual(await echo.json(), { got: { a: 1 } })
    const unknown = await fetch(`${origin}/auth/nope`)
    assert.equal(unknown.status, 404)
    assert.deepEqual(await unknown.json(), { ok: false, error: 'not_found' })
    const express404 = await fetch(`${origin}/elsewhere`)
    assert.equal(express404.status, 404)
    assert.match(express404.headers.get('content-type') ?? '', /text\/html/)
  })

  test('mounted after express.json() / express.urlencoded(): the parsed body is replayed in its own media type', async () => {
    const fixture = await createConfirmedUser(lateSigra, { password: GOOD_PASSWORD })
    const json = await jsonPost(lateOrigin, '/auth/login', { login: fixture.email, password: GOOD_PASSWORD })
    assert.equal(json.status, 200, await json.clone().text())
    assert.ok(sessionCookieOf(json))
    const form = await fetch(`${lateOrigin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: lateOrigin },
      body: new URLSearchParams({ login: fixture.email, password: GOOD_PASSWORD }),
    })
    assert.equal(form.status, 200, await form.clone().text())
    // Still a form post: without Origin/Sec-Fetch-Site it is refused (the replay must not turn it into JSON).
    const bare = await fetch(`${lateOrigin}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: fixture.email, password: GOOD_PASSWORD }),
    })
    assert.equal(bare.status, 403)
    assert.equal(((await bare.json()) as { error: string }).error, 'csrf')
  })
})
