/**
 * `sigra/admin`: roles, operator user management under one rank rule, impersonation, the audit explorer.
 *
 * @example
 * import { admin, requireRole, SYSTEM_ACTOR } from 'sigra/admin'
 */
export { admin } from './admin.ts'
export { requirePermission, requireRole } from './guards.ts'
export { SYSTEM_ACTOR, type Actor } from './authority.ts'
export { csvCell } from './audit-explorer.ts'
export { displayCustomField } from './custom-fields.ts'
export type { AdminApi } from './api.ts'
export type { AdminOptions, CustomFieldDefinition, RoleDefinition } from './options.ts'
export type { AdminUser } from './users.ts'
export type { AdminNote } from './notes.ts'
import './augment.ts'
