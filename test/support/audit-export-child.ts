/**
 * Run by test/admin-export-memory.test.ts in its own process (`--expose-gc`, a small heap): seeds
 * 100,000 audit events on a fresh schema, streams the CSV export to a byte counter, and prints what it
 * measured as one JSON line. A buffering export would outgrow the heap limit and crash.
 */
import { PGlite } from '@electric-sql/pglite'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { createSigra } from 'sigra'
import { admin, SYSTEM_ACTOR } from 'sigra/admin'
import { pglite } from 'sigra/pglite'
import { postgres } from 'sigra/postgres'
import { fastPasswordHasher } from '../../src/testing/fast-hasher.ts'

const EVENTS = 100_000
const backend = process.argv[2]
const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')

const pool = backend === 'postgres' ? new pg.Pool({ connectionString: process.env.SIGRA_TEST_DATABASE_URL, max: 2 }) : null
const lite = backend === 'pglite' ? await PGlite.create() : null
const schema = `t_export_${randomBytes(5).toString('hex')}`
const sigra = await createSigra({
  database: pool ? postgres(pool) : pglite(lite!),
  secret: 'test-secret-that-is-long-enough-0123456789',
  baseUrl: 'http://localhost:3000',
  appName: 'Acme',
  schema,
  passwordHasher: fastPasswordHasher(),
  allowWeakPasswordHashing: true,
  features: [admin()],
})
try {
  await sigra.migrate()
  // Server-side generation: 100,000 rows, each with ~400 characters of metadata and a user agent.
  await sql`
    INSERT INTO ${sql.table(`${schema}.audit_events`)} (occurred_at, action, outcome, actor_id, actor_type, user_id, ip, user_agent, metadata)
    SELECT now() - (g || ' seconds')::interval, 'account.login', 'success', gen_random_uuid(), 'user', gen_random_uuid(), '198.51.100.7',
           'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0', jsonb_build_object('n', g, 'pad', repeat('x', 400))
    FROM generate_series(1, ${EVENTS}) AS g`.execute(sigra.db)
  gc()
  const baseline = process.memoryUsage().heapUsed
  let peak = 0
  let bytes = 0
  let lines = 0
  for await (const line of sigra.admin.auditCsv(SYSTEM_ACTOR, { action: 'account.login' })) {
    bytes += Buffer.byteLength(line)
    if (++lines % 5_000 === 0) {
      gc()
      peak = Math.max(peak, process.memoryUsage().heapUsed - baseline)
    }
  }
  console.log(JSON.stringify({ lines, bytes, peakHeapGrowth: peak }))
} finally {
  if (pool) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await sigra.close()
  await pool?.end()
  await lite?.close()
}
