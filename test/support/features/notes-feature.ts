/**
 * A feature that exists only in the tests, written the way a host writes one: everything from
 * 'sigra/feature-kit', nothing from core's files. It has its own tables (two migrations), facade
 * methods, JSON routes with OpenAPI entries, a page and a settings section, lifecycle-event
 * subscribers, a sweep, a data-export part, audit actions, an error code with its status, a rate
 * limit, and a request authenticator (an `X-Notes-Key` header).
 */
import type { Generated } from 'kysely'
import { sql } from 'kysely'
import * as v from 'valibot'
import {
  buttonForm,
  constantTimeEqual,
  defineFeature,
  definePage,
  defineRoute,
  digest,
  fail,
  failure,
  featureOptions,
  forRequest,
  h,
  headerValue,
  input,
  ok,
  pagePath,
  randomSecret,
  renderPage,
  seeOther,
  toUser,
  withTables,
  writeAudit,
  type Executor,
  type Failure,
  type SigraContext,
  type User,
} from 'sigra/feature-kit'

declare module 'sigra' {
  interface FeatureAuditActions {
    'notes.add': true
    'notes.remove_all': true
    'notes.keys_revoked': true
  }
}

interface NotesTables {
  notes: { id: Generated<string>; user_id: string; body: string; created_at: Date }
  note_keys: { id: Generated<string>; user_id: string; digest: Uint8Array; created_at: Date }
}

export interface Note {
  id: string
  body: string
  createdAt: Date
}

type NotesContext = SigraContext & { notes: { maxLength: number; retentionDays: number } }

const db = (executor: Executor) => withTables<NotesTables>(executor)

async function addNote(ctx: NotesContext, user: Pick<User, 'id'>, body: unknown): Promise<{ ok: true; note: Note } | Failure<'invalid' | 'note_too_long' | 'rate_limited'>> {
  if (typeof body !== 'string' || body.trim() === '') return fail('invalid', { issues: [{ field: 'body', code: 'required', message: 'Write something.' }] })
  if (body.length > ctx.notes.maxLength) return fail('note_too_long')
  const limited = await ctx.limiter.consume('notesAdd', user.id)
  if (!limited.ok) return fail('rate_limited', { retryAfter: limited.retryAfter })
  return ctx.db.transaction().execute(async (trx) => {
    const row = await db(trx).insertInto('notes').values({ user_id: user.id, body, created_at: ctx.config.clock() }).returningAll().executeTakeFirstOrThrow()
    await writeAudit(ctx, trx, { action: 'notes.add', userId: user.id, metadata: { note_id: row.id } })
    return { ok: true as const, note: { id: row.id, body: row.body, createdAt: row.created_at } }
  })
}

async function listNotes(ctx: NotesContext, user: Pick<User, 'id'>): Promise<Note[]> {
  const rows = await db(ctx.db).selectFrom('notes').selectAll().where('user_id', '=', user.id).orderBy('created_at').orderBy('id').execute()
  return rows.map((r) => ({ id: r.id, body: r.body, createdAt: r.created_at }))
}

/** A key for the `X-Notes-Key` header, shown once, stored as a digest. */
async function issueKey(ctx: NotesContext, user: Pick<User, 'id'>): Promise<{ ok: true; key: string }> {
  const secret = randomSecret()
  const row = await db(ctx.db).insertInto('note_keys').values({ user_id: user.id, digest: digest(secret), created_at: ctx.config.clock() }).returning('id').executeTakeFirstOrThrow()
  return { ok: true, key: `nk_${row.id}_${secret}` }
}

async function purgeOld(ctx: NotesContext): Promise<number> {
  const cutoff = new Date(ctx.config.clock().getTime() - ctx.notes.retentionDays * 86_400_000)
  const gone = await db(ctx.db).deleteFrom('notes').where('created_at', '<', cutoff).executeTakeFirst()
  return Number(gone.numDeletedRows)
}

const KEY = /^nk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/

export function notes(options: { maxLength?: number; retentionDays?: number } = {}) {
  const settings = featureOptions(
    'notes',
    v.object({ maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 200), retentionDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 30) }),
    options,
  )
  return defineFeature({
    name: 'notes',
    migrations: [
      {
        name: '0001_create_notes',
        async up({ db: m, table }) {
          await sql`CREATE TABLE ${table('notes')} (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
            body text NOT NULL,
            created_at timestamptz NOT NULL)`.execute(m)
          await sql`CREATE INDEX notes_user_idx ON ${table('notes')} (user_id, created_at)`.execute(m)
        },
      },
      {
        name: '0002_note_keys',
        async up({ db: m, table }) {
          await sql`CREATE TABLE ${table('note_keys')} (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE,
            digest bytea NOT NULL,
            created_at timestamptz NOT NULL)`.execute(m)
        },
      },
    ],
    errors: { note_too_long: 422 },
    auditActions: ['notes.add', 'notes.remove_all', 'notes.keys_revoked'],
    rateLimits: { notesAdd: { points: 20, duration: 60 } },
    setup(host) {
      const ctx: NotesContext = { ...host.ctx, notes: settings }
      const api = host.bind(ctx, { add: addNote, list: listNotes, issueKey })

      // Lifecycle: a password change revokes note keys (as API tokens might); deletion removes the notes.
      // A listener's audit rows record the request of the change that emitted the event.
      host.ctx.events.on('passwordChanged', async ({ trx, user, request }) => {
        const gone = await db(trx).deleteFrom('note_keys').where('user_id', '=', user.id).executeTakeFirst()
        if (Number(gone.numDeletedRows)) await writeAudit({ ...ctx, request }, trx, { action: 'notes.keys_revoked', userId: user.id, metadata: { count: Number(gone.numDeletedRows) } })
      })
      host.ctx.events.on('userDeleting', async ({ trx, user, request }) => {
        const gone = await db(trx).deleteFrom('notes').where('user_id', '=', user.id).executeTakeFirst()
        await writeAudit({ ...ctx, request }, trx, { action: 'notes.remove_all', userId: user.id, actorId: null, metadata: { count: Number(gone.numDeletedRows) } })
      })

      return {
        api,
        routes: [
          defineRoute({
            method: 'get',
            path: '/notes',
            tag: 'notes',
            summary: "The current user's notes.",
            auth: true,
            responses: { 200: 'The notes' },
            async handle(c, _body, deps) {
              return ok(c, { notes: await forRequest(api, deps).list(c.get('current')!.user) })
            },
          }),
          defineRoute({
            method: 'post',
            path: '/notes',
            tag: 'notes',
            summary: 'Add a note.',
            auth: true,
            body: v.object({ body: v.pipe(v.string(), v.maxLength(10_000)) }),
            responses: { 201: 'Added', 422: 'note_too_long' },
            async handle(c, body, deps) {
              const result = await forRequest(api, deps).add(c.get('current')!.user, body.body)
              return result.ok ? ok(c, { note: result.note }, 201) : failure(c, result)
            },
          }),
        ],
        pages: [
          definePage({
            path: '/notes',
            auth: true,
            async get(c, deps, current) {
              const list = await api.list(current.user)
              return renderPage(c, deps, {
                title: 'Notes',
                content: h`<h1>Notes</h1><ul class="notes">${list.map((n) => h`<li>${n.body}</li>`)}</ul>
<form method="post" action="${pagePath(deps.config, 'notes')}">${input({ id: 'note', name: 'body', label: 'New note', type: 'text', autocomplete: 'off' })}<button type="submit">Add</button></form>`,
              })
            },
            async post(c, deps, form, current) {
              const result = await forRequest(api, deps).add(current.user, form.get('body'))
              if (!result.ok) return renderPage(c, deps, { title: 'Notes', status: deps.statusFor(result.error), content: h`<p role="alert">${result.error}</p>` })
              return seeOther(c, `${pagePath(deps.config, 'settings')}#notes`)
            },
          }),
        ],
        settings: [
          {
            id: 'notes',
            async render(_c, deps, current) {
              const count = (await api.list(current.user)).length
              return h`<section class="card" id="notes" aria-labelledby="notes-title"><h2 id="notes-title">Notes</h2>
<p>You have ${count} note${count === 1 ? '' : 's'}.</p><p><a href="${pagePath(deps.config, 'notes')}">Open your notes</a></p>
${buttonForm({ action: pagePath(deps.config, 'notes'), label: 'Add “hello”', fields: { body: 'hello' }, variant: 'secondary' })}</section>`
            },
          },
        ],
        sweeps: { purge: () => purgeOld(ctx) },
        async exportData(user) {
          const list = await listNotes(ctx, user)
          return { count: list.length, notes: list.map((n) => ({ body: n.body, createdAt: n.createdAt })) }
        },
        async authenticate(headers) {
          const match = KEY.exec(headerValue(headers, 'x-notes-key') ?? '')
          if (!match) return null
          const row = await db(ctx.db)
            .selectFrom('note_keys as k')
            .innerJoin('users as u', 'u.id', 'k.user_id')
            .select(['k.digest'])
            .selectAll('u')
            .where('k.id', '=', match[1]!)
            .executeTakeFirst()
          if (!row || !constantTimeEqual(row.digest, digest(match[2]!)) || row.status !== 'active' || row.deleted_at !== null) return null
          const { digest: _digest, ...user } = row
          return { user: toUser(user), session: null, via: 'notes_key' }
        },
      }
    },
  })
}
