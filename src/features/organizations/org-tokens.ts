import type { Trx } from '../../kernel/db/database.ts'
import { withTables } from '../../kernel/db/database.ts'
import { fail, type Failure } from '../../kernel/result.ts'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'
import type { ApiTokensApi } from '../api-tokens/api.ts'
import type { ApiToken } from '../api-tokens/api-token.ts'
import type { CreateApiTokenResult } from '../api-tokens/manage.ts'
import { authorise, writeOrgAudit } from './authority.ts'
import { isUuid, lockOrganization, orgsDb, type OrgsContext } from './context.ts'
import './augment.ts'

/** The api-tokens feature's table, as far as this feature touches it (deleting bound tokens). */
interface ApiTokenRows {
  api_tokens: { id: string; user_id: string }
}

/**
 * Ends the API tokens bound to an organization (all of them, or one member's) inside `trx`: the
 * tokens themselves (when the api-tokens feature is on) and the bindings. Returns how many.
 */
export async function endOrganizationTokens(ctx: OrgsContext, trx: Trx, organizationId: string, userId: string | null): Promise<number> {
  let bindings = orgsDb(trx).deleteFrom('organization_api_tokens').where('organization_id', '=', organizationId)
  if (userId) bindings = bindings.where('user_id', '=', userId)
  const gone = await bindings.returning('api_token_id').execute()
  if (gone.length && ctx.orgs.has('api-tokens')) {
    await withTables<ApiTokenRows>(trx).deleteFrom('api_tokens').where('id', 'in', gone.map((g) => g.api_token_id)).execute()
  }
  return gone.length
}

export type CreateOrganizationTokenResult =
  | { ok: true; token: string; apiToken: ApiToken; organizationId: string }
  | Failure<'not_found' | 'forbidden' | 'feature_unavailable'>
  | Exclude<CreateApiTokenResult, { ok: true }>

/**
 * A personal access token bound to one organization (needs the api-tokens feature): made by the
 * api-tokens feature (its scopes, expiry and sudo rule), then bound here. A request with it carries
 * that organization and the member's role (`principal.organization`), whatever the session's active
 * one; the binding ends with the membership (the token is revoked) and with the organization.
 */
export async function createOrganizationToken(
  ctx: OrgsContext,
  actor: Pick<User, 'id'>,
  organizationId: unknown,
  input: { name: unknown; scopes: unknown; expiresInDays?: unknown },
  options: { session?: Pick<Session, 'id'> | null } = {},
): Promise<CreateOrganizationTokenResult> {
  const auth = await authorise(ctx, ctx.db, actor, organizationId, { operation: 'organization.token_create' })
  if (!auth.ok) return auth
  const tokens = ctx.orgs.feature<ApiTokensApi>('api-tokens')
  if (!tokens) return fail('feature_unavailable')
  const created = await tokens.create(actor, input, options)
  if (!created.ok) return created
  const orgId = auth.value.organization.id
  const bound = await ctx.db.transaction().execute(async (trx) => {
    await lockOrganization(ctx, trx, orgId)
    // Still a member now (a removal between the check and here would leave an unbound token): re-checked under the lock.
    const still = await orgsDb(trx).selectFrom('organization_memberships').select('user_id').where('organization_id', '=', orgId).where('user_id', '=', auth.value.actor.id).executeTakeFirst()
    if (!still) return false
    await orgsDb(trx).insertInto('organization_api_tokens').values({ api_token_id: created.apiToken.id, organization_id: orgId, user_id: auth.value.actor.id }).execute()
    await writeOrgAudit(ctx, trx, orgId, { action: 'organization.token_create', userId: auth.value.actor.id, metadata: { pat_id: created.apiToken.id } })
    return true
  }).catch(async (error: unknown) => {
    // Never leave an unbound token behind: it would act for the user in no organization at all.
    await withTables<ApiTokenRows>(ctx.db).deleteFrom('api_tokens').where('id', '=', created.apiToken.id).execute()
    throw error
  })
  if (!bound) {
    await withTables<ApiTokenRows>(ctx.db).deleteFrom('api_tokens').where('id', '=', created.apiToken.id).execute()
    return fail('not_found')
  }
  return { ok: true, token: created.token, apiToken: created.apiToken, organizationId: orgId }
}

/** The organization an API token is bound to, or null (an ordinary token). */
export async function tokenOrganization(ctx: OrgsContext, apiTokenId: string): Promise<string | null> {
  if (!isUuid(apiTokenId)) return null
  const row = await orgsDb(ctx.db).selectFrom('organization_api_tokens').select('organization_id').where('api_token_id', '=', apiTokenId).executeTakeFirst()
  return row?.organization_id ?? null
}

