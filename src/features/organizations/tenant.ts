/**
 * Tenant scoping for the host's own organization-aware tables. The rule: every query on such a
 * table names the organization the caller acts in, and a row of another organization is
 * `not_found` — never `forbidden`, which would tell that it exists.
 *
 * @example
 * const org = principal.organization            // from sigra.sessions.fromRequest(request)
 * const project = await db.selectFrom('projects').selectAll()
 *   .$call(inOrganization(org))                 // WHERE organization_id = <the active one>
 *   .where('id', '=', id).executeTakeFirst()
 * if (!project) return notFound()               // another tenant's id, or none: the same answer
 */

/** The organization to scope to: an id, or anything with one (`principal.organization`). Null or malformed: nothing matches. */
export type OrganizationRef = string | { id: string } | null | undefined

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const NONE = '00000000-0000-0000-0000-000000000000'

/** The organization's id, or an id no row has (fail closed: no organization, no rows). */
export function organizationIdOf(org: OrganizationRef): string {
  const id = typeof org === 'string' ? org : org?.id
  return typeof id === 'string' && UUID.test(id) ? id : NONE
}

// A structural type for Kysely's select/update/delete builders: `where(column, '=', value)`.
interface Whereable<Q> {
  where(column: never, op: '=', value: string): Q
}

/**
 * For `.$call(...)` on a Kysely select, update or delete: `WHERE <column> = <organization id>`
 * (`column` defaults to `organization_id`; name it `projects.organization_id` in joins). A missing
 * organization scopes to none, so a forgotten check returns nothing rather than everything.
 */
export function inOrganization(org: OrganizationRef, column = 'organization_id') {
  const id = organizationIdOf(org)
  return <Q extends Whereable<Q>>(query: Q): Q => query.where(column as never, '=', id)
}
