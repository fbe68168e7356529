import type { Bound } from '../../facade/bind-context.ts'
import { authorizationUrl } from './authorize.ts'
import { callback } from './callback.ts'
import { identities, providers, tokens, unlink } from './identities.ts'
import type { OAuthContext } from './oauth-context.ts'

/** The domain functions behind `sigra.oauth`. */
export const OAUTH_FUNCTIONS = {
  providers,
  authorizationUrl,
  callback,
  identities,
  unlink,
  tokens,
}

export type OAuthApi = Bound<OAuthContext, typeof OAUTH_FUNCTIONS>
