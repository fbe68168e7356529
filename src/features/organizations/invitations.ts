import * as v from 'valibot'
import { link } from '../../auth/links.ts'
import { addSeconds } from '../../kernel/clock.ts'
import { digest, isWellFormedSecret, randomSecret } from '../../kernel/crypto/token.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { enqueueMail } from '../../kernel/mail/outbox.ts'
import { fail, invalid, vetoable, type Failure } from '../../kernel/result.ts'
import { normalizeEmail, isValidEmail } from '../../kernel/validation/email.ts'
import { EMAIL_INPUT, parseInput } from '../../kernel/validation/parse-input.ts'
import { throttledRedemption } from '../../tokens/throttled-redemption.ts'
import type { User } from '../../users/user.ts'
import { authorise, roleInfo, writeOrgAudit } from './authority.ts'
import { isUuid, lockOrganization, orgsDb, type OrgsContext } from './context.ts'
import { toInvitation, toMembership, toOrganization, type Invitation, type Membership, type Organization } from './organization.ts'
import { ORG_PERMISSIONS } from './roles.ts'
import type { InvitationRow, OrganizationRow } from './tables.ts'
import './augment.ts'

const InviteInput = v.object({
  email: EMAIL_INPUT,
  role: v.pipe(v.string('Choose a role.'), v.maxLength(64, 'No such role.')),
})

/** The page an invitation link opens. */
export const INVITATION_PAGE = 'orgs/invitation'

export type InviteResult = { ok: true; invitation: Invitation; token: string } | Failure<'not_found' | 'forbidden' | 'invalid' | 'already_member' | 'already_invited' | 'personal_org' | 'rate_limited'>

async function mailInvitation(ctx: OrgsContext, trx: Trx, org: OrganizationRow, row: InvitationRow, inviterEmail: string, token: string): Promise<void> {
  const holder = await trx.selectFrom('users').select('id').where('email', '=', row.email).where('deleted_at', 'is', null).executeTakeFirst()
  await enqueueMail(ctx, trx, {
    to: row.email,
    userId: holder?.id ?? null,
    template: 'organizationInvitation',
    data: {
      organizationName: org.name,
      inviterEmail,
      role: ctx.orgs.roles[row.role]?.label ?? row.role,
      url: link(ctx.config, INVITATION_PAGE, token),
      expiresInDays: Math.round((row.expires_at.getTime() - row.sent_at.getTime()) / 86_400_000),
    },
  })
}

/**
 * Invites an address to the organization with a role (`members:invite`: owners and admins). The role
 * is canonicalised and may be no higher than the inviter's own. The link is mailed, works once, for
 * 7 days (the `invitationTtlDays` option), and only for a signed-in account whose confirmed address
 * is the invited one. Inviting an address again replaces its pending invitation (the old link stops
 * working). The token is in this answer and the mail only: the row keeps its SHA-256. Throttled per
 * inviter and per organization; audited.
 */
export async function invite(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, input: { email: unknown; role: unknown }): Promise<InviteResult> {
  const parsed = parseInput(InviteInput, input)
  if (!parsed.ok) return parsed
  const email = normalizeEmail(parsed.value.email)
  if (!isValidEmail(email)) return invalid([{ field: 'email', code: 'invalid_format', message: 'Enter an email address like name@example.com.' }])
  if (!isUuid(organizationId)) return fail('not_found')
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<InviteResult> => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.invitation_create', permission: ORG_PERMISSIONS.invite, grant: parsed.value.role })
      if (!auth.ok) return auth
      const { organization, actor: by } = auth.value
      if (organization.personal_owner_id !== null) return fail('personal_org')
      const member = await orgsDb(trx)
        .selectFrom('organization_memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('m.user_id')
        .where('m.organization_id', '=', organization.id)
        .where('u.email', '=', email)
        .where('u.deleted_at', 'is', null)
        .executeTakeFirst()
      if (member) return fail('already_member')
      const budget = await ctx.limiter.consumeAll([['orgInvite', by.id], ['orgInviteOrg', organization.id]])
      if (!budget.ok) return fail('rate_limited', { retryAfter: budget.retryAfter })
      const at = ctx.config.clock()
      await orgsDb(trx)
        .updateTable('organization_invitations')
        .set({ revoked_at: at, revoked_by: by.id })
        .where('organization_id', '=', organization.id)
        .where('email', '=', email)
        .where('accepted_at', 'is', null)
        .where('revoked_at', 'is', null)
        .execute()
      const token = randomSecret()
      const row = await orgsDb(trx)
        .insertInto('organization_invitations')
        .values({ organization_id: organization.id, email, role: auth.value.role!, token_digest: digest(token), invited_by: by.id, created_at: at, sent_at: at, expires_at: addSeconds(at, ctx.orgs.invitationTtlSeconds) })
        .returningAll()
        .executeTakeFirstOrThrow()
      await mailInvitation(ctx, trx, organization, row, by.email, token)
      await writeOrgAudit(ctx, trx, organization.id, { action: 'organization.invitation_create', userId: by.id, metadata: { invitation_id: row.id, role: row.role, expires_at: row.expires_at.toISOString() } })
      return { ok: true, invitation: toInvitation(row, at), token }
    })
  } catch (error) {
    // Two invitations of one address at once: the pending index lets one through.
    if ((error as { code?: unknown } | null)?.code === '23505') return fail('already_invited')
    throw error
  }
}

/** The organization's invitations that are not accepted or revoked (expired ones too, to resend), newest first. `members:invite`. */
export async function listInvitations(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown): Promise<{ ok: true; invitations: Invitation[] } | Failure<'not_found' | 'forbidden'>> {
  const auth = await authorise(ctx, ctx.db, actor, organizationId, { operation: 'organization.invitations', permission: ORG_PERMISSIONS.invite })
  if (!auth.ok) return auth
  const rows = await orgsDb(ctx.db)
    .selectFrom('organization_invitations')
    .selectAll()
    .where('organization_id', '=', auth.value.organization.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute()
  const at = ctx.config.clock()
  return { ok: true, invitations: rows.map((r) => toInvitation(r, at)) }
}

/** A pending invitation of this organization, for revoke and resend; a role above the actor's own is theirs to touch only if they outrank it. */
async function pendingOf(ctx: OrgsContext, trx: Trx, actor: unknown, organizationId: string, invitationId: unknown, operation: string) {
  const auth = await authorise(ctx, trx, actor, organizationId, { operation, permission: ORG_PERMISSIONS.invite })
  if (!auth.ok) return auth
  if (!isUuid(invitationId)) return fail('not_found')
  const row = await orgsDb(trx)
    .selectFrom('organization_invitations')
    .selectAll()
    .where('id', '=', invitationId)
    .where('organization_id', '=', auth.value.organization.id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  if (!row) return fail('not_found')
  if (roleInfo(ctx, row.role).rank > auth.value.membership.rank) return fail('forbidden')
  return { ok: true as const, auth: auth.value, row }
}

/** Revokes a pending invitation: its link stops working. `members:invite`; audited. */
export async function revokeInvitation(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, invitationId: unknown): Promise<{ ok: true } | Failure<'not_found' | 'forbidden'>> {
  if (!isUuid(organizationId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    await lockOrganization(ctx, trx, organizationId)
    const found = await pendingOf(ctx, trx, actor, organizationId, invitationId, 'organization.invitation_revoke')
    if (!found.ok) return found
    await orgsDb(trx).updateTable('organization_invitations').set({ revoked_at: ctx.config.clock(), revoked_by: found.auth.actor.id }).where('id', '=', found.row.id).execute()
    await writeOrgAudit(ctx, trx, organizationId, { action: 'organization.invitation_revoke', userId: found.auth.actor.id, metadata: { invitation_id: found.row.id } })
    return { ok: true as const }
  })
}

/**
 * Mails a pending (or expired) invitation again with a new link, valid for the full period again;
 * the previous link stops working. Throttled per invitation (3 an hour) and within the organization's
 * daily budget. `members:invite`; the one who resends now stands behind it. Audited.
 */
export async function resendInvitation(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, invitationId: unknown): Promise<{ ok: true; invitation: Invitation; token: string } | Failure<'not_found' | 'forbidden' | 'rate_limited'>> {
  if (!isUuid(organizationId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    await lockOrganization(ctx, trx, organizationId)
    const found = await pendingOf(ctx, trx, actor, organizationId, invitationId, 'organization.invitation_resend')
    if (!found.ok) return found
    const budget = await ctx.limiter.consumeAll([['orgInviteResend', found.row.id], ['orgInviteOrg', organizationId]])
    if (!budget.ok) return fail('rate_limited', { retryAfter: budget.retryAfter })
    const at = ctx.config.clock()
    const token = randomSecret()
    const row = await orgsDb(trx)
      .updateTable('organization_invitations')
      .set({ token_digest: digest(token), sent_at: at, expires_at: addSeconds(at, ctx.orgs.invitationTtlSeconds), invited_by: found.auth.actor.id })
      .where('id', '=', found.row.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await mailInvitation(ctx, trx, found.auth.organization, row, found.auth.actor.email, token)
    await writeOrgAudit(ctx, trx, organizationId, { action: 'organization.invitation_resend', userId: found.auth.actor.id, metadata: { invitation_id: row.id } })
    return { ok: true as const, invitation: toInvitation(row, at), token }
  })
}

/** What an invitation link shows before it is used. */
export interface InvitationPreview {
  organization: Pick<Organization, 'id' | 'name' | 'slug'>
  email: string
  role: string
  roleLabel: string
  inviterEmail: string | null
  expiresAt: Date
}

async function livePending(ctx: OrgsContext, db: Trx | OrgsContext['db'], token: unknown): Promise<InvitationRow | null> {
  if (!isWellFormedSecret(token)) return null
  const row = await orgsDb(db).selectFrom('organization_invitations').selectAll().where('token_digest', '=', digest(token)).executeTakeFirst()
  if (!row || row.accepted_at || row.revoked_at || row.expires_at.getTime() <= ctx.config.clock().getTime()) return null
  return row
}

/**
 * What an invitation link is for, without using it (the page the link opens): the organization, the
 * invited address, the role. An unknown, used, revoked or expired token is `invalid_token`, counted
 * against the IP's failed-redemption budget like any emailed token.
 */
export async function previewInvitation(ctx: OrgsContext, token: unknown): Promise<{ ok: true; invitation: InvitationPreview } | Failure<'invalid_token' | 'rate_limited'>> {
  return throttledRedemption(ctx, null, async () => {
    const row = await livePending(ctx, ctx.db, token)
    if (!row) return fail('invalid_token')
    const org = await orgsDb(ctx.db).selectFrom('organizations').select(['id', 'name', 'slug']).where('id', '=', row.organization_id).executeTakeFirst()
    if (!org) return fail('invalid_token')
    const inviter = row.invited_by ? await ctx.db.selectFrom('users').select('email').where('id', '=', row.invited_by).where('deleted_at', 'is', null).executeTakeFirst() : undefined
    return { ok: true as const, invitation: { organization: org, email: row.email, role: row.role, roleLabel: ctx.orgs.roles[row.role]?.label ?? row.role, inviterEmail: inviter?.email ?? null, expiresAt: row.expires_at } }
  })
}

export type AcceptInvitationResult =
  | { ok: true; membership: Membership; org: Organization }
  | Failure<'invalid_token' | 'email_mismatch' | 'unconfirmed' | 'not_found' | 'rate_limited' | 'vetoed'>

/**
 * Accepts an invitation as the signed-in user. Only an account whose **confirmed** address is the
 * invited one may (another account: `email_mismatch`; the right address not yet confirmed:
 * `unconfirmed`; neither writes anything). The token is consumed in one statement, so of parallel
 * accepts exactly one makes the membership (the others: `invalid_token`). An invitation is only as
 * good as its inviter's standing: if they are no longer a member who may grant its role, it is
 * `invalid_token`. Someone already a member keeps their role (the invitation is used up). Audited;
 * `organizationMemberAdded`.
 */
export async function acceptInvitation(ctx: OrgsContext, user: Pick<User, 'id'>, token: unknown): Promise<AcceptInvitationResult> {
  if (!isUuid(user?.id)) return fail('not_found')
  return throttledRedemption(ctx, null, () =>
    vetoable(() =>
      ctx.db.transaction().execute(async (trx): Promise<AcceptInvitationResult> => {
        // Lock order: the account's row first (as its deletion does), then the organization.
        const me = await trx.selectFrom('users').select(['id', 'email', 'confirmed_at', 'status', 'deleted_at']).where('id', '=', user.id).forShare().executeTakeFirst()
        if (!me || me.deleted_at !== null || me.status !== 'active') return fail('not_found')
        const pending = await livePending(ctx, trx, token)
        if (!pending) return fail('invalid_token')
        if (pending.email !== me.email) return fail('email_mismatch')
        if (me.confirmed_at === null) return fail('unconfirmed')
        await lockOrganization(ctx, trx, pending.organization_id)
        // Under the organization's lock the invitation cannot change (resend and revoke take it too).
        const org = await orgsDb(trx).selectFrom('organizations').selectAll().where('id', '=', pending.organization_id).executeTakeFirst()
        if (!org) return fail('invalid_token')
        const inviter = pending.invited_by
          ? await orgsDb(trx).selectFrom('organization_memberships').select('role').where('organization_id', '=', org.id).where('user_id', '=', pending.invited_by).executeTakeFirst()
          : undefined
        const granted = roleInfo(ctx, pending.role)
        if (!inviter || !granted.known || !holdsInvite(ctx, inviter.role) || roleInfo(ctx, inviter.role).rank < granted.rank) return fail('invalid_token')
        const at = ctx.config.clock()
        // Single use: the statement that marks it accepted is the one that finds it still pending.
        const used = await orgsDb(trx)
          .updateTable('organization_invitations')
          .set({ accepted_at: at, accepted_by: me.id })
          .where('id', '=', pending.id)
          .where('token_digest', '=', pending.token_digest)
          .where('accepted_at', 'is', null)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', at)
          .returningAll()
          .executeTakeFirst()
        if (!used) return fail('invalid_token')
        const existing = await orgsDb(trx).selectFrom('organization_memberships').selectAll().where('organization_id', '=', org.id).where('user_id', '=', me.id).executeTakeFirst()
        await writeOrgAudit(ctx, trx, org.id, { action: 'organization.invitation_accept', userId: me.id, metadata: { invitation_id: used.id, role: used.role, already_member: existing !== undefined } })
        if (existing) return { ok: true, membership: toMembership(existing), org: toOrganization(org) }
        const row = await orgsDb(trx)
          .insertInto('organization_memberships')
          .values({ organization_id: org.id, user_id: me.id, role: used.role, created_at: at, updated_at: at })
          .returningAll()
          .executeTakeFirstOrThrow()
        await writeOrgAudit(ctx, trx, org.id, { action: 'organization.member_add', userId: me.id, actorId: used.invited_by, metadata: { role: used.role, via: 'invitation' } })
        const organization = toOrganization(org)
        await ctx.events.emit(trx, 'organizationMemberAdded', { organization, userId: me.id, role: used.role, via: 'invitation' }, ctx.request)
        return { ok: true, membership: toMembership(row), org: organization }
      }),
    ),
  )
}

function holdsInvite(ctx: OrgsContext, role: string): boolean {
  const info = roleInfo(ctx, role)
  return info.permissions.has('*') || info.permissions.has(ORG_PERMISSIONS.invite)
}

/** Forgets ended invitations (accepted, revoked or expired) older than the retention: the sweep. */
export async function sweepInvitations(ctx: OrgsContext): Promise<number> {
  const cutoff = new Date(ctx.config.clock().getTime() - ctx.orgs.invitationRetentionDays * 86_400_000)
  const gone = await orgsDb(ctx.db)
    .deleteFrom('organization_invitations')
    .where((eb) => eb.or([eb('accepted_at', '<', cutoff), eb('revoked_at', '<', cutoff), eb('expires_at', '<', cutoff)]))
    .executeTakeFirst()
  return Number(gone.numDeletedRows)
}
