import * as v from 'valibot'
import { defineRoute } from '../api-registry.ts'
import { requestMeta } from '../request-meta.ts'
import { failure, ok } from '../responses.ts'
import { Email, EmailToken, Password } from './input-schemas.ts'
import { renewSessionCookie } from '../renew-session-cookie.ts'

export const requestPasswordResetRoute = defineRoute({
  method: 'post',
  path: '/password-reset/request',
  tag: 'auth',
  summary: 'Mail a reset link if the address has an account. Answers the same whether it has one or not, and when throttled.',
  body: v.object({ email: Email }),
  responses: { 202: 'Accepted: check your email (known and unknown addresses alike)' },
  async handle(c, body, deps) {
    const result = await deps.sigra.auth.requestPasswordReset(body.email, requestMeta(deps, c))
    return result.ok ? ok(c, { status: 'check_email' }, 202) : failure(c, result)
  },
})

export const resetPasswordRoute = defineRoute({
  method: 'post',
  path: '/password-reset',
  tag: 'auth',
  summary: 'Set a new password with the token from the reset mail. Ends every session; does not log in.',
  body: v.object({ token: EmailToken, password: Password }),
  responses: { 200: 'Password set; log in with it', 400: 'invalid (password policy, with field issues) or invalid_token', 422: 'vetoed' },
  async handle(c, body, deps) {
    const result = await deps.sigra.auth.resetPassword(body.token, { password: body.password, ...requestMeta(deps, c) })
    return result.ok ? ok(c, { user: result.user }) : failure(c, result)
  },
})

export const changePasswordRoute = defineRoute({
  method: 'post',
  path: '/password/change',
  tag: 'account',
  summary: 'Change the password, proving the current one (wrong ones count toward lockout). Keeps this session, ends the others.',
  body: v.object({ currentPassword: Password, password: Password }),
  auth: true,
  step: 'password_change',
  responses: {
    200: 'Changed',
    400: 'invalid (policy or same as current, with field issues)',
    403: 'invalid_current_password',
    404: 'not_found',
    422: 'no_password, deletion_scheduled or vetoed',
    423: 'locked (Retry-After)',
  },
  async handle(c, body, deps) {
    const { user, session } = c.get('current')!
    const result = await deps.sigra.account.changePassword(user, body.currentPassword, { password: body.password }, { session })
    if (!result.ok) return failure(c, result)
    await renewSessionCookie(c, deps)
    return ok(c, { user: result.user })
  },
})

export const setPasswordRoute = defineRoute({
  method: 'post',
  path: '/password/set',
  tag: 'account',
  summary: 'Add a password to an account that has none (OAuth-only). Needs a sudo-fresh session.',
  body: v.object({ password: Password }),
  auth: true,
  step: 'password_change',
  responses: {
    200: 'Set',
    400: 'invalid (policy, with field issues)',
    403: 'sudo_required',
    404: 'not_found',
    409: 'password_already_set',
    422: 'deletion_scheduled or vetoed',
  },
  async handle(c, body, deps) {
    const { user, session } = c.get('current')!
    const result = await deps.sigra.account.setPassword(user, { password: body.password }, { session })
    if (!result.ok) return failure(c, result)
    await renewSessionCookie(c, deps)
    return ok(c, { user: result.user })
  },
})
