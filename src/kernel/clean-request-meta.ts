import type { RequestMeta } from './request-meta.ts'
import { stripUnstorable } from './validation/pg-text.ts'

/**
 * Request metadata as it may be stored: the address capped at 64 characters, the user agent at
 * 512, both without characters PostgreSQL text cannot hold (NUL, lone surrogates): a header is
 * recorded, never refused.
 */
export function cleanRequestMeta(meta: RequestMeta | null | undefined): RequestMeta {
  const clean = (value: unknown, max: number) => (typeof value === 'string' && value !== '' ? stripUnstorable(value).slice(0, max) || null : null)
  const actorId = typeof meta?.actorId === 'string' && /^[0-9a-f-]{36}$/i.test(meta.actorId) ? meta.actorId : null
  return { ip: clean(meta?.ip, 64), userAgent: clean(meta?.userAgent, 512), ...(actorId ? { actorId, actorType: meta?.actorType ?? 'admin' } : {}) }
}
