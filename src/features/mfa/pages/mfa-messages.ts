import { errorMessage } from '../../../web/error-messages.ts'

/** What the MFA pages say for MFA's own codes; anything else is core's sentence. */
const MESSAGES: Readonly<Record<string, string>> = {
  invalid_code: 'That code is not right. Enter the code your app shows now, or a backup code you have not used.',
  locked: 'Too many wrong codes: two-factor sign-in is paused for this account.',
  invalid: 'Enter the 6-digit code from your app.',
  no_enrollment: 'That setup has expired. Start again to get a new code to scan.',
  already_enabled: 'Two-factor authentication is already on.',
  not_enabled: 'Two-factor authentication is not on.',
  required_by_policy: 'Two-factor authentication is required for your account, so it cannot be turned off.',
  invalid_session: 'Your sign-in has ended. Please log in again.',
}

export function mfaMessage(code: string, retryAfter?: number): string {
  const text = MESSAGES[code]
  if (!text) return errorMessage(code, retryAfter)
  if (code === 'locked' && retryAfter) return `${text} Try again in ${Math.ceil(retryAfter / 60)} minute${retryAfter > 60 ? 's' : ''}.`
  return text
}
