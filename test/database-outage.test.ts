import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import pg from 'pg'
import { createSigra, type Sigra } from 'sigra'
import { postgres } from 'sigra/postgres'
import { createConfirmedUser, testClock } from 'sigra/testing'
import { fastPasswordHasher } from '../src/testing/fast-hasher.ts'
import { call, json } from './support/http-client.ts'
import { GOOD_PASSWORD, SECRET } from './support/harness.ts'
import { tcpProxy } from './support/tcp-proxy.ts'

const URL = process.env.SIGRA_TEST_DATABASE_URL

/**
 * The database goes away (every connection cut, new ones refused) behind a loopback proxy, and
 * comes back on the same port. Needs the real PostgreSQL: CI sets SIGRA_TEST_DATABASE_URL; without
 * it this file says so and runs nothing.
 */
describe('database down [postgres]', { skip: URL ? false : 'needs SIGRA_TEST_DATABASE_URL (the real PostgreSQL) behind a proxy the test can cut' }, () => {
  let proxy: Awaited<ReturnType<typeof tcpProxy>>
  let sigra: Sigra
  const schema = `t_outage_${randomBytes(5).toString('hex')}`

  before(async () => {
    const target = new globalThis.URL(URL!)
    proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) })
    target.host = `127.0.0.1:${proxy.port}`
    sigra = await createSigra({
      // Sigra's own pool from a URL: its connection timeout and error listeners are what is tested.
      database: postgres(target.toString(), { max: 4, connectionTimeout: 2 }),
      secret: SECRET,
      baseUrl: 'http://localhost:3000',
      appName: 'Acme',
      schema,
      clock: testClock(),
      passwordHasher: fastPasswordHasher(),
      allowWeakPasswordHashing: true,
    })
    await sigra.migrate()
  })
  after(async () => {
    await proxy.restore()
    await sigra.close()
    await proxy.close()
    const cleanup = new pg.Client({ connectionString: URL })
    await cleanup.connect()
    await cleanup.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await cleanup.end()
  })

  test('503 unavailable with Retry-After on every route, a friendly page, no session taken as valid; back by itself', async () => {
    const user = await createConfirmedUser(sigra, { password: GOOD_PASSWORD })
    assert.equal((await call(sigra, 'GET', '/auth/session', { token: user.token })).status, 200)
    assert.equal((await call(sigra, 'GET', '/auth/ready')).status, 200)

    await proxy.cut()
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', '/auth/session'],
      ['POST', '/auth/login', { login: user.email, password: GOOD_PASSWORD }],
      ['POST', '/auth/register', { email: 'new@example.com', password: GOOD_PASSWORD }],
      ['POST', '/auth/register', { email: 'not an address' }],
      ['POST', '/auth/password-reset/request', { email: user.email }],
      ['POST', '/auth/logout'],
    ]
    for (const [method, path, body] of attempts) {
      const res = await call(sigra, method, path, { token: user.token, body })
      assert.equal(res.status, 503, `${method} ${path}`)
      assert.equal(res.headers.get('retry-after'), '5', `${method} ${path}`)
      assert.deepEqual(await json(res), { ok: false, error: 'unavailable' }, `${method} ${path}`)
    }
    const page = await sigra.handler(new Request('http://localhost:3000/account/settings', { headers: { accept: 'text/html', cookie: `sigra_session=${user.token}` } }))
    assert.equal(page.status, 503)
    const html = await page.text()
    assert.match(html, /try again/)
    assert.doesNotMatch(html, /at .*\.ts:\d+|Error:/, 'no stack, no driver message')
    assert.equal((await call(sigra, 'GET', '/auth/health')).status, 200, 'alive all the same')
    const ready = await call(sigra, 'GET', '/auth/ready')
    assert.equal(ready.status, 503)
    assert.equal((await json(ready)).database, 'down')
    await assert.rejects(sigra.sessions.validate(user.token), 'a domain call fails rather than answering "no session" or a session')

    await proxy.restore()
    const back = await call(sigra, 'GET', '/auth/session', { token: user.token })
    assert.equal(back.status, 200, 'the next request finds the database again')
    assert.equal(((await json(back)) as unknown as { user: { id: string } }).user.id, user.user.id, 'the session survived the outage')
    assert.equal((await call(sigra, 'GET', '/auth/ready')).status, 200)
    const login = await call(sigra, 'POST', '/auth/login', { body: { login: user.email, password: GOOD_PASSWORD } })
    assert.equal(login.status, 200)
  })
})
