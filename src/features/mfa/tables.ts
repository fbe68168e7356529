import type { Generated } from 'kysely'

/** The MFA feature's tables (migration `mfa/0001_create_mfa`), typed beside core's with `withTables`. */
export interface MfaTables {
  /** One TOTP credential per user: unconfirmed while enrolling, enabled once confirmed. */
  mfa_totp: {
    user_id: string
    /** The TOTP key, sealed (AES-256-GCM under a key derived from the configured secrets). */
    sealed_key: Uint8Array
    /** Null while enrolling; set when a first valid code confirmed it: MFA is on from then. */
    confirmed_at: Date | null
    /** An unconfirmed enrolment expires here. */
    enrollment_expires_at: Date | null
    /** The last time step a code was accepted for: earlier and equal steps are refused (replay). */
    last_step: string | null
    failed_attempts: Generated<number>
    locked_until: Date | null
    created_at: Date
  }
  /** Single-use backup codes, stored only as keyed digests. */
  mfa_backup_codes: {
    id: Generated<string>
    user_id: string
    digest: Uint8Array
    used_at: Date | null
    created_at: Date
  }
  /** Devices that skip the second factor for a while ("trust this device"), revocable one by one. */
  mfa_trusted_devices: {
    id: Generated<string>
    user_id: string
    secret_digest: Uint8Array
    /** The user's `epoch` when trusted: a password change (or anything else that bumps it) voids the trust. */
    epoch: number
    label: string | null
    created_at: Date
    expires_at: Date
    last_used_at: Date | null
  }
}
