import { defineFeature } from '../feature.ts'
import type { GuardCheck } from '../../http/middleware/guard.ts'
import { MFA_FUNCTIONS, type MfaApi } from './api.ts'
import { removeForDeletion, status } from './manage.ts'
import { mfaContext, mfaDb } from './mfa-context.ts'
import { createMfa } from './migrations.ts'
import { mfaSettings, type MfaOptions } from './options.ts'
import { mfaPages } from './pages/mfa-pages.ts'
import { mfaRoutes } from './routes.ts'
import { mfaSettingsSection } from './pages/mfa-settings-section.ts'
import { mfaSteps } from './steps.ts'
import { mfaTemplates } from './templates.ts'
import { forgetTrustedDevices } from './trusted-devices.ts'
import './augment.ts'

const AUDIT_ACTIONS = [
  'mfa.enroll_start', 'mfa.enable', 'mfa.disable', 'mfa.reset', 'mfa.verify', 'mfa.verify_failure', 'mfa.lockout',
  'mfa.backup_code_used', 'mfa.backup_codes_regenerate', 'mfa.trusted_device_add', 'mfa.trusted_device_revoke',
] as const

/**
 * Multi-factor authentication: TOTP (RFC 6238) with backup codes, trusted devices and its own
 * lockout, enforced on every sign-in path through the sign-in pipeline. See docs/mfa.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [mfa({ issuer: 'Acme', required: (user) => user.email.endsWith('@acme.com') })] })
 * const login = await sigra.auth.logIn({ login, password })   // login.mfaRequired: the session is pending
 * const passed = await sigra.mfa.verify(login.token, { code })  // passed.token: signed in
 */
export function mfa(options: MfaOptions = {}) {
  const settings = mfaSettings(options)
  return defineFeature({
    name: 'mfa',
    migrations: [createMfa],
    errors: {
      invalid_code: 400,
      already_enabled: 409,
      not_enabled: 409,
      no_enrollment: 409,
      required_by_policy: 409,
      password_required: 422,
      mfa_required: 403,
      mfa_enrollment_required: 403,
    },
    auditActions: AUDIT_ACTIONS,
    rateLimits: {
      /** Codes tried by one pending session. */
      mfaVerifySession: { points: 10, duration: 300 },
      /** Codes tried for one account, across sessions. */
      mfaVerifyAccount: { points: 30, duration: 900 },
    },
    templates: mfaTemplates,
    setup(host) {
      const ctx = mfaContext(host.ctx, settings)
      const api: MfaApi = host.bind(ctx, MFA_FUNCTIONS)

      // What ends trust: any mass revocation of sessions ("sign out everywhere", a reset, a
      // confirmation that ended a squatter's sessions); a password change also moves the epoch.
      host.ctx.events.on('sessionsRevoked', async ({ trx, userId }) => {
        await forgetTrustedDevices(trx, userId)
      })
      host.ctx.events.on('userDeleting', async ({ trx, user }) => removeForDeletion(trx, user.id))

      return {
        api,
        steps: mfaSteps(ctx),
        routes: mfaRoutes(api),
        pages: mfaPages(api, settings),
        settings: [mfaSettingsSection(api, settings)],
        sweeps: {
          async expired() {
            const at = ctx.config.clock()
            const enrolments = await mfaDb(ctx.db).deleteFrom('mfa_totp').where('confirmed_at', 'is', null).where('enrollment_expires_at', '<=', at).executeTakeFirst()
            const devices = await mfaDb(ctx.db).deleteFrom('mfa_trusted_devices').where('expires_at', '<=', at).executeTakeFirst()
            return { enrolments: Number(enrolments.numDeletedRows), trustedDevices: Number(devices.numDeletedRows) }
          },
        },
        async exportData(user) {
          const s = await status(ctx, user)
          const devices = await mfaDb(ctx.db).selectFrom('mfa_trusted_devices').select(['label', 'created_at', 'expires_at']).where('user_id', '=', user.id).execute()
          return {
            enabled: s.enabled,
            enabledAt: s.enabledAt,
            backupCodesRemaining: s.backupCodesRemaining,
            trustedDevices: devices.map((d) => ({ label: d.label, createdAt: d.created_at, expiresAt: d.expires_at })),
          }
        },
      }
    },
  })
}

/**
 * A guard rule for host routes that demand a second factor on the account (the "RequireMFA" plug):
 * `guard(sigra, request, ['requireAuth', requireMfa])`, `sigraHono(sigra).guard([requireMfa])`. A user
 * without MFA is refused `mfa_enrollment_required` (403), or sent to the enrolment page.
 */
export const requireMfa: GuardCheck = {
  error: 'mfa_enrollment_required',
  page: 'mfa/enroll',
  async check({ user, sigra }) {
    const facade = (sigra as unknown as { mfa?: Pick<MfaApi, 'status'> }).mfa
    if (!facade) throw new Error('requireMfa needs the mfa() feature in createSigra({ features })')
    return (await facade.status(user)).enabled
  },
}
