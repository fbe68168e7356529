import * as v from 'valibot'
import { defineRoute } from '../api-registry.ts'
import { clearedSessionCookie, readCookie } from '../cookies.ts'
import { requestMeta } from '../request-meta.ts'
import { failure, ok } from '../responses.ts'
import { Email, Flag, Password } from './input-schemas.ts'
import { cookieToken, setSessionCookie } from './session-cookie.ts'

export const registerRoute = defineRoute({
  method: 'post',
  path: '/register',
  tag: 'auth',
  summary: 'Create an account and mail a confirmation link. A taken address answers exactly like a new one (the owner gets a notice) unless http.hideEmailTaken is false.',
  body: v.object({ email: Email, password: Password, username: v.optional(v.pipe(v.string(), v.maxLength(64))) }),
  responses: {
    202: 'Accepted: check your email (new or taken address alike)',
    201: 'Created (only with hideEmailTaken: false)',
    409: 'email_taken (only with hideEmailTaken: false)',
    422: 'vetoed (a beforeRegister hook refused)',
  },
  async handle(c, body, deps) {
    const result = await deps.sigra.auth.register({ ...body, ...requestMeta(deps, c) })
    const hide = deps.config.http.hideEmailTaken
    if (result.ok) return hide ? ok(c, { status: 'check_email' }, 202) : ok(c, { user: result.user }, 201)
    if (result.error === 'email_taken' && hide) return ok(c, { status: 'check_email' }, 202)
    return failure(c, result)
  },
})

export const logInRoute = defineRoute({
  method: 'post',
  path: '/login',
  tag: 'auth',
  summary: 'Log in with email or username; sets the session cookie (a new session id every time, the previous session ends).',
  body: v.object({ login: Email, password: Password, rememberMe: Flag }),
  responses: { 200: 'Logged in; Set-Cookie carries the session', 401: 'invalid_credentials', 403: 'unconfirmed', 422: 'vetoed', 423: 'locked (Retry-After)' },
  async handle(c, body, deps) {
    const trustToken = readCookie(deps.cookies.trustName, c.req.header('cookie'))
    const result = await deps.sigra.auth.logIn({ ...body, rememberMe: body.rememberMe === true, previousToken: cookieToken(c, deps), trustToken, ...requestMeta(deps, c) })
    if (!result.ok) return failure(c, result)
    setSessionCookie(c, deps, result.token, result.session)
    // With a step pending the cookie carries a session that is not signed in yet: `pending` says what to do next.
    return ok(c, { user: result.user, session: result.session, pending: result.pending })
  },
})

export const logOutRoute = defineRoute({
  method: 'post',
  path: '/logout',
  tag: 'auth',
  summary: 'End the current session and clear the cookie.',
  responses: { 200: 'Logged out (also when there was no session)' },
  async handle(c, _body, deps) {
    const token = cookieToken(c, deps)
    if (token) await deps.sigra.auth.logOut(token)
    c.header('Set-Cookie', clearedSessionCookie(deps.cookies))
    return ok(c, {})
  },
})

export const currentSessionRoute = defineRoute({
  method: 'get',
  path: '/session',
  tag: 'session',
  summary: 'The current user and session, whether it is sudo-fresh, and the sign-in steps it must still pass (`pending`; a session held at a step may read this and log out, nothing else).',
  auth: true,
  step: '*',
  responses: { 200: 'The current user and session' },
  async handle(c, _body, deps) {
    const current = c.get('current')!
    return ok(c, { user: current.user, session: current.session, sudo: deps.sigra.sessions.isSudo(current.session), pending: current.session.pendingSteps })
  },
})
