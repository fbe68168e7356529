import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { createConfirmedUser, grantSudo, latestMail } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { browser, inputValue, page } from './support/web-browser.ts'

const NEW_PASSWORD = 'a fresh passphrase for the pages'
const pathOf = (link: string) => {
  const url = new URL(link)
  return `${url.pathname}${url.search}`
}
const userRow = (sigra: Sigra, email: string) => sigra.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()

/** The sudo prompt a gated form post answers with in place: which action it is for, and that action's page path. */
async function assertSudoPrompt(res: Response, label: string, resume: string): Promise<string> {
  assert.equal(res.status, 403)
  assert.equal(res.headers.get('location'), null, 'in place, not a redirect')
  const { main } = await page(res)
  assert.ok(main.includes(`<h1>Confirm it is you to ${label}</h1>`), main)
  assert.ok(main.includes('action="/account/sudo"'))
  assert.equal(inputValue(main, 'resume'), resume)
  return main
}

describeEachBackend('web flows', (env) => {
  test('sign up → check your email (same answer for a taken address) → log in with remember me → settings', async () => {
    const { sigra } = env()
    const email = uniqueEmail('web-signup')
    const b = browser(sigra)
    const created = await b.post('/account/sign-up', { email, password: GOOD_PASSWORD, username: '' })
    assert.equal(created.status, 303)
    assert.equal(created.headers.get('location'), `/account/log-in?notice=check_email&login=${encodeURIComponent(email)}`)
    assert.equal(b.token(), null, 'signing up does not log in')
    const taken = await browser(sigra).post('/account/sign-up', { email, password: GOOD_PASSWORD })
    assert.equal(taken.status, 303)
    assert.equal(taken.headers.get('location'), created.headers.get('location'), 'no account enumeration')
    assert.equal(taken.headers.get('set-cookie'), null, 'and no sign-in for a taken address either')
    const prefilled = (await page(await b.get(created.headers.get('location')!))).main
    assert.ok(prefilled.includes('Check your inbox'))
    assert.equal(inputValue(prefilled, 'login'), email, 'the log-in form holds the address just used')
    assert.match(prefilled, /<input id="password"[^>]* autofocus/, 'so the password field takes the focus')
    assert.doesNotMatch(prefilled, /<input id="login"[^>]* autofocus/)
    assert.equal(inputValue((await page(await b.get('/account/log-in'))).main, 'login'), '', 'nothing without it')

    const weak = await b.post('/account/sign-up', { email: uniqueEmail('weak'), password: 'Password1234!' })
    assert.equal(weak.status, 400)
    const { main } = await page(weak)
    assert.match(main, /<input id="password"[^>]*aria-invalid="true"[^>]*aria-describedby="password-hint password-issue"/)
    assert.ok(main.includes('<p class="issue" id="password-issue">This password is too common.'))

    const wrong = await b.post('/account/log-in', { login: email, password: 'not the password at all' })
    assert.equal(wrong.status, 401)
    assert.ok((await wrong.text()).includes('That email/username and password do not match an account.'))
    const login = await b.post('/account/log-in', { login: email, password: GOOD_PASSWORD, remember_me: 'on' })
    assert.equal(login.status, 303)
    assert.equal(login.headers.get('location'), '/account/settings')
    const cookie = login.headers.get('set-cookie')!
    assert.match(cookie, /^sigra_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Expires=/)
    const settings = await page(await b.get('/account/settings'))
    assert.ok(settings.main.includes(email))
    assert.ok(settings.main.includes('(not confirmed yet)'))
    assert.ok(settings.main.includes(' · remembered'))

    const plain = browser(sigra)
    const short = await plain.post('/account/log-in', { login: email, password: GOOD_PASSWORD })
    assert.doesNotMatch(short.headers.get('set-cookie')!, /Expires=/, 'without remember me the cookie ends with the browser')
  })

  test('the confirmation link: GET shows a button and consumes nothing; the POST confirms once', async () => {
    const { sigra } = env()
    const email = uniqueEmail('web-confirm')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const { link, token } = await latestMail(sigra, email)
    const b = browser(sigra)
    for (let i = 0; i < 2; i++) {
      const res = await b.get(pathOf(link!))
      assert.equal(res.status, 200)
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer')
      assert.equal(inputValue(await res.text(), 'token'), token)
    }
    assert.equal((await userRow(sigra, email))!.confirmed_at, null, 'a prefetch confirms nothing')
    const confirmed = await b.post('/account/confirm', { token: token! })
    assert.equal(confirmed.status, 303)
    assert.equal(confirmed.headers.get('location'), '/account/log-in?notice=email_confirmed')
    assert.notEqual((await userRow(sigra, email))!.confirmed_at, null)
    const again = await b.post('/account/confirm', { token: token! })
    assert.equal(again.status, 400)
    assert.ok((await again.text()).includes('This link is invalid, has expired or was already used.'))
    const missing = await b.get('/account/confirm')
    assert.equal(missing.status, 400)
    assert.ok(!(await missing.text()).includes('<form class="card" method="post" action="/account/confirm"'))
  })

  test('dead links: a used or invalid confirmation link says what to do next (log in, or send a new link) instead of a dead button', async () => {
    const { sigra } = env()
    const email = uniqueEmail('web-dead-confirm')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const { link, token } = await latestMail(sigra, email)
    const anonymous = browser(sigra)
    assert.equal((await anonymous.post('/account/confirm', { token: token! })).status, 303)
    const used = await anonymous.get(pathOf(link!))
    assert.equal(used.status, 400)
    assert.equal(used.headers.get('referrer-policy'), 'no-referrer')
    const usedHtml = (await page(used)).main
    assert.ok(usedHtml.includes('This link is invalid, has expired or was already used.'))
    assert.ok(!usedHtml.includes('action="/account/confirm"') && !usedHtml.includes('Confirm my email'), 'no button with a dead token')
    assert.ok(!usedHtml.includes(token!), 'the dead token is not put back into the page')
    assert.ok(usedHtml.includes('<a class="button" href="/account/log-in">Log in</a>'), 'signed out: log in to ask for a new link')

    const unconfirmed = uniqueEmail('web-dead-unconfirmed')
    assert.ok((await sigra.auth.register({ email: unconfirmed, password: GOOD_PASSWORD })).ok)
    const login = await sigra.auth.logIn({ login: unconfirmed, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    const signedIn = browser(sigra, { token: login.token })
    const bogus = (await page(await signedIn.get('/account/confirm?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'))).main
    assert.ok(bogus.includes('This link is invalid'))
    assert.match(bogus, /<form method="post" action="\/account\/confirm\/resend"><button type="submit">Send a new link<\/button><\/form>/, 'signed in: a new link is one click away')
    const refused = (await page(await signedIn.post('/account/confirm', { token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }))).main
    assert.ok(refused.includes('>Send a new link</button>') && !refused.includes('Confirm my email'), 'a refused POST ends the same way')

    const fixture = await createConfirmedUser(sigra)
    const confirmed = (await page(await browser(sigra, { token: fixture.token }).get(pathOf(link!)))).main
    assert.ok(confirmed.includes('Your email address is already confirmed.'), 'a confirmed user is told there is nothing left to do')
    assert.ok(confirmed.includes('href="/account/settings"'))
  })

  test('dead links: a dead reset link offers a new one instead of the password form; a dead email-change link points to the settings', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
    const reset = await latestMail(sigra, fixture.email)
    const b = browser(sigra)
    assert.ok((await page(await b.get(pathOf(reset.link!)))).main.includes('name="password"'), 'a live link shows the form')
    assert.ok((await sigra.auth.resetPassword(reset.token!, { password: NEW_PASSWORD })).ok)
    const deadReset = await b.get(pathOf(reset.link!))
    assert.equal(deadReset.status, 400)
    const deadResetHtml = (await page(deadReset)).main
    assert.ok(deadResetHtml.includes('This link is invalid, has expired or was already used.'))
    assert.ok(!deadResetHtml.includes('name="password"'), 'no password form for a dead link')
    assert.ok(deadResetHtml.includes('<a class="button" href="/account/forgot-password">Ask for a new link</a>'))

    const again = await createConfirmedUser(sigra, { sudo: true })
    const next = uniqueEmail('dead-change')
    const requested = await sigra.account.requestEmailChange(again.user, next, { session: again.session })
    assert.ok(requested.ok)
    const changeLink = `/account/confirm-email-change?token=${encodeURIComponent(requested.token)}`
    assert.ok((await page(await b.get(changeLink))).main.includes('>Use this address</button>'), 'live: the button')
    assert.ok((await sigra.account.cancelEmailChange(again.user)).ok)
    const deadChange = await b.get(changeLink)
    assert.equal(deadChange.status, 400)
    const deadChangeHtml = (await page(deadChange)).main
    assert.ok(!deadChangeHtml.includes('Use this address'), 'no button with a dead token')
    assert.ok(deadChangeHtml.includes(`href="/account/log-in?return_to=${encodeURIComponent('/account/settings#email')}"`), 'signed out: log in, then ask again')
    const signedIn = (await page(await browser(sigra, { token: again.token }).get(changeLink))).main
    assert.ok(signedIn.includes('<a class="button" href="/account/settings#email">Change your email again</a>'), 'signed in: straight to the form')
  })

  test('dead links: opening an invalid link spends a point of the per-IP failed-redemption budget; a live one costs nothing', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: { rules: { tokenFailuresIp: { points: 2, duration: 900 } } } })
    const email = uniqueEmail('web-dead-budget')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const { link } = await latestMail(sigra, email)
    const b = browser(sigra, { ip: '198.51.100.77' })
    for (let i = 0; i < 4; i++) assert.equal((await b.get(pathOf(link!))).status, 200, 'a live link, opened again and again')
    assert.equal((await b.get('/account/reset-password?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status, 400)
    assert.equal((await b.get('/account/confirm-email-change?token=not-a-token')).status, 400)
    const limited = await b.get(pathOf(link!))
    assert.equal(limited.status, 429, 'the budget is spent: even the live link waits')
    assert.match((await page(limited)).main, /Too many attempts\. Try again in \d+ minutes?\./)
    assert.equal((await browser(sigra, { ip: '198.51.100.78' }).get(pathOf(link!))).status, 200, 'per IP')
  })

  test('a logged-in unconfirmed user can resend the confirmation; the resend is throttled with a clear message', async () => {
    const { sigra, clock } = env()
    const email = uniqueEmail('web-resend')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const first = await latestMail(sigra, email)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    const b = browser(sigra, { token: login.token })
    const early = await b.post('/account/confirm/resend')
    assert.equal(early.status, 429)
    assert.match((await page(early)).main, /Too many attempts\. Try again in (\d+ seconds?|1 minute)\./)
    clock.advance(61)
    const res = await b.post('/account/confirm/resend')
    assert.equal(res.status, 303)
    assert.equal(res.headers.get('location'), '/account/settings?notice=confirmation_sent')
    const second = await latestMail(sigra, email)
    assert.notEqual(second.token, first.token)
    const confirmed = await b.post('/account/confirm', { token: second.token! })
    assert.equal(confirmed.headers.get('location'), '/account/settings?notice=email_confirmed', 'signed in: back to settings')
  })

  test('forgot password → reset link (GET consumes nothing; a refused password keeps it) → new password works', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const unknown = await b.post('/account/forgot-password', { email: uniqueEmail('nobody') })
    const known = await b.post('/account/forgot-password', { email: fixture.email })
    assert.equal(known.status, 303)
    assert.equal(known.headers.get('location'), '/account/forgot-password?notice=reset_sent')
    assert.equal(unknown.headers.get('location'), known.headers.get('location'), 'same answer for an unknown address')
    const bad = await b.post('/account/forgot-password', { email: 'not an email' })
    assert.equal(bad.status, 400)
    assert.ok((await bad.text()).includes('Enter a valid email address'))

    const { link, token } = await latestMail(sigra, fixture.email)
    const shown = await b.get(pathOf(link!))
    assert.equal(shown.status, 200)
    assert.equal(shown.headers.get('referrer-policy'), 'no-referrer')
    assert.equal(inputValue(await shown.text(), 'token'), token)
    const weak = await b.post('/account/reset-password', { token: token!, password: 'short' })
    assert.equal(weak.status, 400)
    const weakPage = await weak.text()
    assert.ok(weakPage.includes('<p class="issue" id="password-issue">Use at least 12 characters.</p>'))
    assert.equal(inputValue(weakPage, 'token'), token, 'the form keeps the token to try again')
    const done = await b.post('/account/reset-password', { token: token!, password: NEW_PASSWORD })
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/log-in?notice=password_reset')
    assert.equal(b.token(), null, 'this browser was signed in to that account: its cookie is cleared')
    assert.equal(await sigra.sessions.validate(fixture.token), null)
    const reused = await b.post('/account/reset-password', { token: token!, password: NEW_PASSWORD })
    assert.equal(reused.status, 400)
    const login = await b.post('/account/log-in', { login: fixture.email, password: NEW_PASSWORD })
    assert.equal(login.status, 303)
  })

  test('cross-site form posts are refused with 403 and change nothing', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['/account/settings/password', { current: fixture.password!, password: NEW_PASSWORD }, { origin: 'https://evil.example' }],
      ['/account/log-out', {}, { 'sec-fetch-site': 'cross-site' }],
      ['/account/log-in', { login: fixture.email, password: fixture.password! }, { origin: 'null' }],
      ['/account/settings/password', { current: fixture.password!, password: NEW_PASSWORD }, { 'sec-fetch-site': 'same-site' }],
    ]
    for (const [path, form, headers] of cases) {
      const res = await b.post(path, form, headers)
      assert.equal(res.status, 403, `${path} ${JSON.stringify(headers)}`)
      assert.ok((await res.text()).includes('This form was sent from another site'))
      assert.equal(res.headers.get('set-cookie'), null)
    }
    assert.ok(await sigra.sessions.validate(fixture.token), 'still logged in')
    assert.ok((await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })).ok, 'password unchanged')
    const noOrigin = await sigra.handler(new Request('http://localhost:3000/account/log-out', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `sigra_session=${fixture.token}` }, body: '' }))
    assert.equal(noOrigin.status, 403, 'a form post with neither Sec-Fetch-Site nor Origin is refused')
  })

  test('log out is a POST: it ends the session and clears the cookie', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    assert.equal((await b.get('/account/log-out')).status, 404, 'no GET logout')
    const res = await b.post('/account/log-out')
    assert.equal(res.status, 303)
    assert.equal(res.headers.get('location'), '/account/log-in?notice=logged_out')
    assert.match(res.headers.get('set-cookie')!, /^sigra_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/)
    assert.equal(await sigra.sessions.validate(fixture.token), null)
  })

  test('sudo: a gated change asks for the password in place, says what for, carries the form in the POST body and then does it', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const typed = uniqueEmail('new')
    const asked = await b.post('/account/settings/email', { email: typed, token: fixture.token, extra: 'not declared' })
    assert.equal(asked.status, 403, 'sudo_required, answered with the prompt itself')
    assert.equal(asked.headers.get('location'), null, 'no redirect: nothing typed travels in a URL')
    const prompt = (await page(asked)).main
    assert.ok(prompt.includes('<h1>Confirm it is you to change your email address</h1>'), 'the prompt says which action it is for')
    assert.ok(prompt.includes('<form class="card" method="post" action="/account/sudo" novalidate>'))
    assert.equal(inputValue(prompt, 'resume'), '/settings/email', 'the action, by its page path')
    assert.equal(inputValue(prompt, 'resume.email'), typed, 'the declared field, in a hidden input')
    assert.ok(!prompt.includes(fixture.token), 'the session token is never carried')
    assert.ok(!prompt.includes('not declared') && !prompt.includes('name="resume.extra"'), 'only the fields the page declares')
    assert.equal(inputValue(prompt, 'return_to'), null)
    assert.deepEqual(await sigra.mail.outbox({ to: typed }), [], 'nothing was sent yet')

    const carried = { resume: '/settings/email', 'resume.email': typed }
    const wrong = await b.post('/account/sudo', { password: 'not my password at all', ...carried })
    assert.equal(wrong.status, 401)
    const wrongHtml = (await page(wrong)).main
    assert.ok(wrongHtml.includes('<p class="issue" id="password-issue">That password is not correct.</p>'), 'next to the field, in words for this page')
    assert.equal(wrongHtml.split('That password is not correct.').length - 1, 1, 'once')
    assert.ok(wrongHtml.includes('<h1>Confirm it is you to change your email address</h1>'))
    assert.equal(inputValue(wrongHtml, 'resume'), '/settings/email', 'the carried action stays')
    assert.equal(inputValue(wrongHtml, 'resume.email'), typed, 'and so does the carried field')
    assert.equal(b.token(), fixture.token, 'no renewal without the password')

    const done = await b.post('/account/sudo', { password: fixture.password!, ...carried })
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings?notice=email_change_requested', 'the email change itself answered')
    assert.ok((await latestMail(sigra, typed)).link!.includes('/account/confirm-email-change?token='), 'the link was mailed')
    assert.equal((await userRow(sigra, fixture.email))?.pending_email, typed)
    assert.notEqual(b.token(), fixture.token, 'the session token was renewed')
    assert.equal(await sigra.sessions.validate(fixture.token), null, 'the old token no longer works')
    const renewed = await sigra.sessions.validate(b.token())
    assert.equal(renewed?.session.id, fixture.session.id, 'same session')
    assert.equal(sigra.sessions.isSudo(renewed?.session), true)
  })

  test('sudo: only a registered resumable page is resumed; anything else only confirms and goes back to settings', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: { rules: { sudo: false } } })
    const fixture = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(other.ok)
    const b = browser(sigra, { token: fixture.token })
    for (const resume of ['/log-out', '/settings/password', '/settings/sessions/revoke', '/sudo', '/settings/email/', '/account/settings/email', 'https://evil.example/settings/email', '//evil.example', '/settings/email?x=1', '__proto__', 'constructor', '']) {
      const res = await b.post('/account/sudo', { password: fixture.password!, resume, 'resume.email': uniqueEmail('never'), 'resume.current': fixture.password!, 'resume.password': NEW_PASSWORD, 'resume.session_id': other.session.id })
      assert.equal(res.status, 303, resume)
      assert.equal(res.headers.get('location'), '/account/settings?notice=sudo_confirmed', resume)
    }
    assert.ok(await sigra.sessions.validate(b.token()), 'not logged out')
    assert.ok(await sigra.sessions.validate(other.token), 'no other device signed out')
    assert.ok((await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })).ok, 'password unchanged')
    assert.equal((await userRow(sigra, fixture.email))?.pending_email, null, 'no email change')
  })

  test('sudo: the GET prompt for links still returns to a local return_to', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const form = (await page(await b.get(`/account/sudo?return_to=${encodeURIComponent('/account/settings#email')}`))).main
    assert.ok(form.includes('<h1>Confirm it is you</h1>'))
    assert.equal(inputValue(form, 'return_to'), '/account/settings#email')
    assert.equal(inputValue(form, 'resume'), null)
    const ok = await b.post('/account/sudo', { password: fixture.password!, return_to: '/account/settings#email' })
    assert.equal(ok.headers.get('location'), '/account/settings?notice=sudo_confirmed#email')
    const evil = await b.post('/account/sudo', { password: fixture.password!, return_to: '//evil.com' })
    assert.equal(evil.headers.get('location'), '/account/settings?notice=sudo_confirmed')
  })

  test('email change: request (sudo) shows the pending address with cancel; the link page consumes only on POST and keeps this session', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const other = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(other.ok)
    const b = browser(sigra, { token: fixture.token })
    const first = uniqueEmail('first-new')
    assert.equal((await b.post('/account/settings/email', { email: first })).headers.get('location'), '/account/settings?notice=email_change_requested')
    const pending = (await page(await b.get('/account/settings'))).main
    assert.ok(pending.includes(`<strong>${first}</strong>`))
    assert.ok(pending.includes('action="/account/settings/email/cancel"'))
    assert.equal((await b.post('/account/settings/email/cancel')).headers.get('location'), '/account/settings?notice=email_change_cancelled')
    assert.ok(!(await page(await b.get('/account/settings'))).main.includes(first))

    const same = await b.post('/account/settings/email', { email: fixture.email })
    assert.equal(same.status, 422)
    const sameHtml = await same.text()
    assert.ok(sameHtml.includes('<p class="issue" id="new-email-issue">That is already your email address.</p>'))
    assert.equal(inputValue(sameHtml, 'email'), fixture.email, 'the typed address stays in the field')

    const next = uniqueEmail('next-new')
    assert.equal((await b.post('/account/settings/email', { email: next })).status, 303)
    const { link, token } = await latestMail(sigra, next)
    assert.ok(link!.startsWith('http://localhost:3000/account/confirm-email-change?token='))
    const shown = await b.get(pathOf(link!))
    assert.equal(shown.status, 200)
    assert.equal(shown.headers.get('referrer-policy'), 'no-referrer')
    assert.equal((await userRow(sigra, fixture.email))?.pending_email, next, 'the GET changed nothing')
    const confirmed = await b.post('/account/confirm-email-change', { token: token! })
    assert.equal(confirmed.status, 303)
    assert.equal(confirmed.headers.get('location'), '/account/settings?notice=email_changed')
    assert.ok(await sigra.sessions.validate(b.token()), 'this session is kept')
    assert.equal(await sigra.sessions.validate(other.token), null, 'the other one is revoked')
    assert.ok((await page(await b.get('/account/settings'))).main.includes(next))
    assert.equal((await b.post('/account/confirm-email-change', { token: token! })).status, 400)
  })

  test('password change: wrong current password next to its field; success keeps this device (renewed cookie) and signs out the others', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(other.ok)
    const b = browser(sigra, { token: fixture.token })
    const wrong = await b.post('/account/settings/password', { current: 'not my current password', password: NEW_PASSWORD })
    assert.equal(wrong.status, 403)
    const wrongHtml = await wrong.text()
    assert.ok(wrongHtml.includes('<p class="issue" id="current-password-issue">Your current password is not correct.</p>'), 'next to the field')
    assert.ok(wrongHtml.includes('<div class="flash error" role="alert" tabindex="-1" autofocus>'), 'the summary takes focus, so the form scrolls into view')
    const weak = await b.post('/account/settings/password', { current: fixture.password!, password: fixture.password! })
    assert.equal(weak.status, 400)
    assert.ok((await weak.text()).includes('<p class="issue" id="new-password-issue">Choose a password different from your current one.</p>'))
    const ok = await b.post('/account/settings/password', { current: fixture.password!, password: NEW_PASSWORD })
    assert.equal(ok.headers.get('location'), '/account/settings?notice=password_changed')
    assert.ok(b.token() && b.token() !== fixture.token, 'the cookie is renewed')
    assert.equal((await sigra.sessions.validate(b.token()))?.session.id, fixture.session.id, 'this device keeps its session')
    assert.equal(await sigra.sessions.validate(fixture.token), null, 'a copy of the old cookie stops working')
    assert.equal(await sigra.sessions.validate(other.token), null)
    assert.ok((await page(await b.get('/account/settings?notice=password_changed'))).main.includes('Your password was changed.'))
  })

  test('set a password on an account without one (sudo)', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { password: null })
    const b = browser(sigra, { token: fixture.token })
    const gated = await assertSudoPrompt(await b.post('/account/settings/password/set', { password: NEW_PASSWORD }), 'set a password', '/settings/password/set')
    assert.equal(inputValue(gated, 'resume.password'), NEW_PASSWORD, 'the new password rides in the POST body: the action needs it')
    await grantSudo(sigra, fixture.session)
    const ok = await b.post('/account/settings/password/set', { password: NEW_PASSWORD })
    assert.equal(ok.headers.get('location'), '/account/settings?notice=password_set')
    assert.ok((await sigra.auth.logIn({ login: fixture.email, password: NEW_PASSWORD })).ok)
  })

  test('devices: revoke one; "sign out everywhere else" needs sudo', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const [one, two] = [await sigra.auth.logIn({ login: fixture.email, password: fixture.password! }), await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })]
    assert.ok(one.ok && two.ok)
    const b = browser(sigra, { token: fixture.token })
    const revoked = await b.post('/account/settings/sessions/revoke', { session_id: one.session.id })
    assert.equal(revoked.headers.get('location'), '/account/settings?notice=session_revoked#sessions')
    assert.equal(await sigra.sessions.validate(one.token), null)
    const missing = await b.post('/account/settings/sessions/revoke', { session_id: one.session.id })
    assert.equal(missing.status, 404)
    assert.ok((await missing.text()).includes('That was not found.'))
    await assertSudoPrompt(await b.post('/account/settings/sessions/revoke-others'), 'sign out your other devices', '/settings/sessions/revoke-others')
    assert.ok(await sigra.sessions.validate(two.token))
    const all = await b.post('/account/sudo', { password: fixture.password!, resume: '/settings/sessions/revoke-others' })
    assert.equal(all.headers.get('location'), '/account/settings?notice=other_sessions_revoked#sessions', 'one submit, the password, done')
    assert.equal(await sigra.sessions.validate(two.token), null)
    assert.ok(await sigra.sessions.validate(b.token()))
    assert.equal((await sigra.sessions.validate(b.token()))?.session.id, fixture.session.id, 'this device stays, renewed')
  })

  test('delete account (sudo, asked in place): explains the grace period, schedules, logs out and shows the date; logging in again offers to keep it', async () => {
    const { sigra, clock } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const explained = (await page(await b.get('/account/delete'))).main
    assert.ok(explained.includes('Your account is deleted for good after 14 days.'))
    assert.ok(explained.includes('data-confirm='))
    const prompt = await assertSudoPrompt(await b.post('/account/delete'), 'delete your account', '/delete')
    assert.ok(!prompt.includes('data-confirm='), 'the question was asked before the first submit: not again')
    assert.equal((await userRow(sigra, fixture.email))?.delete_at, null, 'nothing scheduled before the password')
    const scheduled = await b.post('/account/sudo', { password: fixture.password!, resume: '/delete' })
    assert.equal(scheduled.status, 303)
    const day = new Date(clock().getTime() + 14 * 86_400_000).toISOString().slice(0, 10)
    assert.equal(scheduled.headers.get('location'), `/account/log-in?notice=deletion_scheduled&on=${day}`)
    assert.equal(b.token(), null, 'logged out')
    const shown = (await page(await b.get(scheduled.headers.get('location')!))).main
    assert.ok(shown.includes('Your account is scheduled for deletion and you were logged out.'))
    assert.match(shown, /Your account will be deleted on <strong>\d{1,2} \w+ \d{4}<\/strong>/)

    assert.equal((await b.post('/account/log-in', { login: fixture.email, password: fixture.password! })).status, 303)
    const banner = (await page(await b.get('/account/settings'))).main
    assert.ok(banner.includes('Your account is scheduled for deletion on'))
    assert.ok(!banner.includes('action="/account/settings/email"'), 'no email change offered while scheduled')
    assert.ok(!banner.includes('href="/account/delete"'), 'nor a second deletion')
    const kept = await b.post('/account/reactivate')
    assert.equal(kept.headers.get('location'), '/account/settings?notice=deletion_cancelled')
    const after = (await page(await b.get('/account/settings?notice=deletion_cancelled'))).main
    assert.ok(after.includes('Welcome back! Your account will not be deleted.'))
    assert.ok(!after.includes('scheduled for deletion on'))
    assert.equal((await userRow(sigra, fixture.email))?.delete_at, null)
  })

  test('data export (sudo, asked in place) downloads a JSON file right after the password', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    await assertSudoPrompt(await b.post('/account/export'), 'download your data', '/export')
    const res = await b.post('/account/sudo', { password: fixture.password!, resume: '/export' })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.match(res.headers.get('content-disposition')!, /^attachment; filename="account-data-\d{4}-\d{2}-\d{2}\.json"$/)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const data = (await res.json()) as { format: string; profile: { email: string } }
    assert.equal(data.format, 'sigra.user-export.v1')
    assert.equal(data.profile.email, fixture.email)
  })

  test('a session token in the URL is never accepted', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const res = await browser(sigra).get(`/account/settings?token=${encodeURIComponent(fixture.token)}&sigra_session=${encodeURIComponent(fixture.token)}`)
    assert.equal(res.status, 303)
    assert.match(res.headers.get('location')!, /^\/account\/log-in\?notice=log_in_first&return_to=/)
  })
})
