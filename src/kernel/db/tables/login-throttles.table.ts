import type { Timestamp } from './users.table.ts'

/** Failed sign-ins per login identifier that no usable account answers to (see migration 0003). */
export interface LoginThrottlesTable {
  /** HMAC-SHA256 of the normalised identifier, under a key derived from the configured secret. */
  key: Uint8Array
  failures: number
  locked_until: Timestamp | null
  updated_at: Timestamp
}
