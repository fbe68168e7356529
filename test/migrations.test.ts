import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { createSigra, SigraError, type Sigra, type SigraOptions } from 'sigra'
import { pglite } from 'sigra/pglite'
import { describeEachBackend, GOOD_PASSWORD, SECRET, uniqueEmail } from './support/harness.ts'

/** Asserts a promise rejects with a SigraError of this code; returns the error for more checks. */
async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<SigraError> {
  let caught: unknown
  await assert.rejects(promise, (error: unknown) => ((caught = error), true))
  assert.ok(caught instanceof SigraError, `expected a SigraError, got ${String(caught)}`)
  assert.equal(caught.code, code)
  return caught
}

/** The migration ledger of a Sigra's schema (outside the typed Database, so raw SQL). */
const ledger = (sigra: Sigra) => sql.raw(`"${sigra.config.schema}".sigra_migrations`)

describeEachBackend('migrations', (env) => {
  test('migrate() applies core\'s migrations in order, then is a no-op', async () => {
    const { sigra } = await env().makeSigra({ migrate: false })
    assert.deepEqual(await sigra.migrate(), { applied: ['0001_foundation', '0002_sign_in_steps', '0003_login_throttles', '0004_suspension_and_impersonation'] })
    assert.deepEqual(await sigra.migrate(), { applied: [] })
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })).ok)
  })

  test('before migrate(), every call on a fresh schema throws pending_migrations naming the fix', async () => {
    const { sigra } = await env().makeSigra({ migrate: false })
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['auth.register', () => sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })],
      ['auth.logIn', () => sigra.auth.logIn({ login: uniqueEmail(), password: GOOD_PASSWORD })],
      ['sessions.validate', () => sigra.sessions.validate('anything')],
      ['auth.requestPasswordReset', () => sigra.auth.requestPasswordReset(uniqueEmail())],
      ['mail.outbox', () => sigra.mail.outbox()],
      ['audit.list', () => sigra.audit.list()],
      ['jobs.runDue', () => sigra.jobs.runDue()],
    ]
    for (const [name, call] of calls) {
      const error = await rejectsWithCode(call(), 'pending_migrations')
      assert.ok(error.message.includes('0001_foundation'), `${name}: the message names the migration`)
      assert.ok(/sigra migrate|sigra\.migrate\(\)/.test(error.message), `${name}: the message says how to fix it`)
    }
    await sigra.migrate()
    assert.deepEqual(await sigra.mail.outbox(), [])
  })

  test('createSigra refuses a schema whose ledger exists but lacks a migration', async () => {
    const { sigra } = await env().makeSigra()
    // Simulates an older install: the ledger records what that version applied, and the package
    // now ships a migration it does not list. Sigra ships only 0001 so far, so the "older"
    // history is a ledger row for a migration before it, and 0001 is taken out of the ledger.
    // (Deleting 0001 alone would leave an empty ledger — the same as a fresh schema whose first
    // migration never committed, which createSigra rightly accepts so migrate() can run.)
    await sql`INSERT INTO ${ledger(sigra)} (name, timestamp) VALUES ('0000_older_release', now())`.execute(sigra.db)
    await sql`DELETE FROM ${ledger(sigra)} WHERE name = '0001_foundation'`.execute(sigra.db)

    const error = await rejectsWithCode(env().makeSigra({ schema: sigra.config.schema, migrate: false }), 'pending_migrations')
    assert.ok(error.message.includes('0001_foundation'), 'the message names the missing migration')
    assert.ok(/sigra migrate|sigra\.migrate\(\)/.test(error.message), 'and says how to fix it')
  })

  test('invalid configuration throws invalid_config at createSigra', async () => {
    const base: SigraOptions = { database: pglite(), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' }
    const bad: Array<[string, Partial<SigraOptions>]> = [
      ['short secret', { secret: 'too-short' }],
      ['secret not a string', { secret: 42 as never }],
      ['baseUrl not a URL', { baseUrl: 'not a url' }],
      ['baseUrl missing', { baseUrl: undefined as never }],
      ['password.minLength 6', { password: { minLength: 6 } }],
      ['empty appName', { appName: '' }],
      ['schema not an identifier', { schema: 'Robert"; DROP TABLE users; --' }],
      ['no database', { database: undefined as never }],
    ]
    for (const [label, override] of bad) {
      // pglite() opens nothing until used, and a bad configuration is refused before any use.
      const error = await rejectsWithCode(createSigra({ ...base, ...override }), 'invalid_config')
      assert.ok(!error.message.includes(SECRET), `${label}: the message does not echo the secret`)
    }
  })
})
