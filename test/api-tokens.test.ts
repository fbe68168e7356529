import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Hono } from 'hono'
import { sql } from 'kysely'
import { apiTokens, requireScopes } from 'sigra/api-tokens'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { call, json, ORIGIN } from './support/http-client.ts'

const SCOPES = { 'repo:read': 'Read repositories', 'repo:write': 'Change repositories', 'user:read': 'Read your profile' }
const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)

describeEachBackend('api tokens', (env) => {
  const withTokens = (options: Partial<Parameters<typeof apiTokens>[0]> = {}) => env().makeSigra({ features: [apiTokens({ scopes: SCOPES, ...options })] })
  const sudoUser = async (sigra: Awaited<ReturnType<typeof withTokens>>['sigra']) => {
    const fixture = await createConfirmedUser(sigra)
    return { ...fixture, session: await grantSudo(sigra, fixture.session) }
  }

  test('create needs sudo and known scopes; the token is shown once in a scannable format and stored only as a digest', async () => {
    const { sigra } = await withTokens()
    const fixture = await createConfirmedUser(sigra)
    const input = { name: 'CI deploys', scopes: ['repo:read', 'repo:write'] }
    assert.equal(errorOf(await sigra.apiTokens.create(fixture.user, input, { session: fixture.session })), 'sudo_required')
    const session = await grantSudo(sigra, fixture.session)
    const unknown = await sigra.apiTokens.create(fixture.user, { name: 'x', scopes: ['admin:everything'] }, { session })
    assert.equal(errorOf(unknown), 'invalid')
    assert.deepEqual(unknown.ok ? [] : unknown.issues?.map((i) => [i.field, i.code]), [['scopes', 'unknown_scope']])
    assert.equal(errorOf(await sigra.apiTokens.create(fixture.user, { name: '', scopes: ['repo:read'] }, { session })), 'invalid')
    assert.equal(errorOf(await sigra.apiTokens.create(fixture.user, { name: 'x', scopes: [] }, { session })), 'invalid')
    assert.equal(errorOf(await sigra.apiTokens.create(fixture.user, { name: 'x', scopes: ['repo:read'], expiresInDays: null }, { session })), 'invalid', '"never" needs allowNoExpiry')

    const created = await sigra.apiTokens.create(fixture.user, input, { session })
    assert.ok(created.ok)
    assert.match(created.token, /^sigra_pat_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(created.apiToken.scopes, ['repo:read', 'repo:write'])
    assert.equal(created.apiToken.expiresAt?.getTime(), sigra.config.clock().getTime() + 90 * 86_400_000, 'default 90 days')
    const listed = await sigra.apiTokens.list(fixture.user)
    assert.deepEqual(listed.map((t) => t.name), ['CI deploys'])
    assert.ok(!JSON.stringify(listed).includes(created.token.split('_').at(-1)!))
    const secret = created.token.slice(-43)
    const rows = await sql<{ dump: string }>`SELECT t::text AS dump FROM ${sql.table(`${sigra.config.schema}.api_tokens`)} t`.execute(sigra.db)
    assert.ok(rows.rows.every((r) => !r.dump.includes(secret)), 'no secret in the row')
    const audit = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'api.token_create' })
    assert.equal(audit.length, 1)
    assert.ok(!JSON.stringify(audit).includes(secret), 'nor in the audit')
    const mail = (await sigra.mail.outbox({ to: fixture.email })).at(-1)!
    assert.equal(mail.template, 'apiTokenCreated')
    assert.ok(!mail.text.includes(secret), 'nor in the mail')
  })

  test('verify checks the secret, the scopes, the expiry and the account; a late use is on record', async () => {
    const { sigra, clock } = await withTokens()
    const user = await sudoUser(sigra)
    const created = await sigra.apiTokens.create(user.user, { name: 'reader', scopes: ['repo:read'], expiresInDays: 7 }, { session: user.session })
    assert.ok(created.ok)
    const ok = await sigra.apiTokens.verify(created.token, { scopes: ['repo:read'] })
    assert.ok(ok.ok)
    assert.equal(ok.user.id, user.user.id)
    assert.equal(errorOf(await sigra.apiTokens.verify(created.token, { scopes: ['repo:write'] })), 'insufficient_scope')
    const last = created.token.at(-1) === 'A' ? 'B' : 'A'
    for (const bad of [`${created.token.slice(0, -1)}${last}`, created.token.replace('sigra_pat_', 'other_pat_'), 'sigra_pat_nope', '', null]) {
      assert.equal(errorOf(await sigra.apiTokens.verify(bad)), 'invalid_token', String(bad))
    }
    clock.advance(7 * 86_400)
    assert.equal(errorOf(await sigra.apiTokens.verify(created.token)), 'invalid_token', 'expired')
    const late = (await allAuditEvents(sigra, { userId: user.user.id, action: 'authz.denied' })).find((e) => e.metadata.resource === 'api_token')
    assert.equal(late?.metadata.reason, 'expired')
  })

  test('sessions.fromRequest resolves Authorization: Bearer through the same rules; a revoked token is refused on the next request', async () => {
    const { sigra } = await withTokens({ prefix: 'acme_pat' })
    const user = await sudoUser(sigra)
    const created = await sigra.apiTokens.create(user.user, { name: 'cli', scopes: ['user:read'] }, { session: user.session })
    assert.ok(created.ok)
    assert.ok(created.token.startsWith('acme_pat_'), 'the prefix is configurable')
    const request = new Request(`${ORIGIN}/api/me`, { headers: { authorization: `Bearer ${created.token}` } })
    const principal = await sigra.sessions.fromRequest(request)
    assert.equal(principal?.via, 'api_token')
    assert.equal(principal?.session, null)
    assert.equal(principal?.apiToken?.name, 'cli')
    assert.equal(principal?.user.id, user.user.id)
    assert.ok((await sigra.apiTokens.list(user.user))[0]!.lastUsedAt, 'last use recorded')
    assert.ok((await sigra.apiTokens.revoke(user.user, created.apiToken.id, { session: user.session })).ok)
    assert.equal(await sigra.sessions.fromRequest(request), null, 'revoked: refused at once')
    assert.equal(await sigra.sessions.fromRequest(new Request(ORIGIN, { headers: { authorization: 'Bearer a.b.c' } })), null)
  })

  test('a password change keeps tokens; revoke-all, a scheduled deletion and a suspension end them at once', async () => {
    const { sigra } = await withTokens()
    const user = await sudoUser(sigra)
    const make = async (name: string) => {
      const r = await sigra.apiTokens.create(user.user, { name, scopes: ['repo:read'] }, { session: await grantSudo(sigra, user.session) })
      assert.ok(r.ok)
      return r.token
    }
    const first = await make('one')
    assert.ok((await sigra.account.changePassword(user.user, user.password!, { password: 'a brand new passphrase 3' }, { session: user.session })).ok)
    assert.ok((await sigra.apiTokens.verify(first)).ok, 'survives a password change (CI keys keep working)')
    const second = await make('two')
    const all = await sigra.apiTokens.revokeAll(user.user, { session: await grantSudo(sigra, user.session) })
    assert.deepEqual(all, { ok: true, count: 2 })
    assert.equal(errorOf(await sigra.apiTokens.verify(second)), 'invalid_token')

    const third = await make('three')
    await sigra.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', user.user.id).execute()
    assert.equal(errorOf(await sigra.apiTokens.verify(third)), 'invalid_token', 'a suspended account')
    await sigra.db.updateTable('users').set({ status: 'active' }).where('id', '=', user.user.id).execute()
    assert.ok((await sigra.apiTokens.verify(third)).ok)
    assert.ok((await sigra.account.scheduleDeletion(user.user, { session: await grantSudo(sigra, user.session) })).ok)
    assert.equal(errorOf(await sigra.apiTokens.verify(third)), 'invalid_token', 'deletion scheduled')
    assert.equal((await sigra.apiTokens.list(user.user)).length, 0)
  })

  test("another user's token id is not_found, and on record", async () => {
    const { sigra } = await withTokens()
    const alice = await sudoUser(sigra)
    const bob = await sudoUser(sigra)
    const bobs = await sigra.apiTokens.create(bob.user, { name: 'bob', scopes: ['repo:read'] }, { session: bob.session })
    assert.ok(bobs.ok)
    assert.equal(errorOf(await sigra.apiTokens.revoke(alice.user, bobs.apiToken.id, { session: alice.session })), 'not_found')
    assert.ok((await sigra.apiTokens.verify(bobs.token)).ok, "bob's token survives")
    assert.equal((await allAuditEvents(sigra, { userId: alice.user.id, action: 'authz.denied' })).at(0)?.metadata.resource, 'api_token')
  })

  test('a token never reaches session-only routes: account lifecycle and token management answer 401 to a Bearer', async () => {
    const { sigra } = await withTokens()
    const user = await sudoUser(sigra)
    const created = await sigra.apiTokens.create(user.user, { name: 'all', scopes: Object.keys(SCOPES) }, { session: user.session })
    assert.ok(created.ok)
    const headers = { authorization: `Bearer ${created.token}` }
    for (const [method, path, body] of [
      ['GET', '/auth/session'], ['POST', '/auth/email-change', { email: 'x@example.com' }], ['POST', '/auth/password/change', { currentPassword: 'a', password: 'b' }],
      ['POST', '/auth/deletion'], ['GET', '/auth/export'], ['POST', '/auth/sudo', { password: 'x' }], ['GET', '/auth/api-tokens'], ['POST', '/auth/api-tokens', { name: 'n', scopes: ['repo:read'] }],
    ] as Array<[string, string, unknown?]>) {
      const res = await call(sigra, method, path, { headers, ...(body ? { body } : {}) })
      assert.equal(res.status, 401, `${method} ${path}`)
    }
  })

  test('requireScopes guards a host route: 401 without a token, 403 insufficient_scope with a challenge, the principal with the right one', async () => {
    const { sigra } = await withTokens()
    const user = await sudoUser(sigra)
    const reader = await sigra.apiTokens.create(user.user, { name: 'r', scopes: ['repo:read'] }, { session: user.session })
    assert.ok(reader.ok)
    const app = new Hono()
    app.get('/repos', requireScopes('repo:read').hono(sigra), (c) => c.json({ user: c.get('principal').user.id, via: c.get('principal').via }))
    app.post('/repos', requireScopes('repo:write').hono(sigra), (c) => c.json({ ok: true }))
    assert.equal((await app.request('/repos')).status, 401)
    const denied = await app.request('/repos', { method: 'POST', headers: { authorization: `Bearer ${reader.token}` } })
    assert.equal(denied.status, 403)
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer error="insufficient_scope", scope="repo:write"')
    const allowed = await app.request('/repos', { headers: { authorization: `Bearer ${reader.token}` } })
    assert.deepEqual(await allowed.json(), { user: user.user.id, via: 'api_token' })
    const browser = await app.request('/repos', { headers: { cookie: `sigra_session=${user.token}` } })
    assert.equal(browser.status, 200, 'a signed-in browser session is the user’s own full access')
  })

  test('over the JSON API: list with the scope registry, create (sudo) answers 201 with the token once, delete revokes', async () => {
    const { sigra } = await withTokens()
    const user = await sudoUser(sigra)
    const list = await json(await call(sigra, 'GET', '/auth/api-tokens', { token: user.token }))
    assert.deepEqual(list.scopes, SCOPES)
    const created = await call(sigra, 'POST', '/auth/api-tokens', { token: user.token, body: { name: 'via http', scopes: ['user:read'], expiresInDays: 30 } })
    assert.equal(created.status, 201)
    const body = await json(created)
    assert.match(String(body.token), /^sigra_pat_/)
    const id = (body.apiToken as { id: string }).id
    assert.equal((await call(sigra, 'DELETE', `/auth/api-tokens/${id}`, { token: user.token })).status, 200)
    assert.equal((await call(sigra, 'DELETE', `/auth/api-tokens/${id}`, { token: user.token })).status, 404)
  })
})
