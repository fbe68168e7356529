/**
 * `sigra/api-tokens`: personal access tokens with scopes, and `requireScopes` for host routes.
 *
 * @example
 * import { apiTokens, requireScopes } from 'sigra/api-tokens'
 */
export { apiTokens } from './api-tokens.ts'
export { requireScopes, type ScopeCheck } from './require-scopes.ts'
export type { ApiTokensApi } from './api.ts'
export type { ApiToken } from './api-token.ts'
export type { ApiTokensOptions } from './options.ts'
import './augment.ts'
