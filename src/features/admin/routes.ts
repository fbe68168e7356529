import * as v from 'valibot'
import { defineRoute, type ApiRoute } from '../../http/api-registry.ts'
import { cookieToken, setSessionCookie } from '../../http/api/session-cookie.ts'
import type { HttpContext } from '../../http/http-env.ts'
import { forRequest } from '../../http/request-meta.ts'
import { failure, ok } from '../../http/responses.ts'
import type { AdminApi } from './api.ts'

const Id = v.pipe(v.string(), v.maxLength(64))
const date = (s: string | undefined) => (s && !Number.isNaN(Date.parse(s)) ? new Date(s) : undefined)
const flag = (s: string | undefined) => (s === 'true' ? true : s === 'false' ? false : undefined)
const num = (s: string | undefined) => (s && /^\d{1,3}$/.test(s) ? Number(s) : undefined)
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> }

/** The admin JSON API: every operation, for the signed-in operator (authority checked by the domain). */
export function adminRoutes(api: AdminApi): ApiRoute[] {
  const me = (c: HttpContext) => c.get('current')!.user
  const target = (c: HttpContext) => ({ id: c.req.param('id') ?? '' })
  const answer = (c: HttpContext, result: { ok: boolean } & Record<string, unknown>, body?: Record<string, unknown>) =>
    result.ok ? ok(c, body ?? {}) : failure(c, result as never)
  const route = (method: 'get' | 'post' | 'delete', path: string, summary: string, responses: Record<number, string>) => ({ method, path, tag: 'admin', summary, auth: true as const, responses })
  return [
    defineRoute({
      ...route('get', '/admin/users', 'Users for an operator (users:read): ?search, role, status, confirmed, createdFrom, createdTo, sort, direction, cursor, limit.', { 200: 'The page and nextCursor', 403: 'forbidden' }),
      async handle(c, _b, deps) {
        const q = c.req.query()
        const filter = defined({ search: q.search, role: q.role, status: q.status as never, confirmed: flag(q.confirmed), createdFrom: date(q.createdFrom), createdTo: date(q.createdTo), sort: q.sort as never, direction: q.direction as never, cursor: q.cursor, limit: num(q.limit) })
        const result = await forRequest(api, deps).listUsers(me(c), filter)
        return result.ok ? ok(c, { users: result.users, nextCursor: result.nextCursor }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/admin/users/:id', 'One user, with roles and notes (users:read).', { 200: 'The user', 403: 'forbidden', 404: 'not_found' }),
      async handle(c, _b, deps) {
        const admin = forRequest(api, deps)
        const result = await admin.getUser(me(c), { id: c.req.param('id') ?? '' })
        if (!result.ok) return failure(c, result)
        const notes = await admin.listNotes(me(c), result.user)
        return ok(c, { user: result.user, notes: notes.ok ? notes.notes : [] })
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/role', 'Give the user exactly this role (user removes every role). Rank rule; only an Owner grants Owner; the last Owner keeps it.', { 200: 'The roles now', 400: 'invalid (unknown_role)', 403: 'forbidden', 409: 'last_owner' }),
      body: v.object({ role: v.pipe(v.string(), v.maxLength(64)) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).setRole(me(c), target(c), body.role)
        return result.ok ? ok(c, { roles: result.roles }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/status', 'Set active, suspended or banned: never oneself, never the last Owner; suspending ends every session.', { 200: 'The user', 403: 'forbidden', 409: 'last_owner' }),
      body: v.object({ status: v.picklist(['active', 'suspended', 'banned']) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).setStatus(me(c), target(c), body.status)
        return result.ok ? ok(c, { user: result.user }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/password', "Set the user's password (the policy applies); every session ends; mustChange requires a change at the next sign-in.", { 200: 'Set', 400: 'invalid', 403: 'forbidden' }),
      body: v.object({ password: v.pipe(v.string(), v.maxLength(1024)), mustChange: v.optional(v.boolean()) }),
      async handle(c, body, deps) {
        return answer(c, await forRequest(api, deps).setPassword(me(c), target(c), body))
      },
    }),
    ...(['confirm', 'unconfirm', 'force-password-change', 'revoke-sessions', 'mfa-reset'] as const).map((action) =>
      defineRoute({
        ...route('post', `/admin/users/:id/${action}`, {
          confirm: 'Mark the address confirmed.',
          unconfirm: 'Mark the address unconfirmed.',
          'force-password-change': 'Require a password change: every session of the user is held at it.',
          'revoke-sessions': 'End every session of the user.',
          'mfa-reset': "Remove the user's MFA (lost device); 404 when MFA is not enabled here.",
        }[action], { 200: 'Done', 403: 'forbidden', 404: 'not_found' }),
        async handle(c, _b, deps) {
          const admin = forRequest(api, deps)
          const run = { confirm: admin.confirm, unconfirm: admin.unconfirm, 'force-password-change': admin.forcePasswordChange, 'revoke-sessions': admin.revokeSessions, 'mfa-reset': admin.resetMfa }[action]
          return answer(c, await run.call(admin, me(c), target(c)))
        },
      }),
    ),
    defineRoute({
      ...route('get', '/admin/users/:id/notes', 'Notes about the user, newest first (never shown to the user).', { 200: 'The notes', 403: 'forbidden' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).listNotes(me(c), target(c))
        return result.ok ? ok(c, { notes: result.notes }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/notes', 'Add a note about the user.', { 201: 'Added', 400: 'invalid', 403: 'forbidden' }),
      body: v.object({ text: v.pipe(v.string(), v.maxLength(20_000)) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).addNote(me(c), target(c), body.text)
        return result.ok ? ok(c, { note: result.note }, 201) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/notes/:id', 'Edit a note.', { 200: 'Edited', 403: 'forbidden', 404: 'not_found' }),
      body: v.object({ text: v.pipe(v.string(), v.maxLength(20_000)) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).updateNote(me(c), c.req.param('id') ?? '', body.text)
        return result.ok ? ok(c, { note: result.note }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('delete', '/admin/notes/:id', 'Delete a note.', { 200: 'Deleted', 403: 'forbidden', 404: 'not_found' }),
      async handle(c, _b, deps) {
        return answer(c, await forRequest(api, deps).deleteNote(me(c), c.req.param('id') ?? ''))
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/custom-fields', 'Set (or with null, clear) a declared custom field.', { 200: 'Set', 400: 'invalid (unknown_field)', 403: 'forbidden' }),
      body: v.object({ key: v.pipe(v.string(), v.maxLength(64)), value: v.nullable(v.union([v.string(), v.number(), v.boolean()])) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).setCustomField(me(c), target(c), body.key, body.value)
        return result.ok ? ok(c, { value: result.value }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/profile', 'Set first name, last name and locale.', { 200: 'Set', 400: 'invalid', 403: 'forbidden' }),
      body: v.object({ firstName: v.optional(v.nullable(v.string())), lastName: v.optional(v.nullable(v.string())), locale: v.optional(v.nullable(v.string())) }),
      async handle(c, body, deps) {
        return answer(c, await forRequest(api, deps).setProfile(me(c), target(c), body))
      },
    }),
    defineRoute({
      ...route('delete', '/admin/users/:id', "Delete the account now with the lifecycle's strategy. Needs the operator's sudo.", { 200: 'Deleted', 403: 'forbidden or sudo_required', 409: 'last_owner' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).deleteUser(me(c), target(c), { session: c.get('current')!.session })
        return result.ok ? ok(c, { strategy: result.strategy }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/:id/impersonate', 'Act as the user (sudo, a reason, an outranking operator): the cookie becomes a session of theirs marked with you, for 30 minutes at most. POST /impersonation/stop gives your own session back.', { 200: 'Impersonating; Set-Cookie carries the session', 400: 'invalid (reason)', 403: 'forbidden, sudo_required or impersonated' }),
      body: v.object({ reason: v.pipe(v.string(), v.maxLength(1000)) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).impersonate(cookieToken(c, deps), target(c), { reason: body.reason })
        if (!result.ok) return failure(c, result)
        setSessionCookie(c, deps, result.token, result.session)
        return ok(c, { session: result.session })
      },
    }),
    defineRoute({
      ...route('post', '/admin/users/bulk', 'The same status or role change on several users, each checked on its own: results per user.', { 200: 'Results', 400: 'invalid', 403: 'forbidden' }),
      body: v.object({ ids: v.pipe(v.array(Id), v.maxLength(500)), status: v.optional(v.picklist(['active', 'suspended', 'banned'])), role: v.optional(v.pipe(v.string(), v.maxLength(64))) }),
      async handle(c, body, deps) {
        const result = await forRequest(api, deps).bulkUpdate(me(c), body.ids.map((id) => ({ id })), defined({ status: body.status, role: body.role }))
        return result.ok ? ok(c, { results: result.results }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/admin/roles', 'How many accounts hold each role.', { 200: 'The counts', 403: 'forbidden' }),
      async handle(c, _b, deps) {
        const result = await forRequest(api, deps).roleStats(me(c))
        return result.ok ? ok(c, { stats: result.stats }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/admin/audit', 'The audit explorer (audit:read): ?actorId, userId, action, actionPrefix, from, to, ip, cursor, limit; newest first.', { 200: 'Events and nextCursor', 400: 'invalid', 403: 'forbidden' }),
      async handle(c, _b, deps) {
        const q = c.req.query()
        const filter = defined({ actorId: q.actorId, userId: q.userId, action: q.action, actionPrefix: q.actionPrefix, from: date(q.from), to: date(q.to), ip: q.ip, cursor: q.cursor, limit: num(q.limit) })
        const result = await forRequest(api, deps).listAudit(me(c), filter)
        return result.ok ? ok(c, { events: result.events, nextCursor: result.nextCursor }) : failure(c, result)
      },
    }),
    defineRoute({
      ...route('get', '/admin/audit.csv', 'The filtered audit log as CSV, streamed (formula-safe cells); same filters as /admin/audit.', { 200: 'text/csv attachment', 403: 'forbidden' }),
      async handle(c, _b, deps) {
        const q = c.req.query()
        const filter = defined({ actorId: q.actorId, userId: q.userId, action: q.action, actionPrefix: q.actionPrefix, from: date(q.from), to: date(q.to), ip: q.ip })
        const lines = forRequest(api, deps).auditCsv(me(c), filter)[Symbol.asyncIterator]()
        // The first line proves the actor may read (a refusal throws before anything is sent).
        let first: IteratorResult<string>
        try {
          first = await lines.next()
        } catch {
          return failure(c, { error: 'forbidden' })
        }
        const encoder = new TextEncoder()
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            if (!first.done) controller.enqueue(encoder.encode(first.value))
          },
          async pull(controller) {
            const next = await lines.next()
            if (next.done) controller.close()
            else controller.enqueue(encoder.encode(next.value))
          },
          async cancel() {
            await lines.return?.(undefined)
          },
        })
        return new Response(stream, { headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="audit.csv"', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' } })
      },
    }),
  ]
}
