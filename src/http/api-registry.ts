import type { Hono } from 'hono'
import * as v from 'valibot'
import { toFieldIssues, unstorableFields } from '../kernel/validation/parse-input.ts'
import { admitSession } from './admit-session.ts'
import { passesCsrf } from './csrf.ts'
import type { HttpContext, HttpDeps, HttpEnv } from './http-env.ts'
import { mountMethodNotAllowed } from './method-not-allowed.ts'
import { readableMediaType, readBody } from './read-body.ts'
import { depsForRequest } from './request-meta.ts'
import { failure } from './responses.ts'

type Method = 'get' | 'post' | 'delete'

/**
 * One API route: its OpenAPI description and its handler, side by side, validated by the same
 * valibot schema the document is generated from.
 */
export interface ApiRoute<S extends v.GenericSchema = v.GenericSchema> {
  method: Method
  /** Relative to basePath, Hono syntax: '/sessions/:id'. */
  path: string
  /** Core's tags, or a feature's name. */
  tag: 'auth' | 'session' | 'account' | 'meta' | (string & {})
  summary: string
  /** Request body schema (JSON or form). Omitted: no body. */
  body?: S
  /** Needs the session cookie; answers 401 `unauthenticated` without it. */
  auth?: boolean
  /**
   * With `auth`: also serves a session held at this sign-in step (`'*'`: at any step), which every
   * other route refuses with the step's code (403 `password_change_required`, `mfa_required`).
   */
  step?: string
  /**
   * `false`: no CSRF check, for a cross-site POST that changes nothing by itself and carries its own
   * proof (an OAuth provider's `form_post` callback, which only redirects to the GET callback, where
   * the state cookie binds it). Default: every unsafe method is checked.
   */
  csrf?: false
  /** Status → description, for the document (400/403 CSRF/429 are added where they apply). */
  responses: Record<number, string>
  handle(c: HttpContext, input: v.InferOutput<S>, deps: HttpDeps): Promise<Response>
}

export function defineRoute<S extends v.GenericSchema>(route: ApiRoute<S>): ApiRoute<S> {
  return route
}

/**
 * Mounts routes on a Hono app: the media type first (routes with a body: 415 says more than a CSRF
 * refusal, and a text/plain post is refused either way), then CSRF, then auth, then the body, then
 * the route. Only routes with `auth` look the session up; a session held at a sign-in step passes
 * only the routes of that step. A known path asked with a method it lacks is 405 with `Allow`.
 */
export function mountApi(app: Hono<HttpEnv>, routes: readonly ApiRoute[], deps: HttpDeps): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      if (route.body && !readableMediaType(c.req.raw)) return failure(c, { error: 'unsupported_media_type' })
      if (route.csrf !== false && !passesCsrf(deps.config, c.req.raw)) return failure(c, { error: 'csrf' })
      if (route.auth) {
        const resolved = await c.get('session')()
        const current = admitSession(resolved, route.step)
        if (!current && resolved) {
          // A session held at a sign-in step reached a route that is not its step's: refused, and on record.
          const error = deps.sigra.sessions.stepRefusal(resolved.pending[0]!).error
          await depsForRequest(deps, c).sigra.audit.denied({ actorId: resolved.user.id, resource: 'route', reason: error, operation: `${route.method.toUpperCase()} ${deps.config.basePath}${route.path}` })
          return failure(c, { error })
        }
        if (!current) return failure(c, { error: 'unauthenticated' })
        c.set('current', current)
      }
      let input: unknown = undefined
      if (route.body) {
        const read = await readBody(c.req.raw, deps.config.http.maxBodyBytes)
        if (!read.ok) return failure(c, { error: read.error })
        const unstorable = unstorableFields(read.body)
        if (unstorable.length) return failure(c, { error: 'invalid', issues: unstorable })
        const parsed = v.safeParse(route.body, read.body, { abortPipeEarly: true })
        if (!parsed.success) return failure(c, { error: 'invalid', issues: toFieldIssues(parsed.issues) })
        input = parsed.output
      }
      return route.handle(c, input as never, depsForRequest(deps, c, c.get('current')))
    })
  }
  mountMethodNotAllowed(app, routes, deps.config.basePath)
}
