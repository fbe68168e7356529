import type { Bound } from '../../facade/bind-context.ts'
import type { ApiTokensContext } from './api-tokens-context.ts'
import { createApiToken, listApiTokens, revokeAllApiTokens, revokeApiToken } from './manage.ts'
import { verifyApiToken } from './verify.ts'

/** The domain functions behind `sigra.apiTokens`. */
export const API_TOKEN_FUNCTIONS = {
  create: createApiToken,
  verify: verifyApiToken,
  list: listApiTokens,
  revoke: revokeApiToken,
  revokeAll: revokeAllApiTokens,
}

export type ApiTokensApi = Bound<ApiTokensContext, typeof API_TOKEN_FUNCTIONS>
