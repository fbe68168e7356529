import assert from 'node:assert/strict'
import { test } from 'node:test'
import { guard } from 'sigra/middleware'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, cookieToken, json, ORIGIN } from './support/http-client.ts'

describeEachBackend('security review findings', (env) => {
  test('a forced password change is enforced at the gate: the JSON API refuses sudo and an email change, the facade too', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    assert.ok((await sigra.account.requirePasswordChange(fixture.user)).ok)
    const sudo = await call(sigra, 'POST', '/auth/sudo', { token: fixture.token, body: { password: fixture.password } })
    assert.equal(sudo.status, 403)
    assert.equal((await json(sudo)).error, 'password_change_required')
    const change = await call(sigra, 'POST', '/auth/email-change', { token: fixture.token, body: { email: uniqueEmail() } })
    assert.equal(change.status, 403)
    assert.equal((await json(change)).error, 'password_change_required')
    // The library facade, with a session that was sudo-fresh before the requirement.
    const direct = await sigra.account.requestEmailChange(fixture.user, uniqueEmail(), { session: fixture.session })
    assert.equal(direct.ok ? 'ok' : direct.error, 'password_change_required')
    const exported = await sigra.account.exportUserData(fixture.user, { session: fixture.session })
    assert.equal(exported.ok ? 'ok' : exported.error, 'password_change_required')
    const viaSudo = await sigra.sessions.confirmSudo(fixture.token, { password: fixture.password! })
    assert.equal(viaSudo.ok ? 'ok' : viaSudo.error, 'password_change_required')
    // What remains: read the session, change the password, log out.
    assert.equal((await call(sigra, 'GET', '/auth/session', { token: fixture.token })).status, 200)
    const changed = await call(sigra, 'POST', '/auth/password/change', { token: fixture.token, body: { currentPassword: fixture.password, password: 'a fresh new passphrase 9' } })
    assert.equal(changed.status, 200)
    assert.equal((await call(sigra, 'GET', '/auth/sessions', { token: cookieToken(changed)! })).status, 200, 'signed in again once changed')
  })

  test('refused actions are audited as authz.denied with the actor, the resource and the reason', async () => {
    const { sigra } = env()
    const alice = await createConfirmedUser(sigra)
    const bob = await createConfirmedUser(sigra)
    // Another user's session: not_found, the session survives, and the attempt is on record.
    const res = await call(sigra, 'DELETE', `/auth/sessions/${bob.session.id}`, { token: alice.token, ip: '198.51.100.66' })
    assert.equal(res.status, 404)
    assert.ok(await sigra.sessions.validate(bob.token), "bob's session survives")
    const denied = await allAuditEvents(sigra, { userId: alice.user.id, action: 'authz.denied' })
    assert.equal(denied.length, 1)
    assert.equal(denied[0]!.actorId, alice.user.id)
    assert.deepEqual(denied[0]!.metadata, { resource: 'session', reason: 'not_found', operation: 'session.revoke', resource_id: bob.session.id })
    assert.equal(denied[0]!.ip, '198.51.100.66')
    // A missing sudo.
    assert.equal((await call(sigra, 'POST', '/auth/sessions/revoke-others', { token: alice.token })).status, 403)
    const sudoDenied = (await allAuditEvents(sigra, { userId: alice.user.id, action: 'authz.denied' })).find((e) => e.metadata.reason === 'sudo_required')
    assert.equal(sudoDenied?.metadata.operation, 'session.revoke_others')
    // A host route's guard.
    const refused = await guard(sigra, new Request(`${ORIGIN}/billing`, { method: 'POST', headers: { cookie: `sigra_session=${alice.token}`, 'user-agent': 'Guarded/1' } }), ['requireSudo'], { ip: '203.0.113.80' })
    assert.equal(refused.ok, false)
    const guardRow = (await allAuditEvents(sigra, { userId: alice.user.id, action: 'authz.denied' })).find((e) => e.metadata.operation === 'POST /billing')
    assert.equal(guardRow?.metadata.reason, 'sudo_required')
    assert.equal(guardRow?.ip, '203.0.113.80')
    assert.equal(guardRow?.userAgent, 'Guarded/1')
  })

  test('a flood of refusals is refused every time but written only up to the budget', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: { rules: { deniedAudit: { points: 3, duration: 600 } } } })
    const alice = await createConfirmedUser(sigra)
    for (let i = 0; i < 10; i++) {
      const result = await sigra.sessions.revoke(alice.user.id, '00000000-0000-4000-8000-000000000001')
      assert.equal(result.ok ? 'ok' : result.error, 'not_found')
    }
    assert.equal((await allAuditEvents(sigra, { userId: alice.user.id, action: 'authz.denied' })).length, 3)
  })

  test('failed token redemptions are counted per IP before the lookup: 20 wrong tokens, then 429 even for a real one', async () => {
    const { sigra, clock } = await env().makeSigra()
    const email = uniqueEmail('tokens')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const real = (await sigra.mail.outbox({ to: email })).at(-1)!.text.match(/token=([A-Za-z0-9_-]+)/)![1]!
    const ip = '198.51.100.99'
    const statuses: number[] = []
    for (let i = 0; i < 20; i++) {
      const path = ['/auth/password-reset', '/auth/confirm', '/auth/email-change/confirm'][i % 3]!
      const body = path === '/auth/password-reset' ? { token: `${'x'.repeat(42)}${i % 10}`, password: 'some new passphrase 1' } : { token: `${'y'.repeat(42)}${i % 10}` }
      statuses.push((await call(sigra, 'POST', path, { ip, body })).status)
    }
    assert.deepEqual([...new Set(statuses)], [400], 'each wrong token is 400 invalid_token')
    const limited = await call(sigra, 'POST', '/auth/password-reset', { ip, body: { token: real, password: 'some new passphrase 1' } })
    assert.equal(limited.status, 429, 'refused before the lookup')
    assert.ok(Number(limited.headers.get('retry-after')) > 0)
    const elsewhere = await call(sigra, 'POST', '/auth/password-reset', { ip: '198.51.100.100', body: { token: real, password: 'some new passphrase 1' } })
    assert.equal(elsewhere.status, 200, 'another address is not affected, and the link was not spent')
    clock.advance(Number(limited.headers.get('retry-after')))
    assert.equal((await call(sigra, 'POST', '/auth/confirm', { ip, body: { token: 'z'.repeat(43) } })).status, 400, 'after Retry-After, the budget has room again')
  })
})
