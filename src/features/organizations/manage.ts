import * as v from 'valibot'
import { requireSudoSession } from '../../sessions/sudo.ts'
import type { Session } from '../../sessions/session.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { fail, invalid, vetoable, type Failure } from '../../kernel/result.ts'
import { parseInput } from '../../kernel/validation/parse-input.ts'
import type { User } from '../../users/user.ts'
import { authorise, writeOrgAudit } from './authority.ts'
import { isUuid, lockOrganization, lockSlug, orgsDb, uniqueViolation, type OrgsContext } from './context.ts'
import { toMembership, toOrganization, type Membership, type Organization } from './organization.ts'
import { ORG_PERMISSIONS } from './roles.ts'
import { canonicalSlug, slugFromName, slugIssue, withSuffix } from './slug.ts'
import { endOrganizationTokens } from './org-tokens.ts'
import './augment.ts'

const Name = v.pipe(
  v.string('Give the organization a name.'),
  v.trim(),
  v.nonEmpty('Give the organization a name.'),
  v.maxLength(100, 'The name is too long (100 characters at most).'),
  v.check((s) => !/\p{Cc}/u.test(s), 'The name cannot contain control characters.'),
)
const Slug = v.pipe(v.string('The address must be text.'), v.maxLength(200, 'The address is too long.'))

const CreateInput = v.object({ name: Name, slug: v.optional(v.nullable(Slug)) })

export type OrgSlugFailure = Failure<'invalid' | 'slug_taken'>

const TAKEN = { field: 'slug', code: 'taken', message: 'This address is taken. Choose another.' }

async function slugTaken(trx: Trx, slug: string, except: string | null): Promise<boolean> {
  let q = orgsDb(trx).selectFrom('organizations').select('id').where('slug', '=', slug)
  if (except) q = q.where('id', '!=', except)
  return (await q.executeTakeFirst()) !== undefined
}

/**
 * A free slug, held for the rest of the transaction (a slug-keyed advisory lock: a parallel creation
 * of the same slug waits, then sees this one). A requested slug is canonicalised and validated, and
 * `slug_taken` when another organization has it; a generated one gets a random tail until free.
 */
export async function allocateSlug(ctx: OrgsContext, trx: Trx, requested: unknown, name: string, except: string | null = null): Promise<{ ok: true; slug: string } | OrgSlugFailure> {
  if (requested !== undefined && requested !== null && requested !== '') {
    const slug = canonicalSlug(requested)
    if (slug === null) return invalid([{ field: 'slug', code: 'format', message: 'This address is not valid.' }])
    const issue = slugIssue(slug, ctx.orgs.reservedSlugs)
    if (issue) return invalid([issue])
    await lockSlug(ctx, trx, slug)
    return (await slugTaken(trx, slug, except)) ? fail('slug_taken', { issues: [TAKEN] }) : { ok: true, slug }
  }
  const base = slugFromName(name, ctx.orgs.reservedSlugs)
  for (let attempt = 0; attempt < 8; attempt++) {
    const slug = attempt === 0 ? base : withSuffix(base)
    await lockSlug(ctx, trx, slug)
    if (!(await slugTaken(trx, slug, except))) return { ok: true, slug }
  }
  return fail('slug_taken', { issues: [TAKEN] })
}

/** Inserts an organization and its first owner inside `trx` (creation, personal organizations). Emits the events; audits. */
export async function insertOrganization(
  ctx: OrgsContext,
  trx: Trx,
  input: { name: string; slug: string; ownerId: string; personal: boolean },
): Promise<{ org: Organization; membership: Membership }> {
  const at = ctx.config.clock()
  const row = await orgsDb(trx)
    .insertInto('organizations')
    .values({ name: input.name, slug: input.slug, personal_owner_id: input.personal ? input.ownerId : null, created_by: input.ownerId, created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow()
  const member = await orgsDb(trx)
    .insertInto('organization_memberships')
    .values({ organization_id: row.id, user_id: input.ownerId, role: 'owner', created_at: at, updated_at: at })
    .returningAll()
    .executeTakeFirstOrThrow()
  const org = toOrganization(row)
  await writeOrgAudit(ctx, trx, org.id, { action: 'organization.create', userId: input.ownerId, metadata: { slug: org.slug, personal: input.personal } })
  await ctx.events.emit(trx, 'organizationCreated', { organization: org, userId: input.ownerId }, ctx.request)
  await ctx.events.emit(trx, 'organizationMemberAdded', { organization: org, userId: input.ownerId, role: 'owner', via: input.personal ? 'personal' : 'created' }, ctx.request)
  return { org, membership: toMembership(member) }
}

export type CreateOrganizationResult = { ok: true; org: Organization; membership: Membership } | Failure<'invalid' | 'slug_taken' | 'not_found' | 'rate_limited' | 'vetoed'>

/**
 * A new organization; the user becomes its owner. The slug is the one given (canonical: NFKC,
 * lower case; ASCII letters, digits and inner hyphens; 3–63; not reserved) or one made from the
 * name. A slug another organization has is `slug_taken`, also when two creations race for it.
 * Audited; `organizationCreated` and `organizationMemberAdded` run in the same transaction.
 */
export async function createOrganization(ctx: OrgsContext, user: Pick<User, 'id'>, input: { name: unknown; slug?: unknown }): Promise<CreateOrganizationResult> {
  const parsed = parseInput(CreateInput, input)
  if (!parsed.ok) return parsed
  // A requested slug's shape is checked before anything is counted: only real attempts spend the budget.
  if (parsed.value.slug) {
    const canonical = canonicalSlug(parsed.value.slug)
    const issue = canonical === null ? { field: 'slug', code: 'format', message: 'This address is not valid.' } : slugIssue(canonical, ctx.orgs.reservedSlugs)
    if (issue) return invalid([issue])
  }
  const id = user?.id
  if (!isUuid(id)) return fail('not_found')
  const owner = await ctx.db.selectFrom('users').select(['id', 'status']).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  if (!owner || owner.status !== 'active') return fail('not_found')
  const budget = await ctx.limiter.consume('orgCreate', owner.id)
  if (!budget.ok) return fail('rate_limited', { retryAfter: budget.retryAfter })
  try {
    return await vetoable(() =>
      ctx.db.transaction().execute(async (trx): Promise<CreateOrganizationResult> => {
        const slug = await allocateSlug(ctx, trx, parsed.value.slug, parsed.value.name)
        if (!slug.ok) return slug
        return { ok: true, ...(await insertOrganization(ctx, trx, { name: parsed.value.name, slug: slug.slug, ownerId: owner.id, personal: false })) }
      }),
    )
  } catch (error) {
    // The lock makes this rare (a slug taken outside Sigra's locks): the unique index still answers it as a value.
    if (uniqueViolation(error, 'organizations_slug_key')) return fail('slug_taken', { issues: [TAKEN] })
    throw error
  }
}

/** One organization the actor is a member of, with the actor's membership; `not_found` for any other. */
export async function getOrganization(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown): Promise<{ ok: true; org: Organization; membership: Membership } | Failure<'not_found'>> {
  const auth = await authorise(ctx, ctx.db, actor, organizationId, { operation: 'organization.read' })
  if (!auth.ok) return fail('not_found')
  return { ok: true, org: toOrganization(auth.value.organization), membership: toMembership(auth.value.membership) }
}

/** The same by slug (the URL-driven loader): `not_found` unless the actor is a member. */
export async function getOrganizationBySlug(ctx: OrgsContext, actor: Pick<User, 'id'>, slug: unknown): Promise<{ ok: true; org: Organization; membership: Membership } | Failure<'not_found'>> {
  const canonical = canonicalSlug(slug)
  const row = canonical && /^[a-z0-9-]{1,63}$/.test(canonical) ? await orgsDb(ctx.db).selectFrom('organizations').select('id').where('slug', '=', canonical).executeTakeFirst() : undefined
  // An unknown slug and an organization the actor is not in answer alike.
  return getOrganization(ctx, actor, row?.id ?? '00000000-0000-0000-0000-000000000000')
}

/**
 * An organization by id with no actor: for background work that carries an `organization_id` (a
 * tenant-aware job re-loads it here and stops when it is gone). Never for a request: use `get`,
 * which checks membership.
 */
export async function lookupOrganization(ctx: OrgsContext, organizationId: unknown): Promise<Organization | null> {
  if (!isUuid(organizationId)) return null
  const row = await orgsDb(ctx.db).selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst()
  return row ? toOrganization(row) : null
}

/** The user's organizations with their role in each, by name. */
export async function listOrganizations(ctx: OrgsContext, user: Pick<User, 'id'>): Promise<Array<Organization & { role: string }>> {
  if (!isUuid(user?.id)) return []
  const rows = await orgsDb(ctx.db)
    .selectFrom('organization_memberships as m')
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .selectAll('o')
    .select('m.role')
    .where('m.user_id', '=', user.id)
    .orderBy('o.name')
    .orderBy('o.slug')
    .execute()
  return rows.map(({ role, ...row }) => ({ ...toOrganization(row), role }))
}

const UpdateInput = v.object({
  name: v.optional(Name),
  slug: v.optional(Slug),
  requireMfa: v.optional(v.boolean('Choose yes or no.')),
  autoJoin: v.optional(v.boolean('Choose yes or no.')),
})

export type UpdateOrganizationResult = { ok: true; org: Organization } | Failure<'invalid' | 'slug_taken' | 'not_found' | 'forbidden'>

/**
 * Renames, changes the slug (same rules as creation; `slug_taken`), or sets the policies (require MFA
 * of members acting in it; auto-join by verified domain, when domains are on). `org:update`: owners
 * and admins. Audited with what changed.
 */
export async function updateOrganization(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, input: { name?: unknown; slug?: unknown; requireMfa?: unknown; autoJoin?: unknown }): Promise<UpdateOrganizationResult> {
  const parsed = parseInput(UpdateInput, input)
  if (!parsed.ok) return parsed
  if (!isUuid(organizationId)) return fail('not_found')
  const change = parsed.value
  if (change.autoJoin !== undefined && !ctx.orgs.domains) return invalid([{ field: 'autoJoin', code: 'unavailable', message: 'Auto-join needs verified domains, which are not enabled.' }])
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<UpdateOrganizationResult> => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.update', permission: ORG_PERMISSIONS.update })
      if (!auth.ok) return auth
      const current = auth.value.organization
      const set: { name?: string; slug?: string; require_mfa?: boolean; auto_join?: boolean } = {}
      if (change.name !== undefined && change.name !== current.name) set.name = change.name
      if (change.slug !== undefined && canonicalSlug(change.slug) !== current.slug) {
        const slug = await allocateSlug(ctx, trx, change.slug, current.name, current.id)
        if (!slug.ok) return slug
        set.slug = slug.slug
      }
      if (change.requireMfa !== undefined && change.requireMfa !== current.require_mfa) set.require_mfa = change.requireMfa
      if (change.autoJoin !== undefined && change.autoJoin !== current.auto_join) set.auto_join = change.autoJoin
      if (Object.keys(set).length === 0) return { ok: true, org: toOrganization(current) }
      const row = await orgsDb(trx).updateTable('organizations').set({ ...set, updated_at: ctx.config.clock() }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow()
      await writeOrgAudit(ctx, trx, current.id, {
        action: 'organization.update',
        userId: auth.value.actor.id,
        metadata: {
          changed: Object.keys(set),
          ...(set.slug ? { slug_from: current.slug, slug_to: set.slug } : {}),
          ...(set.require_mfa !== undefined ? { require_mfa: set.require_mfa } : {}),
          ...(set.auto_join !== undefined ? { auto_join: set.auto_join } : {}),
        },
      })
      return { ok: true, org: toOrganization(row) }
    })
  } catch (error) {
    if (uniqueViolation(error, 'organizations_slug_key')) return fail('slug_taken', { issues: [TAKEN] })
    throw error
  }
}

export type DeleteOrganizationResult = { ok: true } | Failure<'not_found' | 'forbidden' | 'personal_org' | 'sudo_required' | 'impersonated' | 'vetoed' | PendingStepError>

/**
 * Deletes the organization (owners, with a sudo-fresh session): its memberships, invitations,
 * verified domains and organization-bound API tokens go with it, sessions that had it active have
 * none, and the row goes. `organizationDeleted` runs first, in the same transaction. Audited (the
 * row keeps the slug). A personal organization goes with its account, not on its own.
 */
export async function deleteOrganization(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, options: { session?: Pick<Session, 'id'> | null } = {}): Promise<DeleteOrganizationResult> {
  if (!isUuid(organizationId)) return fail('not_found')
  return vetoable(() =>
    ctx.db.transaction().execute(async (trx): Promise<DeleteOrganizationResult> => {
      await lockOrganization(ctx, trx, organizationId)
      const auth = await authorise(ctx, trx, actor, organizationId, { operation: 'organization.delete', permission: ORG_PERMISSIONS.delete })
      if (!auth.ok) return auth
      if (auth.value.organization.personal_owner_id !== null) return fail('personal_org')
      const sudo = await requireSudoSession(ctx, trx, auth.value.actor.id, options.session, { operation: 'organization.delete' })
      if (!sudo.ok) return fail(sudo.error)
      await removeOrganizationIn(ctx, trx, auth.value.organization.id, auth.value.actor.id)
      return { ok: true }
    }),
  )
}

/** The body of a deletion, under the organization's lock: event, tokens, sessions, rows, audit. */
export async function removeOrganizationIn(ctx: OrgsContext, trx: Trx, organizationId: string, actorId: string | null): Promise<void> {
  const row = await orgsDb(trx).selectFrom('organizations').selectAll().where('id', '=', organizationId).executeTakeFirst()
  if (!row) return
  const org = toOrganization(row)
  await ctx.events.emit(trx, 'organizationDeleted', { organization: org, actorId }, ctx.request)
  const members = await orgsDb(trx).selectFrom('organization_memberships').select((eb) => eb.fn.countAll<string>().as('n')).where('organization_id', '=', org.id).executeTakeFirst()
  const tokens = await endOrganizationTokens(ctx, trx, org.id, null)
  await trx.updateTable('sessions').set({ active_organization_id: null }).where('active_organization_id', '=', org.id).execute()
  await orgsDb(trx).deleteFrom('organizations').where('id', '=', org.id).execute()
  await writeOrgAudit(ctx, trx, org.id, {
    action: 'organization.delete',
    userId: actorId,
    actorId,
    actorType: actorId === null ? 'system' : 'user',
    metadata: { slug: org.slug, members: Number(members?.n ?? 0), pats_revoked: tokens },
  })
}
