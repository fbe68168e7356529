import { createPrivateKey, createPublicKey, generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto'
import { sql } from 'kysely'
import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { randomSecret } from '../../kernel/crypto/token.ts'
import type { Trx } from '../../kernel/db/database.ts'
import { SigraError } from '../../kernel/errors.ts'
import { jwtDb, type JwtContext } from './jwt-context.ts'
import type { SigningKey, VerificationKey } from './key-ring.ts'
import type { JwtAlgorithm } from './options.ts'
import './augment.ts'

/** The shape of a kid Sigra generates (128 random bits, base64url). Only such a kid may trigger a reload of the key table. */
const GENERATED_KID = /^[A-Za-z0-9_-]{22}$/
/** The members of a public JWK: nothing else is ever published. */
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

/** A key as published in the JWKS (RFC 7517): public members, `kid`, `alg`, `use`. */
export interface PublishedJwk {
  kty: string
  kid: string
  alg: JwtAlgorithm
  use: 'sig'
  crv?: string
  x?: string
  y?: string
  n?: string
  e?: string
}

/** A retired key verifies, and stays published, until every token it signed has expired (plus the leeway). */
export function isPublished(ctx: JwtContext, key: Pick<VerificationKey, 'retiredAt'>, at: Date): boolean {
  return key.retiredAt === null || key.retiredAt.getTime() + (ctx.jwt.accessTtl + ctx.jwt.leeway) * 1000 > at.getTime()
}

/**
 * The key new tokens are signed with. Configured keys: the first. Generated keys: the active row,
 * read every time (another instance may have rotated), its private key opened once per instance;
 * none yet (or one of another algorithm, after the `algorithm` option changed): one is generated.
 */
export async function signingKey(ctx: JwtContext): Promise<SigningKey> {
  const configured = ctx.jwt.keyRing.configured
  if (configured) return { kid: configured[0]!.kid, alg: configured[0]!.alg, privateKey: configured[0]!.privateKey }
  const row = await jwtDb(ctx.db).selectFrom('jwt_keys').select(['kid', 'alg', 'sealed_private']).where('retired_at', 'is', null).executeTakeFirst()
  if (row && row.alg === ctx.jwt.algorithm) return openSigningKey(ctx, row)
  return ensureActiveKey(ctx)
}

/**
 * The key to check a token's signature with, by the token's `kid`, or null: unknown, or retired
 * past its overlap. The kid is only a map key; a kid of another shape than Sigra's never reaches the database.
 */
export async function verificationKey(ctx: JwtContext, kid: string): Promise<VerificationKey | null> {
  const ring = ctx.jwt.keyRing
  if (!ring.configured) {
    if (ring.stale()) await loadKeys(ctx)
    else if (!ring.get(kid) && GENERATED_KID.test(kid) && ring.allowMissReload()) await loadKeys(ctx)
  }
  const key = ring.get(kid)
  return key && isPublished(ctx, key, ctx.config.clock()) ? key : null
}

/**
 * The public keys, as `GET {basePath}/.well-known/jwks.json` serves them: the signing key (made
 * on first use if there is none yet, so a verifier can fetch it before the first token) and the
 * retired ones still inside their overlap.
 */
export async function jwks(ctx: JwtContext): Promise<{ keys: PublishedJwk[] }> {
  if (!ctx.jwt.keyRing.configured) {
    await signingKey(ctx)
    await loadKeys(ctx)
  }
  const at = ctx.config.clock()
  return { keys: ctx.jwt.keyRing.all().filter((k) => isPublished(ctx, k, at)).map(published) }
}

export type RotateKeysResult = { ok: true; kid: string; previousKid: string | null }

/**
 * A new signing key; the previous one is retired: it still verifies (and stays in the JWKS) until
 * the tokens it signed have expired, then the sweep drops it. `immediate: true` drops every older
 * key at once (a leaked key): tokens they signed stop verifying here at once, and on other
 * instances within a minute. Audited `token.key_rotate`. Keys from configuration rotate by
 * changing the configuration (this throws).
 */
export async function rotateKeys(ctx: JwtContext, options: { immediate?: boolean } = {}): Promise<RotateKeysResult> {
  if (ctx.jwt.keyRing.configured) throw new SigraError('invalid_config', 'jwt(): keys come from configuration; rotate by putting the new key first in keys')
  const pair = await newKeyPair(ctx.jwt.algorithm)
  const created = await ctx.db.transaction().execute(async (trx) => {
    await lockKeyTable(ctx, trx)
    const at = ctx.config.clock()
    const previous = await jwtDb(trx).updateTable('jwt_keys').set({ retired_at: at }).where('retired_at', 'is', null).returning('kid').executeTakeFirst()
    if (options.immediate === true) await jwtDb(trx).deleteFrom('jwt_keys').where('retired_at', 'is not', null).execute()
    const row = await insertKey(ctx, trx, pair, at)
    await writeAudit(ctx, trx, {
      action: 'token.key_rotate',
      userId: null,
      actorId: null,
      actorType: 'system',
      metadata: { kid: row.kid, alg: row.alg, previous_kid: previous?.kid ?? null, reason: options.immediate === true ? 'rotate_immediate' : 'rotate' },
    })
    return { kid: row.kid, previousKid: previous?.kid ?? null }
  })
  ctx.jwt.keyRing.invalidate()
  return { ok: true, ...created }
}

/** Retired keys past their overlap (the sweep): no token they signed can still be valid. */
export async function dropRetiredKeys(ctx: JwtContext): Promise<number> {
  if (ctx.jwt.keyRing.configured) return 0
  const cutoff = new Date(ctx.config.clock().getTime() - (ctx.jwt.accessTtl + ctx.jwt.leeway) * 1000)
  const gone = await jwtDb(ctx.db).deleteFrom('jwt_keys').where('retired_at', 'is not', null).where('retired_at', '<=', cutoff).executeTakeFirst()
  const count = Number(gone.numDeletedRows)
  if (count) ctx.jwt.keyRing.invalidate()
  return count
}

/**
 * Makes the active key, race-safe across instances: the key pair is drawn first (RSA takes a
 * moment; nothing is held meanwhile), then under a transaction-scoped advisory lock the table is
 * read again, and only if still no suitable key is active is the new one inserted. Instances
 * starting together end with one key (the partial unique index holds it too).
 */
async function ensureActiveKey(ctx: JwtContext): Promise<SigningKey> {
  const pair = await newKeyPair(ctx.jwt.algorithm)
  const row = await ctx.db.transaction().execute(async (trx) => {
    await lockKeyTable(ctx, trx)
    const active = await jwtDb(trx).selectFrom('jwt_keys').select(['kid', 'alg', 'sealed_private']).where('retired_at', 'is', null).executeTakeFirst()
    if (active && active.alg === ctx.jwt.algorithm) return active
    const at = ctx.config.clock()
    if (active) await jwtDb(trx).updateTable('jwt_keys').set({ retired_at: at }).where('kid', '=', active.kid).execute()
    const created = await insertKey(ctx, trx, pair, at)
    await writeAudit(ctx, trx, {
      action: 'token.key_rotate',
      userId: null,
      actorId: null,
      actorType: 'system',
      metadata: { kid: created.kid, alg: created.alg, previous_kid: active?.kid ?? null, reason: active ? 'algorithm_changed' : 'first_use' },
    })
    return created
  })
  ctx.jwt.keyRing.invalidate()
  return openSigningKey(ctx, row)
}

async function lockKeyTable(ctx: JwtContext, trx: Trx): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`sigra:jwt-keys:${ctx.config.schema}`}, 0))`.execute(trx)
}

async function insertKey(ctx: JwtContext, trx: Trx, pair: { publicKey: KeyObject; privateKey: KeyObject }, at: Date) {
  const kid = randomSecret(16)
  const row = {
    kid,
    alg: ctx.jwt.algorithm,
    public_jwk: JSON.stringify(publicMembers(pair.publicKey.export({ format: 'jwk' }))),
    sealed_private: ctx.jwt.keySealer.seal(JSON.stringify(pair.privateKey.export({ format: 'jwk' }))),
    created_at: at,
    retired_at: null,
  }
  await jwtDb(trx).insertInto('jwt_keys').values(row).execute()
  ctx.jwt.keyRing.rememberPrivate(kid, pair.privateKey)
  return row
}

function openSigningKey(ctx: JwtContext, row: { kid: string; alg: string; sealed_private: Uint8Array }): SigningKey {
  const ring = ctx.jwt.keyRing
  let privateKey = ring.privateKey(row.kid)
  if (!privateKey) {
    privateKey = createPrivateKey({ key: JSON.parse(ctx.jwt.keySealer.open(row.sealed_private)) as JsonWebKey, format: 'jwk' })
    ring.rememberPrivate(row.kid, privateKey)
  }
  return { kid: row.kid, alg: row.alg as JwtAlgorithm, privateKey }
}

/** Reads the key table into this instance's ring (public keys only; a known kid keeps its parsed key). */
async function loadKeys(ctx: JwtContext): Promise<void> {
  await ctx.jwt.keyRing.reload(async (known) => {
    const rows = await jwtDb(ctx.db).selectFrom('jwt_keys').select(['kid', 'alg', 'public_jwk', 'retired_at']).execute()
    return rows.map((r): VerificationKey => {
      const same = known.get(r.kid)
      if (same && same.alg === r.alg) return { ...same, retiredAt: r.retired_at }
      const publicJwk = publicMembers(JSON.parse(r.public_jwk) as JsonWebKey)
      return { kid: r.kid, alg: r.alg as JwtAlgorithm, publicKey: createPublicKey({ key: publicJwk, format: 'jwk' }), publicJwk, retiredAt: r.retired_at }
    })
  })
}

function newKeyPair(alg: JwtAlgorithm): Promise<{ publicKey: KeyObject; privateKey: KeyObject }> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, publicKey: KeyObject, privateKey: KeyObject) => (error ? reject(error) : resolve({ publicKey, privateKey }))
    if (alg === 'EdDSA') generateKeyPair('ed25519', undefined, done)
    else if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done)
    else generateKeyPair('rsa', { modulusLength: 2048 }, done)
  })
}

function publicMembers(jwk: JsonWebKey): JsonWebKey {
  const out: Record<string, unknown> = {}
  for (const member of PUBLIC_MEMBERS) if (typeof jwk[member] === 'string') out[member] = jwk[member]
  return out as JsonWebKey
}

function published(key: VerificationKey): PublishedJwk {
  return { ...(publicMembers(key.publicJwk) as Omit<PublishedJwk, 'kid' | 'alg' | 'use'>), kid: key.kid, alg: key.alg, use: 'sig' }
}
