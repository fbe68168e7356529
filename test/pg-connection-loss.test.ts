import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { sql } from 'kysely'
import pg from 'pg'
import { createSigra } from 'sigra'
import { postgres } from 'sigra/postgres'
import { fastPasswordHasher } from 'sigra/testing'
import { GOOD_PASSWORD, SECRET, uniqueEmail } from './support/harness.ts'

const URL_ = process.env.SIGRA_TEST_DATABASE_URL
const skip = URL_ ? false : 'needs the real PostgreSQL server (SIGRA_TEST_DATABASE_URL); PGlite has no server connections to lose'

/** Records what the process would have thrown: a lost connection must never be one of them. */
function watchUncaught(): { errors: unknown[]; stop: () => void } {
  const errors: unknown[] = []
  const listener = (error: unknown) => errors.push(error)
  process.on('uncaughtException', listener)
  return { errors, stop: () => process.off('uncaughtException', listener) }
}

test('a connection the server ends, idle or in the middle of a transaction, is an error for that call, never a crash; the pool recovers', { skip, timeout: 60_000 }, async () => {
  const app = `sigra-loss-${randomBytes(4).toString('hex')}`
  const url = new URL(URL_!)
  url.searchParams.set('application_name', app)
  const schema = `t_${randomBytes(6).toString('hex')}`
  let killInside = false
  const sigra = await createSigra({
    database: postgres(url.toString(), { max: 4 }),
    secret: SECRET,
    baseUrl: 'http://localhost:3000',
    appName: 'Acme',
    schema,
    passwordHasher: fastPasswordHasher(),
    allowWeakPasswordHashing: true,
    hooks: {
      // Ends its own connection in the middle of the registration's transaction.
      onRegister: async ({ trx }) => {
        if (killInside) await sql`SELECT pg_terminate_backend(pg_backend_pid())`.execute(trx)
      },
    },
  })
  const admin = new pg.Client({ connectionString: URL_ })
  await admin.connect()
  const watch = watchUncaught()
  try {
    await sigra.migrate()
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })).ok)
    // Idle connections ended from outside (a failover, an admin, a proxy's idle timeout).
    const killed = await admin.query('SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1', [app])
    assert.ok(killed.rows.length > 0, 'there were idle connections to end')
    await new Promise((resolve) => setImmediate(resolve))
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })).ok, 'the pool opens new connections')

    // A connection ended while checked out: that call fails (nothing half-written), the next works.
    killInside = true
    const email = uniqueEmail('lost')
    await assert.rejects(sigra.auth.register({ email, password: GOOD_PASSWORD }))
    killInside = false
    assert.equal((await sigra.db.selectFrom('users').select('id').where('email', '=', email).execute()).length, 0, 'rolled back')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok, 'the retry succeeds')
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.deepEqual(watch.errors, [], 'nothing escaped as an uncaught exception')
  } finally {
    watch.stop()
    await sigra.close()
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  }
})

