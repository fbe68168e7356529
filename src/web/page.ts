import type { HttpContext, HttpDeps } from '../http/http-env.ts'
import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'
import type { Form } from './read-form.ts'

export type Current = { user: User; session: Session }

/**
 * One page: its path under `pagesPath`, a GET that renders and/or a POST that parses the form,
 * calls one facade function, and redirects (303) or re-renders with the errors. `auth` pages
 * send visitors without a session to the login page (GET) or refuse the form (POST).
 */
export interface Page {
  path: string
  auth?: boolean
  get?(c: HttpContext, deps: HttpDeps, current: Current | null): Promise<Response> | Response
  post?(c: HttpContext, deps: HttpDeps, form: Form, current: Current | null): Promise<Response> | Response
}

/** A page whose handlers always get a session. */
export interface AuthPage {
  path: string
  auth: true
  get?(c: HttpContext, deps: HttpDeps, current: Current): Promise<Response> | Response
  post?(c: HttpContext, deps: HttpDeps, form: Form, current: Current): Promise<Response> | Response
}

export function definePage(page: Page & { auth?: false }): Page
export function definePage(page: AuthPage): Page
export function definePage(page: Page | AuthPage): Page {
  return page as Page
}
