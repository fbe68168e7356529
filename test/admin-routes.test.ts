import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin } from 'sigra/admin'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { call, json } from './support/http-client.ts'

type OpenApi = { paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses?: Record<string, unknown> }>> }

describeEachBackend('admin JSON API', (env) => {
  const setup = async () => {
    const { sigra } = await env().makeSigra({ features: [admin({ customFields: { plan: { type: 'select', label: 'Plan', options: { free: 'Free', pro: 'Pro' } } } })] })
    const owner = await createConfirmedUser(sigra, { sudo: true })
    const operator = await createConfirmedUser(sigra, { sudo: true })
    const user = await createConfirmedUser(sigra)
    const other = await createConfirmedUser(sigra)
    await sigra.admin.setRole(owner.user, operator.user, 'admin')
    const note = await sigra.admin.addNote(owner.user, other.user, 'on file')
    assert.ok(note.ok)
    const spec = (await json(await call(sigra, 'GET', '/auth/openapi.json'))) as unknown as OpenApi
    const routes = Object.entries(spec.paths)
      .filter(([path]) => path.startsWith('/auth/admin/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })))
    /** A concrete request for a documented route, aimed at `target` (a user id) and the note. */
    const request = (route: { method: string; path: string }, target: string) => {
      const path = route.path.replace('{id}', route.path.startsWith('/auth/admin/notes') ? note.note.id : target)
      const bodies: Record<string, unknown> = {
        role: { role: 'admin' },
        status: { status: 'suspended' },
        password: { password: 'an operator set this one 9' },
        notes: { text: 'noted' },
        'custom-fields': { key: 'plan', value: 'pro' },
        profile: { firstName: 'Mallory' },
        impersonate: { reason: 'because' },
        bulk: { ids: [target], status: 'suspended' },
      }
      const last = path.split('/').at(-1)!
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : (bodies[last] ?? (route.path.startsWith('/auth/admin/notes') ? { text: 'edited' } : {}))
      return { path, body }
    }
    return { sigra, owner, operator, user, other, routes, request, spec }
  }

  test('every operation is documented in OpenAPI under the admin tag', async () => {
    const { routes, spec } = await setup()
    const expected = [
      'GET /auth/admin/users', 'GET /auth/admin/users/{id}', 'POST /auth/admin/users/{id}/role', 'POST /auth/admin/users/{id}/status',
      'POST /auth/admin/users/{id}/password', 'POST /auth/admin/users/{id}/confirm', 'POST /auth/admin/users/{id}/unconfirm',
      'POST /auth/admin/users/{id}/force-password-change', 'POST /auth/admin/users/{id}/revoke-sessions', 'POST /auth/admin/users/{id}/mfa-reset',
      'GET /auth/admin/users/{id}/notes', 'POST /auth/admin/users/{id}/notes', 'POST /auth/admin/notes/{id}', 'DELETE /auth/admin/notes/{id}',
      'POST /auth/admin/users/{id}/custom-fields', 'POST /auth/admin/users/{id}/profile', 'DELETE /auth/admin/users/{id}',
      'POST /auth/admin/users/{id}/impersonate', 'POST /auth/admin/users/bulk', 'GET /auth/admin/roles', 'GET /auth/admin/audit', 'GET /auth/admin/audit.csv',
    ]
    const documented = routes.map((r) => `${r.method} ${r.path}`)
    for (const op of expected) assert.ok(documented.includes(op), op)
    for (const r of routes) {
      const op = spec.paths[r.path]![r.method.toLowerCase()]!
      assert.ok(op.summary, `${r.method} ${r.path} has a summary`)
      assert.deepEqual(op.tags, ['admin'])
      assert.ok(op.responses?.['401'] ?? op.responses?.['403'], `${r.method} ${r.path} documents its refusals`)
    }
  })

  test('a User is refused every route, whatever ids the body names; nothing changes', async () => {
    const { sigra, owner, user, other, routes, request } = await setup()
    for (const route of routes) {
      const { path, body } = request(route, other.user.id)
      const res = await call(sigra, route.method, path, { token: user.token, body: body && { ...(body as object), actorId: owner.user.id, userId: owner.user.id } })
      assert.equal(res.status, 403, `${route.method} ${path}`)
      assert.equal((await json(res)).error, 'forbidden', `${route.method} ${path}`)
    }
    // Signed out: 401 everywhere.
    for (const route of routes) {
      const { path, body } = request(route, other.user.id)
      assert.equal((await call(sigra, route.method, path, { body })).status, 401, `${route.method} ${path} signed out`)
    }
    const row = await sigra.db.selectFrom('users').select(['status', 'custom_fields']).where('id', '=', other.user.id).executeTakeFirstOrThrow()
    assert.equal(row.status, 'active')
    assert.deepEqual(row.custom_fields, {})
    assert.deepEqual(await sigra.admin.roles(other.user), ['user'])
    assert.ok(await sigra.sessions.validate(other.token))
    const denied = (await allAuditEvents(sigra, { action: 'authz.denied' })).filter((e) => e.actorId === user.user.id)
    assert.ok(denied.length > 0, 'the refusals are on record')
  })

  test('an Admin is refused every route aimed at the Owner', async () => {
    const { sigra, operator, owner, routes, request } = await setup()
    const aimed = routes.filter((r) => r.path.includes('/users/{id}') && !r.path.endsWith('/notes') && r.method !== 'GET' && !r.path.endsWith('/mfa-reset'))
    assert.equal(aimed.length, 11)
    for (const route of aimed) {
      const { path, body } = request(route, owner.user.id)
      const res = await call(sigra, route.method, path, { token: operator.token, body })
      assert.equal(res.status, 403, `${route.method} ${path}`)
      assert.equal((await json(res)).error, 'forbidden', `${route.method} ${path}`)
    }
    const bulk = await json(await call(sigra, 'POST', '/auth/admin/users/bulk', { token: operator.token, body: { ids: [owner.user.id], status: 'banned' } }))
    assert.deepEqual(bulk.results, [{ id: owner.user.id, ok: false, error: 'forbidden' }])
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'])
  })

  test('an Admin manages a User end to end over HTTP', async () => {
    const { sigra, operator, user } = await setup()
    const t = operator.token
    const base = `/auth/admin/users/${user.user.id}`
    const listed = await json(await call(sigra, 'GET', `/auth/admin/users?search=${encodeURIComponent(user.email)}`, { token: t }))
    assert.deepEqual((listed.users as Array<{ id: string }>).map((u) => u.id), [user.user.id])
    assert.equal((await call(sigra, 'POST', `${base}/notes`, { token: t, body: { text: 'Asked for a refund' } })).status, 201)
    const detail = await json(await call(sigra, 'GET', base, { token: t }))
    assert.deepEqual((detail.notes as Array<{ body: string }>).map((n) => n.body), ['Asked for a refund'])
    assert.ok(!JSON.stringify(detail).includes('hashed'), 'no password hash in the answer')
    assert.equal((await json(await call(sigra, 'POST', `${base}/status`, { token: t, body: { status: 'suspended' } }))).ok, true)
    assert.equal(await sigra.sessions.validate(user.token), null)
    assert.equal((await json(await call(sigra, 'POST', `${base}/custom-fields`, { token: t, body: { key: 'plan', value: 'gold' } }))).error, 'invalid')
    assert.equal((await json(await call(sigra, 'POST', `${base}/custom-fields`, { token: t, body: { key: 'plan', value: 'pro' } }))).value, 'pro')
    const audit = await json(await call(sigra, 'GET', `/auth/admin/audit?userId=${user.user.id}&actionPrefix=admin.`, { token: t }))
    assert.deepEqual((audit.events as Array<{ action: string }>).map((e) => e.action), ['admin.custom_field_set', 'admin.status_change', 'admin.note_create'])
    const all = await sigra.admin.listAudit(operator.user, { userId: user.user.id, limit: 500 })
    assert.ok(all.ok)
    const csv = await call(sigra, 'GET', `/auth/admin/audit.csv?userId=${user.user.id}`, { token: t })
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /^text\/csv/)
    assert.match(csv.headers.get('content-disposition')!, /attachment/)
    const text = await csv.text()
    assert.ok(text.startsWith('id,occurred_at,action,'))
    assert.equal(text.trim().split('\r\n').length - 1, all.events.length, 'one line per event of the user')
    const deleted = await call(sigra, 'DELETE', base, { token: t })
    assert.equal(deleted.status, 200)
    assert.equal((await json(deleted)).strategy, 'anonymize')
  })
})
