import { createHash } from 'node:crypto'
import type { AdminContext } from './admin-context.ts'

/**
 * Opaque pagination cursors: the position sealed (AES-256-GCM, so nobody forges or reads one) and
 * bound to the filter it was made for (a cursor pasted into another query is refused, not obeyed).
 */
export function sealCursor(ctx: AdminContext, filter: unknown, position: unknown): string {
  return Buffer.from(ctx.admin.cursorSealer.seal(JSON.stringify({ f: filterHash(filter), p: position }))).toString('base64url')
}

export function openCursor<T>(ctx: AdminContext, filter: unknown, cursor: unknown): T | null | 'invalid' {
  if (cursor === undefined || cursor === null || cursor === '') return null
  if (typeof cursor !== 'string' || cursor.length > 1024) return 'invalid'
  try {
    const opened = JSON.parse(ctx.admin.cursorSealer.open(Buffer.from(cursor, 'base64url'))) as { f: string; p: T }
    return opened.f === filterHash(filter) ? opened.p : 'invalid'
  } catch {
    return 'invalid'
  }
}

function filterHash(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter ?? {})).digest('base64url').slice(0, 22)
}
