import * as v from 'valibot'
import { isDeletionDue, lockLiveUser } from '../../account/account-guards.ts'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { digest, isWellFormedSecret, randomSecret } from '../../kernel/crypto/token.ts'
import type { Executor, Trx } from '../../kernel/db/database.ts'
import type { UserRow } from '../../kernel/db/tables/users.table.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, invalid, vetoable, type Failure } from '../../kernel/result.ts'
import { isValidEmail, normalizeEmail } from '../../kernel/validation/email.ts'
import { EMAIL_INPUT, META_INPUT, parseInput } from '../../kernel/validation/parse-input.ts'
import { revokeAllSessionsIn } from '../../sessions/manage-sessions.ts'
import { signIn, type SignInSuccess } from '../../sessions/sign-in.ts'
import { throttledRedemption } from '../../tokens/throttled-redemption.ts'
import { findUserByEmail, lockAddress } from '../../users/user-repository.ts'
import { toUser } from '../../users/user.ts'
import { linksDb, type MagicLinkContext } from './magic-link-context.ts'
import './augment.ts'

const RequestInput = v.object({ email: EMAIL_INPUT, ...META_INPUT })

/** The link a token travels in: the host's `url(token)`, or the reference page under `pagesPath` (from the configured baseUrl, never a request's Host). */
function linkFor(ctx: MagicLinkContext, token: string): string {
  return ctx.magicLink.url ? ctx.magicLink.url(token) : `${ctx.config.baseUrl}${ctx.config.pagesPath}/magic-link/sign-in?token=${encodeURIComponent(token)}`
}

/**
 * Mails a sign-in link to the address if an account may sign in with it (or, with `signUp: true`,
 * a link that creates the account if none has it), and answers `{ ok: true }` for every well-formed
 * address, known or not, and when throttled: the answer never tells whether an account exists. The
 * per-IP and per-address budgets are charged before the lookup; every path runs one transaction of
 * the same shape. Only the newest link of an account (or an address) works.
 */
export async function request(ctx: MagicLinkContext, email: unknown, meta: { ip?: string | null; userAgent?: string | null } = {}): Promise<{ ok: true } | Failure<'invalid'>> {
  const parsed = parseInput(RequestInput, { email, ...(meta ?? {}) })
  if (!parsed.ok) return parsed
  const address = normalizeEmail(parsed.value.email)
  if (!isValidEmail(address)) return invalid([{ field: 'email', code: 'invalid_format', message: 'Enter a valid email address.' }])
  const ip = parsed.value.ip ?? ctx.request?.ip ?? null
  const userAgent = parsed.value.userAgent ?? ctx.request?.userAgent ?? null

  const limited = await ctx.limiter.consumeAll([['magicLinkIp', ip], ['magicLinkEmail', address]])
  if (!limited.ok) return { ok: true }

  const at = ctx.config.clock()
  const ttl = ctx.magicLink.ttlSeconds
  await ctx.db.transaction().execute(async (trx) => {
    const row = await findUserByEmail(trx, address)
    const usable = row !== undefined && row.status === 'active' && !isDeletionDue(row, at)
    const audit = { action: 'magic_link.request', ip, userAgent } as const
    if (!usable && (row || !ctx.magicLink.signUp)) {
      await writeAudit(ctx, trx, { ...audit, outcome: 'failure', userId: row?.id ?? null, actorId: null, actorType: 'user', metadata: { reason: row ? `status_${row.status}` : 'unknown_account' } })
      return
    }
    const token = randomSecret()
    const userId = row?.id ?? null
    // The newest link replaces the earlier ones (of the account, or of the address for a sign-up).
    let earlier = linksDb(trx).deleteFrom('magic_link_tokens').where('used_at', 'is', null)
    earlier = userId ? earlier.where('user_id', '=', userId) : earlier.where('user_id', 'is', null).where('sent_to', '=', address)
    await earlier.execute()
    await linksDb(trx).insertInto('magic_link_tokens').values({ user_id: userId, digest: digest(token), sent_to: row?.email ?? address, created_at: at, expires_at: addSeconds(at, ttl), used_at: null }).execute()
    await enqueueMail(ctx, trx, {
      to: row?.email ?? address,
      userId,
      template: row ? 'magicLink' : 'magicLinkSignUp',
      data: { url: linkFor(ctx, token), expiresInMinutes: Math.round(ttl / 60) },
    })
    await writeAudit(ctx, trx, { ...audit, userId, actorId: userId, actorType: 'user', metadata: row ? {} : { sign_up: true } })
  })
  return { ok: true }
}

/** A token row that would be consumed now (for the page the link opens, and before consuming). */
async function liveToken(ctx: MagicLinkContext, db: Executor, token: unknown) {
  if (!isWellFormedSecret(token)) return null
  const row = await linksDb(db).selectFrom('magic_link_tokens').selectAll().where('digest', '=', digest(token)).where('used_at', 'is', null).where('expires_at', '>', ctx.config.clock()).executeTakeFirst()
  if (!row) return null
  if (row.user_id) {
    // Bound to the account and to the address it was mailed to: an address change ends it.
    const owner = await db.selectFrom('users').select(['email', 'deleted_at']).where('id', '=', row.user_id).executeTakeFirst()
    if (!owner || owner.deleted_at !== null || owner.email !== row.sent_to) return null
  } else if (!ctx.magicLink.signUp) {
    return null
  }
  return row
}

export type CheckResult = { ok: true } | Failure<'invalid_token' | 'rate_limited'>

/**
 * Whether a link still works, without using it: for the page the link opens (a GET, which mail
 * scanners prefetch, never consumes). Counted like a redemption: an invalid token spends a point of
 * the per-IP failed-redemption budget.
 */
export async function check(ctx: MagicLinkContext, token: unknown): Promise<CheckResult> {
  return throttledRedemption(ctx, null, async (): Promise<CheckResult> => ((await liveToken(ctx, ctx.db, token)) ? { ok: true } : fail('invalid_token')))
}

export interface ConsumeOptions {
  ip?: string | null
  userAgent?: string | null
  rememberMe?: boolean
  /** The browser's previous session token: that session ends, as at every sign-in. */
  previousToken?: string | null
  /** A device-trust token, for the sign-in steps that honour one (MFA's "trust this device"). */
  trustToken?: string | null
}

export type ConsumeResult = (SignInSuccess & { created: boolean }) | Failure<'invalid_token' | 'rate_limited' | 'account_unavailable' | 'vetoed'>

/**
 * Signs in with a link's token, like `auth.logIn` with a password: the token must be a magic-link
 * token (no other kind of token is looked for here), unused, unexpired, and still addressed to the
 * account's address; it is spent in one statement (of two parallel uses one wins). Using it proves
 * the mailbox: an unconfirmed account is confirmed, and, since whoever registered it never proved
 * the address, its password is removed and every earlier session ends (pre-hijacking defence). A
 * sign-up link creates the account (confirmed, no password) unless the address has one by now, which
 * it then signs in. Then core's `signIn`, so every sign-in step (MFA) applies. Failed redemptions are
 * throttled per IP.
 */
export async function consume(ctx: MagicLinkContext, token: unknown, options: ConsumeOptions = {}): Promise<ConsumeResult> {
  const ip = options?.ip ?? ctx.request?.ip ?? null
  const userAgent = options?.userAgent ?? ctx.request?.userAgent ?? null
  return throttledRedemption(ctx, ip, async (): Promise<ConsumeResult> => {
    const outcome = await vetoable(() =>
      ctx.db.transaction().execute(async (trx) => {
        const seen = await liveToken(ctx, trx, token)
        if (!seen) return fail('invalid_token')
        // Locks in the project-wide order: the address, then the account, then the token.
        await lockAddress(trx, seen.sent_to)
        const owner = seen.user_id ? await lockLiveUser(trx, { id: seen.user_id }) : null
        const spent = await linksDb(trx)
          .updateTable('magic_link_tokens')
          .set({ used_at: ctx.config.clock() })
          .where('id', '=', seen.id)
          .where('used_at', 'is', null)
          .where('expires_at', '>', ctx.config.clock())
          .returningAll()
          .executeTakeFirst()
        if (!spent) return fail('invalid_token')
        const at = ctx.config.clock()
        let user: UserRow | null = owner
        let created = false
        if (spent.user_id) {
          if (!user || user.email !== spent.sent_to) return fail('invalid_token')
        } else {
          user = (await lockLiveUser(trx, await findUserByEmail(trx, spent.sent_to))) ?? null
          if (!user) {
            user = await createAccount(ctx, trx, spent.sent_to, at, { ip, userAgent })
            created = true
          }
        }
        if (user.status !== 'active' || isDeletionDue(user, at)) {
          await writeAudit(ctx, trx, { action: 'magic_link.failure', outcome: 'failure', userId: user.id, actorId: null, ip, userAgent, metadata: { reason: `status_${user.status}` } })
          return fail('account_unavailable')
        }
        if (user.confirmed_at === null) user = await proveAddress(ctx, trx, user, at)
        await linksDb(trx).deleteFrom('magic_link_tokens').where('user_id', '=', user.id).where('used_at', 'is', null).execute()
        await writeAudit(ctx, trx, { action: 'magic_link.sign_in', userId: user.id, ip, userAgent, metadata: { link_id: spent.id, ...(created ? { created: true } : {}) } })
        return { ok: true as const, user, created }
      }),
    )
    if (!outcome.ok) return outcome
    const signedIn = await signIn(ctx, {
      user: outcome.user,
      method: 'magic_link',
      amr: ['email'],
      rememberMe: options?.rememberMe === true,
      previousToken: options?.previousToken ?? null,
      trustToken: options?.trustToken ?? null,
      ip,
      userAgent,
    })
    return signedIn.ok ? { ...signedIn, created: outcome.created } : signedIn
  })
}

/** A sign-up link's account: confirmed (the link proved the address), no password. */
async function createAccount(ctx: MagicLinkContext, trx: Trx, address: string, at: Date, meta: { ip: string | null; userAgent: string | null }): Promise<UserRow> {
  // The link proved the address: a pending email change of another account that named it loses its claim.
  const released = await trx.updateTable('users').set({ pending_email: null, pending_email_expires_at: null }).where('pending_email', '=', address).returning('id').execute()
  if (released.length) await trx.deleteFrom('user_tokens').where('context', '=', 'change_email').where('sent_to', '=', address).execute()
  const row = await trx
    .insertInto('users')
    .values({ email: address, hashed_password: null, confirmed_at: at, custom_fields: JSON.stringify({}), created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow()
  await writeAudit(ctx, trx, { action: 'auth.register', userId: row.id, ...meta, metadata: { method: 'magic_link', ...(released.length ? { released_pending_email_of: released.map((r) => r.id) } : {}) } })
  await ctx.events.emit(trx, 'userRegistered', { user: toUser(row) }, ctx.request)
  return row
}

/**
 * The first proof that this account's owner holds its address. Whoever registered it may not have:
 * the password they chose is removed (the owner sets one in the settings), every earlier session
 * ends, and derived credentials (the epoch) are invalidated, so a pre-hijacker keeps nothing.
 */
async function proveAddress(ctx: MagicLinkContext, trx: Trx, user: UserRow, at: Date): Promise<UserRow> {
  const row = await trx
    .updateTable('users')
    .set((eb) => ({ confirmed_at: at, hashed_password: null, updated_at: at, epoch: eb('epoch', '+', 1) }))
    .where('id', '=', user.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  await trx.deleteFrom('user_tokens').where('user_id', '=', row.id).where('context', 'in', ['confirm', 'reset_password']).execute()
  await revokeAllSessionsIn(ctx, trx, row.id, { reason: 'magic_link_confirmed' })
  await writeAudit(ctx, trx, { action: 'auth.email_confirm', userId: row.id, metadata: { method: 'magic_link', unproven_login_removed: user.hashed_password !== null } })
  await ctx.events.emit(trx, 'emailConfirmed', { user: toUser(row) }, ctx.request)
  return row
}
