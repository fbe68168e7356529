import type { Hono } from 'hono'
import * as v from 'valibot'
import { toFieldIssues } from '../kernel/validation/parse-input.ts'
import { passesCsrf } from './csrf.ts'
import type { HttpContext, HttpDeps, HttpEnv } from './http-env.ts'
import { readBody } from './read-body.ts'
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
  tag: 'auth' | 'session' | 'account' | 'meta'
  summary: string
  /** Request body schema (JSON or form). Omitted: no body. */
  body?: S
  /** Needs the session cookie; answers 401 `unauthenticated` without it. */
  auth?: boolean
  /** Status → description, for the document (400/403 CSRF/429 are added where they apply). */
  responses: Record<number, string>
  handle(c: HttpContext, input: v.InferOutput<S>, deps: HttpDeps): Promise<Response>
}

export function defineRoute<S extends v.GenericSchema>(route: ApiRoute<S>): ApiRoute<S> {
  return route
}

/** Mounts routes on a Hono app: CSRF first, then auth, then the body, then the route. */
export function mountApi(app: Hono<HttpEnv>, routes: readonly ApiRoute[], deps: HttpDeps): void {
  for (const route of routes) {
    app.on(route.method.toUpperCase(), route.path, async (c) => {
      if (!passesCsrf(deps.config, c.req.raw)) return failure(c, { error: 'csrf' })
      if (route.auth && !c.get('current')) return failure(c, { error: 'unauthenticated' })
      let input: unknown = undefined
      if (route.body) {
        const read = await readBody(c.req.raw, deps.config.http.maxBodyBytes)
        if (!read.ok) return failure(c, { error: read.error })
        const parsed = v.safeParse(route.body, read.body, { abortPipeEarly: true })
        if (!parsed.success) return failure(c, { error: 'invalid', issues: toFieldIssues(parsed.issues) })
        input = parsed.output
      }
      return route.handle(c, input as never, deps)
    })
  }
}
