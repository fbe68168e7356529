import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import { SigraError } from '../../kernel/errors.ts'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'
import { REGISTERED_CLAIMS } from './claims.ts'
import type { JwtContext } from './jwt-context.ts'
import type { SigningKey } from './key-ring.ts'

/** A custom-claims result larger than this (as JSON) is refused: every request carries the token. */
const MAX_CUSTOM_BYTES = 4096

/** The media type of Sigra's access tokens (RFC 9068), set as `typ` and required by `verify` (RFC 8725 §3.11). */
export const ACCESS_TOKEN_TYPE = 'at+jwt'

/**
 * The host's custom claims for this user and session, checked: a plain JSON object, no registered
 * claim (it would change what `verify` relies on), at most 4 KB. A violation is a programming error
 * in the hook and throws `invalid_config`. Called before any transaction (the hook may query).
 */
export async function customClaims(ctx: JwtContext, user: User, session: Session): Promise<Record<string, unknown>> {
  const hook = ctx.jwt.claims
  if (!hook) return {}
  const claims = await hook(user, session)
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new SigraError('invalid_config', 'jwt(): the claims hook must return an object')
  const reserved = Object.keys(claims).filter((name) => REGISTERED_CLAIMS.has(name))
  if (reserved.length) throw new SigraError('invalid_config', `jwt(): the claims hook may not set registered claims (${reserved.join(', ')})`)
  const json = JSON.stringify(claims)
  if (Buffer.byteLength(json, 'utf8') > MAX_CUSTOM_BYTES) throw new SigraError('invalid_config', `jwt(): custom claims exceed ${MAX_CUSTOM_BYTES} bytes`)
  return JSON.parse(json) as Record<string, unknown>
}

export interface AccessTokenInput {
  user: Pick<User, 'id' | 'epoch'>
  session: Pick<Session, 'id' | 'amr'>
  familyId: string
  custom: Record<string, unknown>
}

/**
 * Signs an access token with the given key: header `{ alg, kid, typ: 'at+jwt' }`; claims iss, aud,
 * sub, iat, exp, jti, sid, fid, epoch, amr, and the custom ones (which cannot override them).
 * Time comes from the configured clock. No I/O.
 */
export async function signAccessToken(ctx: JwtContext, key: SigningKey, input: AccessTokenInput): Promise<string> {
  const now = Math.floor(ctx.config.clock().getTime() / 1000)
  return new SignJWT({ ...input.custom, sid: input.session.id, fid: input.familyId, epoch: input.user.epoch, amr: [...input.session.amr] })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(ctx.jwt.issuer)
    .setAudience(ctx.jwt.audience)
    .setSubject(input.user.id)
    .setIssuedAt(now)
    .setExpirationTime(now + ctx.jwt.accessTtl)
    .setJti(randomUUID())
    .sign(key.privateKey)
}
