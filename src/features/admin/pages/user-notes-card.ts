import type { HttpDeps } from '../../../http/http-env.ts'
import { buttonForm, errorSummary, hidden } from '../../../web/form-controls.ts'
import { formatDate } from '../../../web/format-date.ts'
import { h, type Html } from '../../../web/html.ts'
import type { AdminNote } from '../notes.ts'
import type { AdminUser } from '../users.ts'
import { textArea } from './admin-controls.ts'
import { failureSummary, issuesFor } from './admin-messages.ts'
import { userAction } from './admin-paths.ts'
import { failureIn, valueIn, type DetailState } from './detail-state.ts'
import type { Who } from './user-activity-cards.ts'
import { card } from './card.ts'

/** Notes about the user (operators only): add; each with its author and times, edit and delete. */
export function notesCard(deps: HttpDeps, user: AdminUser, notes: readonly AdminNote[], who: Who, canWrite: boolean, state: DetailState | null): Html {
  const failure = failureIn(state, 'notes')
  return card('notes', 'Notes', h`<p class="muted">Only operators see notes; the user never does.</p>
${canWrite
  ? h`${errorSummary(failureSummary(failure, ['text']))}
<form method="post" action="${userAction(deps.config, user.id, 'notes')}" novalidate>
${textArea({ id: 'note-new', name: 'text', label: 'New note', value: valueIn(state, 'notes', 'text', ''), rows: 3, maxlength: 10_000, issues: issuesFor(failure, 'text', deps.config) })}
<div class="actions"><button type="submit">Add note</button></div>
</form>`
  : ''}
${notes.length === 0 ? h`<p class="muted">No notes yet.</p>` : h`<ul class="notes">${notes.map((note) => noteItem(deps, user, note, who, canWrite, state))}</ul>`}`)
}

function noteItem(deps: HttpDeps, user: AdminUser, note: AdminNote, who: Who, canWrite: boolean, state: DetailState | null): Html {
  const section = `note:${note.id}`
  const failure = failureIn(state, section)
  const edited = note.updatedAt.getTime() !== note.createdAt.getTime()
  return h`<li id="note-${note.id}">
<p class="note-body">${note.body}</p>
<p class="muted">${who(note.authorId, note.authorId ? 'admin' : 'system')} · ${formatDate(note.createdAt)}${edited ? h` · edited ${formatDate(note.updatedAt)}` : ''}</p>
${canWrite
  ? h`<details${failure ? h` open` : ''}><summary>Edit or delete</summary>
${errorSummary(failureSummary(failure, ['text']))}
<form method="post" action="${userAction(deps.config, user.id, 'notes/edit')}" novalidate>
${hidden('note_id', note.id)}
${textArea({ id: `note-${note.id}-text`, name: 'text', label: 'Note', value: valueIn(state, section, 'text', note.body), rows: 3, maxlength: 10_000, issues: issuesFor(failure, 'text', deps.config) })}
<div class="actions"><button type="submit" class="secondary">Save note</button></div>
</form>
${buttonForm({ action: userAction(deps.config, user.id, 'notes/delete'), label: 'Delete note', fields: { note_id: note.id }, variant: 'danger', confirm: 'Delete this note?' })}
</details>`
  : ''}
</li>`
}
