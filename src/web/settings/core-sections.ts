import { accountSection } from './account-section.ts'
import { dataSection } from './data-section.ts'
import { deleteSection } from './delete-section.ts'
import { emailSection } from './email-section.ts'
import { passwordSection } from './password-section.ts'
import type { SettingsSection } from './settings-section.ts'
import { sessionsSection } from './sessions-section.ts'

/** Core's sections of the settings page, in order; features' follow them, then `DELETE_ACCOUNT_SECTION`. */
export const CORE_SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { id: 'account', render: (_c, deps, { user }, state) => accountSection(deps, user, state) },
  { id: 'email', render: (_c, deps, { user, session }, state) => emailSection(deps, user, deps.sigra.sessions.isSudo(session), state) },
  { id: 'password', render: (_c, deps, { user, session }, state) => passwordSection(deps, user, deps.sigra.sessions.isSudo(session), state) },
  {
    id: 'sessions',
    render: async (_c, deps, { user, session }, state) => sessionsSection(deps, await deps.sigra.sessions.list(user.id), session.id, state),
  },
  { id: 'data', render: (_c, deps, _current, state) => dataSection(deps, state) },
]

/** “Delete account”: the last section of the page, after every feature's. */
export const DELETE_ACCOUNT_SECTION: SettingsSection = { id: 'delete', render: (_c, deps, { user }) => deleteSection(deps, user) }
