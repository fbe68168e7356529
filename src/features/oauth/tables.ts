import type { Generated } from 'kysely'

/** The OAuth feature's tables (migration `oauth/0001_create_oauth`). */
export interface OAuthTables {
  oauth_identities: {
    id: Generated<string>
    user_id: string
    /** The provider's id in the configuration (`github`, `google`, a host's `okta`): identities are keyed by it, never by issuer alone. */
    provider: string
    /** The provider's stable id for the account (`sub`). */
    subject: string
    /** The OIDC issuer that vouched for it (null for plain OAuth 2.0), for the record. */
    issuer: string | null
    /** The address the provider last stated, and whether it said (with the boolean true) it verified it. */
    email: string | null
    email_verified: boolean
    name: string | null
    username: string | null
    /** Provider tokens, only with `storeTokens: true`, sealed (AES-256-GCM): never in plain text. */
    access_token_sealed: Uint8Array | null
    refresh_token_sealed: Uint8Array | null
    token_expires_at: Date | null
    token_scope: string | null
    created_at: Date
    last_used_at: Date | null
  }
  /** States already spent (SHA-256 of the state), so a callback runs once even with a copied cookie; kept until the state would have expired. */
  oauth_spent_states: {
    digest: Uint8Array
    expires_at: Date
  }
}
