import { randomBytes } from 'node:crypto'
import type { SigraCore as Sigra } from '../facade/core-facade.ts'
import { CONTEXT } from '../kernel/context-symbol.ts'
import { createSession } from '../sessions/create-session.ts'
import { toSession, type Session } from '../sessions/session.ts'
import { toUser, type User } from '../users/user.ts'
import { latestMail } from './mailbox.ts'

export interface Fixture {
  user: User
  session: Session
  /** The session token, as a cookie would carry it. */
  token: string
  email: string
  /** Null for an OAuth-only fixture. */
  password: string | null
}

/**
 * A confirmed user with a live session, made through the public flows (register, confirm, log in),
 * so the fixture is what a real user would have. `password: null` makes an OAuth-only account
 * (no password; the session is created directly). `sudo: true` makes the session sudo-fresh.
 */
export async function createConfirmedUser(
  sigra: Sigra,
  options: { email?: string; password?: string | null; username?: string; sudo?: boolean; ip?: string; userAgent?: string } = {},
): Promise<Fixture> {
  const email = options.email ?? `user-${randomBytes(6).toString('hex')}@example.com`
  const meta = { ip: options.ip ?? nextFixtureIp(), userAgent: options.userAgent ?? 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' }
  let fixture: Fixture
  if (options.password === null) {
    const ctx = sigra[CONTEXT]
    fixture = await ctx.db.transaction().execute(async (trx) => {
      const at = ctx.config.clock()
      const row = await trx
        .insertInto('users')
        .values({ email, username: options.username ?? null, hashed_password: null, confirmed_at: at, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow()
      const { session, token } = await createSession(ctx, trx, { userId: row.id, ...meta })
      return { user: toUser(row), session, token, email, password: null }
    })
  } else {
    // Random only: a fixed word could be a word of the address, which the policy refuses inside a password.
    const password = options.password ?? `${randomBytes(9).toString('base64url')}~${randomBytes(6).toString('base64url')}`
    const registered = await sigra.auth.register({ email, password, ...(options.username ? { username: options.username } : {}), ...meta })
    if (!registered.ok) throw new Error(`createConfirmedUser: register failed (${registered.error}) ${JSON.stringify(registered.issues ?? [])}`)
    const { token: confirmToken } = await latestMail(sigra, email)
    const confirmed = await sigra.auth.confirmEmail(confirmToken ?? '')
    if (!confirmed.ok) throw new Error(`createConfirmedUser: confirm failed (${confirmed.error})`)
    const login = await sigra.auth.logIn({ login: email, password, ...meta })
    if (!login.ok) throw new Error(`createConfirmedUser: login failed (${login.error})`)
    fixture = { user: login.user, session: login.session, token: login.token, email, password }
  }
  if (options.sudo) fixture.session = await grantSudo(sigra, fixture.session)
  return fixture
}

const DOCUMENTATION_NETS = ['192.0.2', '198.51.100', '203.0.113']
let fixtureCount = 0
/**
 * A different documentation address (RFC 5737) for each fixture, so a suite creating many users on
 * one instance never spends the per-IP registration and login budgets of a single address.
 */
function nextFixtureIp(): string {
  const n = fixtureCount++ % (DOCUMENTATION_NETS.length * 254)
  return `${DOCUMENTATION_NETS[Math.floor(n / 254)]}.${(n % 254) + 1}`
}

/** Sigra.Testing's name for the same fixture. */
export const authenticatedFixture = createConfirmedUser

/** Marks a session sudo-fresh now, as a successful re-authentication would (for accounts without a password). */
export async function grantSudo(sigra: Sigra, session: Pick<Session, 'id'>): Promise<Session> {
  const ctx = sigra[CONTEXT]
  const row = await ctx.db.updateTable('sessions').set({ sudo_at: ctx.config.clock() }).where('id', '=', session.id).returningAll().executeTakeFirst()
  if (!row) throw new Error('grantSudo: no such session')
  return toSession(row, ctx.config.sessions.idleTimeout)
}
