import { randomSecret } from '../../kernel/crypto/token.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import type { User } from '../../users/user.ts'
import { authorise, writeOrgAudit } from './authority.ts'
import { isUuid, lockOrganization, orgsDb, uniqueViolation, type OrgsContext } from './context.ts'
import { toOrganization } from './organization.ts'
import { ORG_PERMISSIONS } from './roles.ts'
import './augment.ts'

export interface OrganizationDomain {
  domain: string
  verified: boolean
  verifiedAt: Date | null
  /** The DNS TXT record that proves the domain: at `name`, the value `value`. */
  record: { name: string; value: string }
}

const HOSTNAME = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/

/** A domain as stored: lower case, IDN as punycode (`bücher.example` → `xn--bcher-kva.example`), no trailing dot. */
export function canonicalDomain(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 253) return null
  const raw = input.normalize('NFKC').trim().toLowerCase().replace(/\.$/, '')
  if (!raw || /[/:@?#\s]/.test(raw)) return null
  try {
    const host = new URL(`http://${raw}`).hostname
    return HOSTNAME.test(host) ? host : null
  } catch {
    return null
  }
}

function toDomain(row: { domain: string; verification_token: string; verified_at: Date | null }): OrganizationDomain {
  return { domain: row.domain, verified: row.verified_at !== null, verifiedAt: row.verified_at, record: { name: `_sigra-verification.${row.domain}`, value: `sigra-verification=${row.verification_token}` } }
}

type DomainFailure = Failure<'not_found' | 'forbidden' | 'invalid' | 'feature_unavailable'>

/** The authority rule first (another tenant's id is `not_found` whatever is enabled), then whether domains are on. */
async function authorised(ctx: OrgsContext, db: Trx | OrgsContext['db'], actor: unknown, organizationId: unknown, operation: string) {
  const auth = await authorise(ctx, db, actor, organizationId, { operation, permission: ORG_PERMISSIONS.update })
  if (auth.ok && !ctx.orgs.domains) return fail('feature_unavailable')
  return auth
}

/** The organization's domains, verified or waiting for their TXT record (`org:update`). */
export async function listDomains(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown): Promise<{ ok: true; domains: OrganizationDomain[] } | DomainFailure> {
  const auth = await authorised(ctx, ctx.db, actor, organizationId, 'organization.domains')
  if (!auth.ok) return auth
  const rows = await orgsDb(ctx.db).selectFrom('organization_domains').selectAll().where('organization_id', '=', auth.value.organization.id).orderBy('domain').execute()
  return { ok: true, domains: rows.map(toDomain) }
}

/** Adds a domain to verify: answers the TXT record to publish (`org:update`, when `domains` is on). Audited. */
export async function addDomain(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, domain: unknown): Promise<{ ok: true; domain: OrganizationDomain } | DomainFailure> {
  const name = canonicalDomain(domain)
  if (!name) return invalid([{ field: 'domain', code: 'invalid_format', message: 'Enter a domain like example.com.' }])
  if (!isUuid(organizationId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    await lockOrganization(ctx, trx, organizationId)
    const auth = await authorised(ctx, trx, actor, organizationId, 'organization.domain_add')
    if (!auth.ok) return auth
    await orgsDb(trx).insertInto('organization_domains').values({ organization_id: organizationId, domain: name, verification_token: randomSecret(18), verified_at: null, created_at: ctx.config.clock() }).onConflict((oc) => oc.doNothing()).execute()
    const row = await orgsDb(trx).selectFrom('organization_domains').selectAll().where('organization_id', '=', organizationId).where('domain', '=', name).executeTakeFirstOrThrow()
    await writeOrgAudit(ctx, trx, organizationId, { action: 'organization.domain_add', userId: auth.value.actor.id, metadata: { domain: name } })
    return { ok: true as const, domain: toDomain(row) }
  })
}

/**
 * Looks the domain's TXT record up (`_sigra-verification.<domain>`) and, when it holds the value,
 * marks the domain verified. A domain is verified for one organization at a time (`domain_taken`);
 * without the record: `not_verified`. Audited.
 */
export async function verifyDomain(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, domain: unknown): Promise<{ ok: true; domain: OrganizationDomain } | DomainFailure | Failure<'not_verified' | 'domain_taken'>> {
  const name = canonicalDomain(domain)
  const check = await authorised(ctx, ctx.db, actor, organizationId, 'organization.domain_verify')
  if (!check.ok) return check
  if (!name) return fail('not_found')
  const row = await orgsDb(ctx.db).selectFrom('organization_domains').selectAll().where('organization_id', '=', check.value.organization.id).where('domain', '=', name).executeTakeFirst()
  if (!row) return fail('not_found')
  if (row.verified_at) return { ok: true, domain: toDomain(row) }
  // The lookup happens outside any transaction: a slow resolver holds no lock.
  const resolve = ctx.orgs.resolveTxt ?? (async (host: string) => (await import('node:dns/promises')).resolveTxt(host))
  const expected = toDomain(row).record
  const records = await resolve(expected.name).catch(() => [] as string[][])
  if (!records.some((chunks) => chunks.join('') === expected.value)) return fail('not_verified')
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      await lockOrganization(ctx, trx, row.organization_id)
      const auth = await authorised(ctx, trx, actor, row.organization_id, 'organization.domain_verify')
      if (!auth.ok) return auth
      const updated = await orgsDb(trx).updateTable('organization_domains').set({ verified_at: ctx.config.clock() }).where('organization_id', '=', row.organization_id).where('domain', '=', name).returningAll().executeTakeFirst()
      if (!updated) return fail('not_found')
      await writeOrgAudit(ctx, trx, row.organization_id, { action: 'organization.domain_verify', userId: auth.value.actor.id, metadata: { domain: name } })
      return { ok: true as const, domain: toDomain(updated) }
    })
  } catch (error) {
    if (uniqueViolation(error, 'organization_domains_verified_key')) return fail('domain_taken')
    throw error
  }
}

/** Removes a domain (`org:update`); accounts that joined through it stay members. Audited. */
export async function removeDomain(ctx: OrgsContext, actor: Pick<User, 'id'>, organizationId: unknown, domain: unknown): Promise<{ ok: true } | DomainFailure> {
  const name = canonicalDomain(domain)
  if (!isUuid(organizationId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    await lockOrganization(ctx, trx, organizationId)
    const auth = await authorised(ctx, trx, actor, organizationId, 'organization.domain_remove')
    if (!auth.ok) return auth
    const gone = name ? await orgsDb(trx).deleteFrom('organization_domains').where('organization_id', '=', organizationId).where('domain', '=', name).returning('domain').executeTakeFirst() : undefined
    if (!gone) return fail('not_found')
    await writeOrgAudit(ctx, trx, organizationId, { action: 'organization.domain_remove', userId: auth.value.actor.id, metadata: { domain: name } })
    return { ok: true as const }
  })
}

/**
 * Auto-join (inside the transaction that confirmed the address: `emailConfirmed`, `emailChanged`):
 * the account joins, as `member`, every organization with auto-join on that verified the address's
 * domain and that it is not in yet. Audited; `organizationMemberAdded` (`via: 'auto_join'`).
 */
export async function autoJoin(ctx: OrgsContext, trx: Trx, user: Pick<User, 'id' | 'email' | 'confirmedAt'>): Promise<number> {
  if (!ctx.orgs.domains || user.confirmedAt === null) return 0
  const domain = canonicalDomain(user.email.slice(user.email.lastIndexOf('@') + 1))
  if (!domain) return 0
  const orgs = await orgsDb(trx)
    .selectFrom('organization_domains as d')
    .innerJoin('organizations as o', 'o.id', 'd.organization_id')
    .selectAll('o')
    .where('d.domain', '=', domain)
    .where('d.verified_at', 'is not', null)
    .where('o.auto_join', '=', true)
    .where('o.personal_owner_id', 'is', null)
    .orderBy('o.id')
    .execute()
  let joined = 0
  for (const org of orgs) {
    await lockOrganization(ctx, trx, org.id)
    const at = ctx.config.clock()
    const row = await orgsDb(trx).insertInto('organization_memberships').values({ organization_id: org.id, user_id: user.id, role: 'member', created_at: at, updated_at: at }).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst()
    if (!row) continue
    joined++
    await writeOrgAudit(ctx, trx, org.id, { action: 'organization.member_add', userId: user.id, actorId: null, actorType: 'system', metadata: { role: 'member', via: 'auto_join', domain } })
    await ctx.events.emit(trx, 'organizationMemberAdded', { organization: toOrganization(org), userId: user.id, role: 'member', via: 'auto_join' }, ctx.request)
  }
  return joined
}
