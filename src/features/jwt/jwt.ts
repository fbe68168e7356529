import { defineFeature } from '../feature.ts'
import { JWT_FUNCTIONS, type JwtApi } from './api.ts'
import { jwtAuthenticator } from './authenticate.ts'
import { exportFamilies } from './export-data.ts'
import { jwtContext } from './jwt-context.ts'
import type { MfaChallenge } from './mfa-challenge.ts'
import { createJwt } from './migrations.ts'
import { jwtSettings, type JwtOptions } from './options.ts'
import { endFamiliesOfUser } from './revoke.ts'
import { jwtRoutes } from './routes.ts'
import { sweepJwt } from './sweep.ts'
import './augment.ts'

const AUDIT_ACTIONS = ['token.issue', 'token.refresh', 'token.refresh_reuse', 'token.revoke', 'token.key_rotate'] as const

/** The JWKS may be cached this long at most (and never longer than an access token lives). */
const JWKS_MAX_AGE = 300

/**
 * JWT access tokens with a published JWKS, and rotating refresh tokens with reuse detection, for
 * first-party mobile and single-page apps and for service-to-service calls. See docs/jwt.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [jwt({ accessTtl: 600 })] })
 * const tokens = await sigra.jwt.issue(sessionToken)          // { accessToken, refreshToken, expiresIn }
 * const next = await sigra.jwt.refresh(tokens.refreshToken)   // rotated: the old one is spent
 * const checked = await sigra.jwt.verify(next.accessToken, { checkRevocation: true })
 */
export function jwt(options: JwtOptions = {}) {
  const settings = jwtSettings(options)
  return defineFeature({
    name: 'jwt',
    migrations: [createJwt],
    errors: {
      invalid_token: 400,
      expired: 401,
      revoked: 401,
      reuse_detected: 401,
      mfa_required: 403,
    },
    auditActions: AUDIT_ACTIONS,
    setup(host) {
      const ctx = jwtContext(host.ctx, settings, () => host.api<MfaChallenge>('mfa'))
      const api: JwtApi = host.bind(ctx, JWT_FUNCTIONS)

      // What ends an app's sign-in besides its session ending (cascade): a password change (every
      // family, the session that changed it included), leaving the account.
      host.ctx.events.on('passwordChanged', async ({ trx, user, request }) => {
        await endFamiliesOfUser({ ...ctx, request }, trx, user.id, 'password_change')
      })
      host.ctx.events.on('deletionScheduled', async ({ trx, user, request }) => {
        await endFamiliesOfUser({ ...ctx, request }, trx, user.id, 'deletion_scheduled')
      })
      host.ctx.events.on('userDeleting', async ({ trx, user, request }) => {
        await endFamiliesOfUser({ ...ctx, request }, trx, user.id, 'deleted', null)
      })

      return {
        api,
        authenticate: host.gate(jwtAuthenticator(ctx)),
        routes: jwtRoutes(api, { mfa: host.has('mfa'), jwksMaxAge: Math.min(JWKS_MAX_AGE, settings.accessTtl) }),
        sweeps: { expired: () => sweepJwt(ctx) },
        exportData: (user, db) => exportFamilies(db, user),
      }
    },
  })
}
