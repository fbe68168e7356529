import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'
import { call, cookieToken, json, setCookie } from './support/http-client.ts'

const NEW_PASSWORD = 'another long passphrase 2026'

describeEachBackend('http api: auth routes', (env) => {
  test('register answers 202 check_email with no-store, and POST /confirm consumes the mailed token once', async () => {
    const { sigra } = env()
    const email = uniqueEmail('reg')
    const res = await call(sigra, 'POST', '/auth/register', { body: { email, password: GOOD_PASSWORD } })
    assert.equal(res.status, 202)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    assert.equal(setCookie(res), null, 'registering does not log in')
    assert.deepEqual(await json(res), { ok: true, status: 'check_email' })
    const { token } = await latestMail(sigra, email)
    const confirmed = await call(sigra, 'POST', '/auth/confirm', { body: { token } })
    assert.equal(confirmed.status, 200)
    const body = await json(confirmed)
    assert.equal((body.user as { email: string; confirmedAt: string | null }).email, email)
    assert.notEqual((body.user as { confirmedAt: string | null }).confirmedAt, null)
    const again = await call(sigra, 'POST', '/auth/confirm', { body: { token } })
    assert.equal(again.status, 400)
    assert.equal((await json(again)).error, 'invalid_token')
  })

  test('login sets an HttpOnly, SameSite=Lax, Path=/ session cookie without Secure or Expires on localhost', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'POST', '/auth/login', { body: { login: email, password } })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const cookie = setCookie(res)!
    const attributes = cookie.split(';').map((s) => s.trim())
    assert.match(attributes[0]!, /^sigra_session=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/)
    for (const flag of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(attributes.includes(flag), `${flag} in ${cookie}`)
    assert.ok(!attributes.includes('Secure'))
    assert.ok(!attributes.some((a) => a.startsWith('Expires=') || a.startsWith('Max-Age=')), 'a browser-session cookie without remember-me')
    const body = await json(res)
    assert.equal((body.user as { email: string }).email, email)
    assert.ok(!JSON.stringify(body).includes(cookieToken(res)!.split('.')[1]!), 'the secret travels only in the cookie')
    const current = await call(sigra, 'GET', '/auth/session', { token: cookieToken(res) })
    assert.equal(current.status, 200)
    assert.equal(current.headers.get('cache-control'), 'no-store')
    const session = await json(current)
    assert.equal((session.user as { email: string }).email, email)
    assert.equal(session.sudo, false)
  })

  test('remember-me makes the cookie persistent until the session expires', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'POST', '/auth/login', { form: { login: email, password: password!, rememberMe: 'on' } })
    assert.equal(res.status, 200)
    const body = await json(res)
    const expiresAt = new Date((body.session as { expiresAt: string }).expiresAt)
    assert.equal((body.session as { rememberMe: boolean }).rememberMe, true)
    assert.ok(setCookie(res)!.includes(`Expires=${expiresAt.toUTCString()}`), setCookie(res)!)
  })

  test('on an https baseUrl the cookie is __Host- prefixed and Secure, and it authenticates', async () => {
    const { sigra } = await env().makeSigra({ baseUrl: 'https://app.example.com' })
    const { email, password } = await createConfirmedUser(sigra)
    const base = 'https://app.example.com'
    const res = await call(sigra, 'POST', '/auth/login', { base, body: { login: email, password, rememberMe: true } })
    assert.equal(res.status, 200)
    const cookie = setCookie(res)!
    assert.match(cookie, /^__Host-sigra_session=/)
    const attributes = cookie.split(';').map((s) => s.trim())
    for (const flag of ['Secure', 'HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(attributes.includes(flag), `${flag} in ${cookie}`)
    assert.ok(!attributes.some((a) => a.startsWith('Domain=')), '__Host- cookies carry no Domain')
    assert.ok(attributes.some((a) => a.startsWith('Expires=')), 'remember-me is persistent')
    const token = cookieToken(res)
    assert.equal((await call(sigra, 'GET', '/auth/session', { base, token, cookieName: '__Host-sigra_session' })).status, 200)
    assert.equal((await call(sigra, 'GET', '/auth/session', { base, token, cookieName: 'sigra_session' })).status, 401, 'the unprefixed name is not read')
  })

  test('a wrong password is 401 invalid_credentials; the fifth locks with 423 and Retry-After', async () => {
    const { sigra } = env()
    const { email } = await createConfirmedUser(sigra)
    const codes: Array<[number, string | undefined]> = []
    let last: Response | undefined
    for (let i = 0; i < 5; i++) {
      last = await call(sigra, 'POST', '/auth/login', { body: { login: email, password: 'not the password at all' } })
      codes.push([last.status, (await json(last.clone())).error])
    }
    assert.deepEqual(codes.slice(0, 4), Array(4).fill([401, 'invalid_credentials']))
    assert.deepEqual(codes[4], [423, 'locked'])
    assert.equal(last!.headers.get('retry-after'), String(sigra.config.lockout.duration))
  })

  test('an unconfirmed account is 403 unconfirmed when confirmation is required', async () => {
    const { sigra } = await env().makeSigra({ requireConfirmation: true })
    const email = uniqueEmail('unconfirmed')
    await sigra.auth.register({ email, password: GOOD_PASSWORD })
    const res = await call(sigra, 'POST', '/auth/login', { body: { login: email, password: GOOD_PASSWORD } })
    assert.equal(res.status, 403)
    assert.equal((await json(res)).error, 'unconfirmed')
  })

  test('login with an existing cookie ends that session: the session id changes', async () => {
    const { sigra } = env()
    const { email, password, token: before } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'POST', '/auth/login', { token: before, body: { login: email, password } })
    assert.equal(res.status, 200)
    const after = cookieToken(res)!
    assert.notEqual(after.split('.')[0], before.split('.')[0])
    assert.equal(await sigra.sessions.validate(before), null)
    assert.ok(await sigra.sessions.validate(after))
  })

  test('logout ends the session and clears the cookie; GET /session is then 401 unauthenticated', async () => {
    const { sigra } = env()
    const { token } = await createConfirmedUser(sigra)
    const res = await call(sigra, 'POST', '/auth/logout', { token })
    assert.equal(res.status, 200)
    assert.match(setCookie(res)!, /^sigra_session=;.*Max-Age=0/)
    assert.equal(await sigra.sessions.validate(token), null)
    const after = await call(sigra, 'GET', '/auth/session', { token })
    assert.equal(after.status, 401)
    assert.deepEqual(await json(after), { ok: false, error: 'unauthenticated' })
    assert.equal((await call(sigra, 'GET', '/auth/session', { token: 'garbage' })).status, 401)
    assert.equal((await call(sigra, 'POST', '/auth/logout')).status, 200, 'logging out without a session is fine')
  })

  test('resend confirmation: 401 without a session, 202 for an unconfirmed user, then 429 with Retry-After, 409 once confirmed', async () => {
    const { sigra, clock } = env()
    assert.equal((await call(sigra, 'POST', '/auth/confirm/resend')).status, 401)
    const email = uniqueEmail('resend')
    await sigra.auth.register({ email, password: GOOD_PASSWORD })
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    clock.advance(sigra.config.tokens.confirmResendInterval)
    const sent = await call(sigra, 'POST', '/auth/confirm/resend', { token: login.token })
    assert.equal(sent.status, 202)
    const { token: confirmToken } = await latestMail(sigra, email)
    const throttled = await call(sigra, 'POST', '/auth/confirm/resend', { token: login.token })
    assert.equal(throttled.status, 429)
    assert.equal((await json(throttled)).error, 'rate_limited')
    assert.ok(Number(throttled.headers.get('retry-after')) > 0)
    // Confirmed from the signed-in browser: that session is kept (the account's others would end).
    assert.equal((await call(sigra, 'POST', '/auth/confirm', { token: login.token, body: { token: confirmToken } })).status, 200, 'the resent link works')
    const done = await call(sigra, 'POST', '/auth/confirm/resend', { token: login.token })
    assert.equal(done.status, 409)
    assert.equal((await json(done)).error, 'already_confirmed')
  })

  test('password reset: the request answers the same for known and unknown addresses; the token resets once', async () => {
    const { sigra } = env()
    const { email } = await createConfirmedUser(sigra)
    const known = await call(sigra, 'POST', '/auth/password-reset/request', { body: { email } })
    const unknown = await call(sigra, 'POST', '/auth/password-reset/request', { body: { email: uniqueEmail('nobody') } })
    assert.equal(known.status, 202)
    assert.equal(unknown.status, 202)
    assert.equal(await known.text(), await unknown.text())
    const malformed = await call(sigra, 'POST', '/auth/password-reset/request', { body: { email: 'not-an-address' } })
    assert.equal(malformed.status, 400)
    assert.equal((await json(malformed)).error, 'invalid')

    const { token } = await latestMail(sigra, email)
    const weak = await call(sigra, 'POST', '/auth/password-reset', { body: { token, password: 'short' } })
    assert.equal(weak.status, 400)
    const weakBody = await json(weak)
    assert.equal(weakBody.error, 'invalid')
    assert.ok((weakBody.issues as Array<{ field: string }>).some((i) => i.field === 'password'))
    const reset = await call(sigra, 'POST', '/auth/password-reset', { body: { token, password: NEW_PASSWORD } })
    assert.equal(reset.status, 200)
    const reused = await call(sigra, 'POST', '/auth/password-reset', { body: { token, password: NEW_PASSWORD } })
    assert.equal(reused.status, 400)
    assert.equal((await json(reused)).error, 'invalid_token')
    assert.equal((await call(sigra, 'POST', '/auth/login', { body: { login: email, password: NEW_PASSWORD } })).status, 200)
  })
})
