import { importPKCS8, SignJWT, type JWTPayload } from 'jose'

/**
 * What a provider says about the person who signed in, once checked. `emailVerified` is true only
 * when the provider said so with the boolean `true` (a string "true", "false", 1 or a missing claim
 * is false); only a verified address may create an account or be linked by address.
 */
export interface ProviderProfile {
  /** The provider's stable id for the account (`sub`; GitHub's numeric id as a string). */
  subject: string
  email: string | null
  emailVerified: boolean
  name: string | null
  /** The provider's handle, when it has one (GitHub's login). */
  username?: string | null
  avatarUrl?: string | null
}

/** What a provider's `profile` function gets to read the person: the checked ID token's claims (OIDC), userinfo, the access token. */
export interface ProfileInput {
  /** The validated ID token's claims (OIDC), or empty (plain OAuth 2.0). */
  idToken: Readonly<JWTPayload>
  /** The userinfo answer (OIDC, when the provider has the endpoint), whose `sub` matched the ID token's. */
  userinfo: Readonly<Record<string, unknown>> | null
  accessToken: string
  /** The callback's extra form fields (Apple posts `user`, with the name, on the first sign-in only). */
  callbackParams: Readonly<Record<string, string>>
  /** GET a JSON document with the access token as Bearer (bounded, time-limited; throws on a non-2xx answer). */
  getJson(url: string, headers?: Record<string, string>): Promise<unknown>
}

/** Where a provider's endpoints are: read from discovery (OIDC), or fixed (OAuth 2.0); any given here wins over discovery. */
export interface ProviderEndpoints {
  authorization?: string
  token?: string
  userinfo?: string
  jwks?: string
  /** An API base for profile calls (GitHub: https://api.github.com). */
  api?: string
}

/**
 * One sign-in provider: a small, frozen configuration object read by one generic OAuth 2.0 / OpenID
 * Connect client. Made by `oidc()`, `oauth2()` or a preset (`google()`, `github()`, …).
 */
export interface OAuthProvider {
  /** Its id in URLs (`/auth/oauth/<id>/callback`) and in stored identities: lower-case letters, digits, dashes. */
  readonly id: string
  /** What people see: “Continue with <name>”. */
  readonly name: string
  /** `oidc`: discovery by issuer, an ID token checked with the provider's keys; `oauth2`: fixed endpoints and a profile call. */
  readonly kind: 'oidc' | 'oauth2'
  readonly clientId: string
  /** The client secret, or a function making one per token request (Apple's is a short-lived JWT). */
  readonly clientSecret: string | (() => Promise<string>)
  /** OIDC: the issuer, exactly as the provider's discovery document and ID tokens state it. */
  readonly issuer?: string
  readonly endpoints: Readonly<ProviderEndpoints>
  readonly scopes: readonly string[]
  /** `form_post`: the provider POSTs the callback (Apple). Default: the query string. */
  readonly responseMode?: 'query' | 'form_post'
  /** How the client authenticates at the token endpoint (OIDC default: what discovery offers, basic first). */
  readonly tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post'
  /** Extra authorization parameters (`prompt`, `hd`, …); the protocol's own (state, nonce, PKCE, …) cannot be set here. */
  readonly authorizationParams?: Readonly<Record<string, string>>
  /** Parameters asking the provider to authenticate the person again, for sudo (OIDC: `prompt=login`). */
  readonly reauthenticationParams?: Readonly<Record<string, string>>
  /** ID-token algorithms accepted (asymmetric only; `none` and HMAC are never accepted). */
  readonly idTokenAlgorithms?: readonly string[]
  /**
   * The `iss` an ID token must carry, from the discovery document's issuer and the token's claims.
   * Default: the configured issuer. Microsoft's multi-tenant endpoints state `{tenantid}`, filled from `tid`.
   */
  expectedIssuer?(discovered: string, claims: Readonly<JWTPayload>): string | null
  /** Whether a discovery document's `issuer` is acceptable for this provider (default: exactly the configured issuer). */
  acceptsDiscoveredIssuer?(discovered: string): boolean
  /** Reads the person (default for OIDC: the standard claims, email verified only by the boolean `true`). */
  profile?(input: ProfileInput): Promise<ProviderProfile | null>
}

/** The protocol's own authorization parameters: a provider configuration may not set them. */
export const RESERVED_PARAMS = new Set([
  'client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'request', 'request_uri',
])

/** Asymmetric JWS algorithms: an ID token signed any other way (HMAC with a public key, `none`) is refused. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null)

/**
 * The standard OIDC claims: the address from the ID token when it carries one, else from userinfo,
 * with `email_verified` read from the same source as the address and true only as the boolean `true`.
 */
export function standardProfile(input: Pick<ProfileInput, 'idToken' | 'userinfo'>, verified: (claims: Readonly<Record<string, unknown>>) => boolean = (c) => c.email_verified === true): ProviderProfile {
  const id = input.idToken as Readonly<Record<string, unknown>>
  const info = input.userinfo ?? {}
  const source = str(id.email) ? id : str(info.email) ? info : null
  const pick = (key: string) => str(id[key]) ?? str(info[key])
  const given = [pick('given_name'), pick('family_name')].filter(Boolean).join(' ')
  return {
    subject: String(id.sub),
    email: source ? str(source.email) : null,
    emailVerified: source ? verified(source) : false,
    name: pick('name') ?? (given || null),
    username: pick('preferred_username'),
    avatarUrl: pick('picture'),
  }
}

interface ClientOptions {
  clientId: string
  clientSecret: string
  /** Override endpoints (a self-hosted instance, a test peer). */
  endpoints?: ProviderEndpoints
  /** Default: the provider's name. */
  id?: string
  name?: string
  /** Replaces the preset's scopes. */
  scopes?: readonly string[]
  authorizationParams?: Record<string, string>
}

function freeze(provider: OAuthProvider): OAuthProvider {
  return Object.freeze({ ...provider, endpoints: Object.freeze({ ...provider.endpoints }), scopes: Object.freeze([...provider.scopes]) })
}

/**
 * Any OpenID Connect provider, by issuer: endpoints and keys come from its discovery document
 * (`<issuer>/.well-known/openid-configuration`, whose `issuer` must be exactly this one).
 *
 * @example
 * oidc({ id: 'okta', name: 'Okta', issuer: 'https://acme.okta.com', clientId, clientSecret })
 */
export function oidc(options: ClientOptions & { id: string; issuer: string; name?: string; idTokenAlgorithms?: readonly string[]; tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post' }): OAuthProvider {
  return freeze({
    id: options.id,
    name: options.name ?? options.id,
    kind: 'oidc',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    issuer: options.issuer,
    endpoints: options.endpoints ?? {},
    scopes: options.scopes ?? ['openid', 'email', 'profile'],
    reauthenticationParams: { prompt: 'login' },
    ...(options.idTokenAlgorithms ? { idTokenAlgorithms: options.idTokenAlgorithms } : {}),
    ...(options.tokenAuthMethod ? { tokenAuthMethod: options.tokenAuthMethod } : {}),
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
  })
}

/**
 * A plain OAuth 2.0 provider (no ID token): fixed endpoints and a `profile` function that reads the
 * person with the access token. Its `emailVerified` must come from the provider's own statement.
 */
export function oauth2(options: Omit<ClientOptions, 'endpoints' | 'scopes'> & {
  id: string
  name?: string
  endpoints: ProviderEndpoints & { authorization: string; token: string }
  scopes: readonly string[]
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post'
  profile(input: ProfileInput): Promise<ProviderProfile | null>
}): OAuthProvider {
  return freeze({
    id: options.id,
    name: options.name ?? options.id,
    kind: 'oauth2',
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    endpoints: options.endpoints,
    scopes: options.scopes,
    tokenAuthMethod: options.tokenAuthMethod ?? 'client_secret_post',
    profile: options.profile,
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
  })
}

/** Google (OpenID Connect). */
export function google(options: ClientOptions): OAuthProvider {
  return oidc({ ...options, id: options.id ?? 'google', name: options.name ?? 'Google', issuer: 'https://accounts.google.com' })
}

/** GitLab (OpenID Connect), gitlab.com or a self-managed instance (`issuer`). */
export function gitlab(options: ClientOptions & { issuer?: string }): OAuthProvider {
  return oidc({ ...options, id: options.id ?? 'gitlab', name: options.name ?? 'GitLab', issuer: options.issuer ?? 'https://gitlab.com', scopes: options.scopes ?? ['openid', 'email', 'profile'] })
}

/** Microsoft's consumer tenant (personal accounts), whose addresses Microsoft has verified. */
const MICROSOFT_CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad'
const MULTI_TENANT = new Set(['common', 'organizations', 'consumers'])

/**
 * Microsoft Entra ID (OpenID Connect). `tenant`: a tenant id or domain (one organisation), or
 * `common` (default), `organizations`, `consumers`. A multi-tenant issuer is the discovery
 * document's `https://login.microsoftonline.com/{tenantid}/v2.0` with the token's own `tid`.
 * Entra does not say `email_verified`: an address counts as verified only for personal accounts, or
 * with the optional `xms_edov` claim (the domain's owner verified it) set to `true`.
 */
export function microsoft(options: ClientOptions & { tenant?: string }): OAuthProvider {
  const tenant = options.tenant ?? 'common'
  const base = oidc({ ...options, id: options.id ?? 'microsoft', name: options.name ?? 'Microsoft', issuer: `https://login.microsoftonline.com/${tenant}/v2.0` })
  if (!MULTI_TENANT.has(tenant)) {
    return freeze({ ...base, profile: async (input) => standardProfile(input, microsoftVerified) })
  }
  const template = 'https://login.microsoftonline.com/{tenantid}/v2.0'
  return freeze({
    ...base,
    acceptsDiscoveredIssuer: (discovered) => discovered === template,
    expectedIssuer: (_discovered, claims) => (typeof claims.tid === 'string' && /^[0-9a-f-]{36}$/i.test(claims.tid) ? template.replace('{tenantid}', claims.tid) : null),
    profile: async (input) => standardProfile(input, microsoftVerified),
  })
}

function microsoftVerified(claims: Readonly<Record<string, unknown>>): boolean {
  return claims.email_verified === true || claims.xms_edov === true || claims.tid === MICROSOFT_CONSUMERS
}

/** Apple's client secret: an ES256 JWT signed with the team's key, made fresh (valid 5 minutes) for each token request. */
export interface AppleKey {
  teamId: string
  keyId: string
  /** The `.p8` key, PEM (PKCS #8). */
  privateKey: string
}

/**
 * Sign in with Apple (OpenID Connect, `form_post` callback). The name comes only on the first
 * sign-in, in the posted `user` field (never trusted for the address). `clientId` is the Services ID;
 * the secret is either given, or made from `key` ({ teamId, keyId, privateKey }).
 * Apple states `email_verified` as the boolean or the string `"true"`; this preset (only) accepts both
 * (every Apple ID address, relay or not, is verified by Apple).
 */
export function apple(options: Omit<ClientOptions, 'clientSecret'> & ({ clientSecret: string; key?: undefined } | { key: AppleKey; clientSecret?: undefined })): OAuthProvider {
  const key = options.key
  const clientSecret: OAuthProvider['clientSecret'] = key
    ? async () => {
        const signingKey = await importPKCS8(key.privateKey, 'ES256')
        const now = Math.floor(Date.now() / 1000)
        return new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: key.keyId }).setIssuer(key.teamId).setSubject(options.clientId)
          .setAudience('https://appleid.apple.com').setIssuedAt(now).setExpirationTime(now + 300).sign(signingKey)
      }
    : options.clientSecret!
  return freeze({
    id: options.id ?? 'apple',
    name: options.name ?? 'Apple',
    kind: 'oidc',
    clientId: options.clientId,
    clientSecret,
    issuer: 'https://appleid.apple.com',
    endpoints: options.endpoints ?? {},
    scopes: options.scopes ?? ['openid', 'name', 'email'],
    responseMode: 'form_post',
    tokenAuthMethod: 'client_secret_post',
    ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
    async profile(input) {
      const profile = standardProfile(input, (c) => c.email_verified === true || c.email_verified === 'true')
      return { ...profile, name: profile.name ?? appleName(input.callbackParams.user) }
    },
  })
}

/** The name in Apple's first-sign-in `user` field (`{"name":{"firstName","lastName"}}`), or null. */
export function appleName(user: string | undefined): string | null {
  if (!user || user.length > 2048) return null
  try {
    const parsed = JSON.parse(user) as { name?: { firstName?: unknown; lastName?: unknown } }
    const parts = [parsed?.name?.firstName, parsed?.name?.lastName].filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    return parts.length ? parts.join(' ').slice(0, 200) : null
  } catch {
    return null
  }
}

interface GitHubEmail {
  email?: unknown
  primary?: unknown
  verified?: unknown
}

/**
 * GitHub (OAuth 2.0; no ID token). The person is `GET /user`; the address is read from
 * `GET /user/emails` (the `user:email` scope): the primary one if GitHub verified it, else another
 * verified one; an address GitHub has not verified is never taken as verified. `endpoints` points it
 * at GitHub Enterprise Server (or a test peer): `{ authorization, token, api }`.
 */
export function github(options: ClientOptions): OAuthProvider {
  const endpoints = {
    authorization: 'https://github.com/login/oauth/authorize',
    token: 'https://github.com/login/oauth/access_token',
    api: 'https://api.github.com',
    ...options.endpoints,
  }
  return oauth2({
    ...options,
    id: options.id ?? 'github',
    name: options.name ?? 'GitHub',
    endpoints,
    scopes: options.scopes ?? ['read:user', 'user:email'],
    tokenAuthMethod: 'client_secret_post',
    async profile({ getJson }) {
      const headers = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }
      const user = (await getJson(`${endpoints.api}/user`, headers)) as Record<string, unknown>
      if (typeof user?.id !== 'number' && typeof user?.id !== 'string') return null
      const emails = (await getJson(`${endpoints.api}/user/emails`, headers)) as unknown
      const list = Array.isArray(emails) ? (emails as GitHubEmail[]).filter((e) => typeof e?.email === 'string') : []
      const verified = list.filter((e) => e.verified === true)
      const chosen = verified.find((e) => e.primary === true) ?? verified[0] ?? list.find((e) => e.primary === true) ?? null
      return {
        subject: String(user.id),
        email: chosen ? (chosen.email as string) : null,
        emailVerified: chosen?.verified === true,
        name: str(user.name) ?? str(user.login),
        username: str(user.login),
        avatarUrl: str(user.avatar_url),
      }
    },
  })
}

/** Discord (OAuth 2.0): `GET /users/@me`, whose `verified` says whether Discord verified the address. */
export function discord(options: ClientOptions): OAuthProvider {
  const endpoints = {
    authorization: 'https://discord.com/oauth2/authorize',
    token: 'https://discord.com/api/oauth2/token',
    api: 'https://discord.com/api',
    ...options.endpoints,
  }
  return oauth2({
    ...options,
    id: options.id ?? 'discord',
    name: options.name ?? 'Discord',
    endpoints,
    scopes: options.scopes ?? ['identify', 'email'],
    tokenAuthMethod: 'client_secret_post',
    async profile({ getJson }) {
      const me = (await getJson(`${endpoints.api}/users/@me`)) as Record<string, unknown>
      if (typeof me?.id !== 'string') return null
      return {
        subject: me.id,
        email: str(me.email),
        emailVerified: str(me.email) !== null && me.verified === true,
        name: str(me.global_name) ?? str(me.username),
        username: str(me.username),
        avatarUrl: typeof me.avatar === 'string' ? `https://cdn.discordapp.com/avatars/${me.id}/${me.avatar}.png` : null,
      }
    },
  })
}
