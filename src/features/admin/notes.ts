import { writeAudit } from '../../kernel/audit/audit-log.ts'
import { fail, invalid, type Failure } from '../../kernel/result.ts'
import { isStorableText } from '../../kernel/validation/pg-text.ts'
import type { User } from '../../users/user.ts'
import { adminDb, type AdminContext } from './admin-context.ts'
import { authorise, SYSTEM_ACTOR, type Actor } from './authority.ts'
import './augment.ts'

export interface AdminNote {
  id: string
  body: string
  authorId: string | null
  createdAt: Date
  updatedAt: Date
}

type Row = { id: string; body: string; author_id: string | null; created_at: Date; updated_at: Date }
const toNote = (r: Row): AdminNote => ({ id: r.id, body: r.body, authorId: r.author_id, createdAt: r.created_at, updatedAt: r.updated_at })
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function checkBody(text: unknown): string | Failure<'invalid'> {
  if (typeof text !== 'string' || text.trim() === '') return invalid([{ field: 'text', code: 'required', message: 'Write the note.' }])
  if (text.length > 10_000) return invalid([{ field: 'text', code: 'too_long', message: 'A note is at most 10,000 characters.' }])
  if (!isStorableText(text)) return invalid([{ field: 'text', code: 'invalid_characters', message: 'This contains characters that cannot be stored.' }])
  return text.trim()
}

/** A note about a user, for operators only (never shown to the user). Needs `users:update` and the rank rule. */
export async function addNote(ctx: AdminContext, actor: Actor, target: Pick<User, 'id'>, text: unknown): Promise<{ ok: true; note: AdminNote } | Failure<'forbidden' | 'not_found' | 'invalid'>> {
  const body = checkBody(text)
  if (typeof body !== 'string') return body
  return ctx.db.transaction().execute(async (trx) => {
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.note_create', target })
    if (!auth.ok) return auth
    const at = ctx.config.clock()
    const row = await adminDb(trx).insertInto('admin_notes').values({ user_id: auth.value.target!.id, author_id: auth.value.actor?.id ?? null, body, created_at: at, updated_at: at }).returningAll().executeTakeFirstOrThrow()
    await writeAudit(ctx, trx, { action: 'admin.note_create', userId: row.user_id, actorId: auth.value.actor?.id ?? null, actorType: auth.value.actor ? 'admin' : 'system', metadata: { note_id: row.id } })
    return { ok: true as const, note: toNote(row) }
  })
}

/** A user's notes, newest first (`users:read`). */
export async function listNotes(ctx: AdminContext, actor: Actor, target: Pick<User, 'id'>): Promise<{ ok: true; notes: AdminNote[] } | Failure<'forbidden' | 'not_found'>> {
  const auth = await authorise(ctx, ctx.db, actor, { permission: 'users:read', operation: 'admin.notes_read' })
  if (!auth.ok) return fail('forbidden')
  if (typeof target?.id !== 'string' || !UUID.test(target.id)) return fail('not_found')
  const rows = await adminDb(ctx.db).selectFrom('admin_notes').selectAll().where('user_id', '=', target.id).orderBy('created_at', 'desc').orderBy('id', 'desc').execute()
  return { ok: true, notes: rows.map(toNote) }
}

/** Edits a note (any operator who may act on its subject). */
export async function updateNote(ctx: AdminContext, actor: Actor, noteId: unknown, text: unknown): Promise<{ ok: true; note: AdminNote } | Failure<'forbidden' | 'not_found' | 'invalid'>> {
  const body = checkBody(text)
  if (typeof body !== 'string') return body
  if (typeof noteId !== 'string' || !UUID.test(noteId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    const note = await adminDb(trx).selectFrom('admin_notes').selectAll().where('id', '=', noteId).forUpdate().executeTakeFirst()
    if (!note) return fail('not_found')
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.note_update', target: { id: note.user_id } })
    if (!auth.ok) return auth
    const row = await adminDb(trx).updateTable('admin_notes').set({ body, updated_at: ctx.config.clock() }).where('id', '=', noteId).returningAll().executeTakeFirstOrThrow()
    await writeAudit(ctx, trx, { action: 'admin.note_update', userId: row.user_id, actorId: actor === SYSTEM_ACTOR ? null : actor.id, actorType: auth.value.actor ? 'admin' : 'system', metadata: { note_id: row.id } })
    return { ok: true as const, note: toNote(row) }
  })
}

export async function deleteNote(ctx: AdminContext, actor: Actor, noteId: unknown): Promise<{ ok: true } | Failure<'forbidden' | 'not_found'>> {
  if (typeof noteId !== 'string' || !UUID.test(noteId)) return fail('not_found')
  return ctx.db.transaction().execute(async (trx) => {
    const note = await adminDb(trx).selectFrom('admin_notes').select(['id', 'user_id']).where('id', '=', noteId).forUpdate().executeTakeFirst()
    if (!note) return fail('not_found')
    const auth = await authorise(ctx, trx, actor, { permission: 'users:update', operation: 'admin.note_delete', target: { id: note.user_id } })
    if (!auth.ok) return auth
    await adminDb(trx).deleteFrom('admin_notes').where('id', '=', noteId).execute()
    await writeAudit(ctx, trx, { action: 'admin.note_delete', userId: note.user_id, actorId: actor === SYSTEM_ACTOR ? null : actor.id, actorType: auth.value.actor ? 'admin' : 'system', metadata: { note_id: noteId } })
    return { ok: true as const }
  })
}
