import type { SigraCore } from '../../facade/core-facade.ts'
import type { PendingStepError } from '../../sessions/sign-in-steps.ts'

type FailureCode<F> = F extends (...args: never[]) => Promise<infer R> ? (R extends { ok: false; error: infer E extends string } ? E : never) : never
type Auth = SigraCore['auth']
type Sessions = SigraCore['sessions']
type Account = SigraCore['account']

/** Every failure code of the domain functions the JSON API calls, read from their result types. */
export type ApiDomainErrorCode =
  | FailureCode<Auth['register']>
  | FailureCode<Auth['logIn']>
  | FailureCode<Auth['confirmEmail']>
  | FailureCode<Auth['sendConfirmation']>
  | FailureCode<Auth['requestPasswordReset']>
  | FailureCode<Auth['resetPassword']>
  | FailureCode<Sessions['revoke']>
  | FailureCode<Sessions['confirmSudo']>
  | FailureCode<Sessions['rotate']>
  | FailureCode<Sessions['endImpersonation']>
  | FailureCode<Account['revokeOtherSessions']>
  | FailureCode<Account['requestEmailChange']>
  | FailureCode<Account['confirmEmailChange']>
  | FailureCode<Account['cancelEmailChange']>
  | FailureCode<Account['changePassword']>
  | FailureCode<Account['setPassword']>
  | FailureCode<Account['scheduleDeletion']>
  | FailureCode<Account['cancelDeletion']>
  | FailureCode<Account['exportUserData']>

/** Codes the HTTP layer itself answers with (body reading, CSRF, session, guards, routing). */
export const HTTP_ERROR_CODES = [
  'invalid',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'csrf',
  'unauthenticated',
  'sudo_required',
  'unconfirmed',
  'password_change_required',
  'not_found',
  'method_not_allowed',
  'unavailable',
] as const

/** Step codes features add by augmentation: their statuses come with the feature (`errors`), not this table. */
type FeatureStepError = Exclude<PendingStepError, 'password_change_required' | 'step_required'>

const DOMAIN_CODES = {
  invalid: true,
  invalid_token: true,
  invalid_credentials: true,
  invalid_session: true,
  invalid_current_password: true,
  sudo_required: true,
  unconfirmed: true,
  impersonated: true,
  not_found: true,
  email_taken: true,
  already_confirmed: true,
  already_scheduled: true,
  password_already_set: true,
  not_scheduled: true,
  not_impersonating: true,
  same_email: true,
  no_password: true,
  deletion_scheduled: true,
  vetoed: true,
  password_change_required: true,
  step_required: true,
  locked: true,
  rate_limited: true,
  // A Record over the type: the compiler refuses this object when a domain result gains a code
  // that is not listed here (and a listed code no domain function returns).
} satisfies Record<Exclude<ApiDomainErrorCode, FeatureStepError>, true>

/**
 * Every error code a JSON API answer can carry. Each must have a status in `ERROR_STATUS`
 * (test/http-errors.test.ts checks none of them maps to 500).
 */
export const API_ERROR_CODES: readonly string[] = [...new Set([...(Object.keys(DOMAIN_CODES) as ApiDomainErrorCode[]), ...HTTP_ERROR_CODES])]
