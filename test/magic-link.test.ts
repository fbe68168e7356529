import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { magicLink } from 'sigra/magic-link'
import { mfa } from 'sigra/mfa'
import { oauth, oidc } from 'sigra/oauth'
import { createConfirmedUser, testClock } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { codeFor, enrolledUser } from './support/mfa-helpers.ts'
import { startHostileOidc, type HostileOidc } from './support/hostile-oidc.ts'
import { errorOf, reasonOf, setUser } from './support/oauth-helpers.ts'
import { browser, page } from './support/web-browser.ts'

describeEachBackend('magic link', (env) => {
  const withLinks = (options: Parameters<typeof magicLink>[0] = {}) => env().makeSigra({ features: [magicLink(options)] })
  type LinkSigra = Awaited<ReturnType<typeof withLinks>>['sigra']
  /** The token of the newest mail to `to` (null when none). */
  const tokenFor = async (sigra: LinkSigra, to: string) => (await sigra.mail.outbox({ to })).length ? (await latestMail(sigra, to)).token : null
  const mailCount = async (sigra: LinkSigra, to: string) => (await sigra.mail.outbox({ to })).length

  test('a request answers the same for a known, an unknown and a suspended address; only a usable account is mailed', async () => {
    const { sigra } = await withLinks()
    const known = await createConfirmedUser(sigra)
    const suspended = await createConfirmedUser(sigra)
    await setUser(sigra, suspended.user.id, { status: 'suspended' })
    const unknown = uniqueEmail('nobody')
    const before = await mailCount(sigra, known.email)
    for (const email of [known.email, unknown, suspended.email]) assert.deepEqual(await sigra.magicLink.request(email, { ip: '203.0.113.50' }), { ok: true })
    assert.equal(await mailCount(sigra, known.email), before + 1)
    const mail = await latestMail(sigra, known.email)
    assert.match(mail.subject, /Your sign-in link for Acme/)
    assert.match(mail.link ?? '', /^http:\/\/localhost:3000\/account\/magic-link\/sign-in\?token=[A-Za-z0-9_-]{43}$/)
    assert.equal(await mailCount(sigra, unknown), 0)
    assert.equal((await sigra.mail.outbox({ to: suspended.email })).filter((m) => m.template === 'magicLink').length, 0)
    assert.equal(errorOf(await sigra.magicLink.request('not an address')), 'invalid')
    const audit = await allAuditEvents(sigra, { action: 'magic_link.request' })
    assert.deepEqual(audit.map((e) => e.outcome).sort(), ['failure', 'failure', 'success'])
  })

  test('requests are throttled before the lookup: per address and per IP, and a throttled request still answers ok', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    const before = await mailCount(sigra, user.email)
    for (let i = 0; i < 5; i++) assert.deepEqual(await sigra.magicLink.request(user.email, { ip: `198.51.100.${i + 1}` }), { ok: true })
    assert.equal(await mailCount(sigra, user.email), before + 3, '3 per address per 15 minutes')
    const other = await createConfirmedUser(sigra)
    for (let i = 0; i < 10; i++) await sigra.magicLink.request(uniqueEmail('spray'), { ip: '192.0.2.200' })
    assert.deepEqual(await sigra.magicLink.request(other.email, { ip: '192.0.2.200' }), { ok: true })
    assert.equal((await sigra.mail.outbox({ to: other.email })).filter((m) => m.template === 'magicLink').length, 0, '10 per IP per 15 minutes')
  })

  test('the link works once, for 15 minutes, and only the newest one; the token is stored only as its digest', async () => {
    const { sigra, clock } = await withLinks()
    const user = await createConfirmedUser(sigra)
    await sigra.magicLink.request(user.email)
    const older = (await tokenFor(sigra, user.email))!
    await sigra.magicLink.request(user.email)
    const token = (await tokenFor(sigra, user.email))!
    assert.equal(errorOf(await sigra.magicLink.consume(older)), 'invalid_token', 'a newer link replaces the older one')
    const rows = await sql<{ dump: string }>`SELECT t::text AS dump FROM ${sql.table(`${sigra.config.schema}.magic_link_tokens`)} t`.execute(sigra.db)
    assert.ok(rows.rows.length > 0 && rows.rows.every((r) => !r.dump.includes(token)), 'only a digest is kept')
    clock.advance(15 * 60 - 1)
    const result = await sigra.magicLink.consume(token, { ip: '203.0.113.60', userAgent: 'Test/1.0' })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.id, user.user.id)
    assert.equal(result.created, false)
    assert.deepEqual(result.session.amr, ['email'])
    assert.equal((await sigra.sessions.validate(result.token))?.user.id, user.user.id)
    assert.equal(errorOf(await sigra.magicLink.consume(token)), 'invalid_token', 'single use')
    const logins = await allAuditEvents(sigra, { userId: user.user.id, action: 'auth.login.success' })
    assert.equal(logins[0]?.metadata.method, 'magic_link')

    await sigra.magicLink.request(user.email)
    const late = (await tokenFor(sigra, user.email))!
    clock.advance(15 * 60)
    assert.equal(errorOf(await sigra.magicLink.consume(late)), 'invalid_token', 'expired at 15 minutes')
  })

  test('of parallel uses of one link exactly one signs in', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    await sigra.magicLink.request(user.email)
    const token = (await tokenFor(sigra, user.email))!
    const results = await Promise.all([1, 2, 3, 4].map(() => sigra.magicLink.consume(token)))
    assert.equal(results.filter((r) => r.ok).length, 1)
    assert.deepEqual(results.filter((r) => !r.ok).map(errorOf), ['invalid_token', 'invalid_token', 'invalid_token'])
  })

  test('the link is bound to the address it was mailed to: after an email change it no longer works', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra, { sudo: true })
    await sigra.magicLink.request(user.email)
    const token = (await tokenFor(sigra, user.email))!
    const next = uniqueEmail('moved')
    assert.ok((await sigra.account.requestEmailChange(user.user, next, { session: user.session })).ok)
    assert.ok((await sigra.account.confirmEmailChange((await latestMail(sigra, next)).token!)).ok)
    assert.equal(errorOf(await sigra.magicLink.consume(token)), 'invalid_token')
  })

  test('using the link confirms the address of an unconfirmed account', async () => {
    const { sigra } = await withLinks()
    const email = uniqueEmail('unconfirmed')
    const registered = await sigra.auth.register({ email, password: GOOD_PASSWORD })
    assert.ok(registered.ok)
    assert.equal(registered.user.confirmedAt, null)
    await sigra.magicLink.request(email)
    const result = await sigra.magicLink.consume((await tokenFor(sigra, email))!)
    assert.ok(result.ok)
    assert.ok(result.user.confirmedAt, 'confirmed')
    assert.equal(result.user.hasPassword, false, 'the password set before anyone proved the address is removed')
    assert.equal(errorOf(await sigra.auth.confirmEmail((await sigra.mail.outbox({ to: email })).find((m) => m.template === 'confirmEmail')!.text.match(/token=([A-Za-z0-9_-]{43})/)![1])), 'invalid_token', 'the confirmation link is spent')
    const confirmed = await allAuditEvents(sigra, { userId: result.user.id, action: 'auth.email_confirm' })
    assert.equal(confirmed[0]?.metadata.method, 'magic_link')
  })

  test('MFA applies: a magic-link sign-in of an enrolled account is held at the second factor', async () => {
    const clock = testClock()
    const { sigra } = await env().makeSigra({ clock, features: [mfa({ issuer: 'Acme' }), magicLink()] })
    const enrolled = await enrolledUser(sigra, clock)
    await sigra.magicLink.request(enrolled.email)
    const result = await sigra.magicLink.consume((await latestMail(sigra, enrolled.email)).token!)
    assert.ok(result.ok)
    assert.equal(result.mfaRequired, true)
    assert.deepEqual(result.pending, ['mfa'])
    assert.equal(await sigra.sessions.validate(result.token), null)
    const verified = await sigra.mfa.verify(result.token, { code: codeFor(enrolled.key, clock) })
    assert.ok(verified.ok)
  })

  test('sign-up (signUp: true): an unknown address gets a sign-up link; using it creates a confirmed account without a password', async () => {
    const { sigra } = await withLinks({ signUp: true })
    const email = uniqueEmail('new')
    assert.deepEqual(await sigra.magicLink.request(email), { ok: true })
    const mail = await latestMail(sigra, email)
    assert.match(mail.subject, /Your link to create a Acme account/)
    const result = await sigra.magicLink.consume(mail.token!)
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.created, true)
    assert.equal(result.user.email, email)
    assert.ok(result.user.confirmedAt)
    assert.equal(result.user.hasPassword, false)
    assert.equal((await allAuditEvents(sigra, { userId: result.user.id, action: 'auth.register' }))[0]?.metadata.method, 'magic_link')
    // A second sign-up link to the same address, used after the account exists, signs that account in.
    await sigra.magicLink.request(email)
    const again = await sigra.magicLink.consume((await latestMail(sigra, email)).token!)
    assert.ok(again.ok)
    assert.equal(again.user.id, result.user.id)
    assert.equal(again.created, false)
  })

  test('a token issued before a suspension does not sign in (account_unavailable)', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    await sigra.magicLink.request(user.email)
    const token = (await tokenFor(sigra, user.email))!
    await setUser(sigra, user.user.id, { status: 'suspended' })
    assert.equal(errorOf(await sigra.magicLink.consume(token)), 'account_unavailable')
  })

  test('a magic-link token used as a reset token is refused', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    await sigra.magicLink.request(user.email)
    const token = (await tokenFor(sigra, user.email))!
    assert.equal(errorOf(await sigra.auth.resetPassword(token, { password: 'plum orbit lantern quietly 7' })), 'invalid_token')
    assert.equal(errorOf(await sigra.auth.confirmEmail(token)), 'invalid_token')
    assert.equal(errorOf(await sigra.account.confirmEmailChange(token)), 'invalid_token')
    assert.ok((await sigra.magicLink.consume(token)).ok, 'and it still works as what it is')
  })

  test('a reset token used as a magic-link token is refused (and a confirmation token too)', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    assert.ok((await sigra.auth.requestPasswordReset(user.email)).ok)
    const reset = (await latestMail(sigra, user.email)).token!
    assert.equal(errorOf(await sigra.magicLink.consume(reset)), 'invalid_token')
    assert.equal(errorOf(await sigra.magicLink.check(reset)), 'invalid_token')
    const email = uniqueEmail('confirm')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    assert.equal(errorOf(await sigra.magicLink.consume((await latestMail(sigra, email)).token!)), 'invalid_token')
    assert.ok((await sigra.auth.resetPassword(reset, { password: 'plum orbit lantern quietly 7' })).ok, 'the reset token still works as what it is')
  })

  test('failed redemptions are throttled per IP', async () => {
    const { sigra } = await withLinks()
    for (let i = 0; i < 20; i++) assert.equal(errorOf(await sigra.magicLink.consume('x'.repeat(43), { ip: '203.0.113.99' })), 'invalid_token')
    assert.equal(errorOf(await sigra.magicLink.consume('x'.repeat(43), { ip: '203.0.113.99' })), 'rate_limited')
  })

  test('over HTTP: the same 202 for every address; consume sets the session cookie; both in the OpenAPI document', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    const known = await call(sigra, 'POST', '/auth/magic-link', { body: { email: user.email } })
    const unknown = await call(sigra, 'POST', '/auth/magic-link', { body: { email: uniqueEmail('nobody') } })
    assert.deepEqual([known.status, await json(known)], [202, { ok: true, status: 'check_email' }])
    assert.deepEqual([unknown.status, await json(unknown)], [202, { ok: true, status: 'check_email' }])
    const token = (await tokenFor(sigra, user.email))!
    const consumed = await call(sigra, 'POST', '/auth/magic-link/consume', { body: { token } })
    assert.equal(consumed.status, 200)
    assert.match(consumed.headers.get('set-cookie') ?? '', /^sigra_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax/)
    const body = await json(consumed)
    assert.deepEqual([body.pending, body.created], [[], false])
    const again = await call(sigra, 'POST', '/auth/magic-link/consume', { body: { token } })
    assert.deepEqual([again.status, (await json(again)).error], [400, 'invalid_token'])
    const doc = (await json(await call(sigra, 'GET', '/auth/openapi.json'))) as unknown as { paths: Record<string, unknown> }
    assert.ok(doc.paths['/auth/magic-link'] && doc.paths['/auth/magic-link/consume'])
  })

  test('pages: the link opens a page whose button signs in; opening it (a mail scanner’s GET) never uses it', async () => {
    const { sigra } = await withLinks()
    const user = await createConfirmedUser(sigra)
    const b = browser(sigra)
    const logIn = await page(await b.get('/account/log-in'))
    assert.match(logIn.main, /href="\/account\/magic-link">Email me a sign-in link<\/a>/)
    const form = await page(await b.get('/account/magic-link'))
    assert.match(form.main, /<label for="email">Email address<\/label>/)
    const asked = await b.post('/account/magic-link', { email: user.email })
    assert.equal(asked.status, 303)
    const sent = await page(await b.get(asked.headers.get('location')!))
    assert.match(sent.main, /Check your mail/)
    const link = new URL((await latestMail(sigra, user.email)).link!)
    for (let i = 0; i < 3; i++) {
      const opened = await b.get(`${link.pathname}${link.search}`)
      assert.equal(opened.status, 200)
      assert.equal(opened.headers.get('referrer-policy'), 'no-referrer', 'the token in the URL does not leak through Referer')
      const html = await opened.text()
      assert.match(html, /<button type="submit" autofocus>Sign in<\/button>/)
      assert.equal(b.token(), null, 'opening the link signs nobody in')
    }
    const token = link.searchParams.get('token')!
    const signedIn = await b.post('/account/magic-link/sign-in', { token })
    assert.equal(signedIn.status, 303)
    assert.equal(signedIn.headers.get('location'), '/account/settings')
    assert.ok(b.token())
    // The used link now says so, and offers a new one.
    const dead = await page(await b.get(`${link.pathname}${link.search}`))
    assert.match(dead.main, /This link is invalid, has expired or was already used/)
    assert.match(dead.main, /Ask for a new link/)
  })

  // The OAuth state and a magic-link token are different kinds of token: neither is accepted as the other.
  let idp: HostileOidc
  before(async () => {
    idp = await startHostileOidc({ 'client-a': 'secret-a-0123456789abcdef' })
    idp.accounts.set('alice', { email: uniqueEmail('alice'), email_verified: true })
  })
  after(async () => idp?.stop())
  const withBoth = () =>
    env().makeSigra({
      clock: testClock(new Date()),
      features: [oauth({ providers: [oidc({ id: 'idp', issuer: idp.issuer, clientId: 'client-a', clientSecret: 'secret-a-0123456789abcdef' })] }), magicLink()],
    })

  test('an OAuth state used as a magic-link token is refused', async () => {
    const { sigra } = await withBoth()
    const started = await sigra.oauth.authorizationUrl('idp')
    assert.ok(started.ok)
    const state = new URL(started.url).searchParams.get('state')!
    assert.match(state, /^[A-Za-z0-9_-]{43}$/, 'the same shape as a magic-link token')
    assert.equal(errorOf(await sigra.magicLink.consume(state)), 'invalid_token')
    assert.equal(errorOf(await sigra.magicLink.consume(started.cookie)), 'invalid_token')
  })

  test('a magic-link token used as an OAuth state is refused', async () => {
    const { sigra } = await withBoth()
    const user = await createConfirmedUser(sigra)
    await sigra.magicLink.request(user.email)
    const token = (await latestMail(sigra, user.email)).token!
    const started = await sigra.oauth.authorizationUrl('idp')
    assert.ok(started.ok)
    const back = new URL(await idp.authorize(started.url, 'alice'))
    back.searchParams.set('state', token)
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })), 'invalid_state:state_mismatch')
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: token })), 'invalid_state:unreadable_cookie')
  })
})
