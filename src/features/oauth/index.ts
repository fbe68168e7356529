/**
 * `sigra/oauth`: sign-in with OAuth 2.0 / OpenID Connect providers.
 *
 * @example
 * import { oauth, oidc, google, github, microsoft, apple, gitlab, discord } from 'sigra/oauth'
 */
export { oauth } from './oauth.ts'
export { oidc, oauth2, google, github, microsoft, apple, gitlab, discord, standardProfile, type OAuthProvider, type ProviderProfile, type ProfileInput, type ProviderEndpoints, type AppleKey } from './providers.ts'
export { resolveAccount, type ResolutionInput, type Resolution, type ResolutionRefusal, type AccountFacts } from './resolve-account.ts'
export type { OAuthApi } from './api.ts'
export type { OAuthOptions } from './options.ts'
export type { OAuthIdentity } from './augment.ts'
export type { AuthorizationOptions, AuthorizationResult } from './authorize.ts'
export type { CallbackInput, CallbackResult, CallbackSignIn, CallbackLink, CallbackSudo } from './callback.ts'
import './augment.ts'
