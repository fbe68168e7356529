import { SigraError } from '../kernel/errors.ts'

/**
 * The one table from domain error codes to HTTP statuses. A code missing here is a bug: the
 * handler answers 500 and logs it, so tests catch it.
 */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  invalid: 400,
  invalid_token: 400,
  invalid_json: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  invalid_session: 401,
  invalid_current_password: 403,
  sudo_required: 403,
  unconfirmed: 403,
  impersonated: 403,
  password_change_required: 403,
  step_required: 403,
  csrf: 403,
  not_found: 404,
  method_not_allowed: 405,
  email_taken: 409,
  already_confirmed: 409,
  already_scheduled: 409,
  password_already_set: 409,
  not_scheduled: 409,
  not_impersonating: 409,
  same_email: 422,
  no_password: 422,
  deletion_scheduled: 422,
  vetoed: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  locked: 423,
  rate_limited: 429,
  unavailable: 503,
}

export function statusFor(code: string): number {
  return ERROR_STATUS[code] ?? 500
}

/**
 * Core's table plus the enabled features' codes. A feature may repeat a core code only with core's
 * status (two meanings for one code would make clients guess).
 */
export function statusTable(features: ReadonlyArray<{ name: string; errors: Readonly<Record<string, number>> }>): (code: string) => number {
  const table: Record<string, number> = { ...ERROR_STATUS }
  const owner: Record<string, string> = {}
  for (const { name, errors } of features) {
    for (const [code, status] of Object.entries(errors)) {
      if (table[code] !== undefined && table[code] !== status) {
        throw new SigraError('invalid_feature', `Feature ${name}: error ${code} is already ${table[code]} (${owner[code] ?? 'core'}); it cannot be ${status}`)
      }
      table[code] = status
      owner[code] ??= name
    }
  }
  return (code) => table[code] ?? 500
}
