import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend, latestMail, uniqueEmail } from './support/harness.ts'
import { call, cookieToken, json, setCookie } from './support/http-client.ts'

const NEW_PASSWORD = 'another long passphrase 2026'

/** POST /sudo as the page would; returns the renewed token from Set-Cookie. */
async function sudo(sigra: Sigra, token: string, password: string): Promise<string> {
  const res = await call(sigra, 'POST', '/auth/sudo', { token, body: { password } })
  assert.equal(res.status, 200, await res.clone().text())
  return cookieToken(res)!
}

async function expectError(res: Response, status: number, error: string): Promise<void> {
  assert.equal(res.status, status)
  assert.equal(res.headers.get('cache-control'), 'no-store')
  assert.equal((await json(res)).error, error)
}

describeEachBackend('http api: account routes', (env) => {
  test('every authenticated route answers 401 unauthenticated without a session', async () => {
    const { sigra } = env()
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/auth/sessions'], ['DELETE', '/auth/sessions/00000000-0000-4000-8000-000000000000'], ['POST', '/auth/sessions/revoke-others'],
      ['POST', '/auth/sudo', { password: 'x' }], ['POST', '/auth/password/change', { currentPassword: 'x', password: 'y' }],
      ['POST', '/auth/password/set', { password: 'y' }], ['POST', '/auth/email-change', { email: 'a@example.com' }], ['DELETE', '/auth/email-change'],
      ['POST', '/auth/deletion'], ['DELETE', '/auth/deletion'], ['GET', '/auth/deletion'], ['GET', '/auth/export'], ['POST', '/auth/confirm/resend'],
    ]
    for (const [method, path, body] of routes) await expectError(await call(sigra, method, path, { body }), 401, 'unauthenticated')
  })

  test('GET /sessions lists the live sessions and marks the caller’s as current', async () => {
    const { sigra } = env()
    const { email, password, token, session } = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(other.ok)
    const res = await call(sigra, 'GET', '/auth/sessions', { token })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const sessions = (await json(res)).sessions as Array<{ id: string; current: boolean }>
    assert.deepEqual(sessions.map((s) => [s.id, s.current]).sort(), [[session.id, true], [other.session.id, false]].sort())
    assert.ok(!JSON.stringify(sessions).includes(token.split('.')[1]!))
  })

  test('DELETE /sessions/:id ends another session; unknown ids are 404; ending your own clears the cookie', async () => {
    const { sigra } = env()
    const { email, password, token, session } = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(other.ok)
    const stranger = await createConfirmedUser(sigra)
    const res = await call(sigra, 'DELETE', `/auth/sessions/${other.session.id}`, { token })
    assert.equal(res.status, 200)
    assert.equal(setCookie(res), null)
    assert.equal(await sigra.sessions.validate(other.token), null)
    await expectError(await call(sigra, 'DELETE', `/auth/sessions/${other.session.id}`, { token }), 404, 'not_found')
    await expectError(await call(sigra, 'DELETE', '/auth/sessions/not-a-uuid', { token }), 404, 'not_found')
    await expectError(await call(sigra, 'DELETE', `/auth/sessions/${stranger.session.id}`, { token }), 404, 'not_found')
    assert.ok(await sigra.sessions.validate(stranger.token), 'someone else’s session is untouched')
    const own = await call(sigra, 'DELETE', `/auth/sessions/${session.id}`, { token })
    assert.equal(own.status, 200)
    assert.match(setCookie(own)!, /Max-Age=0/)
  })

  test('POST /sudo: a wrong password is 401; the right one renews the token (old cookie dead, new one sudo)', async () => {
    const { sigra } = env()
    const { token, session, password } = await createConfirmedUser(sigra)
    await expectError(await call(sigra, 'POST', '/auth/sudo', { token, body: { password: 'not my password at all' } }), 401, 'invalid_credentials')
    const res = await call(sigra, 'POST', '/auth/sudo', { token, body: { password } })
    assert.equal(res.status, 200)
    assert.equal((await json(res.clone())).sudo, true)
    const renewed = cookieToken(res)!
    assert.notEqual(renewed, token)
    assert.equal(renewed.split('.')[0], session.id, 'same session, new secret')
    for (const flag of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(setCookie(res)!.includes(flag))
    assert.equal(await sigra.sessions.validate(token), null, 'the old cookie no longer validates')
    const current = await sigra.sessions.validate(renewed)
    assert.ok(current)
    assert.equal(sigra.sessions.isSudo(current.session), true)
    const me = await json(await call(sigra, 'GET', '/auth/session', { token: renewed }))
    assert.equal(me.sudo, true)
  })

  test('POST /sudo keeps a remember-me cookie persistent; an account without a password is 422 no_password', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const login = await sigra.auth.logIn({ login: email, password: password!, rememberMe: true })
    assert.ok(login.ok)
    const res = await call(sigra, 'POST', '/auth/sudo', { token: login.token, body: { password } })
    assert.equal(res.status, 200)
    assert.ok(setCookie(res)!.includes(`Expires=${login.session.expiresAt.toUTCString()}`))
    const oauth = await createConfirmedUser(sigra, { password: null })
    await expectError(await call(sigra, 'POST', '/auth/sudo', { token: oauth.token, body: { password: 'anything goes here' } }), 422, 'no_password')
  })

  test('POST /sessions/revoke-others needs sudo, then ends every other session', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(other.ok)
    await expectError(await call(sigra, 'POST', '/auth/sessions/revoke-others', { token }), 403, 'sudo_required')
    const elevated = await sudo(sigra, token, password!)
    const res = await call(sigra, 'POST', '/auth/sessions/revoke-others', { token: elevated })
    assert.equal(res.status, 200)
    assert.equal((await json(res)).count, 1)
    assert.equal(await sigra.sessions.validate(other.token), null)
    assert.ok(await sigra.sessions.validate(elevated))
  })

  test('email change: sudo required, the token only travels by mail, confirm keeps the caller’s session', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(other.ok)
    const next = uniqueEmail('next')
    await expectError(await call(sigra, 'POST', '/auth/email-change', { token, body: { email: next } }), 403, 'sudo_required')
    const elevated = await sudo(sigra, token, password!)
    await expectError(await call(sigra, 'POST', '/auth/email-change', { token: elevated, body: { email } }), 422, 'same_email')
    const taken = await createConfirmedUser(sigra)
    await expectError(await call(sigra, 'POST', '/auth/email-change', { token: elevated, body: { email: taken.email } }), 409, 'email_taken')
    const res = await call(sigra, 'POST', '/auth/email-change', { token: elevated, body: { email: next } })
    assert.equal(res.status, 202)
    const { token: changeToken } = await latestMail(sigra, next)
    assert.ok(!(await res.text()).includes(changeToken!), 'the confirmation token is not in the answer')
    await expectError(await call(sigra, 'POST', '/auth/email-change/confirm', { token: elevated, body: { token: 'x'.repeat(43) } }), 400, 'invalid_token')
    const confirmed = await call(sigra, 'POST', '/auth/email-change/confirm', { token: elevated, body: { token: changeToken } })
    assert.equal(confirmed.status, 200)
    assert.equal(((await json(confirmed)).user as { email: string }).email, next)
    // The caller's session is kept, under a renewed cookie: the copy sent in the request is dead.
    const renewed = cookieToken(confirmed)
    assert.ok(renewed && renewed !== elevated, 'the session token is renewed')
    assert.equal(renewed.split('.')[0], elevated.split('.')[0], 'same session id')
    assert.ok(await sigra.sessions.validate(renewed), 'the caller’s session is kept')
    assert.equal(await sigra.sessions.validate(elevated), null, 'the old copy of the cookie no longer works')
    assert.equal(await sigra.sessions.validate(other.token), null, 'other sessions end')
  })

  test('DELETE /email-change drops the pending change', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const next = uniqueEmail('pending')
    assert.equal((await call(sigra, 'POST', '/auth/email-change', { token: fixture.token, body: { email: next } })).status, 202)
    const res = await call(sigra, 'DELETE', '/auth/email-change', { token: fixture.token })
    assert.equal(res.status, 200)
    assert.equal(((await json(res)).user as { pendingEmail: string | null }).pendingEmail, null)
    const { token: changeToken } = await latestMail(sigra, next)
    await expectError(await call(sigra, 'POST', '/auth/email-change/confirm', { body: { token: changeToken } }), 400, 'invalid_token')
  })

  test('POST /password/change: wrong current is 403, a weak one 400, success keeps this session under a renewed cookie', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    await expectError(await call(sigra, 'POST', '/auth/password/change', { token, body: { currentPassword: 'wrong wrong wrong', password: NEW_PASSWORD } }), 403, 'invalid_current_password')
    await expectError(await call(sigra, 'POST', '/auth/password/change', { token, body: { currentPassword: password, password: 'short' } }), 400, 'invalid')
    const res = await call(sigra, 'POST', '/auth/password/change', { token, body: { currentPassword: password, password: NEW_PASSWORD } })
    assert.equal(res.status, 200)
    const renewed = cookieToken(res)
    assert.ok(renewed && renewed !== token && renewed.split('.')[0] === token.split('.')[0], 'same session, renewed token')
    assert.ok(await sigra.sessions.validate(renewed), 'this session is kept')
    assert.equal(await sigra.sessions.validate(token), null, 'a copy of the old cookie stops working')
    assert.equal((await call(sigra, 'POST', '/auth/login', { body: { login: email, password: NEW_PASSWORD } })).status, 200)
  })

  test('POST /password/set: sudo required, then sets it once (409 password_already_set after)', async () => {
    const { sigra } = env()
    const oauth = await createConfirmedUser(sigra, { password: null })
    await expectError(await call(sigra, 'POST', '/auth/password/set', { token: oauth.token, body: { password: NEW_PASSWORD } }), 403, 'sudo_required')
    await grantSudo(sigra, oauth.session)
    const res = await call(sigra, 'POST', '/auth/password/set', { token: oauth.token, body: { password: NEW_PASSWORD } })
    assert.equal(res.status, 200)
    assert.equal(((await json(res)).user as { hasPassword: boolean }).hasPassword, true)
    const renewed = cookieToken(res)
    assert.ok(renewed && renewed !== oauth.token, 'the session token is renewed')
    assert.equal(await sigra.sessions.validate(oauth.token), null)
    await expectError(await call(sigra, 'POST', '/auth/password/set', { token: renewed, body: { password: NEW_PASSWORD } }), 409, 'password_already_set')
  })

  test('deletion: status, sudo-gated schedule that clears the cookie, cancel after logging in again', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    assert.deepEqual((await json(await call(sigra, 'GET', '/auth/deletion', { token }))).deletion, { state: 'not_scheduled' })
    await expectError(await call(sigra, 'POST', '/auth/deletion', { token }), 403, 'sudo_required')
    await expectError(await call(sigra, 'DELETE', '/auth/deletion', { token }), 409, 'not_scheduled')
    const elevated = await sudo(sigra, token, password!)
    const res = await call(sigra, 'POST', '/auth/deletion', { token: elevated })
    assert.equal(res.status, 202)
    assert.match(setCookie(res)!, /^sigra_session=;.*Max-Age=0/)
    assert.ok((await json(res)).deleteAt)
    assert.equal(await sigra.sessions.validate(elevated), null, 'every session ended')
    const again = cookieToken(await call(sigra, 'POST', '/auth/login', { body: { login: email, password } }))!
    const status = (await json(await call(sigra, 'GET', '/auth/deletion', { token: again }))).deletion as { state: string; daysRemaining: number }
    assert.equal(status.state, 'scheduled')
    assert.equal(status.daysRemaining, sigra.config.deletion.graceDays)
    assert.equal((await call(sigra, 'DELETE', '/auth/deletion', { token: again })).status, 200)
    assert.equal(((await json(await call(sigra, 'GET', '/auth/deletion', { token: again }))).deletion as { state: string }).state, 'not_scheduled')
  })

  test('GET /export needs sudo, then downloads a JSON attachment that is never cached', async () => {
    const { sigra } = env()
    const { email, password, token } = await createConfirmedUser(sigra)
    await expectError(await call(sigra, 'GET', '/auth/export', { token }), 403, 'sudo_required')
    const elevated = await sudo(sigra, token, password!)
    const res = await call(sigra, 'GET', '/auth/export', { token: elevated })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.match(res.headers.get('content-disposition')!, /^attachment; filename="account-data-\d{4}-\d{2}-\d{2}\.json"$/)
    assert.match(res.headers.get('content-type')!, /^application\/json/)
    const data = (await res.json()) as { format: string; profile: { email: string } }
    assert.equal(data.format, 'sigra.user-export.v1')
    assert.equal(data.profile.email, email)
  })
})
