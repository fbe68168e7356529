import type { GuardCheck } from '../../http/middleware/guard.ts'
import type { AdminApi } from './api.ts'

type WithAdmin = { admin?: Pick<AdminApi, 'authority'> }

function facade(sigra: unknown): Pick<AdminApi, 'authority'> {
  const admin = (sigra as WithAdmin).admin
  if (!admin) throw new Error('requireRole / requirePermission need the admin() feature in createSigra({ features })')
  return admin
}

/**
 * A guard rule for host routes: the signed-in user holds this role or a higher one (canonical
 * names: `requireRole('admin')` admits Admins and the Owner). 403 `forbidden` otherwise.
 *
 * @example
 * sigraHono(sigra).guard(['requireSudo', requireRole('admin')])
 */
export function requireRole(role: string): GuardCheck {
  return {
    error: 'forbidden',
    page: 'settings',
    async check({ user, sigra }) {
      return facade(sigra).authority(user, { role })
    },
  }
}

/** A guard rule: the signed-in user holds this permission (Owner and Admin hold all). */
export function requirePermission(permission: string): GuardCheck {
  return {
    error: 'forbidden',
    page: 'settings',
    async check({ user, sigra }) {
      return facade(sigra).authority(user, { permission })
    },
  }
}
