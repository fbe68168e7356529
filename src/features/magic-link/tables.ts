import type { Generated } from 'kysely'

/** The magic-link feature's table (migration `magic-link/0001_create_magic_link_tokens`). */
export interface MagicLinkTables {
  magic_link_tokens: {
    id: Generated<string>
    /** The account it signs in; null for a sign-up link (`signUp: true`) to an address no account had. */
    user_id: string | null
    /** SHA-256 of the token as it travels in the link: the token itself is never stored. */
    digest: Uint8Array
    /** The address it was mailed to: it works only while that is still the account's address. */
    sent_to: string
    created_at: Date
    expires_at: Date
    used_at: Date | null
  }
}
