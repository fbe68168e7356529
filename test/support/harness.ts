import { PGlite } from '@electric-sql/pglite'
import { randomBytes } from 'node:crypto'
import { after, before, describe } from 'node:test'
import pg from 'pg'
import { createSigra, type AnyFeature, type CreateSigraOptions, type Sigra } from 'sigra'
import { pglite } from 'sigra/pglite'
import { postgres } from 'sigra/postgres'
import { fastPasswordHasher } from '../../src/testing/fast-hasher.ts'
import { testClock, type TestClock } from '../../src/testing/test-clock.ts'

export type Backend = 'pglite' | 'postgres'

/** PGlite always; the real PostgreSQL server too when SIGRA_TEST_DATABASE_URL is set. */
export function backends(): Backend[] {
  return process.env.SIGRA_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite']
}

export interface TestEnv {
  backend: Backend
  /** A Sigra on a fresh schema with a frozen clock and the fast hasher. */
  sigra: Sigra
  clock: TestClock
  /**
   * Another Sigra on its own fresh schema (same database), for tests that need other options.
   * `migrate: false` leaves the schema unmigrated (for tests of the migration guard); pass
   * `schema` to open an existing one instead.
   */
  makeSigra<const F extends readonly AnyFeature[] = []>(
    overrides?: Partial<CreateSigraOptions<F>> & { clock?: TestClock; migrate?: boolean },
  ): Promise<{ sigra: Sigra<F>; clock: TestClock }>
}

export const SECRET = 'test-secret-that-is-long-enough-0123456789'
let counter = 0
/** A fresh address per call, so tests sharing a database never collide. */
export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}@example.com`
}
export const GOOD_PASSWORD = 'correct horse battery staple'

/**
 * Runs `body` once per backend. One database per file and backend (PGlite takes seconds to
 * start); every Sigra gets its own schema, so tests are isolated by schema and by address.
 */
export function describeEachBackend(name: string, body: (env: () => TestEnv) => void): void {
  for (const backend of backends()) {
    describe(`${name} [${backend}]`, () => {
      let env: TestEnv | undefined
      const instances: Array<{ close(): Promise<void> }> = []
      const schemas: string[] = []
      let pgliteDb: PGlite | undefined
      let pool: pg.Pool | undefined

      const makeSigra: TestEnv['makeSigra'] = async <const F extends readonly AnyFeature[] = []>({
        migrate = true,
        ...overrides
      }: Partial<CreateSigraOptions<F>> & { clock?: TestClock; migrate?: boolean } = {}) => {
        const clock = overrides.clock ?? testClock()
        const schema = `t_${randomBytes(6).toString('hex')}`
        schemas.push(schema)
        const sigra = await createSigra<F>({
          database: backend === 'pglite' ? pglite(pgliteDb) : postgres(pool!),
          secret: SECRET,
          baseUrl: 'http://localhost:3000',
          appName: 'Acme',
          schema,
          passwordHasher: fastPasswordHasher(),
          allowWeakPasswordHashing: true,
          ...overrides,
          clock,
        })
        instances.push(sigra)
        if (migrate) await sigra.migrate()
        return { sigra, clock }
      }

      before(async () => {
        if (backend === 'pglite') pgliteDb = await PGlite.create()
        else pool = new pg.Pool({ connectionString: process.env.SIGRA_TEST_DATABASE_URL, max: 8 })
        const first = await makeSigra()
        env = { backend, ...first, makeSigra }
      })
      after(async () => {
        for (const sigra of instances) await sigra.close()
        if (pool) {
          for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
          await pool.end()
        }
        await pgliteDb?.close()
      })
      body(() => {
        if (!env) throw new Error('test environment not ready')
        return env
      })
    })
  }
}

/** The newest mail to an address, with its first link pulled out. */
export async function latestMail(sigra: Sigra, to: string): Promise<{ subject: string; text: string; html: string; link: string | null; token: string | null }> {
  const mails = await sigra.mail.outbox({ to })
  const mail = mails.at(-1)
  if (!mail) throw new Error(`no mail to ${to}`)
  const link = /https?:\/\/\S+/.exec(mail.text)?.[0] ?? null
  const token = link ? new URL(link).searchParams.get('token') : null
  return { subject: mail.subject, text: mail.text, html: mail.html, link, token }
}

/** Registers, confirms and logs in a user; returns everything a test needs. */
export async function signedInUser(sigra: Sigra, options: { email?: string; password?: string; ip?: string; userAgent?: string } = {}) {
  const email = options.email ?? uniqueEmail()
  const password = options.password ?? GOOD_PASSWORD
  const registered = await sigra.auth.register({ email, password })
  if (!registered.ok) throw new Error(`register failed: ${JSON.stringify(registered)}`)
  const { token: confirmToken } = await latestMail(sigra, email)
  const confirmed = await sigra.auth.confirmEmail(confirmToken!)
  if (!confirmed.ok) throw new Error('confirm failed')
  const login = await sigra.auth.logIn({ login: email, password, ip: options.ip ?? '203.0.113.7', userAgent: options.userAgent ?? 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15' })
  if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login)}`)
  return { email, password, user: login.user, session: login.session, token: login.token }
}
