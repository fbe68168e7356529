import { randomUUID } from 'node:crypto'
import { constantTimeEqual, digest, randomSecret } from '../../kernel/crypto/token.ts'
import type { Executor } from '../../kernel/db/database.ts'
import { jwtDb } from './jwt-context.ts'

const REFRESH_TOKEN = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/

/** A refresh token is `<id>.<256-bit secret>`: the id finds the row, the secret's SHA-256 is all that is stored. Null for anything else. */
export function parseRefreshToken(token: unknown): { id: string; secret: string } | null {
  if (typeof token !== 'string' || token.length > 100) return null
  const match = REFRESH_TOKEN.exec(token)
  return match ? { id: match[1]!, secret: match[2]! } : null
}

/** A new refresh token of a family: its row (digest only) and the token, which exists only in the result. */
export function newRefreshToken(familyId: string, at: Date) {
  const id = randomUUID()
  const secret = randomSecret()
  return {
    token: `${id}.${secret}`,
    row: { id, family_id: familyId, secret_digest: digest(secret), created_at: at, spent_at: null, successor_id: null, sealed_successor: null },
  }
}

/** A presented refresh token, its secret checked in constant time, with its family (nothing locked); null when it is not one. */
export async function findRefreshToken(db: Executor, token: unknown) {
  const parsed = parseRefreshToken(token)
  if (!parsed) return null
  const row = await jwtDb(db)
    .selectFrom('jwt_refresh_tokens as t')
    .innerJoin('jwt_refresh_families as f', 'f.id', 't.family_id')
    .select(['t.id', 't.secret_digest', 'f.id as family_id', 'f.user_id', 'f.session_id', 'f.owns_session', 'f.epoch', 'f.expires_at'])
    .where('t.id', '=', parsed.id)
    .executeTakeFirst()
  return row && constantTimeEqual(row.secret_digest, digest(parsed.secret)) ? row : null
}
