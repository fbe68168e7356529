import { signedInOf } from '../admit-session.ts'
import * as v from 'valibot'
import { defineRoute } from '../api-registry.ts'
import { failure, ok } from '../responses.ts'
import { Email, EmailToken } from './input-schemas.ts'
import { renewSessionCookie } from '../renew-session-cookie.ts'

export const requestEmailChangeRoute = defineRoute({
  method: 'post',
  path: '/email-change',
  tag: 'account',
  summary: 'Start an email change: the new address gets a confirmation link, the old one a notice. Needs a sudo-fresh session.',
  body: v.object({ email: Email }),
  auth: true,
  responses: {
    202: 'Pending: confirm from the new address',
    400: 'invalid (with field issues)',
    403: 'sudo_required',
    404: 'not_found',
    409: 'email_taken',
    422: 'same_email or deletion_scheduled',
    429: 'rate_limited (Retry-After)',
  },
  async handle(c, body, deps) {
    const { user, session } = c.get('current')!
    const result = await deps.sigra.account.requestEmailChange(user, body.email, { session })
    // The token proves control of the new address: it travels only by mail, never in this answer.
    return result.ok ? ok(c, { user: result.user }, 202) : failure(c, result)
  },
})

export const confirmEmailChangeRoute = defineRoute({
  method: 'post',
  path: '/email-change/confirm',
  tag: 'account',
  summary: "Switch to the new address with the token from its mail. Ends the user's other sessions (the caller's own is kept when it is theirs).",
  body: v.object({ token: EmailToken }),
  responses: { 200: 'Switched', 400: 'invalid_token', 409: 'email_taken (claimed meanwhile; nothing changed)', 422: 'vetoed' },
  async handle(c, body, deps) {
    const current = await signedInOf(c)
    const result = await deps.sigra.account.confirmEmailChange(body.token, { session: current?.session ?? null })
    if (!result.ok) return failure(c, result)
    if (current?.user.id === result.user.id) await renewSessionCookie(c, deps)
    return ok(c, { user: result.user })
  },
})

export const cancelEmailChangeRoute = defineRoute({
  method: 'delete',
  path: '/email-change',
  tag: 'account',
  summary: 'Drop the pending email change (its link stops working, the address is released).',
  auth: true,
  responses: { 200: 'Cancelled (also when none was pending)', 404: 'not_found' },
  async handle(c, _body, deps) {
    const result = await deps.sigra.account.cancelEmailChange(c.get('current')!.user)
    return result.ok ? ok(c, { user: result.user }) : failure(c, result)
  },
})
