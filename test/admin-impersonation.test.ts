import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin } from 'sigra/admin'
import { apiTokens } from 'sigra/api-tokens'
import { mfa } from 'sigra/mfa'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { browser, page } from './support/web-browser.ts'

const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)
const cookieOf = (res: Response) => {
  for (const header of res.headers.getSetCookie()) {
    const [pair = ''] = header.split(';')
    if (pair.startsWith('sigra_session=')) return pair.slice('sigra_session='.length)
  }
  return null
}

describeEachBackend('admin impersonation', (env) => {
  const setup = async () => {
    const made = await env().makeSigra({ features: [admin({ roles: { support: { permissions: ['users:read', 'users:impersonate'] } } }), mfa(), apiTokens({ scopes: { 'repo:read': 'Read' } })] })
    const { sigra } = made
    const owner = await createConfirmedUser(sigra, { sudo: true })
    const operator = await createConfirmedUser(sigra, { sudo: true })
    const user = await createConfirmedUser(sigra)
    const other = await createConfirmedUser(sigra)
    assert.ok((await sigra.admin.setRole(owner.user, operator.user, 'admin')).ok)
    return { ...made, owner, operator, user, other }
  }

  test('only an outranking operator, sudo-fresh, with a reason, on an active account; a real, time-limited session', async () => {
    const { sigra, clock, owner, operator, user, other } = await setup()
    const notSudo = await createConfirmedUser(sigra)
    await sigra.admin.setRole(owner.user, notSudo.user, 'admin')
    assert.equal(errorOf(await sigra.admin.impersonate(notSudo.token, user.user, { reason: 'ticket 1' })), 'sudo_required')
    const noReason = await sigra.admin.impersonate(operator.token, user.user, { reason: '  ' })
    assert.equal(errorOf(noReason), 'invalid')
    assert.deepEqual(noReason.ok ? [] : noReason.issues?.map((i) => i.field), ['reason'])
    assert.equal(errorOf(await sigra.admin.impersonate(operator.token, owner.user, { reason: 'ticket 1' })), 'forbidden', 'never a higher rank')
    assert.equal(errorOf(await sigra.admin.impersonate(operator.token, operator.user, { reason: 'ticket 1' })), 'forbidden', 'never oneself')
    assert.equal(errorOf(await sigra.admin.impersonate('garbage', user.user, { reason: 'ticket 1' })), 'invalid_session')
    await sigra.admin.setStatus(owner.user, other.user, 'suspended')
    assert.equal(errorOf(await sigra.admin.impersonate(operator.token, other.user, { reason: 'ticket 1' })), 'forbidden', 'never a suspended account')
    const support = await createConfirmedUser(sigra, { sudo: true })
    await sigra.admin.setRole(owner.user, support.user, 'support')
    assert.ok((await sigra.admin.impersonate(support.token, user.user, { reason: 'a support role may, when it holds users:impersonate' })).ok)

    const started = await sigra.admin.impersonate(operator.token, user.user, { reason: 'Ticket #42: cannot see invoices' })
    assert.ok(started.ok)
    assert.equal(started.session.impersonatorId, operator.user.id)
    assert.equal(started.session.expiresAt.getTime(), clock().getTime() + 30 * 60_000, '30 minutes by default')
    const current = await sigra.sessions.validate(started.token)
    assert.equal(current?.user.id, user.user.id)
    assert.equal(current?.session.impersonatorId, operator.user.id)
    assert.equal(await sigra.sessions.validate(operator.token).then((c) => c?.user.id), operator.user.id, "the operator's own session stays")
    const audit = (await allAuditEvents(sigra, { action: 'admin.impersonation_start' })).find((e) => e.actorId === operator.user.id)!
    assert.equal(audit.userId, user.user.id)
    assert.equal(audit.metadata.reason, 'Ticket #42: cannot see invoices')
    assert.equal(errorOf(await sigra.admin.impersonate(started.token, other.user, { reason: 'chain' })), 'impersonated', 'no impersonation from an impersonation')
    clock.advance(30 * 60 + 1)
    assert.equal(await sigra.sessions.validate(started.token), null, 'over after its time')
  })

  test('while impersonating, every sensitive change is refused by the one enforcement point', async () => {
    const { sigra, operator, user } = await setup()
    const started = await sigra.admin.impersonate(operator.token, user.user, { reason: 'check settings' })
    assert.ok(started.ok)
    const session = started.session
    assert.equal(errorOf(await sigra.account.changePassword(user.user, user.password, { password: 'an entirely new passphrase' }, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.account.requestEmailChange(user.user, 'elsewhere@example.com', { session })), 'impersonated')
    assert.equal(errorOf(await sigra.account.scheduleDeletion(user.user, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.account.revokeOtherSessions(user.user, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.mfa.startEnrollment(user.user, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.apiTokens.create(user.user, { name: 'mine now', scopes: ['repo:read'] }, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.apiTokens.revokeAll(user.user, { session })), 'impersonated')
    assert.equal(errorOf(await sigra.sessions.confirmSudo(started.token, { password: user.password })), 'impersonated', 'no sudo, even with the password')
    const row = await sigra.db.selectFrom('users').select(['email', 'hashed_password', 'delete_at']).where('id', '=', user.user.id).executeTakeFirstOrThrow()
    assert.equal(row.email, user.email)
    assert.equal(row.delete_at, null)
  })

  test('over HTTP: start, the sensitive routes answer 403 impersonated, actions are recorded with both ids, stop gives the operator back', async () => {
    const { sigra, operator, user } = await setup()
    const started = await call(sigra, 'POST', `/auth/admin/users/${user.user.id}/impersonate`, { token: operator.token, body: { reason: 'Ticket #7' } })
    assert.equal(started.status, 200)
    const token = cookieOf(started)
    assert.ok(token)
    const me = (await json(await call(sigra, 'GET', '/auth/session', { token }))) as unknown as { user: { id: string }; session: { impersonatorId: string } }
    assert.equal(me.user.id, user.user.id)
    assert.equal(me.session.impersonatorId, operator.user.id)

    const sensitive: Array<[string, string, unknown]> = [
      ['POST', '/auth/password/change', { currentPassword: user.password, password: 'an entirely new passphrase' }],
      ['POST', '/auth/email-change', { email: 'elsewhere@example.com' }],
      ['POST', '/auth/deletion', {}],
      ['POST', '/auth/sessions/revoke-others', {}],
      ['POST', '/auth/sudo', { password: user.password }],
      ['POST', '/auth/mfa/enrollment', {}],
      ['POST', '/auth/api-tokens', { name: 'x', scopes: ['repo:read'] }],
      ['POST', '/auth/api-tokens/revoke-all', {}],
      ['POST', `/auth/admin/users/${operator.user.id}/impersonate`, { reason: 'chain' }],
    ]
    for (const [method, path, body] of sensitive) {
      const res = await call(sigra, method, path, { token, body })
      const answer = await json(res)
      assert.equal(answer.error, 'impersonated', `${method} ${path}`)
      assert.equal(res.status, 403, `${method} ${path}`)
    }
    // An ordinary action is allowed, and the audit names the operator as actor and the user as subject.
    const login = await sigra.auth.logIn({ login: user.email, password: user.password!, ip: '192.0.2.60' })
    assert.ok(login.ok)
    const revoked = await call(sigra, 'DELETE', `/auth/sessions/${login.session.id}`, { token })
    assert.equal(revoked.status, 200)
    const row = (await allAuditEvents(sigra, { action: 'session.revoke', userId: user.user.id }))[0]!
    assert.equal(row.actorId, operator.user.id)
    assert.equal(row.actorType, 'admin')

    const stopped = await call(sigra, 'POST', '/auth/impersonation/stop', { token })
    assert.equal(stopped.status, 200)
    const back = cookieOf(stopped)
    assert.ok(back)
    assert.equal(((await json(await call(sigra, 'GET', '/auth/session', { token: back }))) as unknown as { user: { id: string } }).user.id, operator.user.id)
    assert.equal(await sigra.sessions.validate(token), null, 'the impersonation session is gone')
    assert.equal((await json(await call(sigra, 'POST', '/auth/impersonation/stop', { token: back }))).error, 'not_impersonating')
    const ended = await allAuditEvents(sigra, { action: 'session.impersonation_end' })
    assert.equal(ended[0]!.actorId, operator.user.id)
    assert.equal(ended[0]!.userId, user.user.id)
  })

  test('every page shows the banner with a stop button; stopping from the page signs the operator back in', async () => {
    const { sigra, operator, user } = await setup()
    const started = await sigra.admin.impersonate(operator.token, user.user, { reason: 'look at settings' })
    assert.ok(started.ok)
    const b = browser(sigra, { token: started.token })
    for (const path of ['/account/settings', '/account/mfa/enroll', '/account/api-tokens/new']) {
      const { html } = await page(await b.get(path))
      assert.match(html, /class="flash warn impersonation"/, path)
      assert.ok(html.includes(`You are acting as ${user.email}`), path)
      assert.match(html, /action="\/account\/impersonation\/stop"/, path)
    }
    const stopped = await b.post('/account/impersonation/stop')
    assert.equal(stopped.status, 303)
    assert.ok(b.token() && b.token() !== started.token)
    assert.equal((await sigra.sessions.validate(b.token()!))?.user.id, operator.user.id)
    const { html } = await page(await b.get('/account/settings'))
    assert.doesNotMatch(html, /class="flash warn impersonation"/)
  })

  test("ending the operator's session, suspending the operator or changing their role ends the impersonation", async () => {
    const { sigra, owner, operator, user } = await setup()
    const first = await sigra.admin.impersonate(operator.token, user.user, { reason: 'one' })
    assert.ok(first.ok)
    assert.ok((await sigra.sessions.revoke(operator.user.id, operator.session.id)).ok)
    assert.equal(await sigra.sessions.validate(first.token), null, 'logging the operator out ends it')

    const again = await createConfirmedUser(sigra, { sudo: true })
    await sigra.admin.setRole(owner.user, again.user, 'admin')
    const second = await sigra.admin.impersonate(again.token, user.user, { reason: 'two' })
    assert.ok(second.ok)
    await sigra.admin.setRole(owner.user, again.user, 'user')
    assert.equal(await sigra.sessions.validate(second.token), null, 'a role change ends it')

    const third = await createConfirmedUser(sigra, { sudo: true })
    await sigra.admin.setRole(owner.user, third.user, 'admin')
    const session = await grantSudo(sigra, third.session)
    assert.ok(session.sudoAt)
    const imp = await sigra.admin.impersonate(third.token, user.user, { reason: 'three' })
    assert.ok(imp.ok)
    await sigra.admin.setStatus(owner.user, third.user, 'suspended')
    assert.equal(await sigra.sessions.validate(imp.token), null, 'suspending the operator ends it')
    assert.ok(await sigra.sessions.validate(user.token), "the user's own session is untouched throughout")
  })
})
