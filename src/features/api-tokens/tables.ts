import type { Generated } from 'kysely'

/** The API-token feature's table (migration `api-tokens/0001_create_api_tokens`). */
export interface ApiTokenTables {
  api_tokens: {
    id: Generated<string>
    user_id: string
    name: string
    /** SHA-256 of the secret half: the token itself is never stored. */
    secret_digest: Uint8Array
    scopes: string[]
    created_at: Date
    expires_at: Date | null
    last_used_at: Date | null
    last_used_ip: string | null
  }
}
