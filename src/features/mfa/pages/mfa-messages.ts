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

/** What core's forms say above a form whose one field holds the message (see `formErrors`). */
const ONE_FIELD = 'One field needs attention: see the message next to it.'

/**
 * A refused code on a one-field form: a wrong or missing code is said next to the field (its
 * input marked invalid and described by it) and the summary at the top points there, so no
 * sentence is shown twice; anything else (locked, rate limited, an ended sign-in) is the summary.
 */
export function codeErrors(error: { code: string; retryAfter?: number } | null, field: 'code' | 'backup_code'): { summary: string | null; field: string[] } {
  if (!error) return { summary: null, field: [] }
  if (error.code === 'invalid_code') return { summary: ONE_FIELD, field: [mfaMessage('invalid_code')] }
  if (error.code === 'invalid') return { summary: ONE_FIELD, field: [field === 'backup_code' ? 'Enter one of your backup codes.' : mfaMessage('invalid')] }
  return { summary: mfaMessage(error.code, error.retryAfter), field: [] }
}
