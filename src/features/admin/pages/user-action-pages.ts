import { forRequest } from '../../../http/request-meta.ts'
import type { FieldIssue } from '../../../kernel/result.ts'
import type { User } from '../../../users/user.ts'
import { definePage, type Page } from '../../../web/page.ts'
import type { Form } from '../../../web/read-form.ts'
import { seeOther } from '../../../web/see-other.ts'
import type { AdminApi } from '../api.ts'
import type { AdminSettings } from '../options.ts'
import { userPage } from './admin-paths.ts'
import { userDetailView } from './user-detail-view.ts'

type Outcome = { ok: true } | { ok: false; error: string; issues?: FieldIssue[]; retryAfter?: number }

interface Action {
  /** Posted to `admin/users/<id>/<name>`. */
  name: string
  /** The form it comes from (see `DetailState.section`), and the card to scroll back to. */
  section: (form: Form) => string
  card: (form: Form) => string
  notice: string
  /** Fields shown again after a refusal (never a password). */
  keep?: readonly string[]
  run: (admin: AdminApi, actor: User, target: { id: string }, form: Form) => Promise<Outcome>
}

const fixed = (id: string) => () => id

/** Every change on the user page except the sudo-gated ones: one domain call each, then back with a notice. */
const ACTIONS: readonly Action[] = [
  { name: 'profile', section: fixed('profile'), card: fixed('profile'), notice: 'admin_profile_saved', keep: ['first_name', 'last_name', 'locale'],
    run: (a, me, t, f) => a.setProfile(me, t, { firstName: f.get('first_name'), lastName: f.get('last_name'), locale: f.get('locale').trim() || null }) },
  { name: 'role', section: fixed('role'), card: fixed('role'), notice: 'admin_role_changed', keep: ['role'], run: (a, me, t, f) => a.setRole(me, t, f.get('role')) },
  { name: 'status', section: fixed('status'), card: fixed('status'), notice: 'admin_status_changed', keep: ['status'], run: (a, me, t, f) => a.setStatus(me, t, f.get('status')) },
  { name: 'confirm', section: fixed('email'), card: fixed('email'), notice: 'admin_confirmed', run: (a, me, t) => a.confirm(me, t) },
  { name: 'unconfirm', section: fixed('email'), card: fixed('email'), notice: 'admin_unconfirmed', run: (a, me, t) => a.unconfirm(me, t) },
  { name: 'password', section: fixed('password'), card: fixed('password'), notice: 'admin_password_set', keep: ['must_change'],
    run: (a, me, t, f) => a.setPassword(me, t, { password: f.get('password'), mustChange: f.get('must_change') === 'on' }) },
  { name: 'force-password-change', section: fixed('password-actions'), card: fixed('password'), notice: 'admin_password_change_required', run: (a, me, t) => a.forcePasswordChange(me, t) },
  { name: 'mfa-reset', section: fixed('password-actions'), card: fixed('password'), notice: 'admin_mfa_reset', run: (a, me, t) => a.resetMfa(me, t) },
  { name: 'revoke-sessions', section: fixed('sessions'), card: fixed('sessions'), notice: 'admin_sessions_revoked', run: (a, me, t) => a.revokeSessions(me, t) },
  { name: 'custom-field', section: (f) => `field:${f.get('key')}`, card: fixed('custom-fields'), notice: 'admin_field_saved', keep: ['value'],
    run: (a, me, t, f) => a.setCustomField(me, t, f.get('key'), f.get('value')) },
  { name: 'notes', section: fixed('notes'), card: fixed('notes'), notice: 'admin_note_added', keep: ['text'], run: (a, me, t, f) => a.addNote(me, t, f.get('text')) },
  { name: 'notes/edit', section: (f) => `note:${f.get('note_id')}`, card: (f) => `note-${f.get('note_id')}`, notice: 'admin_note_saved', keep: ['text'],
    run: (a, me, _t, f) => a.updateNote(me, f.get('note_id'), f.get('text')) },
  { name: 'notes/delete', section: fixed('notes'), card: fixed('notes'), notice: 'admin_note_deleted', run: (a, me, _t, f) => a.deleteNote(me, f.get('note_id')) },
]

/** The POST pages of the user page's forms (PRG: a notice on success, the page with the refusal in its form otherwise). */
export function userActionPages(api: AdminApi, settings: AdminSettings): Page[] {
  return ACTIONS.map((action) =>
    definePage({
      path: `/admin/users/:id/${action.name}`,
      auth: true,
      async post(c, deps, form, current) {
        const id = c.req.param('id') ?? ''
        const result = await action.run(forRequest(api, deps), current.user, { id }, form)
        if (result.ok) return seeOther(c, userPage(deps.config, id, { notice: action.notice, card: action.card(form) }))
        const values = Object.fromEntries((action.keep ?? []).map((name) => [name, form.get(name)]))
        const state = { section: action.section(form), failure: result, values }
        return userDetailView(c, deps, api, settings, current, id, state, deps.statusFor(result.error))
      },
    }),
  )
}
