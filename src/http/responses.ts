import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { Failure } from '../kernel/result.ts'
import { statusFor } from './error-status.ts'
import type { HttpContext } from './http-env.ts'

const NO_STORE = { 'Cache-Control': 'no-store' }

/** JSON success; `no-store` because these responses carry account data. */
export function ok(c: HttpContext, body: Record<string, unknown>, status: 200 | 201 | 202 = 200): Response {
  return c.json({ ok: true, ...body }, status, NO_STORE)
}

/** JSON failure with the status from the one table, and Retry-After when the domain gave one. */
export function failure(c: HttpContext, result: Pick<Failure<string>, 'error' | 'issues' | 'retryAfter' | 'reason'>): Response {
  const headers: Record<string, string> = { ...NO_STORE }
  if (result.retryAfter !== undefined) headers['Retry-After'] = String(result.retryAfter)
  const body: Record<string, unknown> = { ok: false, error: result.error }
  if (result.issues) body.issues = result.issues
  if (result.retryAfter !== undefined) body.retryAfter = result.retryAfter
  if (result.reason !== undefined) body.reason = result.reason
  // The handler's table (core's and the enabled features' codes); the static one outside a handler.
  const status = (c.get('statusFor') ?? statusFor)(result.error)
  return c.json(body, status as ContentfulStatusCode, headers)
}
