import type { Generated } from 'kysely'

/** The passkeys feature's tables (migration `passkeys/0001_create_passkeys`), typed beside core's with `withTables`. */
export interface PasskeysTables {
  /** One row per registered WebAuthn credential; it belongs to one user and goes with them. */
  passkey_credentials: {
    id: Generated<string>
    user_id: string
    /** The credential ID as the authenticator made it, base64url (unique: one credential, one owner). */
    credential_id: string
    /** The credential's public key, COSE-encoded, as the authenticator gave it. */
    public_key: Uint8Array
    /** The last signature counter accepted (0 for authenticators that do not count: synced passkeys). */
    counter: string
    /** How the browser can reach the authenticator ('internal', 'hybrid', 'usb', 'nfc', 'ble'). */
    transports: string[]
    /** The authenticator model's AAGUID (all zeros when it does not say): the default label comes from it. */
    aaguid: string
    /** Backup eligible: a multi-device (synced) passkey. */
    backup_eligible: boolean
    /** Backed up now (updated at each use). */
    backed_up: boolean
    label: string
    created_at: Date
    last_used_at: Date | null
    /** Set when a counter regression was accepted under `counterPolicy: 'flag'`. */
    counter_regressed_at: Date | null
  }
  /**
   * Open ceremonies: a challenge handed to the browser, stored only as a SHA-256 digest, single-use
   * (consumed by one DELETE … RETURNING) and short-lived. Bound to the browser by `ceremony_digest`
   * (the digest of an opaque id the browser holds in a short-lived cookie) or to a session.
   */
  passkey_challenges: {
    id: Generated<string>
    /** 'registration' | 'authentication' | 'second_factor' | 'sudo'. */
    kind: string
    /** Digest of the ceremony id (null for a registration, which is bound to its session). */
    ceremony_digest: Uint8Array | null
    challenge_digest: Uint8Array
    /**
     * Whose credential may answer: this user's only (registration, second factor, sudo, username-first
     * sign-in; null there for an unknown login: nobody's), unless `any_user` (a discoverable sign-in).
     */
    user_id: string | null
    any_user: boolean
    /** The session the ceremony belongs to (registration, second factor, sudo): it goes with it. */
    session_id: string | null
    /** The user verification asked for: 'required' | 'preferred'. */
    user_verification: string
    created_at: Date
    expires_at: Date
  }
}
