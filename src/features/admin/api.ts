import type { Bound } from '../../facade/bind-context.ts'
import type { AdminContext } from './admin-context.ts'
import { auditCsv, listAudit } from './audit-explorer.ts'
import { authority } from './authority-check.ts'
import { deleteCustomField, getCustomField, setCustomField, setProfile } from './custom-fields.ts'
import { deleteUser } from './delete-user.ts'
import { impersonate } from './impersonate.ts'
import { bulkUpdate, confirm, forcePasswordChange, resetMfa, revokeSessions, setPassword, setRole, setStatus, unconfirm } from './mutations.ts'
import { addNote, deleteNote, listNotes, updateNote } from './notes.ts'
import { getUser, listUsers, roles, roleStats } from './users.ts'
import { listSessions } from './user-sessions.ts'

/** The domain functions behind `sigra.admin`, each taking the admin context first. */
export const ADMIN_FUNCTIONS = {
  roles,
  roleStats,
  authority,
  listUsers,
  getUser,
  setRole,
  setStatus,
  setPassword,
  confirm,
  unconfirm,
  forcePasswordChange,
  revokeSessions,
  listSessions,
  resetMfa,
  bulkUpdate,
  addNote,
  listNotes,
  updateNote,
  deleteNote,
  setCustomField,
  getCustomField,
  deleteCustomField,
  setProfile,
  deleteUser,
  impersonate,
  listAudit,
}

/** `sigra.admin`: the bound functions, plus `stopImpersonating` and the streamed `auditCsv`. */
export type AdminApi = Bound<AdminContext, typeof ADMIN_FUNCTIONS> & {
  /** Ends an impersonation: `{ ok, token }`, the operator's own session again (null when it has ended). */
  stopImpersonating(token: unknown): ReturnType<import('../../facade/core-facade.ts').SigraCore['sessions']['endImpersonation']>
  /** The filtered audit log as CSV lines, header first, streamed from the database in batches. */
  auditCsv(actor: Parameters<typeof auditCsv>[1], filter?: Parameters<typeof auditCsv>[2]): AsyncIterable<string>
}
