import { Redis } from 'ioredis'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { test } from 'node:test'
import pg from 'pg'
import { postgresStore, redisStore, type LogInResult, type RateLimitRules, type Sigra } from 'sigra'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

const NOW = Date.parse('2026-01-15T12:00:00.000Z')
const WRONG = 'not the right password'

/** The stable part of a login answer: its code and, when refused, the wait. */
function outcome(result: LogInResult): string {
  if (result.ok) return 'ok'
  return result.error === 'rate_limited' ? `rate_limited:${result.retryAfter}` : result.error
}

const rules = (r: Partial<RateLimitRules>) => ({ rateLimit: { rules: r } })

async function registered(sigra: Sigra, email = uniqueEmail()): Promise<{ email: string; id: string }> {
  const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
  if (!result.ok) throw new Error(`register failed: ${JSON.stringify(result)}`)
  return { email, id: result.user.id }
}

async function mailsTo(sigra: Sigra, to: string, template?: string): Promise<number> {
  return (await sigra.mail.outbox({ to })).filter((m) => template === undefined || m.template === template).length
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describeEachBackend('login rate limits', (env) => {
  test('the account budget is charged before lookup: an unknown account is refused exactly like a known one', async (t) => {
    const { sigra } = await env().makeSigra(rules({ loginAccount: { points: 3, duration: 60 } }))
    const known = await registered(sigra)
    const unknown = uniqueEmail('nobody')
    t.mock.timers.enable({ apis: ['Date'], now: NOW })

    const attempts = async (login: string) => {
      const seen: string[] = []
      for (let i = 0; i < 4; i++) seen.push(outcome(await sigra.auth.logIn({ login, password: WRONG })))
      return seen
    }
    const forKnown = await attempts(known.email)
    const forUnknown = await attempts(unknown)
    assert.deepEqual(forUnknown, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited:60'])
    assert.deepEqual(forKnown, forUnknown)
  })

  test('the per-IP budget counts attempts across different accounts', async () => {
    const { sigra } = await env().makeSigra(rules({ loginIp: { points: 3, duration: 60 } }))
    const ip = '198.51.100.23'
    const emails = Array.from({ length: 4 }, () => uniqueEmail('ip'))
    const seen: string[] = []
    for (const login of emails) {
      const result = await sigra.auth.logIn({ login, password: WRONG, ip })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited'])
    const elsewhere = await sigra.auth.logIn({ login: emails[3]!, password: WRONG, ip: '198.51.100.24' })
    assert.equal(elsewhere.ok ? 'ok' : elsewhere.error, 'invalid_credentials', 'another IP still has its budget')
  })

  test('a rate-limited login does not count as a failed password', async () => {
    const { sigra } = await env().makeSigra(rules({ loginAccount: { points: 3, duration: 60 } }))
    const user = await registered(sigra)
    for (let i = 0; i < 3; i++) await sigra.auth.logIn({ login: user.email, password: WRONG })
    for (let i = 0; i < 5; i++) {
      const refused = await sigra.auth.logIn({ login: user.email, password: WRONG })
      assert.equal(refused.ok ? 'ok' : refused.error, 'rate_limited')
    }
    const right = await sigra.auth.logIn({ login: user.email, password: GOOD_PASSWORD })
    assert.equal(right.ok ? 'ok' : right.error, 'rate_limited', 'the budget is checked before the password')

    const row = await sigra.db.selectFrom('users').select(['failed_login_attempts', 'locked_until']).where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(row.failed_login_attempts, 3)
    assert.equal(row.locked_until, null)
  })

  test('the window ends at its boundary: refused at 59 s, allowed at 60 s', async (t) => {
    const { sigra } = await env().makeSigra(rules({ loginAccount: { points: 2, duration: 60 } }))
    const user = await registered(sigra)
    // rate-limiter-flexible's memory store reads Date.now() and expires keys with setTimeout.
    t.mock.timers.enable({ apis: ['Date', 'setTimeout'], now: NOW })
    try {
      const attempt = async (password: string) => outcome(await sigra.auth.logIn({ login: user.email, password }))
      assert.equal(await attempt(WRONG), 'invalid_credentials')
      assert.equal(await attempt(WRONG), 'invalid_credentials')
      assert.equal(await attempt(GOOD_PASSWORD), 'rate_limited:60')
      t.mock.timers.tick(59_000)
      assert.equal(await attempt(GOOD_PASSWORD), 'rate_limited:1')
      t.mock.timers.tick(1_000)
      assert.equal(await attempt(GOOD_PASSWORD), 'ok')
    } finally {
      t.mock.timers.reset()
    }
  })
})

describeEachBackend('registration and reset rate limits', (env) => {
  test('registerEmail: a third registration of one address is refused and mails nothing', async () => {
    const { sigra } = await env().makeSigra(rules({ registerEmail: { points: 2, duration: 3600 } }))
    const email = uniqueEmail('reg')
    const answers: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
      answers.push(result.ok ? 'ok' : result.error)
      if (!result.ok && result.error === 'rate_limited') assert.ok((result.retryAfter ?? 0) > 0)
    }
    assert.deepEqual(answers, ['ok', 'email_taken', 'rate_limited'])
    assert.equal(await mailsTo(sigra, email), 2, 'the confirmation and the "account exists" notice only')
    const other = await sigra.auth.register({ email: uniqueEmail('reg'), password: GOOD_PASSWORD })
    assert.equal(other.ok, true, 'another address still registers')
  })

  test('registerIp: registrations from one IP are counted across addresses', async () => {
    const { sigra } = await env().makeSigra(rules({ registerIp: { points: 2, duration: 3600 } }))
    const ip = '192.0.2.10'
    const answers: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await sigra.auth.register({ email: uniqueEmail('regip'), password: GOOD_PASSWORD, ip })
      answers.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(answers, ['ok', 'ok', 'rate_limited'])
  })

  test('resetEmail: reset requests keep answering ok but mail nothing once throttled', async () => {
    const { sigra } = await env().makeSigra(rules({ resetEmail: { points: 2, duration: 900 } }))
    const user = await registered(sigra)
    const unknown = uniqueEmail('nobody')
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(await sigra.auth.requestPasswordReset(user.email), { ok: true })
      assert.deepEqual(await sigra.auth.requestPasswordReset(unknown), { ok: true })
    }
    assert.equal(await mailsTo(sigra, user.email, 'resetPassword'), 2)
    assert.equal(await mailsTo(sigra, unknown), 0)
  })

  test('resetIp: reset requests from one IP are counted across addresses', async () => {
    const { sigra } = await env().makeSigra(rules({ resetIp: { points: 2, duration: 900 } }))
    const users = [await registered(sigra), await registered(sigra), await registered(sigra)]
    for (const user of users) assert.deepEqual(await sigra.auth.requestPasswordReset(user.email, { ip: '192.0.2.77' }), { ok: true })
    const mailed = await Promise.all(users.map((u) => mailsTo(sigra, u.email, 'resetPassword')))
    assert.deepEqual(mailed, [1, 1, 0])
  })
})

describeEachBackend('shared rate-limit stores', (env) => {
  test('redisStore: two app servers share one login budget', async (t) => {
    const url = process.env.SIGRA_TEST_REDIS_URL
    if (!url) {
      t.skip('SIGRA_TEST_REDIS_URL is not set: the shared budget needs a real Redis')
      return
    }
    const clients = [new Redis(url), new Redis(url)] as const
    const email = uniqueEmail('redis') // unique per run: reruns never meet an old counter
    t.after(async () => {
      await clients[0].del(`sigra:loginAccount:${email}`)
      await Promise.all(clients.map((c) => c.quit()))
    })
    const shared = { loginAccount: { points: 4, duration: 60 } }
    const a = (await env().makeSigra({ rateLimit: { store: redisStore(clients[0]), rules: shared } })).sigra
    const b = (await env().makeSigra({ rateLimit: { store: redisStore(clients[1]), rules: shared } })).sigra

    const seen: string[] = []
    for (const server of [a, b, a, b, a, b]) {
      const result = await server.auth.logIn({ login: email, password: WRONG })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited', 'rate_limited'])
    assert.equal(await clients[1].get(`sigra:loginAccount:${email}`), '6', 'every attempt was counted in Redis')
  })

  test('redisStore: when Redis is unreachable the in-memory insurance limiter answers and still limits', async (t) => {
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => {}) // connection refused is the point of this test
    t.after(() => client.disconnect())
    const { sigra } = await env().makeSigra({ rateLimit: { store: redisStore(client), rules: { loginAccount: { points: 2, duration: 60 } } } })
    const email = uniqueEmail('noredis')

    const seen: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await sigra.auth.logIn({ login: email, password: WRONG })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'rate_limited'])
  })

  test('postgresStore: two app servers share one budget in PostgreSQL, counted from the first attempt', async (t) => {
    const url = process.env.SIGRA_TEST_DATABASE_URL
    if (!url) {
      t.skip('SIGRA_TEST_DATABASE_URL is not set: postgresStore needs a real PostgreSQL server')
      return
    }
    const pools = [new pg.Pool({ connectionString: url, max: 2 }), new pg.Pool({ connectionString: url, max: 2 })] as const
    const schema = `rl_${randomBytes(6).toString('hex')}`
    await pools[0].query(`CREATE SCHEMA "${schema}"`)
    t.after(async () => {
      await pools[0].query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await Promise.all(pools.map((p) => p.end()))
    })
    const shared = { loginAccount: { points: 3, duration: 60 } }
    // The first attempt follows construction at once: the store must not count it before its table exists.
    const a = (await env().makeSigra({ rateLimit: { store: postgresStore(pools[0], { schema }), rules: shared } })).sigra
    const b = (await env().makeSigra({ rateLimit: { store: postgresStore(pools[1], { schema }), rules: shared } })).sigra
    const email = uniqueEmail('pgstore')

    const seen: string[] = []
    for (const server of [a, b, a, b, a]) {
      const result = await server.auth.logIn({ login: email, password: WRONG })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited', 'rate_limited'])
    const { rows } = await pools[0].query<{ points: number }>(`SELECT points FROM "${schema}".sigra_rate_limits WHERE key = $1`, [`sigra:loginAccount:${email}`])
    assert.deepEqual(rows, [{ points: 5 }], 'every attempt was counted in the table')
  })

  test('postgresStore: a store whose table cannot be created still answers, through its insurance limiter', async (t) => {
    const url = process.env.SIGRA_TEST_DATABASE_URL
    if (!url) {
      t.skip('SIGRA_TEST_DATABASE_URL is not set: postgresStore needs a real PostgreSQL server')
      return
    }
    const pool = new pg.Pool({ connectionString: url, max: 2 })
    t.after(() => pool.end())
    const missing = `rl_missing_${randomBytes(6).toString('hex')}`
    const { sigra } = await env().makeSigra({ rateLimit: { store: postgresStore(pool, { schema: missing }), rules: { loginAccount: { points: 2, duration: 60 } } } })
    const email = uniqueEmail('pgdown')

    const seen: string[] = []
    for (let i = 0; i < 3; i++) {
      const result = await sigra.auth.logIn({ login: email, password: WRONG })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'rate_limited'])
  })
})
