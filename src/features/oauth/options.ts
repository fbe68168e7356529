import * as v from 'valibot'
import { SigraError } from '../../kernel/errors.ts'
import { featureOptions } from '../feature.ts'
import { ASYMMETRIC_ALGORITHMS, RESERVED_PARAMS, type OAuthProvider } from './providers.ts'

export interface OAuthOptions {
  /** The providers offered, in the order their buttons are shown (`oidc()`, `github()`, `google()`, …). */
  providers: readonly OAuthProvider[]
  /**
   * A new identity whose provider-verified address matches a *confirmed* local account is linked to
   * it and signs in (the owner is mailed). Off by default: the person is asked to sign in with their
   * existing method and connect the provider from the settings. Never onto an unconfirmed account.
   */
  linkByVerifiedEmail?: boolean
  /** A new identity with a provider-verified address that matches no account creates one (default true). */
  signUp?: boolean
  /** Keep the provider's access and refresh tokens, sealed (AES-256-GCM), for `oauth.tokens()` (default false: not stored). */
  storeTokens?: boolean
  /** How long a started sign-in may take at the provider, in seconds (default 600). */
  stateTtl?: number
}

export interface OAuthSettings {
  providers: readonly OAuthProvider[]
  linkByVerifiedEmail: boolean
  signUp: boolean
  storeTokens: boolean
  stateTtl: number
}

const Schema = v.object({
  providers: v.array(v.any()),
  linkByVerifiedEmail: v.optional(v.boolean()),
  signUp: v.optional(v.boolean()),
  storeTokens: v.optional(v.boolean()),
  stateTtl: v.optional(v.pipe(v.number(), v.integer(), v.minValue(60), v.maxValue(3600))),
})

const ID = /^[a-z][a-z0-9-]{0,31}$/
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** https, or http on the loopback interface only (a provider running on this machine, in development or tests). */
export function isAllowedEndpoint(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.username || url.password || url.hash) return false
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname))
}

function bad(message: string): never {
  throw new SigraError('invalid_config', `Invalid options for oauth(): ${message}`)
}

/** Checks the options once, when the host calls `oauth()`: a misconfigured provider fails at start-up, never mid-sign-in. */
export function oauthSettings(options: OAuthOptions): OAuthSettings {
  const o = featureOptions('oauth', Schema, options)
  if (o.providers.length === 0) bad('providers: list at least one provider (oidc(), github(), google(), …)')
  const ids = new Set<string>()
  for (const p of o.providers as OAuthProvider[]) {
    if (!p || typeof p !== 'object' || (p.kind !== 'oidc' && p.kind !== 'oauth2')) bad('providers: each must come from oidc(), oauth2() or a preset')
    if (typeof p.id !== 'string' || !ID.test(p.id)) bad(`provider id ${JSON.stringify(p.id)} must be lower-case letters, digits and dashes`)
    if (ids.has(p.id)) bad(`provider id ${p.id} is listed twice`)
    ids.add(p.id)
    if (typeof p.clientId !== 'string' || p.clientId === '') bad(`${p.id}: clientId is required`)
    if ((typeof p.clientSecret !== 'string' || p.clientSecret === '') && typeof p.clientSecret !== 'function') bad(`${p.id}: clientSecret is required`)
    if (p.kind === 'oidc' && (typeof p.issuer !== 'string' || !isAllowedEndpoint(p.issuer))) bad(`${p.id}: issuer must be an https URL (http only on localhost)`)
    if (p.kind === 'oauth2' && (!p.endpoints.authorization || !p.endpoints.token || !p.profile)) bad(`${p.id}: a plain OAuth 2.0 provider needs authorization and token endpoints and a profile function`)
    for (const [name, url] of Object.entries(p.endpoints)) {
      if (url !== undefined && !isAllowedEndpoint(url)) bad(`${p.id}: endpoint ${name} must be an https URL (http only on localhost)`)
    }
    for (const key of Object.keys(p.authorizationParams ?? {})) {
      if (RESERVED_PARAMS.has(key)) bad(`${p.id}: authorizationParams may not set ${key} (the protocol's own)`)
    }
    for (const alg of p.idTokenAlgorithms ?? []) {
      if (!(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) bad(`${p.id}: ID-token algorithm ${alg} is not accepted (asymmetric only: ${ASYMMETRIC_ALGORITHMS.join(', ')})`)
    }
    if (p.scopes.some((s) => typeof s !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))) bad(`${p.id}: scopes must be non-empty tokens`)
  }
  return {
    providers: o.providers as OAuthProvider[],
    linkByVerifiedEmail: o.linkByVerifiedEmail ?? false,
    signUp: o.signUp ?? true,
    storeTokens: o.storeTokens ?? false,
    stateTtl: o.stateTtl ?? 600,
  }
}
