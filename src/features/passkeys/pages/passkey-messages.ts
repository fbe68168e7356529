import { errorMessage } from '../../../web/error-messages.ts'

/** What the passkey pages say for the feature's own codes; anything else is core's sentence. */
const MESSAGES: Readonly<Record<string, string>> = {
  invalid: 'That passkey answer could not be read. Try again.',
  invalid_credentials: 'That passkey was not accepted. Try again.',
  challenge_expired: 'That took too long. Try again.',
  last_method: 'This passkey is the only way you can sign in to your account, so it cannot be removed. Set a password or add another passkey first.',
  no_passkey: 'There is no passkey on this account.',
  not_found: 'That passkey was not found. It may already be removed.',
  fresh_sign_in_required: 'To add your first passkey, log out and log in again, then add it within a few minutes.',
}

export function passkeyMessage(code: string, retryAfter?: number): string {
  return MESSAGES[code] ?? errorMessage(code, retryAfter)
}
