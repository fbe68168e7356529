import { signedInOf } from '../admit-session.ts'
import * as v from 'valibot'
import { defineRoute } from '../api-registry.ts'
import { failure, ok } from '../responses.ts'
import { EmailToken } from './input-schemas.ts'

export const confirmEmailRoute = defineRoute({
  method: 'post',
  path: '/confirm',
  tag: 'auth',
  summary: "Confirm the account address with the token from the confirmation mail (single use). Ends the account's other sessions (the caller's own is kept when it is the account's).",
  body: v.object({ token: EmailToken }),
  responses: { 200: 'Confirmed', 400: 'invalid_token (unknown, used, expired or for another address)', 422: 'vetoed' },
  async handle(c, body, deps) {
    const current = await signedInOf(c)
    const result = await deps.sigra.auth.confirmEmail(body.token, { session: current?.session ?? null })
    return result.ok ? ok(c, { user: result.user }) : failure(c, result)
  },
})

export const resendConfirmationRoute = defineRoute({
  method: 'post',
  path: '/confirm/resend',
  tag: 'auth',
  summary: 'Mail a fresh confirmation link to the current user (earlier links stop working). Throttled.',
  auth: true,
  responses: { 202: 'Sent', 404: 'not_found', 409: 'already_confirmed', 429: 'rate_limited (Retry-After)' },
  async handle(c, _body, deps) {
    const result = await deps.sigra.auth.sendConfirmation(c.get('current')!.user)
    return result.ok ? ok(c, { status: 'check_email' }, 202) : failure(c, result)
  },
})
