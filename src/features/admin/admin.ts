import { Sealer } from '../../kernel/crypto/seal.ts'
import { defineFeature } from '../feature.ts'
import { ADMIN_FUNCTIONS, type AdminApi } from './api.ts'
import type { AdminContext } from './admin-context.ts'
import { auditCsv } from './audit-explorer.ts'
import { endImpersonation } from '../../sessions/end-impersonation.ts'
import { firstUserBecomesOwner } from './first-owner.ts'
import { vetoLastOwnerRemoval } from './last-owner.ts'
import { createAdmin } from './migrations.ts'
import { adminSettings, type AdminOptions } from './options.ts'
import { adminPages } from './pages/admin-pages.ts'
import { adminSection } from './pages/admin-section.ts'
import { adminRoutes } from './routes.ts'
import './augment.ts'

const AUDIT_ACTIONS = [
  'admin.owner_assign', 'admin.role_change', 'admin.status_change', 'admin.password_set', 'admin.confirm', 'admin.unconfirm',
  'admin.password_change_required', 'admin.sessions_revoke', 'admin.note_create', 'admin.note_update', 'admin.note_delete',
  'admin.custom_field_set', 'admin.custom_field_delete', 'admin.profile_update', 'admin.user_delete', 'admin.impersonation_start',
  'admin.mfa_reset', 'admin.audit_export',
] as const

/**
 * Roles (Owner > Admin > User and the host's), operator user management with one rank rule,
 * impersonation over real sessions, and the audit explorer with a streamed, formula-safe CSV export.
 * See docs/admin.md.
 *
 * @example
 * const sigra = await createSigra({ ..., features: [admin({ roles: { support: { permissions: ['users:read'] } } })] })
 * await sigra.admin.setStatus(actor, target, 'suspended')
 */
export function admin(options: AdminOptions = {}) {
  const settings = adminSettings(options)
  return defineFeature({
    name: 'admin',
    migrations: [createAdmin],
    errors: { forbidden: 403, last_owner: 409 },
    auditActions: AUDIT_ACTIONS,
    setup(host) {
      const ctx: AdminContext = {
        ...host.ctx,
        admin: { ...settings, cursorSealer: new Sealer(host.ctx.config.secrets, 'admin-cursor'), feature: (name) => host.api(name) },
      }
      const bound = host.bind(ctx, ADMIN_FUNCTIONS)
      const api: AdminApi = {
        ...bound,
        stopImpersonating: host.gate((token: unknown) => endImpersonation(ctx, token)),
        auditCsv: (actor, filter) => auditCsv(ctx, actor, filter),
      }
      host.ctx.events.on('deletionScheduled', ({ trx, user }) => vetoLastOwnerRemoval(trx, ctx.config.schema, user.id))
      host.ctx.events.on('userDeleting', ({ trx, user }) => vetoLastOwnerRemoval(trx, ctx.config.schema, user.id))
      if (settings.firstUserOwner) host.ctx.events.on('userRegistered', (event) => firstUserBecomesOwner(ctx, event))
      const sweeps: Record<string, () => Promise<unknown>> = {}
      const days = settings.auditRetentionDays
      if (days !== null) {
        /** Audit rows past the retention, in bounded batches (at most 10,000 per sweep). */
        sweeps.auditRetention = async () => {
          const cutoff = new Date(ctx.config.clock().getTime() - days * 86_400_000)
          let removed = 0
          for (let i = 0; i < 10; i++) {
            const batch = await ctx.db.deleteFrom('audit_events').where('id', 'in', (eb) => eb.selectFrom('audit_events').select('id').where('occurred_at', '<', cutoff).orderBy('id').limit(1000)).executeTakeFirst()
            removed += Number(batch.numDeletedRows)
            if (Number(batch.numDeletedRows) < 1000) break
          }
          return removed
        }
      }
      return {
        api,
        routes: adminRoutes(api),
        pages: adminPages(api, settings),
        settings: [adminSection(api)],
        sweeps,
      }
    },
  })
}
