import { Script } from 'node:vm'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { createConfirmedUser, grantSudo, latestMail } from 'sigra/testing'
import { ERROR_STATUS } from '../src/http/error-status.ts'
import { hasErrorMessage } from '../src/web/error-messages.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { notes } from './support/features/notes-feature.ts'
import { browser, inputValue, page } from './support/web-browser.ts'

const PUBLIC_PAGES: Array<{ path: string; action: string; fields: string[] }> = [
  { path: '/account/sign-up', action: '/account/sign-up', fields: ['email', 'username', 'password'] },
  { path: '/account/log-in', action: '/account/log-in', fields: ['login', 'password', 'remember_me', 'return_to'] },
  { path: '/account/forgot-password', action: '/account/forgot-password', fields: ['email'] },
  { path: '/account/confirm?token=<confirm>', action: '/account/confirm', fields: ['token'] },
  { path: '/account/reset-password?token=<reset>', action: '/account/reset-password', fields: ['token', 'password'] },
  { path: '/account/confirm-email-change?token=<change>', action: '/account/confirm-email-change', fields: ['token'] },
]

const SIGNED_IN_PAGES: Array<{ path: string; actions: string[] }> = [
  {
    path: '/account/settings',
    actions: ['/account/settings/email', '/account/settings/password', '/account/settings/sessions/revoke', '/account/settings/sessions/revoke-others', '/account/export', '/account/log-out'],
  },
  { path: '/account/sudo', actions: ['/account/sudo'] },
  { path: '/account/delete', actions: ['/account/delete'] },
]

const TOKEN_PAGES = ['/account/confirm?token=abc', '/account/reset-password?token=abc', '/account/confirm-email-change?token=abc']
const UNSAFE_RETURNS = ['//evil.com', 'https://evil.com', '/\\evil.com', 'javascript:alert(1)', '/\t/evil.com', 'http:/evil.com', '', '   /settings']

/** Every `<input>` and `<select>` of the markup has a `<label for>` or is hidden/in a label. */
function assertLabelled(html: string): void {
  for (const match of html.matchAll(/<input([^>]*)>/g)) {
    const attrs = match[1]!
    if (/type="hidden"/.test(attrs)) continue
    if (/type="checkbox"/.test(attrs)) continue // wrapped in its <label class="check">
    const id = /id="([^"]+)"/.exec(attrs)?.[1]
    assert.ok(id, `input without id: ${match[0]}`)
    assert.ok(html.includes(`<label for="${id}">`), `input #${id} has a label`)
  }
}

/**
 * Each field's message is shown once, inside its field and before its input (the page script puts
 * “Show password” right after a password input, so the message stays next to the field, above it).
 */
function assertFieldMessages(main: string, expected: Record<string, string>): void {
  for (const [id, text] of Object.entries(expected)) {
    const issue = `<p class="issue" id="${id}-issue">${text}</p>`
    assert.equal(main.split(text).length - 1, 1, `“${text}” appears once`)
    const at = main.indexOf(issue)
    assert.ok(at >= 0, `${id}: ${issue}`)
    const input = main.indexOf(`<input id="${id}"`)
    const field = main.lastIndexOf('<div class="field">', input)
    assert.ok(field >= 0 && field < at && at < input, `${id}: the message sits in its field, before the input`)
  }
  assert.ok(main.includes('<div class="flash error" role="alert" tabindex="-1" autofocus>'), 'the summary at the top stays')
}

function assertPageHeaders(res: Response): void {
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8')
  assert.equal(res.headers.get('cache-control'), 'no-store')
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  assert.equal(res.headers.get('x-frame-options'), 'DENY')
  const csp = res.headers.get('content-security-policy') ?? ''
  assert.match(csp, /default-src 'none'/)
  assert.match(csp, /frame-ancestors 'none'/)
  assert.match(csp, /form-action 'self'/)
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/)
}

describeEachBackend('web pages', (env) => {
  test('every public page renders 200 with its semantic form, labels, a skip link and strict headers', async () => {
    const { sigra } = env()
    const b = browser(sigra)
    // The link pages show their form only for a live token.
    const email = uniqueEmail('public')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const confirm = (await latestMail(sigra, email)).token!
    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const reset = (await latestMail(sigra, email)).token!
    const mover = await createConfirmedUser(sigra, { sudo: true })
    const change = await sigra.account.requestEmailChange(mover.user, uniqueEmail('public-new'), { session: mover.session })
    assert.ok(change.ok)
    const tokens: Record<string, string> = { '<confirm>': confirm, '<reset>': reset, '<change>': change.token }
    for (const spec of PUBLIC_PAGES) {
      const res = await b.get(spec.path.replace(/<[a-z]+>/, (name) => encodeURIComponent(tokens[name]!)))
      assert.equal(res.status, 200, spec.path)
      assertPageHeaders(res)
      const { html, main } = await page(res)
      assert.match(html, /^<!doctype html>\n<html lang="en">/)
      assert.ok(html.includes('<a class="skip" href="#main">Skip to content</a>'), `${spec.path}: skip link`)
      assert.ok(html.includes('<main id="main"'), `${spec.path}: main landmark`)
      assert.ok(html.includes('<meta name="viewport" content="width=device-width, initial-scale=1">'))
      assert.ok(main.includes(`<form class="card" method="post" action="${spec.action}"`), `${spec.path}: posts to ${spec.action}`)
      for (const field of spec.fields) assert.ok(main.includes(`name="${field}"`), `${spec.path}: field ${field}`)
      assert.ok(/<button type="submit"[^>]*>/.test(main), `${spec.path}: a submit button`)
      assertLabelled(main)
    }
  })

  test('signed-in pages render 200 with their forms; without a session they redirect to log in with return_to', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const other = await sigra.auth.logIn({ login: fixture.email, password: fixture.password!, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile/15E148 Safari/604.1' })
    assert.ok(other.ok)
    const b = browser(sigra, { token: fixture.token })
    for (const spec of SIGNED_IN_PAGES) {
      const res = await b.get(spec.path)
      assert.equal(res.status, 200, spec.path)
      assertPageHeaders(res)
      const { html } = await page(res)
      for (const action of spec.actions) assert.ok(html.includes(`action="${action}"`), `${spec.path}: form posting to ${action}`)
      assertLabelled(html)
    }
    const settings = (await page(await b.get('/account/settings'))).main
    assert.ok(settings.includes('<span class="tag">This device</span>'))
    assert.ok(settings.includes('Safari on iPhone'), 'the other device is listed by label')
    assert.ok(settings.includes(`name="session_id" value="${other.session.id}"`), 'the other device has a revoke button')
    assert.ok(!settings.includes(`name="session_id" value="${fixture.session.id}"`), 'this device is not revoked from the list')
    assert.match(settings, /IP \d+\.\d+\.\d+\.\d+/)

    const anonymous = browser(sigra)
    for (const spec of SIGNED_IN_PAGES) {
      const res = await anonymous.get(`${spec.path}?x=1`)
      assert.equal(res.status, 303, spec.path)
      assert.equal(res.headers.get('location'), `/account/log-in?notice=log_in_first&return_to=${encodeURIComponent(`${spec.path}?x=1`)}`)
    }
    const refused = await anonymous.post('/account/settings/password', { current: fixture.password!, password: 'whatever it is here' })
    assert.equal(refused.status, 303, 'a form post without a session')
    assert.equal(refused.headers.get('location'), '/account/log-in?notice=log_in_first')
  })

  test('pages whose URL carries a token send no Referer; the others stay same-origin', async () => {
    const { sigra } = await env().makeSigra({ http: { devMailbox: true } })
    const b = browser(sigra)
    for (const path of TOKEN_PAGES) assert.equal((await b.get(path)).headers.get('referrer-policy'), 'no-referrer', path)
    assert.equal((await b.get('/dev/mailbox')).headers.get('referrer-policy'), 'no-referrer', 'the mailbox shows live links')
    assert.equal((await b.get('/account/log-in')).headers.get('referrer-policy'), 'same-origin')
    const html = await (await b.get(TOKEN_PAGES[0]!)).text()
    assert.ok(!/<meta name="referrer"/.test(html), 'no meta tag weakens the header')
    assert.ok(!html.includes('action="/account/confirm?'), 'the token never goes into the form URL')
  })

  test('the Content-Security-Policy hashes match the one inline stylesheet and script; no inline styles or handlers', async () => {
    const { sigra } = env()
    const res = await browser(sigra).get('/account/sign-up')
    const csp = res.headers.get('content-security-policy')!
    const html = await res.text()
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!)
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)
    assert.equal(styles.length, 1)
    assert.equal(scripts.length, 1)
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`
    assert.ok(csp.includes(`style-src ${hash(styles[0]!)}`), 'style hash')
    assert.ok(csp.includes(`script-src ${hash(scripts[0]!)}`), 'script hash')
    assert.doesNotThrow(() => new Script(scripts[0]!), 'the inline script parses (a raw line break in one of its strings once broke every page)')
    assert.doesNotMatch(html, /\sstyle="/)
    assert.doesNotMatch(html, /\son[a-z]+="/)
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\/[^"]/, 'no external assets')
  })

  test('unsafe return_to values fall back to the settings page; a local path is kept', async () => {
    const { sigra } = env()
    const { email, password } = await createConfirmedUser(sigra)
    for (const value of UNSAFE_RETURNS) {
      const b = browser(sigra)
      const form = await (await b.get(`/account/log-in?return_to=${encodeURIComponent(value)}`)).text()
      assert.equal(inputValue(form, 'return_to'), '/account/settings', `GET with ${JSON.stringify(value)}`)
      const res = await b.post('/account/log-in', { login: email, password: password!, return_to: value })
      assert.equal(res.status, 303)
      assert.equal(res.headers.get('location'), '/account/settings', `POST with ${JSON.stringify(value)}`)
      const signedIn = browser(sigra, { token: b.token()! })
      assert.equal(inputValue(await (await signedIn.get(`/account/sudo?return_to=${encodeURIComponent(value)}`)).text(), 'return_to'), '/account/settings', `sudo with ${JSON.stringify(value)}`)
      assert.equal((await signedIn.get(`/account/log-in?return_to=${encodeURIComponent(value)}`)).headers.get('location'), '/account/settings', 'signed in: redirected, safely')
    }
    const b = browser(sigra)
    const res = await b.post('/account/log-in', { login: email, password: password!, return_to: '/account/settings?tab=1#sessions' })
    assert.equal(res.headers.get('location'), '/account/settings?tab=1#sessions')
    const loop = await browser(sigra, { token: b.token()! }).get('/account/log-in?return_to=/account/log-in')
    assert.equal(loop.headers.get('location'), '/account/settings', 'never back to the login page itself')
  })

  test('HTML escaping: user data, form values, notices, return_to and the app name cannot inject markup', async () => {
    const { sigra: base } = env()
    const { sigra } = await env().makeSigra({ appName: 'Acme <b>"Corp"</b>' })
    const email = `o'brien&co-${Date.now()}@example.com`
    const fixture = await createConfirmedUser(sigra, { email })
    const b = browser(sigra, { token: fixture.token })
    const settings = await (await b.get('/account/settings?notice=<script>alert(1)</script>')).text()
    assert.ok(settings.includes('o&#39;brien&amp;co-'), 'the address is escaped')
    assert.ok(!settings.includes("o'brien&co"), 'never raw')
    assert.ok(settings.includes('Acme &lt;b&gt;&quot;Corp&quot;&lt;/b&gt;'), 'the app name is escaped')
    assert.ok(!settings.includes('<script>alert(1)'), 'an unknown notice is not reflected')
    assert.ok(!settings.includes('<b>"Corp"'))

    const anon = browser(base)
    const evil = '"><script>alert(1)</script>'
    const signUp = await anon.post('/account/sign-up', { email: evil, password: GOOD_PASSWORD })
    assert.equal(signUp.status, 400)
    const signUpHtml = await signUp.text()
    assert.ok(!signUpHtml.includes('<script>alert(1)'), 'the typed value is escaped')
    assert.ok(signUpHtml.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'), 'and kept in the field')
    assert.ok(signUpHtml.includes('Enter a valid email address'), 'with the issue next to the field')
    const login = await (await anon.get(`/account/log-in?return_to=${encodeURIComponent('/x"><script>alert(1)</script>')}`)).text()
    assert.ok(!login.includes('<script>alert(1)'))
    const notice = await (await anon.get('/account/log-in?notice=logged_out')).text()
    assert.ok(notice.includes('<div class="flash ok" role="status"><p>You are logged out.</p></div>'), 'a known notice shows its fixed sentence')
    const forged = await (await anon.get('/account/log-in?notice=deletion_scheduled&on=<b>soon</b>')).text()
    assert.ok(!forged.includes('<b>soon'), 'only an exact date is shown')
    assert.ok(!forged.includes('will be deleted on'))
  })

  test('the dev mailbox is off unless asked for: it shows every mail, reset links included', async () => {
    const { sigra } = env()
    assert.equal((await browser(sigra).get('/dev/mailbox')).status, 404)
    assert.ok(!(await (await browser(sigra).get('/account/log-in')).text()).includes('/dev/mailbox'), 'and no link to it')
  })

  test('the dev mailbox lists the outbox newest first with subjects, recipients, status and clickable links', async () => {
    const { sigra } = await env().makeSigra({ http: { devMailbox: true } })
    const first = uniqueEmail('mbox-a')
    const second = uniqueEmail('mbox-b')
    assert.ok((await sigra.auth.register({ email: first, password: GOOD_PASSWORD })).ok)
    assert.ok((await sigra.auth.register({ email: second, password: GOOD_PASSWORD })).ok)
    const res = await browser(sigra).get('/dev/mailbox')
    assert.equal(res.status, 200)
    assertPageHeaders(res)
    const { main } = await page(res)
    assert.ok(main.indexOf(second) < main.indexOf(first), 'newest first')
    assert.ok(main.includes('Confirm your email for Acme'))
    assert.match(main, /<span class="status">(pending|sent)<\/span>/)
    assert.match(main, /<a href="http:\/\/localhost:3000\/account\/confirm\?token=[A-Za-z0-9_%-]+">/)
  })

  test('the dev mailbox is 404 when NODE_ENV=production (even if asked for), and pages can be turned off', async () => {
    const saved = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    let production
    try {
      production = await env().makeSigra({ http: { devMailbox: true } })
    } finally {
      if (saved === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = saved
    }
    const res = await browser(production.sigra).get('/dev/mailbox')
    assert.equal(res.status, 404)
    assert.ok(!(await res.text()).includes('Dev mailbox'))
    const home = await (await browser(production.sigra).get('/account/log-in')).text()
    assert.ok(!home.includes('/dev/mailbox'), 'no link to it either')

    const { sigra: noPages } = await env().makeSigra({ http: { pages: false } })
    assert.equal((await browser(noPages).get('/account/log-in')).status, 404)
  })

  test('banners: unconfirmed address (with resend), password change required, scheduled deletion (with cancel)', async () => {
    const { sigra } = env()
    const email = uniqueEmail('banner')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    const b = browser(sigra, { token: login.token })
    const unconfirmed = (await page(await b.get('/account/sudo'))).main
    assert.ok(unconfirmed.includes('Please confirm your email address'))
    assert.ok(unconfirmed.includes('action="/account/confirm/resend"'))

    const fixture = await createConfirmedUser(sigra)
    assert.ok((await sigra.account.requirePasswordChange(fixture.user)).ok)
    const forced = browser(sigra, { token: fixture.token })
    const settings = (await page(await forced.get('/account/settings'))).main
    assert.ok(settings.includes('You need to choose a new password'))
    assert.ok(settings.includes('You must choose a new password before continuing'))
    assert.ok(settings.includes('id="password"'), 'the password form is there')
    for (const other of ['id="email"', 'id="sessions"', 'id="data"']) assert.ok(!settings.includes(other), `nothing else while the change is required: ${other}`)
    assert.equal((await forced.get('/account/delete')).headers.get('location'), '/account/settings#password', 'other pages send the session to the step')

    const doomed = await createConfirmedUser(sigra, { sudo: true })
    assert.ok((await sigra.account.scheduleDeletion(doomed.user, { session: doomed.session })).ok)
    const back = await sigra.auth.logIn({ login: doomed.email, password: doomed.password! })
    assert.ok(back.ok)
    const scheduled = browser(sigra, { token: back.token })
    for (const path of ['/account/settings', '/account/sudo', '/account/delete']) {
      const { main } = await page(await scheduled.get(path))
      assert.ok(main.includes('Your account is scheduled for deletion on <time'), `${path}: banner`)
      assert.ok(main.includes('action="/account/reactivate"'), `${path}: cancel button`)
    }
  })

  test('pages follow a custom pagesPath, and so do their links', async () => {
    const { sigra } = await env().makeSigra({ pagesPath: '/me' })
    const res = await browser(sigra).get('/me/log-in')
    assert.equal(res.status, 200)
    const html = await res.text()
    assert.ok(html.includes('action="/me/log-in"'))
    assert.ok(html.includes('href="/me/forgot-password"'))
    assert.ok(html.includes('href="/me/sign-up"'))
    assert.equal((await browser(sigra).get('/account/log-in')).status, 404)
  })

  test('every error code of the HTTP table has a human sentence', () => {
    for (const code of Object.keys(ERROR_STATUS)) assert.ok(hasErrorMessage(code), code)
  })

  test('an account without a password sees "Set a password" instead of "Change password"', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { password: null })
    await grantSudo(sigra, fixture.session)
    const { main } = await page(await browser(sigra, { token: fixture.token }).get('/account/settings'))
    assert.ok(main.includes('<h2 id="password-title">Set a password</h2>'))
    assert.ok(main.includes('action="/account/settings/password/set"'))
    assert.ok(!main.includes('name="current"'))
  })

  test('every form with errors shows each field message once, next to its field and before the input', async () => {
    const { sigra } = env()
    const anonymous = browser(sigra)
    const signUp = (await page(await anonymous.post('/account/sign-up', { email: 'not an email', password: 'short' }))).main
    assertFieldMessages(signUp, { email: 'Enter a valid email address, like name@example.com.', password: 'Use at least 12 characters.' })
    const { sigra: open } = await env().makeSigra({ http: { hideEmailTaken: false } })
    const { email: taken } = await createConfirmedUser(open)
    const takenPage = (await page(await browser(open).post('/account/sign-up', { email: taken, password: GOOD_PASSWORD }))).main
    assertFieldMessages(takenPage, { email: 'That email address cannot be used. Choose another one.' })
    const logIn = (await page(await anonymous.post('/account/log-in', { login: '', password: '' }))).main
    assertFieldMessages(logIn, { login: 'Enter your email address or username.' })
    const forgot = (await page(await anonymous.post('/account/forgot-password', { email: 'nope' }))).main
    assertFieldMessages(forgot, { email: 'Enter a valid email address, like name@example.com.' })

    const fixture = await createConfirmedUser(sigra, { sudo: true })
    assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
    const reset = (await page(await anonymous.post('/account/reset-password', { token: (await latestMail(sigra, fixture.email)).token!, password: 'short' }))).main
    assertFieldMessages(reset, { password: 'Use at least 12 characters.' })

    const b = browser(sigra, { token: fixture.token })
    const sudo = (await page(await b.post('/account/sudo', { password: 'not my password at all' }))).main
    assertFieldMessages(sudo, { password: 'That password is not correct.' })
    const same = (await page(await b.post('/account/settings/email', { email: fixture.email }))).main
    assertFieldMessages(same, { 'new-email': 'That is already your email address.' })
    const current = (await page(await b.post('/account/settings/password', { current: 'not my current password', password: 'a fresh passphrase for the pages' }))).main
    assertFieldMessages(current, { 'current-password': 'Your current password is not correct.' })
    const reused = (await page(await b.post('/account/settings/password', { current: fixture.password!, password: fixture.password! }))).main
    assertFieldMessages(reused, { 'new-password': 'Choose a password different from your current one.' })
  })

  test('a signed-in visitor of the sign-up or log-in page is sent to the settings', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    for (const path of ['/account/sign-up', '/account/log-in']) {
      const res = await b.get(path)
      assert.equal(res.status, 303, path)
      assert.equal(res.headers.get('location'), '/account/settings', path)
    }
    assert.equal((await browser(sigra).get('/account/sign-up')).status, 200, 'signed out: the form')
  })

  test('"Signed-in devices" lists this device first', async () => {
    const { sigra, clock } = env()
    const fixture = await createConfirmedUser(sigra)
    for (let i = 0; i < 2; i++) {
      clock.advance(10)
      assert.ok((await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })).ok)
    }
    const { main } = await page(await browser(sigra, { token: fixture.token }).get('/account/settings'))
    const items = /<ul class="sessions">([\s\S]*?)<\/ul>/.exec(main)![1]!.split('<li>').slice(1)
    assert.equal(items.length, 3)
    assert.ok(items[0]!.includes('<span class="tag">This device</span>'), 'this device first')
    assert.ok(!items[1]!.includes('This device') && !items[2]!.includes('This device'))
  })

  test('"Delete account" is its own section, last on the settings page (after features), with a danger-styled link to the delete page', async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    const fixture = await createConfirmedUser(sigra)
    const { main } = await page(await browser(sigra, { token: fixture.token }).get('/account/settings'))
    const section = /<section class="card" id="delete" aria-labelledby="delete-title">([\s\S]*?)<\/section>/.exec(main)
    assert.ok(section, 'a section of its own')
    assert.ok(section[1]!.includes('<h2 id="delete-title">Delete account</h2>'))
    assert.ok(section[1]!.includes('<a class="button danger" href="/account/delete">Delete my account…</a>'))
    const ids = [...main.matchAll(/<section class="card" id="([a-z-]+)"/g)].map((m) => m[1])
    assert.equal(ids.at(-1), 'delete', `placed last: ${ids.join(', ')}`)
    assert.ok(ids.includes('notes'), "a feature's section comes before it")
    const data = /<section class="card" id="data"[\s\S]*?<\/section>/.exec(main)![0]
    assert.ok(!data.includes('/account/delete') && !data.includes('Delete'), '“Your data” is about the data only')
  })

  test('a browser asking for an unknown path outside the API gets the HTML 404 page; JSON clients and API paths keep JSON', async () => {
    const { sigra } = env()
    const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }
    for (const path of ['/no-such-page', '/robots.txt', '/accounts', '/authx/y']) {
      const res = await sigra.handler(new Request(`http://localhost:3000${path}`, { headers: html }))
      assert.equal(res.status, 404, path)
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path)
      assert.ok((await res.text()).includes('That was not found.'), path)
    }
    const json = await sigra.handler(new Request('http://localhost:3000/no-such-page', { headers: { accept: 'application/json' } }))
    assert.deepEqual([json.status, await json.json()], [404, { ok: false, error: 'not_found' }])
    for (const path of ['/auth', '/auth/no-such-route']) {
      const api = await sigra.handler(new Request(`http://localhost:3000${path}`, { headers: html }))
      assert.deepEqual([api.status, await api.json()], [404, { ok: false, error: 'not_found' }], `${path}: the API stays JSON`)
    }
    const { sigra: noPages } = await env().makeSigra({ http: { pages: false } })
    const off = await noPages.handler(new Request('http://localhost:3000/no-such-page', { headers: html }))
    assert.deepEqual([off.status, await off.json()], [404, { ok: false, error: 'not_found' }], 'without pages there is no HTML')
  })

  test('an unknown page path is an HTML 404 page for a browser, and the JSON code for everyone else', async () => {
    const { sigra } = env()
    const html = await sigra.handler(new Request('http://localhost:3000/account/no-such-page', { headers: { accept: 'text/html,application/xhtml+xml' } }))
    assert.equal(html.status, 404)
    assert.match(html.headers.get('content-type') ?? '', /text\/html/)
    assert.ok((await html.text()).includes('That was not found.'))
    const json = await sigra.handler(new Request('http://localhost:3000/account/no-such-page', { headers: { accept: 'application/json' } }))
    assert.equal(json.status, 404)
    assert.deepEqual(await json.json(), { ok: false, error: 'not_found' })
    const api = await sigra.handler(new Request('http://localhost:3000/auth/no-such-route', { headers: { accept: 'text/html' } }))
    assert.deepEqual([api.status, await api.json()], [404, { ok: false, error: 'not_found' }], 'the API stays JSON')
  })
})
