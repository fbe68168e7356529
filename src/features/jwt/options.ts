import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import * as v from 'valibot'
import { featureOptions } from '../feature.ts'
import { SigraError } from '../../kernel/errors.ts'
import type { Session } from '../../sessions/session.ts'
import type { User } from '../../users/user.ts'

/** The signature algorithms offered: asymmetric only (RFC 8725 §3.2: no shared HMAC secret between issuer and verifiers). */
export const ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const
export type JwtAlgorithm = (typeof ALGORITHMS)[number]

/** A host's custom claims: added to every access token, never in place of a registered one. */
export type ClaimsHook = (user: User, session: Session) => Record<string, unknown> | Promise<Record<string, unknown>>

export interface JwtOptions {
  /** Signature algorithm of generated keys. Default 'EdDSA' (Ed25519); 'ES256' and 'RS256' for verifiers that lack it. */
  algorithm?: JwtAlgorithm
  /** Access-token lifetime in seconds. Default 900 (15 minutes). */
  accessTtl?: number
  /** Absolute lifetime of a refresh family in seconds, from its first token. Default 30 days. */
  refreshTtl?: number
  /** `aud` of every token, required by `verify`. Default: `baseUrl`. */
  audience?: string
  /** `iss` of every token, required by `verify`. Default: `baseUrl`. */
  issuer?: string
  /**
   * Custom claims: `(user, session) => ({ org: …, roles: … })`, sync or async. A registered claim
   * (iss, sub, aud, exp, nbf, iat, jti, sid, fid, epoch, amr) in the result is refused: the call
   * throws `invalid_config` rather than sign a token whose meaning the host did not intend.
   */
  claims?: ClaimsHook
  /**
   * Signing keys you manage yourself, newest first: the first signs, every one verifies and is
   * published. Without it, keys are generated on first use and stored sealed (`rotateKeys()` rotates).
   */
  keys?: ReadonlyArray<{ kid: string; privateJwk: JsonWebKey }>
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Default 5. */
  leeway?: number
  /** Two refreshes of one token this close together (seconds) both get the same successor. Default 5. */
  refreshGrace?: number
}

/** A signing key given in configuration, checked and parsed once. */
export interface ConfiguredKey {
  kid: string
  alg: JwtAlgorithm
  privateKey: KeyObject
  publicKey: KeyObject
  publicJwk: JsonWebKey
}

export interface JwtSettings {
  algorithm: JwtAlgorithm
  accessTtl: number
  refreshTtl: number
  /** Null: `baseUrl`, filled in at setup. */
  audience: string | null
  issuer: string | null
  claims: ClaimsHook | null
  /** Null: keys are generated and stored. */
  keys: readonly ConfiguredKey[] | null
  leeway: number
  refreshGrace: number
}

const seconds = (min: number, max: number) => v.optional(v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max)))
const Claim = v.pipe(v.string(), v.nonEmpty(), v.maxLength(2048))

const Schema = v.object({
  algorithm: v.optional(v.picklist(ALGORITHMS, 'algorithm must be EdDSA, ES256 or RS256')),
  accessTtl: seconds(30, 86_400),
  refreshTtl: seconds(60, 400 * 86_400),
  audience: v.optional(Claim),
  issuer: v.optional(Claim),
  claims: v.optional(v.custom<ClaimsHook>((f) => typeof f === 'function', 'claims must be (user, session) => object')),
  keys: v.optional(
    v.pipe(
      v.array(v.object({ kid: v.pipe(v.string(), v.nonEmpty(), v.maxLength(128)), privateJwk: v.custom<JsonWebKey>((k) => typeof k === 'object' && k !== null, 'privateJwk must be a JWK object') })),
      v.minLength(1, 'keys needs at least one key'),
    ),
  ),
  leeway: seconds(0, 60),
  refreshGrace: seconds(0, 60),
})

/** Checks `jwt()`'s options once, when the factory is called: a bad key or TTL throws here, not mid-request. */
export function jwtSettings(options: JwtOptions): JwtSettings {
  const o = featureOptions('jwt', Schema, options)
  const keys = o.keys ? o.keys.map((k, i) => configuredKey(k.kid, k.privateJwk, i)) : null
  if (keys && new Set(keys.map((k) => k.kid)).size !== keys.length) throw invalid('keys: every kid must be different')
  const algorithm = o.algorithm ?? keys?.[0]!.alg ?? 'EdDSA'
  if (keys && o.algorithm && keys[0]!.alg !== o.algorithm) throw invalid(`keys[0] is an ${keys[0]!.alg} key but algorithm is ${o.algorithm}`)
  return {
    algorithm,
    accessTtl: o.accessTtl ?? 15 * 60,
    refreshTtl: o.refreshTtl ?? 30 * 86_400,
    audience: o.audience ?? null,
    issuer: o.issuer ?? null,
    claims: o.claims ?? null,
    keys,
    leeway: o.leeway ?? 5,
    refreshGrace: o.refreshGrace ?? 5,
  }
}

function invalid(detail: string): SigraError {
  return new SigraError('invalid_config', `Invalid options for jwt(): ${detail}`)
}

/**
 * A configured private JWK: parsed by node:crypto (which checks it is a real key pair), its
 * algorithm read from the key type. Symmetric keys are refused (RFC 8725 §3.2), and so are RSA keys
 * under 2048 bits.
 */
function configuredKey(kid: string, jwk: JsonWebKey, index: number): ConfiguredKey {
  const where = `keys[${index}]`
  if (typeof jwk.d !== 'string') throw invalid(`${where}.privateJwk must be a private key (it has no "d")`)
  const alg: JwtAlgorithm | null =
    jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : jwk.kty === 'RSA' ? 'RS256' : null
  if (!alg) throw invalid(`${where}.privateJwk must be an Ed25519 (OKP), P-256 (EC) or RSA key`)
  if (jwk.alg !== undefined && jwk.alg !== alg) throw invalid(`${where}.privateJwk says alg ${String(jwk.alg)}, but the key is for ${alg}`)
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: jwk, format: 'jwk' })
  } catch {
    throw invalid(`${where}.privateJwk is not a valid key`)
  }
  if (alg === 'RS256' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) throw invalid(`${where}: RSA keys need at least 2048 bits`)
  const publicKey = createPublicKey(privateKey)
  return { kid, alg, privateKey, publicKey, publicJwk: publicKey.export({ format: 'jwk' }) }
}
