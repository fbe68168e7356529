import type { SigraConfig } from '../../../kernel/config.ts'
import { errorMessage } from '../../../web/error-messages.ts'
import { fieldMessage } from '../../../web/field-messages.ts'
import type { FormFailure } from '../../../web/form-errors.ts'

/** What the admin pages say for the admin feature's refusals; anything else is core's sentence. */
const MESSAGES: Readonly<Record<string, string>> = {
  forbidden:
    'Not allowed. Operators change only accounts that rank below their own (an Admin cannot change the Owner or another Admin), never their own account here, and only with the permission for it.',
  last_owner: 'This is the last active Owner: the site must always have one. Make someone else Owner first.',
  not_found: 'That account or note was not found. It may have been deleted.',
  impersonated: 'You are acting as another user: stop that first.',
  vetoed: 'The application does not allow this change.',
}

export function adminMessage(code: string, retryAfter?: number): string {
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : errorMessage(code, retryAfter)
}

/** Success notices of the admin pages, by the code a redirect puts in `?notice=` (core's own codes are core's). */
const NOTICES: Readonly<Record<string, string>> = {
  admin_profile_saved: 'The profile was saved.',
  admin_role_changed: 'The role was changed.',
  admin_status_changed: 'The status was changed.',
  admin_confirmed: 'The email address is marked confirmed.',
  admin_unconfirmed: 'The email address is marked unconfirmed.',
  admin_password_set: 'The password was set and every session of the user ended.',
  admin_password_change_required: 'The user must choose a new password before doing anything else.',
  admin_sessions_revoked: 'Every session of the user ended.',
  admin_mfa_reset: 'Two-factor authentication was removed from the account.',
  admin_field_saved: 'The field was saved.',
  admin_note_added: 'The note was added.',
  admin_note_saved: 'The note was saved.',
  admin_note_deleted: 'The note was deleted.',
  admin_user_deleted: 'The account was deleted.',
}

export function adminNotice(code: string | undefined): string | null {
  return code !== undefined && Object.hasOwn(NOTICES, code) ? NOTICES[code]! : null
}

/** The sentences for one field of a failed form: the password policy's from core's table, the others the domain's fixed texts. */
export function issuesFor(failure: FormFailure | null | undefined, field: string, config: Pick<SigraConfig, 'password'>): string[] {
  return (failure?.issues ?? []).filter((i) => i.field === field).map((i) => (field === 'password' ? fieldMessage(i, config) : i.message))
}

/** The summary above a failed form: a pointer to the fields when they hold the messages. */
export function failureSummary(failure: FormFailure | null | undefined, fields: readonly string[]): string | null {
  if (!failure) return null
  const placed = (failure.issues ?? []).filter((i) => fields.includes(i.field))
  if (failure.error === 'invalid' && placed.length > 0) {
    const stray = (failure.issues ?? []).filter((i) => !fields.includes(i.field)).map((i) => i.message)
    return [placed.length === 1 ? 'One field needs attention: see the message next to it.' : errorMessage('invalid'), ...stray].join(' ')
  }
  if (failure.error === 'invalid' && failure.issues?.length) return failure.issues.map((i) => i.message).join(' ')
  return adminMessage(failure.error, failure.retryAfter)
}
