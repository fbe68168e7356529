import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { createSigra, type MailTransport, type OutgoingMail, type Sigra } from 'sigra'
import { postgres } from 'sigra/postgres'
import { grantSudo, latestMail, testClock, type TestClock } from 'sigra/testing'
import { isDatabaseUnavailable } from '../src/kernel/db/unavailable.ts'
import { fastPasswordHasher } from '../src/testing/fast-hasher.ts'
import { faultPool } from './support/fault-pool.ts'
import { GOOD_PASSWORD, SECRET, uniqueEmail } from './support/harness.ts'

const URL = process.env.SIGRA_TEST_DATABASE_URL
/** Every flow writes its audit row last, in the transaction of its change: the latest point to fail. */
const AUDIT_INSERT = /insert into "[^"]+"\."audit_events"/
const unavailable = (error: unknown) => {
  assert.ok(isDatabaseUnavailable(error), `a retryable database error, not: ${String(error)}`)
  return true
}

/**
 * The database connection killed (pg_terminate_backend) at a chosen statement inside each multi-step
 * flow: the flow commits whole or not at all, the caller gets a retryable error, and the retry
 * succeeds. Needs the real PostgreSQL (a PGlite cannot lose a connection): CI sets
 * SIGRA_TEST_DATABASE_URL; without it this file says so and runs nothing.
 */
describe('database connection killed mid-flow [postgres]', { skip: URL ? false : 'needs SIGRA_TEST_DATABASE_URL (the real PostgreSQL): a PGlite has no connection to lose' }, () => {
  let faults: ReturnType<typeof faultPool>
  let sigra: Sigra
  let clock: TestClock
  const sent: OutgoingMail[] = []
  const capture: MailTransport = { name: 'capture', keepsBodies: false, send: async (mail) => void sent.push(mail) }
  const schema = `t_faults_${randomBytes(5).toString('hex')}`

  before(async () => {
    faults = faultPool(URL!)
    clock = testClock()
    sigra = await createSigra({
      database: postgres(faults.pool),
      secret: SECRET,
      baseUrl: 'http://localhost:3000',
      appName: 'Acme',
      schema,
      clock,
      passwordHasher: fastPasswordHasher(),
      allowWeakPasswordHashing: true,
      mailer: capture,
    })
    await sigra.migrate()
  })
  after(async () => {
    await sigra.close()
    await faults.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
    await faults.end()
  })

  const count = async (table: 'users' | 'sessions' | 'mail_outbox' | 'audit_events', column: string, value: string) => {
    const row = await sigra.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where(column as never, '=', value as never).executeTakeFirstOrThrow()
    return Number(row.n)
  }
  const confirmed = async () => {
    const email = uniqueEmail('fault')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD, ip: '192.0.2.1' })).ok)
    const { token } = await latestMail(sigra, email)
    assert.ok(token, 'the mail carries a link with a token')
    assert.ok((await sigra.auth.confirmEmail(token)).ok)
    clock.advance(1) // the next mail is then the newest by time, not just by id
    return email
  }

  test('register: nothing of the account exists after the failure, and the retry creates it once', async () => {
    const email = uniqueEmail('reg')
    faults.killBefore(AUDIT_INSERT)
    await assert.rejects(sigra.auth.register({ email, password: GOOD_PASSWORD, ip: '192.0.2.2' }), unavailable)
    assert.equal(faults.fired, 1)
    assert.equal(await count('users', 'email', email), 0)
    assert.equal(await count('mail_outbox', 'to_address', email), 0)
    const again = await sigra.auth.register({ email, password: GOOD_PASSWORD, ip: '192.0.2.2' })
    assert.ok(again.ok)
    assert.equal(await count('users', 'email', email), 1)
    assert.equal(await count('mail_outbox', 'to_address', email), 1)
    assert.equal(await count('audit_events', 'user_id', again.user.id), 1)
  })

  test('log in: no session and no half-counted attempt; the retry signs in', async () => {
    const email = await confirmed()
    const user = await sigra.db.selectFrom('users').select(['id', 'last_login_at']).where('email', '=', email).executeTakeFirstOrThrow()
    faults.killBefore(AUDIT_INSERT)
    await assert.rejects(sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '192.0.2.3' }), unavailable)
    assert.equal(await count('sessions', 'user_id', user.id), 0)
    const row = await sigra.db.selectFrom('users').select(['last_login_at', 'failed_login_attempts']).where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.deepEqual(row, { last_login_at: user.last_login_at, failed_login_attempts: 0 })
    const retry = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '192.0.2.3' })
    assert.ok(retry.ok)
    assert.equal(await count('sessions', 'user_id', user.id), 1)
  })

  test('password reset: the token is not spent and the password not changed; the retry resets', async () => {
    const email = await confirmed()
    assert.ok((await sigra.auth.requestPasswordReset(email, { ip: '192.0.2.4' })).ok)
    const { token } = await latestMail(sigra, email)
    assert.ok(token, 'the mail carries a link with a token')
    faults.killBefore(AUDIT_INSERT)
    await assert.rejects(sigra.auth.resetPassword(token, { password: 'a different passphrase 31' }), unavailable)
    assert.ok((await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '192.0.2.5' })).ok, 'the old password still works')
    assert.ok((await sigra.auth.resetPassword(token, { password: 'a different passphrase 31' })).ok, 'the same link works on retry')
    assert.ok((await sigra.auth.logIn({ login: email, password: 'a different passphrase 31', ip: '192.0.2.6' })).ok)
  })

  test('email change confirmation: the address stays until the retry changes it', async () => {
    const email = await confirmed()
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '192.0.2.7' })
    assert.ok(login.ok)
    const session = await grantSudo(sigra, login.session)
    const next = uniqueEmail('moved')
    assert.ok((await sigra.account.requestEmailChange(login.user, next, { session })).ok)
    const { token } = await latestMail(sigra, next)
    assert.ok(token, 'the mail carries a link with a token')
    faults.killBefore(AUDIT_INSERT)
    await assert.rejects(sigra.account.confirmEmailChange(token), unavailable)
    const row = await sigra.db.selectFrom('users').select(['email', 'pending_email']).where('id', '=', login.user.id).executeTakeFirstOrThrow()
    assert.deepEqual(row, { email, pending_email: next })
    assert.ok((await sigra.account.confirmEmailChange(token)).ok)
    assert.equal((await sigra.db.selectFrom('users').select('email').where('id', '=', login.user.id).executeTakeFirstOrThrow()).email, next)
  })

  test('deletion sweep: the account is deleted exactly once, by the next sweep', async () => {
    const email = await confirmed()
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '192.0.2.8' })
    assert.ok(login.ok)
    assert.ok((await sigra.account.scheduleDeletion(login.user, { session: await grantSudo(sigra, login.session) })).ok)
    clock.advance(15 * 86_400)
    faults.killBefore(AUDIT_INSERT)
    const first = await sigra.jobs.runDue()
    assert.deepEqual(first.deletions, { deleted: 0, failed: 1 })
    const still = await sigra.db.selectFrom('users').select(['deleted_at', 'email']).where('id', '=', login.user.id).executeTakeFirstOrThrow()
    assert.deepEqual(still, { deleted_at: null, email })
    const second = await sigra.jobs.runDue()
    assert.deepEqual(second.deletions, { deleted: 1, failed: 0 })
    const third = await sigra.jobs.runDue()
    assert.deepEqual(third.deletions, { deleted: 0, failed: 0 })
    const executed = await sigra.db.selectFrom('audit_events').select('id').where('user_id', '=', login.user.id).where('action', '=', 'account.deletion_execute').execute()
    assert.equal(executed.length, 1)
  })

  test('mail delivery: a crash between "sent" and "marked sent" sends again with the same Message-ID, then never again', async () => {
    const email = uniqueEmail('mail')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD, ip: '192.0.2.9' })).ok)
    sent.length = 0
    faults.killBefore(/update "[^"]+"\."mail_outbox" set "status" = \$1, "attempts" = \$2, "sent_at"/)
    await assert.rejects(sigra.jobs.runDue(), unavailable)
    assert.equal(sent.filter((m) => m.to === email).length, 1, 'it went out')
    const row = await sigra.db.selectFrom('mail_outbox').select(['status', 'leased_until']).where('to_address', '=', email).executeTakeFirstOrThrow()
    assert.equal(row.status, 'pending')
    assert.ok(row.leased_until, 'still leased: no other worker sends it meanwhile')
    await sigra.jobs.runDue()
    assert.equal(sent.filter((m) => m.to === email).length, 1, 'not before the lease runs out')
    clock.advance(301)
    await sigra.jobs.runDue()
    const copies = sent.filter((m) => m.to === email)
    assert.equal(copies.length, 2, 'at-least-once: sent again')
    assert.ok(copies[0]!.messageId && copies[0]!.messageId === copies[1]!.messageId, 'with the same Message-ID')
    await sigra.jobs.runDue()
    clock.advance(3600)
    await sigra.jobs.runDue()
    assert.equal(sent.filter((m) => m.to === email).length, 2, 'then never again')
  })
})
