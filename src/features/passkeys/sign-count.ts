/**
 * The signature-counter rule (WebAuthn §7.2 step 21), as a pure function of the stored counter, the
 * one the authenticator just signed, and the policy:
 * - both 0: an authenticator that does not count (synced passkeys): accepted, nothing learnt;
 * - the new one greater than the stored one: accepted, the new one is stored;
 * - otherwise (equal or lower, the stored one not 0, or a counting authenticator that reports 0
 *   after counting): a regression, a sign of a cloned authenticator. `'refuse'` refuses the
 *   ceremony; `'flag'` accepts it, keeps the higher counter and marks the credential.
 */
export type CounterPolicy = 'refuse' | 'flag'

export interface CounterVerdict {
  /** Whether the ceremony may succeed. */
  accept: boolean
  /** Whether this is a regression (audited `passkey.counter_regression` either way). */
  regression: boolean
  /** The counter to store. */
  next: number
}

export function checkSignCount(stored: number, received: number, policy: CounterPolicy): CounterVerdict {
  if (stored === 0 && received === 0) return { accept: true, regression: false, next: 0 }
  if (received > stored) return { accept: true, regression: false, next: received }
  return { accept: policy === 'flag', regression: true, next: stored }
}
