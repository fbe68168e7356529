/** Every error code a page can meet, as a sentence for people. Codes not listed get the generic one. */
const MESSAGES: Readonly<Record<string, string>> = {
  invalid: 'Some fields need attention: see the messages next to them.',
  invalid_token: 'This link is invalid, has expired or was already used. Ask for a new one.',
  invalid_json: 'The form could not be read. Please try again.',
  invalid_credentials: 'That email/username and password do not match an account.',
  unauthenticated: 'Please log in to continue.',
  invalid_session: 'Your session has ended. Please log in again.',
  invalid_current_password: 'Your current password is not correct.',
  wrong_password: 'That password is not correct.',
  sudo_required: 'For your security, confirm your password first.',
  unconfirmed: 'Confirm your email address first: open the link we sent you.',
  impersonated: 'This is not possible while acting on behalf of another user.',
  not_impersonating: 'You are not acting on behalf of another user.',
  password_change_required: 'You need to choose a new password before continuing.',
  step_required: 'This sign-in is not complete. Log out and log in again.',
  csrf: 'This form was sent from another site or an old page, so it was refused. Reload the page and try again.',
  not_found: 'That was not found. It may already be gone.',
  method_not_allowed: 'That address does not take this kind of request.',
  email_taken: 'That email address cannot be used. Choose another one.',
  already_confirmed: 'Your email address is already confirmed.',
  already_scheduled: 'Your account is already scheduled for deletion.',
  password_already_set: 'Your account already has a password. Use “Change password” instead.',
  not_scheduled: 'Your account is not scheduled for deletion.',
  same_email: 'That is already your email address.',
  no_password: 'Your account has no password yet. Set one in your settings first.',
  deletion_scheduled: 'Your account is scheduled for deletion. Keep it first to make changes.',
  vetoed: 'This change is not allowed by the application.',
  payload_too_large: 'The form is too large.',
  unsupported_media_type: 'The form could not be read. Please try again.',
  locked: 'Too many wrong passwords: sign-in is paused for this account.',
  rate_limited: 'Too many attempts.',
  internal: 'Something went wrong on our side. Please try again.',
  unavailable: 'We cannot reach our records right now. Nothing you entered was saved: please try again in a moment.',
}

const GENERIC = 'Something went wrong. Please try again.'

export function hasErrorMessage(code: string): boolean {
  return Object.hasOwn(MESSAGES, code)
}

/** The sentence for an error code; `retryAfter` (seconds) adds when to try again. */
export function errorMessage(code: string, retryAfter?: number): string {
  const text = Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : GENERIC
  if ((code === 'locked' || code === 'rate_limited') && retryAfter !== undefined && retryAfter > 0) {
    return `${text} Try again in ${waitText(retryAfter)}.`
  }
  return code === 'rate_limited' ? `${text} Wait a moment and try again.` : text
}

function waitText(seconds: number): string {
  if (seconds < 60) return seconds <= 1 ? '1 second' : `${Math.ceil(seconds)} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}
