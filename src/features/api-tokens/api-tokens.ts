import { defineFeature } from '../feature.ts'
import { API_TOKEN_FUNCTIONS, type ApiTokensApi } from './api.ts'
import type { ApiTokensContext } from './api-tokens-context.ts'
import { tokensDb } from './api-tokens-context.ts'
import { apiTokenAuthenticator } from './authenticate.ts'
import { endAllApiTokens, listApiTokens } from './manage.ts'
import { createApiTokens } from './migrations.ts'
import { apiTokensSettings, type ApiTokensOptions } from './options.ts'
import { apiTokenPages, apiTokensSection } from './pages/api-token-pages.ts'
import { apiTokenRoutes } from './routes.ts'
import { apiTokenTemplates } from './templates.ts'
import './augment.ts'

/**
 * Personal access tokens with scopes (`sigra_pat_…`): digest-only, shown once, checked through the
 * same rules as sessions (`sessions.fromRequest` resolves `Authorization: Bearer`), guarded by
 * `requireScopes` on host routes; never a way into the account's own lifecycle. See docs/api-tokens.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [apiTokens({ scopes: { 'repo:read': 'Read repositories' } })] })
 */
export function apiTokens(options: ApiTokensOptions) {
  const settings = apiTokensSettings(options)
  return defineFeature({
    name: 'api-tokens',
    key: 'apiTokens',
    migrations: [createApiTokens],
    errors: { insufficient_scope: 403, too_many_tokens: 409 },
    auditActions: ['api.token_create', 'api.token_revoke', 'api.token_revoke_all'],
    templates: apiTokenTemplates,
    setup(host) {
      const ctx: ApiTokensContext = { ...host.ctx, apiTokens: settings }
      const api: ApiTokensApi = host.bind(ctx, API_TOKEN_FUNCTIONS)
      // A password change keeps tokens (CI keys keep working); leaving the account ends them at once.
      // A suspension or ban (admin) ends them at once too, so lifting it does not bring them back.
      host.ctx.events.on('deletionScheduled', ({ trx, user, request }) => endAllApiTokens({ ...ctx, request }, trx, user.id, 'deletion_scheduled').then(() => undefined))
      host.ctx.events.on('sessionsRevoked', ({ trx, userId, reason, request }) =>
        reason === 'suspended' || reason === 'banned' ? endAllApiTokens({ ...ctx, request }, trx, userId, reason).then(() => undefined) : undefined)
      host.ctx.events.on('userDeleting', ({ trx, user, request }) => endAllApiTokens({ ...ctx, request }, trx, user.id, 'deleted').then(() => undefined))
      return {
        api,
        authenticate: apiTokenAuthenticator(ctx),
        routes: apiTokenRoutes(api, settings),
        pages: apiTokenPages(api, settings),
        settings: [apiTokensSection(api)],
        sweeps: {
          /** Expired tokens are kept 30 days (a late use is recognised and audited), then forgotten. */
          async expired() {
            const cutoff = new Date(ctx.config.clock().getTime() - 30 * 86_400_000)
            const gone = await tokensDb(ctx.db).deleteFrom('api_tokens').where('expires_at', '<=', cutoff).executeTakeFirst()
            return Number(gone.numDeletedRows)
          },
        },
        async exportData(user) {
          return { tokens: (await listApiTokens(ctx, user)).map(({ id: _id, ...t }) => t) }
        },
      }
    },
  })
}
