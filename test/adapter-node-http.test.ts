import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { after, before, test } from 'node:test'
import type { Sigra } from 'sigra'
import { sigraNode, type SigraNodeRequest } from 'sigra/middleware'
import { toNodeHandler } from 'sigra/node'
import { createConfirmedUser } from 'sigra/testing'
import { closeServer, listenLoopback, runAccountFlow } from './support/adapter-flow.ts'
import { describeEachBackend } from './support/harness.ts'

/** One raw HTTP/1.1 exchange, so the test controls every header line (Host, repeated Cookie). */
async function rawExchange(origin: string, head: string): Promise<string> {
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head}\r\nConnection: close\r\n\r\n`))
    let data = ''
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => (data += chunk))
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
}

describeEachBackend('node:http adapter', (env) => {
  let server: Server
  let origin: string
  let sigra: Sigra
  const seen: { url: string; ip: string | null | undefined }[] = []

  before(async () => {
    server = createServer()
    origin = await listenLoopback(server)
    ;({ sigra } = await env().makeSigra({ baseUrl: origin }))
    // The handler is wrapped only to observe what the adapter hands Sigra.
    const sigraHttp = toNodeHandler({ config: sigra.config, handler: (request, info) => (seen.push({ url: request.url, ip: info?.ip }), sigra.handler(request, info)) })
    const requireAuth = sigraNode(sigra).requireAuth()
    const own = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/me') return void res.writeHead(404).end('not here')
      requireAuth(req, res, () => res.setHeader('content-type', 'application/json').end(JSON.stringify({ email: (req as SigraNodeRequest).sigra!.user.email })))
    }
    server.on('request', (req, res) => sigraHttp(req, res, () => own(req, res)))
  })
  after(async () => {
    await closeServer(server)
  })

  test('register, confirm, log in and read the session over a socket; the audit row has the socket address', async () => {
    const { cookie, email } = await runAccountFlow(origin, sigra)
    const me = await fetch(`${origin}/me`, { headers: { cookie } })
    assert.equal(me.status, 200)
    assert.deepEqual(await me.json(), { email })
    const fallthrough = await fetch(`${origin}/other`)
    assert.deepEqual([fallthrough.status, await fallthrough.text()], [404, 'not here'])
  })

  test('the URL comes from baseUrl, never Host; repeated Cookie lines are merged', async () => {
    const fixture = await createConfirmedUser(sigra)
    seen.length = 0
    const reply = await rawExchange(origin, `GET /auth/session?x=1 HTTP/1.1\r\nHost: evil.example\r\nCookie: theme=dark\r\nCookie: sigra_session=${fixture.token}`)
    assert.match(reply, /^HTTP\/1\.1 200 /)
    assert.ok(reply.includes(fixture.user.id))
    assert.deepEqual(seen, [{ url: `${origin}/auth/session?x=1`, ip: '127.0.0.1' }])
    // An absolute-form target keeps only its path; '//host' stays a path.
    seen.length = 0
    await rawExchange(origin, `GET http://evil.example/auth/session HTTP/1.1\r\nHost: evil.example`)
    await rawExchange(origin, `GET //evil.example/auth/session HTTP/1.1\r\nHost: evil.example`)
    assert.deepEqual(seen.map((s) => s.url), [`${origin}/auth/session`])
  })

  test('a bare handler: every Set-Cookie survives, HEAD has no body, and without next() other paths get 404', async () => {
    const bare = createServer(
      toNodeHandler(
        async (request) => {
          const headers = new Headers({ 'content-type': 'text/plain' })
          headers.append('set-cookie', 'a=1; Path=/')
          headers.append('set-cookie', 'b=2; Path=/')
          return new Response(`${request.method} ${new URL(request.url).pathname} ${request.body ? await request.text() : ''}`, { headers })
        },
        { baseUrl: 'http://127.0.0.1', paths: ['/auth'], onlyMatching: true },
      ),
    )
    const bareOrigin = await listenLoopback(bare)
    try {
      const posted = await fetch(`${bareOrigin}/auth/echo`, { method: 'POST', body: 'streamed body' })
      assert.equal(await posted.text(), 'POST /auth/echo streamed body')
      assert.deepEqual(posted.headers.getSetCookie(), ['a=1; Path=/', 'b=2; Path=/'])
      const head = await fetch(`${bareOrigin}/auth/echo`, { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(await head.text(), '')
      const outside = await fetch(`${bareOrigin}/elsewhere`)
      assert.deepEqual([outside.status, await outside.json()], [404, { ok: false, error: 'not_found' }])
    } finally {
      await closeServer(bare)
    }
  })
})
