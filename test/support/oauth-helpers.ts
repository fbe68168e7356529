import { sql } from 'kysely'
import type { Sigra } from 'sigra'
import { oauth, type OAuthApi } from 'sigra/oauth'

/** The client the loopback OpenID provider knows Sigra as (the tests' baseUrl is http://localhost:3000, basePath /auth). */
export const OP = { id: 'op', name: 'Loopback ID', clientId: 'sigra-op', clientSecret: 'op-client-secret-0123456789' }
export const GH = { clientId: 'Iv1.sigra', clientSecret: 'gh-client-secret-0123456789' }
export const BASE = 'http://localhost:3000'
export const redirectUri = (provider: string) => `${BASE}/auth/oauth/${provider}/callback`

/** A Sigra with the OAuth feature: its facade typed with `oauth`. */
export type OAuthSigra = Sigra & { oauth: OAuthApi }
export type OAuthFeature = ReturnType<typeof oauth>

export const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)
export const reasonOf = (r: { ok: boolean; error?: string; reason?: string }) => (r.ok ? 'ok' : `${r.error}:${r.reason ?? ''}`)

/** Rows of one of the OAuth feature's tables on this instance's schema. */
export async function oauthRows(sigra: Sigra, table: 'oauth_identities' | 'oauth_spent_states'): Promise<Array<Record<string, unknown>>> {
  const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(`${sigra.config.schema}.${table}`)}`.execute(sigra.db)
  return result.rows
}

/** Sets columns of a user row directly (a suspension, a deletion date), as an operator's tool would. */
export async function setUser(sigra: Sigra, id: string, values: Record<string, unknown>): Promise<void> {
  await sigra.db.updateTable('users').set(values).where('id', '=', id).execute()
}

/** Starts a sign-in and answers the URL, the cookie, and the query the provider was sent. */
export async function start(sigra: OAuthSigra, provider: string, options: Parameters<OAuthApi['authorizationUrl']>[1] = {}) {
  const started = await sigra.oauth.authorizationUrl(provider, options)
  if (!started.ok) throw new Error(`authorizationUrl(${provider}) failed: ${started.error} ${started.reason ?? ''}`)
  return { ...started, query: new URL(started.url).searchParams }
}
