import { CompiledQuery } from 'kysely'
import type { SigraContext } from '../kernel/context.ts'
import type { Db } from '../kernel/db/database.ts'
import { PREPARE_MARKER } from '../kernel/db/prepared.ts'
import { constantTimeEqual, digest } from '../kernel/crypto/token.ts'
import type { SessionRow } from '../kernel/db/tables/sessions.table.ts'
import type { UserRow } from '../kernel/db/tables/users.table.ts'
import { toUser, type User } from '../users/user.ts'
import { toSession, type Session } from './session.ts'
import { parseSessionToken } from './session-token.ts'
import { pendingSteps } from './sign-in-steps.ts'
import { isDeletionDue } from '../account/account-guards.ts'

/** Why a session row is no longer usable at `at`, or null when it is. The one place these rules live. */
export function sessionExpiry(ctx: SigraContext, row: Pick<SessionRow, 'expires_at' | 'last_active_at' | 'remember_me'>, at: Date): 'absolute' | 'idle' | null {
  if (row.expires_at.getTime() <= at.getTime()) return 'absolute'
  if (!row.remember_me && row.last_active_at.getTime() + ctx.config.sessions.idleTimeout * 1000 <= at.getTime()) return 'idle'
  return null
}

const SESSION_COLUMNS = [
  's.id', 's.user_id', 's.secret_digest', 's.created_at', 's.last_active_at', 's.expires_at', 's.remember_me', 's.sudo_at',
  's.pending_steps', 's.amr', 's.ip', 's.user_agent', 's.device_label', 's.impersonator_id', 's.active_organization_id',
] as const

const USER_COLUMNS = [
  'u.email', 'u.pending_email', 'u.pending_email_expires_at', 'u.username', 'u.hashed_password', 'u.password_changed_at',
  'u.confirmed_at', 'u.must_change_password', 'u.status', 'u.failed_login_attempts', 'u.locked_until', 'u.last_login_at',
  'u.epoch', 'u.deletion_requested_at', 'u.delete_at', 'u.deleted_at', 'u.custom_fields', 'u.created_at as user_created_at',
  'u.updated_at as user_updated_at',
] as const

// Explicit columns, never `s.*`: a prepared plan must keep its result shape when a migration adds one.
const lookup = (db: Db, id: string) =>
  db.selectFrom('sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select(SESSION_COLUMNS).select(USER_COLUMNS).where('s.id', '=', id)
type LookupRow = Awaited<ReturnType<ReturnType<typeof lookup>['executeTakeFirstOrThrow']>>

/** The lookup compiled once per handle (the schema plugin bakes the schema in); only the id varies per call. */
const lookupSql = new WeakMap<Db, string>()
function lookupQuery(db: Db, id: string): CompiledQuery<LookupRow> {
  let text = lookupSql.get(db)
  if (text === undefined) lookupSql.set(db, (text = PREPARE_MARKER + lookup(db, '00000000-0000-0000-0000-000000000000').compile().sql))
  return CompiledQuery.raw(text, [id]) as CompiledQuery<LookupRow>
}

/** A live session as it stands, signed in or held at a sign-in step (`pending`, first step first). */
export interface ResolvedSession {
  user: User
  session: Session
  /** Steps still to pass; empty when the session is signed in. Same as `session.pendingSteps`. */
  pending: string[]
}

/**
 * The one enforcement point for sessions: a single primary-key join (a prepared statement) returns session and user;
 * the secret is compared in constant time; absolute and idle expiry are checked here and nowhere
 * else, and so are the sign-in steps still pending (stored on the session, or derived from the
 * account, like a forced password change). Most calls write nothing: activity is recorded at most
 * once per `activityThrottle`, and an expired session is deleted when it is seen.
 *
 * This answers sessions held at a step too: only the routes of that step may use them. Everything
 * else goes through `validateSession`, which answers them as not signed in.
 */
export async function resolveSession(ctx: SigraContext, token: unknown): Promise<ResolvedSession | null> {
  const parsed = parseSessionToken(token)
  if (!parsed) return null
  const row = (await ctx.db.executeQuery(lookupQuery(ctx.db, parsed.id))).rows[0]
  if (!row || !constantTimeEqual(row.secret_digest, digest(parsed.secret))) return null

  const at = ctx.config.clock()
  if (sessionExpiry(ctx, row, at) || row.status !== 'active' || row.deleted_at !== null || isDeletionDue(row, at)) {
    await ctx.db.deleteFrom('sessions').where('id', '=', row.id).execute()
    return null
  }

  let lastActiveAt = row.last_active_at
  if (at.getTime() - lastActiveAt.getTime() >= ctx.config.sessions.activityThrottle * 1000) {
    lastActiveAt = at
    await ctx.db.updateTable('sessions').set({ last_active_at: at }).where('id', '=', row.id).execute()
  }

  const userRow: UserRow = { ...row, id: row.user_id, created_at: row.user_created_at, updated_at: row.user_updated_at }
  const user = toUser(userRow)
  const pending = pendingSteps(ctx.pipeline, row.pending_steps, user)
  const session = { ...toSession({ ...row, impersonator_session_id: null, last_active_at: lastActiveAt }, ctx.config.sessions.idleTimeout), pendingSteps: pending }
  return { user, session, pending }
}

/**
 * The session of a signed-in user, or null: unknown, expired, revoked, or still held at a sign-in
 * step (a second factor not given, a password that must be changed first). What every route,
 * guard and host check uses.
 */
export async function validateSession(ctx: SigraContext, token: unknown): Promise<{ user: User; session: Session } | null> {
  const resolved = await resolveSession(ctx, token)
  return resolved && resolved.pending.length === 0 ? { user: resolved.user, session: resolved.session } : null
}
