import { createHash, timingSafeEqual } from 'node:crypto'
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose'
import { isAllowedEndpoint } from './options.ts'
import { ASYMMETRIC_ALGORITHMS, standardProfile, type OAuthProvider, type ProviderProfile } from './providers.ts'

/**
 * Why talking to a provider failed, as a stable reason (never the provider's own words, which may
 * carry anything): surfaced as `provider_error` with this `reason`, and audited.
 */
export class ProviderError extends Error {
  readonly reason: string
  constructor(reason: string, detail?: string) {
    super(detail ? `${reason}: ${detail}` : reason)
    this.name = 'ProviderError'
    this.reason = reason
  }
}

/** The provider's endpoints and keys, as this client uses them. */
export interface ProviderMetadata {
  issuer: string | null
  authorization: string
  token: string
  userinfo: string | null
  /** ID-token algorithms accepted: the provider's advertised ones, within the asymmetric allow-list. */
  algorithms: string[]
  jwks: ReturnType<typeof createRemoteJWKSet> | null
  /** RFC 9207: the provider puts `iss` on its authorization responses (then one must be there). */
  issParameter: boolean
  tokenAuthMethod: 'client_secret_basic' | 'client_secret_post'
}

export interface TokenSet {
  accessToken: string
  refreshToken: string | null
  idToken: string | null
  expiresIn: number | null
  scope: string | null
}

const TIMEOUT_MS = 10_000
const MAX_BODY = 256 * 1024
const DISCOVERY_TTL_MS = 3600_000

/** PKCE S256: base64url(SHA-256(verifier)). */
export function codeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

async function readJson(response: Response, what: string): Promise<unknown> {
  const length = Number(response.headers.get('content-length') ?? '0')
  if (length > MAX_BODY) throw new ProviderError(`${what}_too_large`)
  const text = await response.text()
  if (text.length > MAX_BODY) throw new ProviderError(`${what}_too_large`)
  try {
    return JSON.parse(text)
  } catch {
    throw new ProviderError(`${what}_not_json`)
  }
}

async function send(url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) })
  } catch (error) {
    throw new ProviderError(`${what}_unreachable`, error instanceof Error ? error.message : undefined)
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The one generic OAuth 2.0 / OpenID Connect client every provider runs on: discovery (cached an
 * hour per instance; a failure is not cached), the authorization URL, the code exchange with the PKCE
 * verifier, the ID token checked with `jose` against the provider's JWKS (issuer, audience, expiry,
 * asymmetric algorithms only), userinfo (its `sub` must be the ID token's), and the profile.
 */
export class ProviderClient {
  readonly provider: OAuthProvider
  readonly redirectUri: string
  #metadata: { value: Promise<ProviderMetadata>; until: number } | null = null

  constructor(provider: OAuthProvider, redirectUri: string) {
    this.provider = provider
    this.redirectUri = redirectUri
  }

  metadata(): Promise<ProviderMetadata> {
    const now = Date.now()
    if (this.#metadata && this.#metadata.until > now) return this.#metadata.value
    const value = this.#load()
    this.#metadata = { value, until: now + DISCOVERY_TTL_MS }
    value.catch(() => {
      if (this.#metadata?.value === value) this.#metadata = null
    })
    return value
  }

  async #load(): Promise<ProviderMetadata> {
    const p = this.provider
    if (p.kind === 'oauth2') {
      return {
        issuer: null,
        authorization: p.endpoints.authorization!,
        token: p.endpoints.token!,
        userinfo: p.endpoints.userinfo ?? null,
        algorithms: [],
        jwks: null,
        issParameter: false,
        tokenAuthMethod: p.tokenAuthMethod ?? 'client_secret_post',
      }
    }
    const issuer = p.issuer!
    const response = await send(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } }, 'discovery')
    if (!response.ok) throw new ProviderError('discovery_failed', `HTTP ${response.status}`)
    const doc = await readJson(response, 'discovery')
    if (!isObject(doc)) throw new ProviderError('discovery_invalid')
    const discovered = doc.issuer
    // OpenID Connect Discovery 1.0 §4.3: the document must name exactly the issuer it was fetched for.
    const issuerOk = typeof discovered === 'string' && (p.acceptsDiscoveredIssuer ? p.acceptsDiscoveredIssuer(discovered) : discovered === issuer)
    if (!issuerOk) throw new ProviderError('discovery_issuer_mismatch')
    const endpoint = (name: string, override: string | undefined, required: boolean): string | null => {
      const value = override ?? doc[name]
      if (value === undefined || value === null) {
        if (required) throw new ProviderError('discovery_invalid', `no ${name}`)
        return null
      }
      if (typeof value !== 'string' || !isAllowedEndpoint(value)) throw new ProviderError('discovery_invalid', `${name} is not an https URL`)
      return value
    }
    const authorization = endpoint('authorization_endpoint', p.endpoints.authorization, true)!
    const token = endpoint('token_endpoint', p.endpoints.token, true)!
    const userinfo = endpoint('userinfo_endpoint', p.endpoints.userinfo, false)
    const jwksUri = endpoint('jwks_uri', p.endpoints.jwks, true)!
    // PKCE S256 always: a provider that says it supports PKCE but not S256 is not used.
    const methods = doc.code_challenge_methods_supported
    if (Array.isArray(methods) && !methods.includes('S256')) throw new ProviderError('pkce_s256_unsupported')
    const allowed: readonly string[] = p.idTokenAlgorithms ?? ASYMMETRIC_ALGORITHMS
    const advertised = Array.isArray(doc.id_token_signing_alg_values_supported) ? doc.id_token_signing_alg_values_supported.filter((a): a is string => typeof a === 'string') : ['RS256']
    const algorithms = allowed.filter((a) => advertised.includes(a))
    if (algorithms.length === 0) throw new ProviderError('no_acceptable_algorithm')
    const authMethods = Array.isArray(doc.token_endpoint_auth_methods_supported) ? doc.token_endpoint_auth_methods_supported : ['client_secret_basic']
    const tokenAuthMethod = p.tokenAuthMethod ?? (authMethods.includes('client_secret_basic') ? 'client_secret_basic' : 'client_secret_post')
    return {
      issuer: discovered as string,
      authorization,
      token,
      userinfo,
      algorithms,
      jwks: createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: TIMEOUT_MS, cooldownDuration: 30_000, cacheMaxAge: 600_000 }),
      issParameter: doc.authorization_response_iss_parameter_supported === true,
      tokenAuthMethod,
    }
  }

  /** The URL the browser is sent to: code flow, PKCE S256, state, and (OIDC) nonce. */
  async authorizationUrl(input: { state: string; nonce: string; verifier: string; extra?: Readonly<Record<string, string>> }): Promise<string> {
    const meta = await this.metadata()
    const url = new URL(meta.authorization)
    const p = this.provider
    const params: Record<string, string> = {
      ...p.authorizationParams,
      ...input.extra,
      response_type: 'code',
      client_id: p.clientId,
      redirect_uri: this.redirectUri,
      scope: p.scopes.join(' '),
      state: input.state,
      code_challenge: codeChallenge(input.verifier),
      code_challenge_method: 'S256',
    }
    if (p.kind === 'oidc') params.nonce = input.nonce
    if (p.responseMode === 'form_post') params.response_mode = 'form_post'
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value)
    return url.toString()
  }

  /** Exchanges the code (with the PKCE verifier) at the token endpoint. */
  async exchange(code: string, verifier: string): Promise<TokenSet> {
    const meta = await this.metadata()
    const p = this.provider
    const secret = typeof p.clientSecret === 'function' ? await p.clientSecret() : p.clientSecret
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri, code_verifier: verifier })
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }
    if (meta.tokenAuthMethod === 'client_secret_basic') {
      // RFC 6749 §2.3.1: each part form-urlencoded before Base64.
      const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+')
      headers.authorization = `Basic ${Buffer.from(`${enc(p.clientId)}:${enc(secret)}`).toString('base64')}`
    } else {
      body.set('client_id', p.clientId)
      body.set('client_secret', secret)
    }
    const response = await send(meta.token, { method: 'POST', headers, body }, 'token')
    const doc = await readJson(response, 'token')
    // GitHub answers 200 with `error` in the body: an error is an error whatever the status.
    if (!isObject(doc) || typeof doc.error === 'string' || !response.ok) throw new ProviderError('token_refused', isObject(doc) && typeof doc.error === 'string' ? doc.error.slice(0, 64) : `HTTP ${response.status}`)
    if (typeof doc.access_token !== 'string' || doc.access_token === '') throw new ProviderError('token_invalid', 'no access_token')
    if (typeof doc.token_type !== 'string' || doc.token_type.toLowerCase() !== 'bearer') throw new ProviderError('token_invalid', 'token_type is not Bearer')
    if (p.kind === 'oidc' && (typeof doc.id_token !== 'string' || doc.id_token === '')) throw new ProviderError('id_token_missing')
    return {
      accessToken: doc.access_token,
      refreshToken: typeof doc.refresh_token === 'string' ? doc.refresh_token : null,
      idToken: typeof doc.id_token === 'string' ? doc.id_token : null,
      expiresIn: typeof doc.expires_in === 'number' && Number.isFinite(doc.expires_in) ? doc.expires_in : null,
      scope: typeof doc.scope === 'string' ? doc.scope : null,
    }
  }

  /**
   * The ID token, checked: signature by a key of the provider's JWKS with an allowed asymmetric
   * algorithm (never `none`, never HMAC), `iss`, `aud` (and `azp` when there are several audiences),
   * `exp`/`iat` against Sigra's clock (60 s leeway). The nonce is compared by the caller.
   */
  async validateIdToken(idToken: string, now: Date): Promise<JWTPayload> {
    const meta = await this.metadata()
    if (!meta.jwks || !meta.issuer) throw new ProviderError('id_token_invalid', 'not an OpenID provider')
    const p = this.provider
    let expectedIssuer: string | null = this.provider.issuer!
    if (p.expectedIssuer) {
      // The issuer depends on a claim (Microsoft's `tid`): read the claims first, then verify against the issuer they imply.
      const unverified = decodePayload(idToken)
      expectedIssuer = unverified ? p.expectedIssuer(meta.issuer, unverified) : null
      if (!expectedIssuer) throw new ProviderError('id_token_issuer')
    }
    try {
      const { payload } = await jwtVerify(idToken, meta.jwks, {
        issuer: expectedIssuer,
        audience: p.clientId,
        algorithms: meta.algorithms,
        currentDate: now,
        clockTolerance: 60,
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      })
      if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== p.clientId) throw new ProviderError('id_token_audience', 'azp')
      if (payload.azp !== undefined && payload.azp !== p.clientId) throw new ProviderError('id_token_audience', 'azp')
      if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 255) throw new ProviderError('id_token_invalid', 'sub')
      return payload
    } catch (error) {
      if (error instanceof ProviderError) throw error
      throw new ProviderError(idTokenReason(error))
    }
  }

  /** The userinfo answer (JSON only); its `sub` must be `subject` (the ID token's). */
  async userinfo(accessToken: string, subject: string): Promise<Record<string, unknown> | null> {
    const meta = await this.metadata()
    if (!meta.userinfo) return null
    const response = await send(meta.userinfo, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }, 'userinfo')
    if (!response.ok) throw new ProviderError('userinfo_failed', `HTTP ${response.status}`)
    if (!(response.headers.get('content-type') ?? '').toLowerCase().includes('json')) throw new ProviderError('userinfo_not_json')
    const doc = await readJson(response, 'userinfo')
    if (!isObject(doc)) throw new ProviderError('userinfo_invalid')
    // OIDC Core §5.3.2: the userinfo `sub` must be exactly the ID token's, or the answer is not used.
    if (doc.sub !== subject) throw new ProviderError('sub_mismatch')
    return doc
  }

  /** A JSON GET with the access token (profile calls of plain OAuth 2.0 providers). */
  getJson(accessToken: string): (url: string, headers?: Record<string, string>) => Promise<unknown> {
    return async (url, headers = {}) => {
      if (!isAllowedEndpoint(url)) throw new ProviderError('profile_failed', 'endpoint')
      const response = await send(url, { headers: { accept: 'application/json', 'user-agent': 'sigra', ...headers, authorization: `Bearer ${accessToken}` } }, 'profile')
      if (!response.ok) throw new ProviderError('profile_failed', `HTTP ${response.status}`)
      return readJson(response, 'profile')
    }
  }

  /** The whole read after the exchange: the checked ID token, userinfo, then the provider's profile. */
  async readProfile(tokens: TokenSet, input: { now: Date; nonce: string; callbackParams: Record<string, string> }): Promise<{ profile: ProviderProfile; idToken: JWTPayload | null }> {
    const p = this.provider
    let claims: JWTPayload = {}
    let info: Record<string, unknown> | null = null
    if (p.kind === 'oidc') {
      claims = await this.validateIdToken(tokens.idToken!, input.now)
      if (typeof claims.nonce !== 'string' || !timingSafeStringEqual(claims.nonce, input.nonce)) throw new NonceMismatch()
      info = await this.userinfo(tokens.accessToken, claims.sub!)
    }
    const profileInput = { idToken: claims, userinfo: info, accessToken: tokens.accessToken, callbackParams: input.callbackParams, getJson: this.getJson(tokens.accessToken) }
    let profile: ProviderProfile | null
    try {
      profile = p.profile ? await p.profile(profileInput) : standardProfile(profileInput)
    } catch (error) {
      if (error instanceof ProviderError) throw error
      throw new ProviderError('profile_failed', error instanceof Error ? error.message : undefined)
    }
    if (!profile || typeof profile.subject !== 'string' || profile.subject === '' || profile.subject.length > 255) throw new ProviderError('profile_invalid')
    if (p.kind === 'oidc' && profile.subject !== claims.sub) throw new ProviderError('sub_mismatch')
    return { profile: { ...profile, emailVerified: profile.emailVerified === true }, idToken: p.kind === 'oidc' ? claims : null }
  }
}

/** The ID token's nonce is not the one this browser's sign-in sent: a token from another sign-in. */
export class NonceMismatch extends Error {
  constructor() {
    super('nonce mismatch')
    this.name = 'NonceMismatch'
  }
}

/** Constant-time string comparison (digests of equal length, so neither length nor content leaks). */
export function timingSafeStringEqual(a: string, b: string): boolean {
  const d = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(d(a), d(b))
}

function decodePayload(jwt: string): JWTPayload | null {
  const part = jwt.split('.')[1]
  if (!part) return null
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
    return isObject(value) ? (value as JWTPayload) : null
  } catch {
    return null
  }
}

/** A stable reason for each way `jose` refuses a token. */
function idTokenReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'id_token_expired'
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'id_token_issuer'
    if (error.claim === 'aud') return 'id_token_audience'
    if (error.claim === 'iat' || error.claim === 'nbf') return 'id_token_not_yet_valid'
    return 'id_token_claims'
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed || error instanceof joseErrors.JOSENotSupported) return 'id_token_algorithm'
  if (error instanceof joseErrors.JWSSignatureVerificationFailed || error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWKSMultipleMatchingKeys) return 'id_token_signature'
  if (error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid) return 'jwks_unavailable'
  if (error instanceof joseErrors.JWSInvalid || error instanceof joseErrors.JWTInvalid) return 'id_token_malformed'
  return 'id_token_invalid'
}
