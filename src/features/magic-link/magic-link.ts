import { defineFeature } from '../feature.ts'
import { MAGIC_LINK_FUNCTIONS, type MagicLinkApi } from './api.ts'
import { linksDb, type MagicLinkContext } from './magic-link-context.ts'
import { createMagicLinkTokens } from './migrations.ts'
import { magicLinkSettings, type MagicLinkOptions } from './options.ts'
import { magicLinkPages, magicLinkSignInOption } from './pages/magic-link-pages.ts'
import { magicLinkRoutes } from './routes.ts'
import { magicLinkTemplates } from './templates.ts'
import './augment.ts'

/**
 * Sign-in by a link mailed to the account's address: enumeration-safe and throttled requests,
 * 15-minute single-use tokens kept only as digests in their own table (no other kind of token is
 * accepted in their place, nor they in another's), consumed only by the POST of the page the link
 * opens, confirming the address; optional sign-up of a new address. Every sign-in goes through
 * core's `signIn`, so MFA applies. See docs/magic-link.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [magicLink({ signUp: true })] })
 * await sigra.magicLink.request('ada@example.com', { ip })      // always { ok: true }
 * const result = await sigra.magicLink.consume(token, { ip, userAgent })
 */
export function magicLink(options: MagicLinkOptions = {}) {
  const settings = magicLinkSettings(options)
  return defineFeature({
    name: 'magic-link',
    key: 'magicLink',
    migrations: [createMagicLinkTokens],
    errors: { account_unavailable: 403 },
    auditActions: ['magic_link.request', 'magic_link.sign_in', 'magic_link.failure'],
    rateLimits: {
      /** Link requests from one IP, charged before the address is looked up. */
      magicLinkIp: { points: 10, duration: 900 },
      /** Link requests naming one address (each may mail it). */
      magicLinkEmail: { points: 3, duration: 900 },
    },
    templates: magicLinkTemplates,
    setup(host) {
      const ctx: MagicLinkContext = { ...host.ctx, magicLink: settings }
      const api: MagicLinkApi = host.bind(ctx, MAGIC_LINK_FUNCTIONS)
      host.ctx.events.on('userDeleting', async ({ trx, user }) => {
        await linksDb(trx).deleteFrom('magic_link_tokens').where((eb) => eb.or([eb('user_id', '=', user.id), eb('sent_to', '=', user.email)])).execute()
      })
      return {
        api,
        routes: magicLinkRoutes(api),
        pages: magicLinkPages(api, settings),
        signInOptions: [magicLinkSignInOption(settings)],
        sweeps: {
          /** Links are forgotten a day after they expire. */
          async expired() {
            const cutoff = new Date(ctx.config.clock().getTime() - 86_400_000)
            const gone = await linksDb(ctx.db).deleteFrom('magic_link_tokens').where('expires_at', '<=', cutoff).executeTakeFirst()
            return Number(gone.numDeletedRows)
          },
        },
      }
    },
  })
}
