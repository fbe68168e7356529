import { Redis } from 'ioredis'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:net'
import { describe, test, type TestContext } from 'node:test'
import pg from 'pg'
import { memoryStore, postgresStore, redisStore, type LogInResult, type RateLimitRules, type RateLimitStore, type Sigra } from 'sigra'
import { RateLimiter } from '../src/kernel/rate-limit/rate-limiter.ts'
import { fits, msUntilFits, type WindowCounts } from '../src/kernel/rate-limit/sliding-window.ts'
import { testClock } from '../src/testing/test-clock.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

/** The harness's test clocks start here: aligned to a minute and an hour, so windows start with the test. */
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
  test('the account budget is charged before lookup: an unknown account is refused exactly like a known one', async () => {
    const { sigra } = await env().makeSigra(rules({ loginAccount: { points: 3, duration: 60 } }))
    const known = await registered(sigra)
    const unknown = uniqueEmail('nobody')

    const attempts = async (login: string) => {
      const seen: string[] = []
      for (let i = 0; i < 4; i++) seen.push(outcome(await sigra.auth.logIn({ login, password: WRONG })))
      return seen
    }
    const forKnown = await attempts(known.email)
    const forUnknown = await attempts(unknown)
    // 4 attempts in this minute: in the next one they still weigh 4 × (the part of this minute inside
    // the sliding window), and a 4th attempt fits once that is 2 or less: 30 s into the next minute.
    assert.deepEqual(forUnknown, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited:90'])
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

  test('the window slides on the injected clock: each refusal says how long to wait, and that long is enough', async () => {
    const { sigra, clock } = await env().makeSigra(rules({ loginAccount: { points: 2, duration: 60 } }))
    const user = await registered(sigra)
    const attempt = async (password: string) => outcome(await sigra.auth.logIn({ login: user.email, password }))
    assert.equal(await attempt(WRONG), 'invalid_credentials')
    assert.equal(await attempt(WRONG), 'invalid_credentials')
    // 3 attempts this minute (the refused one counts too): a next one fits 40 s into the next minute,
    // when 1 + 3 × 20/60 ≤ 2.
    assert.equal(await attempt(GOOD_PASSWORD), 'rate_limited:100')
    clock.advance(99)
    // One second early: refused, and counted, so the wait is recomputed (to the end of this minute).
    assert.equal(await attempt(GOOD_PASSWORD), 'rate_limited:21')
    clock.advance(21)
    assert.equal(await attempt(GOOD_PASSWORD), 'ok')
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
    // One counter per rule, key and window of the injected clock.
    const counter = `sigra:{loginAccount:${email}}:${Math.floor(NOW / 60_000)}`
    t.after(async () => {
      await clients[0].del(counter)
      await Promise.all(clients.map((c) => c.quit()))
    })
    const shared = { loginAccount: { points: 4, duration: 60 } }
    const clock = testClock(new Date(NOW))
    const a = (await env().makeSigra({ clock, rateLimit: { store: redisStore(clients[0]), rules: shared } })).sigra
    const b = (await env().makeSigra({ clock, rateLimit: { store: redisStore(clients[1]), rules: shared } })).sigra

    const seen: string[] = []
    for (const server of [a, b, a, b, a, b]) {
      const result = await server.auth.logIn({ login: email, password: WRONG })
      seen.push(result.ok ? 'ok' : result.error)
    }
    assert.deepEqual(seen, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'rate_limited', 'rate_limited'])
    assert.equal(await clients[1].get(counter), '6', 'every attempt was counted in Redis')
    const ttl = await clients[1].pttl(counter)
    assert.ok(ttl > 110_000 && ttl <= 120_000, `expires on its own after two windows (pttl ${ttl})`)
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
    const { rows } = await pools[0].query<{ count: number }>(`SELECT count FROM "${schema}".sigra_rate_windows WHERE key = $1`, [`sigra:loginAccount:${email}`])
    assert.deepEqual(rows, [{ count: 5 }], 'every attempt was counted in the table, in one window')
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

/** A rule name and key of their own per test: Redis db 15 and the PostgreSQL tables are shared by runs. */
function unique(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`
}

/** A store of each kind the environment offers; `skip` says why one is missing. */
interface StoreKind {
  kind: 'memory' | 'redis' | 'postgres'
  skip?: string
  /** A new store on the shared backend (a second call: as a second app server would). */
  open(t: TestContext): Promise<RateLimitStore>
}

function redisClient(t: TestContext): Redis {
  const client = new Redis(process.env.SIGRA_TEST_REDIS_URL!)
  t.after(() => client.quit())
  return client
}

function pgPool(t: TestContext): pg.Pool {
  const pool = new pg.Pool({ connectionString: process.env.SIGRA_TEST_DATABASE_URL, max: 2 })
  t.after(() => pool.end())
  return pool
}

/** A fresh schema for one test, dropped after it. */
async function pgSchema(t: TestContext): Promise<{ pool: pg.Pool; schema: string }> {
  const pool = new pg.Pool({ connectionString: process.env.SIGRA_TEST_DATABASE_URL, max: 2 })
  const schema = unique('rl_')
  await pool.query(`CREATE SCHEMA "${schema}"`)
  t.after(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })
  return { pool, schema }
}

const pgSchemas = new WeakMap<TestContext, Promise<{ pool: pg.Pool; schema: string }>>()

const STORES: StoreKind[] = [
  { kind: 'memory', open: async () => memoryStore() },
  {
    kind: 'redis',
    ...(process.env.SIGRA_TEST_REDIS_URL ? {} : { skip: 'SIGRA_TEST_REDIS_URL is not set' }),
    open: async (t) => redisStore(redisClient(t)),
  },
  {
    kind: 'postgres',
    ...(process.env.SIGRA_TEST_DATABASE_URL ? {} : { skip: 'SIGRA_TEST_DATABASE_URL is not set' }),
    open: async (t) => {
      // One schema per test, shared by the stores the test opens.
      if (!pgSchemas.has(t)) pgSchemas.set(t, pgSchema(t))
      const { schema } = await pgSchemas.get(t)!
      return postgresStore(pgPool(t), { schema })
    },
  },
]

for (const store of STORES) {
  describe(`RateLimiter on the ${store.kind} store`, { skip: store.skip ?? false }, () => {
    test('the window boundary follows the injected clock: N allowed, N+1 refused, allowed again after retryAfter', async (t) => {
      const rule = unique('probe')
      // 17 s into a minute: the sliding window straddles two fixed ones.
      const clock = testClock(new Date(NOW + 17_000))
      const limiter = new RateLimiter(await store.open(t), { [rule]: { points: 3, duration: 60 } }, { clock })
      const key = unique('k')
      for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.consume(rule, key), { ok: true })
      // 4 counted this minute; in the next one they weigh 4 × (60 − e)/60, and one more fits once
      // that is ≤ 2: 30 s into it, 43 + 30 = 73 s from now.
      assert.deepEqual(await limiter.consume(rule, key), { ok: false, retryAfter: 73 })
      clock.advance(72)
      assert.deepEqual(await limiter.peek(rule, key), { ok: false, retryAfter: 1 }, 'a second early it is still refused')
      clock.advance(1)
      assert.deepEqual(await limiter.consume(rule, key), { ok: true })
    })

    test('peek counts nothing; penalize counts without refusing', async (t) => {
      const rule = unique('probe')
      const limiter = new RateLimiter(await store.open(t), { [rule]: { points: 3, duration: 60 } }, { clock: testClock(new Date(NOW)) })
      const peeked = unique('k')
      for (let i = 0; i < 5; i++) assert.deepEqual(await limiter.peek(rule, peeked), { ok: true })
      for (let i = 0; i < 3; i++) assert.deepEqual(await limiter.consume(rule, peeked), { ok: true }, 'peeks spent nothing')
      assert.equal((await limiter.peek(rule, peeked)).ok, false, 'the next attempt would be refused')

      const penalized = unique('k')
      for (let i = 0; i < 5; i++) assert.equal(await limiter.penalize(rule, penalized), undefined)
      assert.equal((await limiter.peek(rule, penalized)).ok, false)
      assert.equal((await limiter.consume(rule, penalized)).ok, false, 'penalties were counted')
      assert.deepEqual(await limiter.consume(rule, unique('k')), { ok: true }, 'other keys keep their budget')
    })

    if (store.kind !== 'memory') {
      test('two limiters on one shared store share counts', async (t) => {
        const rule = unique('probe')
        const rules = { [rule]: { points: 3, duration: 60 } }
        const clock = testClock(new Date(NOW))
        const a = new RateLimiter(await store.open(t), rules, { clock })
        const b = new RateLimiter(await store.open(t), rules, { clock })
        const key = unique('k')
        const seen: boolean[] = []
        for (const limiter of [a, b, a, b, a]) seen.push((await limiter.consume(rule, key)).ok)
        assert.deepEqual(seen, [true, true, true, false, false])
        await a.penalize(rule, unique('k')) // another key: no effect on this one
        assert.equal((await b.peek(rule, key)).ok, false)
      })
    }
  })
}

describe('RateLimiter', () => {
  test('msUntilFits is exact: one more attempt fits after that many ms, and not a millisecond sooner', () => {
    const D = 10_000
    /** The counts `t` ms from now if nothing is counted meanwhile: windows roll over. */
    const later = (counts: WindowCounts, elapsed: number, t: number): [WindowCounts, number] => {
      const at = elapsed + t
      if (at < D) return [counts, at]
      if (at < 2 * D) return [{ current: 0, previous: counts.current }, at - D]
      return [{ current: 0, previous: 0 }, at % D]
    }
    for (const points of [1, 2, 3, 5]) {
      for (let current = 0; current <= 7; current++) {
        for (let previous = 0; previous <= 7; previous++) {
          for (const elapsed of [0, 1, 2_500, 3_333, 9_999]) {
            const counts = { current, previous }
            const t = msUntilFits(counts, elapsed, D, points)
            assert.ok(fits(...later(counts, elapsed, t), D, points), `fits after ${t} ms: ${JSON.stringify({ points, current, previous, elapsed })}`)
            if (t > 0) assert.ok(!fits(...later(counts, elapsed, t - 1), D, points), `not before ${t} ms: ${JSON.stringify({ points, current, previous, elapsed })}`)
          }
        }
      }
    }
  })

  test('a rule set to false, and off: true, always answer ok; an unknown rule throws', async () => {
    const clock = testClock(new Date(NOW))
    const limiter = new RateLimiter(memoryStore(), { on: { points: 1, duration: 60 }, none: false }, { clock })
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(await limiter.consume('none', 'k'), { ok: true })
      assert.deepEqual(await limiter.peek('none', 'k'), { ok: true })
    }
    await assert.rejects(() => limiter.consume('nope', 'k'), /unknown rate limit nope/)
    await assert.rejects(() => limiter.peek('nope', 'k'), /unknown rate limit nope/)
    await assert.rejects(() => limiter.penalize('nope', 'k'), /unknown rate limit nope/)
    const off = new RateLimiter(memoryStore(), { on: { points: 1, duration: 60 } }, { off: true, clock })
    for (let i = 0; i < 3; i++) assert.deepEqual(await off.consume('on', 'k'), { ok: true })
  })

  test('consumeAll charges every budget and answers the longest wait', async () => {
    const clock = testClock(new Date(NOW))
    const limiter = new RateLimiter(memoryStore(), { short: { points: 1, duration: 10 }, long: { points: 1, duration: 60 } }, { clock })
    assert.deepEqual(await limiter.consumeAll([['short', 'a'], ['long', 'b'], ['long', null]]), { ok: true })
    // Both spent (2 counted of 1): with 1 point the previous window must weigh nothing, so each waits
    // until two windows from now; the long one's 120 s wins over the short one's 20 s.
    assert.deepEqual(await limiter.consumeAll([['short', 'a'], ['long', 'b']]), { ok: false, retryAfter: 120 })
    clock.advance(20)
    assert.equal((await limiter.peek('short', 'a')).ok, true)
    assert.equal((await limiter.peek('long', 'b')).ok, false, 'both were charged')
  })

  test('rules must have whole points of at least 1 and a positive duration', () => {
    assert.throws(() => new RateLimiter(memoryStore(), { bad: { points: 0, duration: 60 } }), /rate limit bad/)
    assert.throws(() => new RateLimiter(memoryStore(), { bad: { points: 1, duration: 0 } }), /rate limit bad/)
  })

  test('the memory store stays bounded: past maxKeys the least recently counted keys are forgotten', async () => {
    const clock = testClock(new Date(NOW))
    const limiter = new RateLimiter(memoryStore({ maxKeys: 10 }), { one: { points: 1, duration: 60 } }, { clock })
    for (let i = 0; i <= 10; i++) assert.deepEqual(await limiter.consume('one', `k${i}`), { ok: true })
    // The 11th key pushed it past 10: it dropped to 9, the oldest first.
    assert.deepEqual(await limiter.consume('one', 'k0'), { ok: true }, 'k0 was forgotten')
    assert.equal((await limiter.consume('one', 'k10')).ok, false, 'k10 is still counted')
  })

  test('redisStore: the store failing falls back to the insurance memory limiter, which still limits on the clock', async (t) => {
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true })
    client.on('error', () => {})
    t.after(() => client.disconnect())
    const clock = testClock(new Date(NOW))
    const limiter = new RateLimiter(redisStore(client), { probe: { points: 2, duration: 60 } }, { clock })
    assert.deepEqual(await limiter.peek('probe', 'k'), { ok: true })
    assert.deepEqual(await limiter.consume('probe', 'k'), { ok: true })
    await limiter.penalize('probe', 'k')
    const refused = await limiter.consume('probe', 'k')
    assert.deepEqual(refused, { ok: false, retryAfter: 100 })
    clock.advance(100)
    assert.deepEqual(await limiter.consume('probe', 'k'), { ok: true })
  })

  test('useRedisPackage: a node-redis client (sendCommand) counts in the same keys as ioredis', async (t) => {
    if (!process.env.SIGRA_TEST_REDIS_URL) {
      t.skip('SIGRA_TEST_REDIS_URL is not set')
      return
    }
    const ioredis = redisClient(t)
    // node-redis v4+ sends raw commands as `sendCommand(args)`; ioredis's `call` does the same.
    const nodeRedisLike = { sendCommand: (args: string[]) => ioredis.call(args[0]!, ...args.slice(1)) }
    const rule = unique('probe')
    const rules = { [rule]: { points: 2, duration: 60 } }
    const clock = testClock(new Date(NOW))
    const a = new RateLimiter(redisStore(nodeRedisLike, { useRedisPackage: true }), rules, { clock })
    const b = new RateLimiter(redisStore(ioredis), rules, { clock })
    assert.deepEqual(await a.consume(rule, 'k'), { ok: true })
    assert.deepEqual(await b.consume(rule, 'k'), { ok: true })
    assert.equal((await a.peek(rule, 'k')).ok, false)
    assert.equal((await a.consume(rule, 'k')).ok, false)
  })

  test('postgresStore: a pool that cannot connect falls back to the insurance memory limiter', async (t) => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: await closedPort(), user: 'postgres', database: 'nowhere', connectionTimeoutMillis: 2000 })
    t.after(() => pool.end())
    const clock = testClock(new Date(NOW))
    const limiter = new RateLimiter(postgresStore(pool), { probe: { points: 2, duration: 60 } }, { clock })
    const seen: boolean[] = []
    for (let i = 0; i < 3; i++) seen.push((await limiter.consume('probe', 'k')).ok)
    assert.deepEqual(seen, [true, true, false])
    assert.equal((await limiter.peek('probe', 'k')).ok, false)
    await limiter.penalize('probe', 'k')
  })

  test('postgresStore: the table is created once even when instances start together', async (t) => {
    if (!process.env.SIGRA_TEST_DATABASE_URL) {
      t.skip('SIGRA_TEST_DATABASE_URL is not set')
      return
    }
    const { pool, schema } = await pgSchema(t)
    const clock = testClock(new Date(NOW))
    const limiters = Array.from({ length: 4 }, () => new RateLimiter(postgresStore(pool, { schema }), { probe: { points: 10, duration: 60 } }, { clock }))
    await Promise.all(limiters.map((l) => l.consume('probe', 'k')))
    const { rows } = await pool.query(`SELECT count FROM "${schema}".sigra_rate_windows WHERE key = 'sigra:probe:k'`)
    assert.deepEqual(rows, [{ count: 4 }], 'every instance counted in the table, none fell back to memory')
  })

  test('postgresStore: old windows are swept by later attempts, rule by rule', async (t) => {
    if (!process.env.SIGRA_TEST_DATABASE_URL) {
      t.skip('SIGRA_TEST_DATABASE_URL is not set')
      return
    }
    const { pool, schema } = await pgSchema(t)
    const clock = testClock(new Date(NOW))
    const rules = { minute: { points: 10, duration: 60 }, hour: { points: 10, duration: 3600 } }
    const first = new RateLimiter(postgresStore(pool, { schema }), rules, { clock })
    for (const key of ['a', 'b', 'c']) await first.consume('minute', key)
    await first.consume('hour', 'a')
    clock.advance(60)
    await first.consume('minute', 'a')
    clock.advance(60)
    // A store sweeps on its first attempt (and one in a hundred after): a new instance, as after a restart.
    await new RateLimiter(postgresStore(pool, { schema }), rules, { clock }).consume('minute', 'd')
    const { rows } = await pool.query<{ key: string; window: string }>(`SELECT key, "window"::text FROM "${schema}".sigra_rate_windows ORDER BY key, "window"`)
    const minute = Math.floor(NOW / 60_000)
    assert.deepEqual(rows, [
      { key: 'sigra:hour:a', window: String(Math.floor(NOW / 3_600_000)) }, // another rule: its window is still current
      { key: 'sigra:minute:a', window: String(minute + 1) }, // the previous window still weighs
      { key: 'sigra:minute:d', window: String(minute + 2) },
    ])
  })
})
