import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose'
import { fail, type Failure } from '../../kernel/result.ts'
import { pendingSteps } from '../../sessions/sign-in-steps.ts'
import { sessionExpiry } from '../../sessions/validate-session.ts'
import { toUser, type User } from '../../users/user.ts'
import type { AccessTokenClaims } from './claims.ts'
import { jwtDb, type JwtContext } from './jwt-context.ts'
import { verificationKey } from './keys.ts'
import { accountUsable } from './account-usable.ts'
import { ACCESS_TOKEN_TYPE } from './sign.ts'
import './augment.ts'

/** A JWS in compact form: three base64url parts (the last may be empty, as in an `alg: none` token, refused later). */
export const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const MAX_TOKEN_LENGTH = 8192

export type VerifyResult =
  | {
      ok: true
      claims: AccessTokenClaims
      /** With `checkRevocation`: the user as they stand now. */
      user?: User
    }
  | Failure<'invalid_token' | 'expired' | 'revoked'>

/**
 * Verifies an access token (RFC 8725):
 * - the key is the one named by `kid`, looked up in a map (an unknown kid, or one retired past its
 *   overlap, is `invalid_token`; there is no other way to name a key: `jwk`, `jku`, `x5u` headers are ignored);
 * - the algorithm is the stored key's, never the header's alone (`alg: none`, HS256 keyed with the
 *   public key, an ES256 signature under an EdDSA kid: all `invalid_token`);
 * - `typ` must be `at+jwt`; `iss` and `aud` must be this instance's; `exp`, `nbf` and `iat` are
 *   checked with `leeway` seconds of skew; an expired token is `expired`;
 * - Sigra's claims must have their shapes.
 *
 * With `checkRevocation: true`, one query (sessions ⋈ users ⋈ the family, by primary keys) also
 * requires the session to be live and not held at a step, the family not revoked, the account
 * active and not past its deletion date, and its `epoch` still the token's: `revoked` otherwise.
 * Without it nothing is read from the database (the key table aside, at most once a minute).
 */
export async function verify(ctx: JwtContext, accessToken: unknown, options: { checkRevocation?: boolean } = {}): Promise<VerifyResult> {
  if (typeof accessToken !== 'string' || accessToken.length > MAX_TOKEN_LENGTH || !JWS_COMPACT.test(accessToken)) return fail('invalid_token')
  let kid: unknown
  try {
    kid = decodeProtectedHeader(accessToken).kid
  } catch {
    return fail('invalid_token')
  }
  if (typeof kid !== 'string') return fail('invalid_token')
  const key = await verificationKey(ctx, kid)
  if (!key) return fail('invalid_token')
  let payload: JWTPayload
  try {
    ;({ payload } = await jwtVerify(accessToken, key.publicKey, {
      algorithms: [key.alg],
      typ: ACCESS_TOKEN_TYPE,
      issuer: ctx.jwt.issuer,
      audience: ctx.jwt.audience,
      clockTolerance: ctx.jwt.leeway,
      currentDate: ctx.config.clock(),
      maxTokenAge: ctx.jwt.accessTtl,
      requiredClaims: ['sub', 'jti', 'iat', 'exp', 'sid', 'fid', 'epoch', 'amr'],
    }))
  } catch (error) {
    return fail(error instanceof errors.JWTExpired ? 'expired' : 'invalid_token')
  }
  const claims = payload as AccessTokenClaims
  if (!wellFormed(claims)) return fail('invalid_token')
  if (options.checkRevocation !== true) return { ok: true, claims }
  const user = await currentHolder(ctx, claims)
  return user ? { ok: true, claims, user } : fail('revoked')
}

function wellFormed(c: AccessTokenClaims): boolean {
  return (
    typeof c.sub === 'string' && UUID.test(c.sub) &&
    typeof c.sid === 'string' && UUID.test(c.sid) &&
    typeof c.fid === 'string' && UUID.test(c.fid) &&
    typeof c.jti === 'string' &&
    Number.isInteger(c.epoch) &&
    Array.isArray(c.amr) && c.amr.every((m) => typeof m === 'string')
  )
}

/** The revocation check: one primary-key join. The user when the token still stands, else null. */
async function currentHolder(ctx: JwtContext, claims: AccessTokenClaims): Promise<User | null> {
  const row = await jwtDb(ctx.db)
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .leftJoin('jwt_refresh_families as f', (join) => join.on('f.id', '=', claims.fid).onRef('f.session_id', '=', 's.id'))
    .selectAll('u')
    .select(['s.expires_at as session_expires_at', 's.last_active_at as session_last_active_at', 's.remember_me as session_remember_me', 's.pending_steps as session_pending_steps', 'f.id as family_id'])
    .where('s.id', '=', claims.sid)
    .where('s.user_id', '=', claims.sub)
    .executeTakeFirst()
  if (!row || row.family_id === null) return null
  const at = ctx.config.clock()
  if (row.epoch !== claims.epoch || !accountUsable(row, at)) return null
  if (sessionExpiry(ctx, { expires_at: row.session_expires_at, last_active_at: row.session_last_active_at, remember_me: row.session_remember_me }, at)) return null
  const { session_expires_at: _e, session_last_active_at: _l, session_remember_me: _r, session_pending_steps: steps, family_id: _f, ...userRow } = row
  const user = toUser(userRow)
  return pendingSteps(ctx.pipeline, steps, user).length ? null : user
}
