import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { createSigra, type Sigra } from 'sigra'
import { pglite } from 'sigra/pglite'
import { postgres } from 'sigra/postgres'

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/sigra_test'
export const BENCH_PASSWORD = 'correct horse battery staple'
export const BENCH_IP = '203.0.113.7'
export const BENCH_USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15'
/**
 * The defaults (10 per account, 30 per IP, per minute) would refuse the repeated logins of one
 * account this bench makes; every other rule keeps its default.
 */
export const BENCH_LOGIN_LIMIT = { points: 1_000_000, duration: 60 } as const

export interface PostgresTarget {
  url: string
  /** Where the URL came from. */
  source: 'SIGRA_BENCH_DATABASE_URL' | 'default local URL'
  serverVersion: string
}

export type PostgresProbe = { found: true; target: PostgresTarget } | { found: false; reason: string }

/** A URL safe to print: the password, if any, is masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '(unparseable URL)'
  }
}

/**
 * SIGRA_BENCH_DATABASE_URL when set (it must answer), else the default local URL when it answers
 * within two seconds, else none.
 */
export async function findPostgres(): Promise<PostgresProbe> {
  const fromEnv = process.env.SIGRA_BENCH_DATABASE_URL
  const url = fromEnv || DEFAULT_POSTGRES_URL
  const source = fromEnv ? 'SIGRA_BENCH_DATABASE_URL' : 'default local URL'
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    const result = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    return { found: true, target: { url, source, serverVersion: result.rows[0]?.v ?? 'unknown' } }
  } catch (error) {
    const reason = `${source} ${redactUrl(url)} did not answer: ${error instanceof Error ? error.message : String(error)}`
    if (fromEnv) throw new Error(reason, { cause: error })
    return { found: false, reason }
  } finally {
    await client.end().catch(() => {})
  }
}

export interface BenchSetup {
  sigra: Sigra
  schema: string
  email: string
  /** A live session token for that user. */
  token: string
  sessionId: string
  /** The user's stored password hash (what logIn verifies against). */
  hash: string
  teardown(): Promise<void>
}

/**
 * A Sigra on a fresh schema with the production hasher (the default: Argon2id, OWASP parameters)
 * and generous login rate limits; one registered, confirmed and logged-in user.
 */
export async function setUp(backend: { kind: 'pglite' } | { kind: 'postgres'; url: string }): Promise<BenchSetup> {
  const schema = `bench_${process.pid}_${randomBytes(4).toString('hex')}`
  const sigra = await createSigra({
    database: backend.kind === 'pglite' ? pglite() : postgres(backend.url, { max: 10 }),
    secret: 'bench-secret-that-is-long-enough-0123456789',
    baseUrl: 'http://localhost:3000',
    appName: 'Bench',
    schema,
    rateLimit: { rules: { loginAccount: BENCH_LOGIN_LIMIT, loginIp: BENCH_LOGIN_LIMIT } },
  })
  const teardown = async (): Promise<void> => {
    await sigra.close()
    if (backend.kind !== 'postgres') return
    const client = new pg.Client({ connectionString: backend.url })
    await client.connect()
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    } finally {
      await client.end()
    }
  }
  try {
    await sigra.migrate()
    const email = `bench-${randomBytes(3).toString('hex')}@example.com`
    const registered = await sigra.auth.register({ email, password: BENCH_PASSWORD, ip: BENCH_IP, userAgent: BENCH_USER_AGENT })
    if (!registered.ok) throw new Error(`register failed: ${JSON.stringify(registered)}`)
    const mail = (await sigra.mail.outbox({ to: email })).at(-1)
    const link = mail && /https?:\/\/\S+/.exec(mail.text)?.[0]
    const confirmToken = link ? new URL(link).searchParams.get('token') : null
    if (!confirmToken) throw new Error('no confirmation link in the outbox')
    const confirmed = await sigra.auth.confirmEmail(confirmToken)
    if (!confirmed.ok) throw new Error(`confirm failed: ${JSON.stringify(confirmed)}`)
    const login = await sigra.auth.logIn({ login: email, password: BENCH_PASSWORD, ip: BENCH_IP, userAgent: BENCH_USER_AGENT })
    if (!login.ok) throw new Error(`login failed: ${JSON.stringify(login)}`)
    const { hashed_password: hash } = await sigra.db.selectFrom('users').select('hashed_password').where('id', '=', login.user.id).executeTakeFirstOrThrow()
    if (hash === null) throw new Error('the bench user has no password hash')
    return { sigra, schema, email, token: login.token, sessionId: login.session.id, hash, teardown }
  } catch (error) {
    await teardown().catch(() => {})
    throw error
  }
}
