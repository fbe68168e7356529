import type { SigraContext } from '../../kernel/context.ts'
import type { Sealer } from '../../kernel/crypto/seal.ts'
import { withTables, type Executor } from '../../kernel/db/database.ts'
import type { ProviderClient } from './client.ts'
import type { OAuthSettings } from './options.ts'
import type { OAuthTables } from './tables.ts'

/** The context the OAuth functions take: the instance's, plus the feature's settings, clients and sealers. */
export type OAuthContext = SigraContext & {
  oauth: OAuthSettings & {
    /** One client per provider, by id (discovery is cached per client). */
    clients: ReadonlyMap<string, ProviderClient>
    /** Seals the state cookie (its own key, derived from the instance's secret). */
    stateSealer: Sealer
    /** Seals provider tokens at rest (its own key). */
    tokenSealer: Sealer
    cookieName: string
    secureCookies: boolean
    /** How many passkeys the user has (0 without the passkeys feature): one of the ways to sign in the last-method guard counts. */
  }
}

/** Kysely typed with the OAuth tables beside core's. */
export function oauthDb(db: Executor) {
  return withTables<OAuthTables>(db)
}
