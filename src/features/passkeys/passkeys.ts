import { cookiePolicy } from '../../http/cookies.ts'
import { defineFeature } from '../feature.ts'
import { PASSKEY_FUNCTIONS, type PasskeysApi } from './api.ts'
import { deleteExpiredChallenges } from './challenges.ts'
import { exportPasskeys, removeForDeletion } from './manage.ts'
import { createPasskeys } from './migrations.ts'
import { passkeysSettings, relyingParty, type PasskeysOptions } from './options.ts'
import { passkeysContext } from './passkeys-context.ts'
import { passkeyPages } from './pages/passkey-pages.ts'
import { passkeySettingsSection } from './pages/passkey-settings-section.ts'
import { passkeySignInOption } from './pages/sign-in-option.ts'
import { passkeyRoutes } from './routes.ts'
import { passkeyTemplates } from './templates.ts'
import './augment.ts'
import { credentialsOf } from './credentials.ts'

const AUDIT_ACTIONS = [
  'passkey.register', 'passkey.register_failure', 'passkey.sign_in', 'passkey.sign_in_failure', 'passkey.second_factor',
  'passkey.second_factor_failure', 'passkey.sudo', 'passkey.sudo_failure', 'passkey.counter_regression', 'passkey.remove', 'passkey.rename',
] as const

/**
 * Passkeys (WebAuthn, on `@simplewebauthn/server`): register from the settings, sign in without a
 * password (a button and the browser's autofill on the log-in page, or username-first), a passkey
 * as the second factor at the MFA challenge, sudo with a passkey, list / rename / remove with a
 * last-method guard. Every sign-in ends in core's `signIn`. See docs/passkeys.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [mfa(), passkeys({ rpName: 'Acme' })] })
 * const { options } = await sigra.passkeys.registrationOptions(user, { session })   // → navigator.credentials.create
 * const added = await sigra.passkeys.verifyRegistration(user, credentialJson, { session })
 */
export function passkeys(options: PasskeysOptions) {
  const settings = passkeysSettings(options)
  return defineFeature({
    name: 'passkeys',
    migrations: [createPasskeys],
    errors: {
      challenge_expired: 410,
      last_method: 409,
      no_passkey: 409,
      second_factor_unavailable: 409,
    },
    auditActions: AUDIT_ACTIONS,
    rateLimits: {
      /** Ceremonies opened for sign-in from one IP (each stores a challenge row). */
      passkeyOptionsIp: { points: 100, duration: 300 },
      /** Failed passkey sign-ins from one IP, checked before any lookup. */
      passkeySignInIp: { points: 20, duration: 900 },
      /** Passkey attempts at the MFA challenge, per held session (options and answers). */
      passkeySecondFactor: { points: 20, duration: 300 },
    },
    templates: passkeyTemplates,
    setup(host) {
      const rp = relyingParty(settings, host.ctx.config.baseUrl)
      const ctx = passkeysContext(host.ctx, settings, rp, { mfa: host.has('mfa'), secureCookies: cookiePolicy(host.ctx.config).secure })
      const api: PasskeysApi = host.bind(ctx, PASSKEY_FUNCTIONS)

      host.ctx.events.on('userDeleting', async ({ trx, user }) => removeForDeletion(trx, user.id))

      return {
        api,
        routes: passkeyRoutes(api, ctx.passkeys),
        pages: passkeyPages(api),
        settings: [passkeySettingsSection(api)],
        signInOptions: [passkeySignInOption],
        sweeps: {
          async expired() {
            return { challenges: await deleteExpiredChallenges(ctx) }
          },
        },
        exportData: (user, db) => exportPasskeys(db, user.id),
        signInMethods: async (db, userId) => (await credentialsOf(db, userId)).length,
      }
    },
  })
}
