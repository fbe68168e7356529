import { cookiePolicy } from '../../http/cookies.ts'
import { Sealer } from '../../kernel/crypto/seal.ts'
import { defineFeature } from '../feature.ts'
import { OAUTH_FUNCTIONS, type OAuthApi } from './api.ts'
import { ProviderClient } from './client.ts'
import { exportIdentities, identityCount, removeForDeletion } from './identities.ts'
import { createOAuth } from './migrations.ts'
import { oauthDb, type OAuthContext } from './oauth-context.ts'
import { oauthSettings, type OAuthOptions } from './options.ts'
import { oauthPages } from './pages/oauth-pages.ts'
import { linkedAccountsSection } from './pages/linked-accounts-section.ts'
import { oauthSignInOption } from './pages/sign-in-option.ts'
import { oauthRoutes } from './routes.ts'
import { stateCookieName } from './state.ts'
import { oauthTemplates } from './templates.ts'
import './augment.ts'

/**
 * Sign-in with OAuth 2.0 / OpenID Connect providers: generic OIDC by issuer and presets (Google,
 * Microsoft, Apple, GitHub, GitLab, Discord) on one client; code flow with PKCE S256 always; state
 * and nonce bound to the browser (a sealed HttpOnly cookie) and to the provider, spent once; ID
 * tokens checked with `jose`; account resolution that never takes over an account by an unverified
 * or unconfirmed address; link and unlink from the settings (sudo, last-method guard); every sign-in
 * through core's `signIn`, so MFA applies. See docs/oauth.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [oauth({ providers: [google({ clientId, clientSecret }), github({ clientId, clientSecret })] })] })
 * const started = await sigra.oauth.authorizationUrl('github', { returnTo: '/dashboard' })   // redirect to started.url, set started.setCookie
 * const result = await sigra.oauth.callback('github', { url: request.url, cookie: request.headers.get('cookie') })
 */
export function oauth(options: OAuthOptions) {
  const settings = oauthSettings(options)
  return defineFeature({
    name: 'oauth',
    migrations: [createOAuth],
    errors: {
      unknown_provider: 404,
      invalid_state: 400,
      provider_error: 502,
      account_exists: 409,
      email_unverified: 403,
      account_unavailable: 403,
      sign_up_disabled: 403,
      identity_taken: 409,
      already_linked: 409,
      not_linked: 409,
      wrong_account: 403,
      last_method: 409,
    },
    auditActions: ['oauth.link', 'oauth.unlink', 'oauth.callback_failure'],
    rateLimits: {
      /** Sign-ins started from one IP (each may make the server fetch the provider's discovery document). */
      oauthStartIp: { points: 60, duration: 300 },
      /** Failed callbacks from one IP (a bad state, a refused code), checked before anything is looked up. */
      oauthCallbackIp: { points: 30, duration: 900 },
    },
    templates: oauthTemplates,
    setup(host) {
      const { config } = host.ctx
      const secure = cookiePolicy(config).secure
      const clients = new Map(settings.providers.map((p) => [p.id, new ProviderClient(p, `${config.baseUrl}${config.basePath}/oauth/${p.id}/callback`)]))
      const ctx: OAuthContext = {
        ...host.ctx,
        oauth: {
          ...settings,
          clients,
          stateSealer: new Sealer(config.secrets, 'oauth-state'),
          tokenSealer: new Sealer(config.secrets, 'oauth-provider-tokens'),
          cookieName: stateCookieName(secure),
          secureCookies: secure,
        },
      }
      const api: OAuthApi = host.bind(ctx, OAUTH_FUNCTIONS)
      host.ctx.events.on('userDeleting', ({ trx, user }) => removeForDeletion(trx, user.id))
      return {
        api,
        routes: oauthRoutes(api, ctx),
        pages: oauthPages(api, ctx),
        settings: [linkedAccountsSection(api, ctx)],
        signInOptions: [oauthSignInOption(ctx)],
        signInMethods: (db, userId) => identityCount(ctx, db, userId),
        sweeps: {
          /** Spent states are kept until they would have expired anyway, then forgotten. */
          async spentStates() {
            const gone = await oauthDb(ctx.db).deleteFrom('oauth_spent_states').where('expires_at', '<=', ctx.config.clock()).executeTakeFirst()
            return Number(gone.numDeletedRows)
          },
        },
        exportData: (user, db) => exportIdentities(ctx, db, user.id),
      }
    },
  })
}
