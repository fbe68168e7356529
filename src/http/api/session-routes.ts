import * as v from 'valibot'
import { defineRoute } from '../api-registry.ts'
import { clearedSessionCookie, sessionCookie } from '../cookies.ts'
import { failure, ok } from '../responses.ts'
import { Password } from './input-schemas.ts'
import { cookieToken } from './session-cookie.ts'
import { renewSessionCookie } from '../renew-session-cookie.ts'

export const listSessionsRoute = defineRoute({
  method: 'get',
  path: '/sessions',
  tag: 'session',
  summary: "The current user's live sessions, most recently active first; the caller's own is marked `current: true`.",
  auth: true,
  responses: { 200: 'The sessions (never their secrets)' },
  async handle(c, _body, deps) {
    const { user, session } = c.get('current')!
    const sessions = await deps.sigra.sessions.list(user.id)
    return ok(c, { sessions: sessions.map((s) => ({ ...s, current: s.id === session.id })) })
  },
})

export const revokeSessionRoute = defineRoute({
  method: 'delete',
  path: '/sessions/:id',
  tag: 'session',
  summary: "End one of the current user's sessions (ending the caller's own also clears its cookie).",
  auth: true,
  responses: { 200: 'Ended', 404: 'not_found (no such session of this user)' },
  async handle(c, _body, deps) {
    const { user, session } = c.get('current')!
    const id = c.req.param('id') ?? ''
    const result = await deps.sigra.sessions.revoke(user.id, id)
    if (!result.ok) return failure(c, result)
    if (id === session.id) c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return ok(c, {})
  },
})

export const revokeOtherSessionsRoute = defineRoute({
  method: 'post',
  path: '/sessions/revoke-others',
  tag: 'session',
  summary: 'Sign out everywhere else: end every session but this one. Needs a sudo-fresh session.',
  auth: true,
  responses: { 200: 'Ended; `count` sessions', 403: 'sudo_required' },
  async handle(c, _body, deps) {
    const { user, session } = c.get('current')!
    const result = await deps.sigra.account.revokeOtherSessions(user, { session })
    return result.ok ? ok(c, { count: result.count }) : failure(c, result)
  },
})

export const confirmSudoRoute = defineRoute({
  method: 'post',
  path: '/sudo',
  tag: 'session',
  summary: 'Re-enter the password to make this session sudo-fresh. The session token is renewed (new cookie); the old one stops working.',
  body: v.object({ password: Password }),
  auth: true,
  responses: {
    200: 'Sudo-fresh; Set-Cookie carries the renewed session',
    401: 'invalid_credentials or invalid_session',
    403: 'impersonated',
    422: 'no_password (re-authenticate another way)',
    423: 'locked (Retry-After)',
  },
  async handle(c, body, deps) {
    const token = cookieToken(c, deps) ?? ''
    const confirmed = await deps.sigra.sessions.confirmSudo(token, { password: body.password })
    if (!confirmed.ok) return failure(c, confirmed)
    const renewed = await renewSessionCookie(c, deps)
    if (!renewed) return failure(c, { error: 'invalid_session' })
    return ok(c, { session: renewed, sudo: deps.sigra.sessions.isSudo(renewed) })
  },
})

export const endImpersonationRoute = defineRoute({
  method: 'post',
  path: '/impersonation/stop',
  tag: 'session',
  summary: "End the impersonation this session is: the operator's own session comes back under a renewed cookie (none when it has ended).",
  auth: true,
  responses: { 200: 'Ended; Set-Cookie carries the operator session (or clears the cookie)', 409: 'not_impersonating' },
  async handle(c, _body, deps) {
    const result = await deps.sigra.sessions.endImpersonation(cookieToken(c, deps))
    if (!result.ok) return failure(c, result)
    c.header('Set-Cookie', result.token && result.session ? sessionCookie(deps.cookies, result.token, result.session) : clearedSessionCookie(deps.cookies))
    return ok(c, { session: result.session })
  },
})
