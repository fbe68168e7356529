import assert from 'node:assert/strict'
import { test } from 'node:test'
import { base32Decode, mfa } from 'sigra/mfa'
import { createConfirmedUser, type Fixture, type TestClock } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'
import { codeFor, enrolledUser, type MfaSigra } from './support/mfa-helpers.ts'
import { browser, page } from './support/web-browser.ts'

// The MFA pages without a browser: the challenge, enrolment, turning off, new backup codes and
// forgetting a device, through `sigra.handler` with a cookie-keeping page client on a frozen clock.

const WRONG_CODE = 'That code is not right. Enter the code your app shows now, or a backup code you have not used.'
const ONE_FIELD = 'One field needs attention: see the message next to it.'
const PAUSED = 'Too many wrong codes: two-factor sign-in is paused for this account. Try again in 15 minutes.'

/** Every `<input>` of the markup has a `<label for>` or is hidden/in a label (as in web-pages.test.ts). */
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

/** The strict headers every page keeps (as in web-pages.test.ts). */
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

/** A page answer: its status, strict headers, labelled inputs, no inline style or handler; its markup. */
async function rendered(res: Response, status: number, what: string): Promise<{ html: string; main: string }> {
  assert.equal(res.status, status, what)
  assertPageHeaders(res)
  const body = await page(res)
  assertLabelled(body.main)
  assert.doesNotMatch(body.html, /\sstyle="/, `${what}: no inline style (the CSP would block it)`)
  assert.doesNotMatch(body.html, /\son[a-z]+="/, `${what}: no inline handler`)
  return body
}

/** A code field's message: in its field, before its input, which is invalid and described by it; said once. */
function assertFieldMessage(main: string, id: string, text: string): void {
  const issue = `<p class="issue" id="${id}-issue">${text}</p>`
  const at = main.indexOf(issue)
  assert.ok(at >= 0, `#${id}: ${issue}`)
  const input = main.indexOf(`<input id="${id}"`)
  assert.ok(main.lastIndexOf('<div class="field">', input) < at && at < input, `#${id}: the message sits in its field, before the input`)
  assert.match(main.slice(input, main.indexOf('>', input)), new RegExp(`aria-invalid="true" aria-describedby="${id}-issue"`))
  assert.equal(main.split(text).length - 1, 1, `“${text}” is shown once`)
  assert.ok(main.includes(`<div class="flash error" role="alert" tabindex="-1" autofocus><p>${ONE_FIELD}</p></div>`), 'the summary points to the field')
}

/** Six digits that match none of the steps the server accepts around the clock's now. */
function wrongCode(key: Uint8Array, clock: TestClock): string {
  const near = new Set([-1, 0, 1].map((offset) => codeFor(key, clock, offset)))
  return ['000000', '111111', '222222', '333333'].find((code) => !near.has(code))!
}

/** Every Set-Cookie of a response, by name (value, and the whole header). */
function setCookies(res: Response): Record<string, { value: string; header: string }> {
  const out: Record<string, { value: string; header: string }> = {}
  for (const header of res.headers.getSetCookie()) {
    const [pair = ''] = header.split(';')
    const eq = pair.indexOf('=')
    out[pair.slice(0, eq)] = { value: pair.slice(eq + 1), header }
  }
  return out
}

/** The hidden inputs of a form in the markup, by name. */
function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"')
  return out
}

/** The “Two-factor authentication” section of the settings page. */
async function settingsSection(b: ReturnType<typeof browser>): Promise<string> {
  const res = await b.get('/account/settings')
  const { main } = await rendered(res, 200, 'settings')
  const start = main.indexOf('<section class="card" id="mfa"')
  assert.ok(start >= 0, 'the settings page has the two-factor section')
  return main.slice(start, main.indexOf('</section>', start))
}

describeEachBackend('mfa pages', (env) => {
  const withMfa = async () => {
    const made = await env().makeSigra({ features: [mfa({ issuer: 'Acme' })] })
    return made as { sigra: MfaSigra; clock: TestClock }
  }

  /** Logs in with the password: answers the session token held at the `mfa` step. */
  const heldAtMfa = async (sigra: MfaSigra, user: Fixture, trustToken?: string): Promise<string> => {
    const login = await sigra.auth.logIn({ login: user.email, password: user.password!, ...(trustToken ? { trustToken } : {}) })
    assert.ok(login.ok && login.mfaRequired, 'the password alone holds the session at the second factor')
    return login.token
  }

  /** A signed-in session that passed the challenge (so not sudo-fresh): its token. */
  const signedIn = async (sigra: MfaSigra, clock: TestClock, user: Fixture & { key: Uint8Array }): Promise<string> => {
    const passed = await sigra.mfa.verify(await heldAtMfa(sigra, user), { code: codeFor(user.key, clock) })
    assert.ok(passed.ok)
    clock.advance(30) // the next code is a new step's
    return passed.token
  }

  /** Answers the in-place password prompt (`prompt`: its markup) with the password: the action resumes. */
  const confirmPassword = (b: ReturnType<typeof browser>, prompt: string, password: string) => b.post('/account/sudo', { ...hiddenFields(prompt), password })

  test('the challenge: 200 for a held session; a wrong code re-renders 400 with the message at the field; the right one renews the session and, ticked, trusts the device', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const held = await heldAtMfa(sigra, user)
    const b = browser(sigra, { token: held })

    const { main } = await rendered(await b.get('/account/mfa/challenge'), 200, 'the challenge')
    assert.ok(main.includes('<h1>Two-factor authentication</h1>'))
    assert.ok(main.includes('<form class="card" method="post" action="/account/mfa/challenge" novalidate>'))
    assert.ok(main.includes('<label for="code">Code</label>'), 'the code field is labelled “Code”')
    assert.match(main, /<input id="code" name="code" type="text" autocomplete="one-time-code" value="" required autofocus inputmode="numeric" maxlength="8">/)
    assert.ok(main.includes(`<label class="check"><input type="checkbox" name="trust_device" value="on" aria-describedby="trust-device-hint"> Don't ask again on this device for 30 days</label>`), 'the trust box, in its label')
    assert.ok(main.includes('<span class="hint" id="trust-device-hint">'), 'the checkbox is described by its hint')
    assert.ok(main.includes('<a href="/account/mfa/challenge?backup=1">Use a backup code instead</a>'))
    assert.ok(main.includes('action="/account/log-out"'), 'a way out')
    const backup = await rendered(await b.get('/account/mfa/challenge?backup=1'), 200, 'the backup code challenge')
    assert.ok(backup.main.includes('<label for="backup-code">Backup code</label>'))
    assert.match(backup.main, /<input id="backup-code" name="backup_code"[^>]* autofocus/)
    assert.ok(!backup.main.includes('id="code"'), 'one field at a time')

    const wrong = await rendered(await b.post('/account/mfa/challenge', { code: wrongCode(user.key, clock), trust_device: 'on' }), 400, 'a wrong code')
    assertFieldMessage(wrong.main, 'code', WRONG_CODE)
    assert.match(wrong.main, /name="trust_device" value="on"[^>]* checked>/, 'the ticked box stays ticked')
    const wrongBackup = await rendered(await b.post('/account/mfa/challenge', { backup_code: 'aaaaa-bbbbb' }), 400, 'a wrong backup code')
    assertFieldMessage(wrongBackup.main, 'backup-code', WRONG_CODE)
    const empty = await rendered(await b.post('/account/mfa/challenge', { code: '' }), 400, 'no code')
    assert.ok(empty.main.includes('<p class="issue" id="code-issue">'), 'an empty code is said at the field too')
    assert.equal(b.token(), held, 'still held')

    const right = await b.post('/account/mfa/challenge', { code: codeFor(user.key, clock), trust_device: 'on' })
    assert.equal(right.status, 303)
    assert.equal(right.headers.get('location'), '/account/settings')
    const set = setCookies(right)
    assert.ok(set.sigra_session && set.sigra_session.value !== held, 'a renewed sigra_session cookie')
    assert.ok(set.sigra_trust, 'the box was ticked: a sigra_trust cookie')
    assert.match(set.sigra_trust.header, /; HttpOnly/)
    assert.match(set.sigra_trust.header, /; Expires=/)
    assert.equal((await b.get('/account/settings')).status, 200, 'the renewed session is signed in')
    const stale = await browser(sigra, { token: held }).get('/account/settings')
    assert.equal(stale.status, 303)
    assert.match(stale.headers.get('location') ?? '', /^\/account\/log-in\?/, 'the held token stopped working')

    // The trust cookie: the next log-in from that browser skips the challenge.
    const trusted = await browser(sigra).post('/account/log-in', { login: user.email, password: user.password! }, { cookie: `sigra_trust=${set.sigra_trust.value}` })
    assert.equal(trusted.status, 303)
    assert.equal(trusted.headers.get('location'), '/account/settings')
    // Not ticked: no trust cookie.
    clock.advance(30)
    const untrusted = browser(sigra, { token: await heldAtMfa(sigra, user) })
    const passed = await untrusted.post('/account/mfa/challenge', { code: codeFor(user.key, clock) })
    assert.equal(passed.status, 303)
    assert.ok(setCookies(passed).sigra_session, 'renewed')
    assert.equal(setCookies(passed).sigra_trust, undefined, 'no trust cookie unless asked')
  })

  test('the challenge locks after five wrong codes: the fifth answer says sign-in is paused, and the right code is refused while locked', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const b = browser(sigra, { token: await heldAtMfa(sigra, user) })
    const wrong = wrongCode(user.key, clock)
    for (let i = 1; i <= 4; i++) assertFieldMessage((await rendered(await b.post('/account/mfa/challenge', { code: wrong }), 400, `wrong code ${i}`)).main, 'code', WRONG_CODE)
    const locked = await rendered(await b.post('/account/mfa/challenge', { code: wrong }), 423, 'the fifth wrong code')
    assert.ok(locked.main.includes(`<div class="flash error" role="alert" tabindex="-1" autofocus><p>${PAUSED}</p></div>`), locked.main)
    assert.ok(!locked.main.includes('aria-invalid'), 'not a field problem')
    const right = await rendered(await b.post('/account/mfa/challenge', { code: codeFor(user.key, clock) }), 423, 'the right code while locked')
    assert.ok(right.main.includes('two-factor sign-in is paused'))
    clock.advance(15 * 60 + 30)
    assert.equal((await b.post('/account/mfa/challenge', { code: codeFor(user.key, clock) })).status, 303, 'after the lock, the right code passes')
  })

  test('a session held at mfa opening settings, enrolment or sudo is sent to the challenge (303)', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const b = browser(sigra, { token: await heldAtMfa(sigra, user) })
    for (const path of ['/account/settings', '/account/mfa/enroll', '/account/sudo', '/account/mfa/disable']) {
      const res = await b.get(path)
      assert.equal(res.status, 303, path)
      assert.equal(res.headers.get('location'), '/account/mfa/challenge', path)
    }
    for (const path of ['/account/mfa/enroll', '/account/sudo', '/account/mfa/backup-codes']) {
      const res = await b.post(path, { action: 'start', password: user.password! })
      assert.equal(res.status, 303, `POST ${path}`)
      assert.equal(res.headers.get('location'), '/account/mfa/challenge', `POST ${path}`)
    }
  })

  test('enrolment through the pages: Start meets the password prompt in place (403, naming the action); after it the QR code and key; a first code turns MFA on and shows the backup codes', async () => {
    const { sigra, clock } = await withMfa()
    const user = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: user.token })
    const off = await settingsSection(b)
    assert.ok(off.includes('<p>Off. '), off)
    assert.ok(off.includes('<a class="button" href="/account/mfa/enroll">Set up two-factor authentication</a>'))

    const intro = await rendered(await b.get('/account/mfa/enroll'), 200, 'the enrolment intro')
    assert.ok(intro.main.includes('<h1>Set up two-factor authentication</h1>'))
    assert.ok(intro.main.includes('<input type="hidden" name="action" value="start">'))
    assert.ok(intro.main.includes('<button type="submit">Start</button>'))

    const prompt = await rendered(await b.post('/account/mfa/enroll', { action: 'start' }), 403, 'Start without sudo')
    assert.ok(prompt.main.includes('<h1>Confirm it is you to set up two-factor authentication</h1>'), prompt.main)
    assert.ok(prompt.main.includes('<label for="password">Password</label>'))
    assert.deepEqual(hiddenFields(prompt.main), { resume: '/mfa/enroll', 'resume.action': 'start' }, 'the prompt carries the action, nothing else')

    const wrongPassword = await rendered(await confirmPassword(b, prompt.main, 'not the password at all'), 401, 'a wrong password')
    assert.ok(wrongPassword.main.includes('<h1>Confirm it is you to set up two-factor authentication</h1>'), 'the prompt again')
    const scan = await rendered(await confirmPassword(b, prompt.main, user.password!), 200, 'the QR code page (resumed after the password)')
    assert.ok(scan.main.includes('<h1>Scan the code</h1>'))
    assert.match(scan.main, /<figure class="qr" role="img" aria-label="QR code of the setup key"><svg width="240" height="240" xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="[^"]+">/)
    const shown = /<code class="key" id="setup-key">([A-Z2-7 ]+)<\/code>/.exec(scan.main)?.[1]
    assert.ok(shown, 'the key is shown')
    assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{4})+$/, 'in groups of four')
    const key = base32Decode(shown)!
    assert.equal(key.length, 20)
    assert.ok(scan.main.includes('<label for="code">Code</label>'))
    assert.match(scan.main, /<input id="code" name="code"[^>]* autocomplete="one-time-code"[^>]* autofocus/)
    assert.ok(scan.main.includes('<input type="hidden" name="action" value="confirm">'))

    const wrong = await rendered(await b.post('/account/mfa/enroll', { action: 'confirm', code: wrongCode(key, clock) }), 400, 'a wrong first code')
    assert.ok(wrong.main.includes('<h1>That code did not match</h1>'))
    assertFieldMessage(wrong.main, 'code', WRONG_CODE)

    const on = await rendered(await b.post('/account/mfa/enroll', { action: 'confirm', code: codeFor(key, clock) }), 200, 'the right first code')
    assert.ok(on.main.includes('<h1>Two-factor authentication is on</h1>'))
    const codes = [...on.main.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
    assert.ok(on.main.includes('<ol class="backup-codes" id="backup-codes">'))
    assert.equal(codes.length, 10)
    assert.equal(new Set(codes).size, 10)
    assert.ok(on.main.includes('download="backup-codes.txt"'), 'a download of the same codes')
    assert.ok(on.main.includes('<a href="/account/settings#mfa">I have saved them: back to settings</a>'))
    assert.equal((await sigra.mail.outbox({ to: user.email })).at(-1)?.subject, 'Two-factor authentication is on for your Acme account')

    const section = await settingsSection(b)
    assert.match(section, /<p>On since <time datetime="[^"]+">[^<]+<\/time>\. Signing in asks for a code/, section)
    assert.ok(section.includes('10 backup codes left.'))
    assert.ok(section.includes('No device skips the code.'))
    assert.ok(section.includes('<form method="post" action="/account/mfa/backup-codes" class="actions" data-confirm='))
    assert.ok(section.includes('<a class="button secondary" href="/account/mfa/disable">Turn off</a>'))
    assert.equal((await sigra.mfa.status(user.user)).enabled, true)
  })

  test('turning off: needs the password (the code is carried through the prompt) and a right code; then the section says Off', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const b = browser(sigra, { token: await signedIn(sigra, clock, user) })
    const form = await rendered(await b.get('/account/mfa/disable'), 200, 'the turn-off page')
    assert.ok(form.main.includes('<h1>Turn off two-factor authentication</h1>'))
    assert.ok(form.main.includes('<label for="code">Code</label>'))
    assert.ok(form.main.includes('<a href="/account/mfa/disable?backup=1">Use a backup code instead</a>'))
    assert.ok((await rendered(await b.get('/account/mfa/disable?backup=1'), 200, 'with a backup code')).main.includes('<label for="backup-code">Backup code</label>'))

    const typo = wrongCode(user.key, clock)
    const prompt = await rendered(await b.post('/account/mfa/disable', { code: typo }), 403, 'without sudo')
    assert.ok(prompt.main.includes('<h1>Confirm it is you to turn off two-factor authentication</h1>'))
    assert.equal(hiddenFields(prompt.main)['resume.code'], typo, 'the code travels with the prompt')
    const wrong = await rendered(await confirmPassword(b, prompt.main, user.password!), 400, 'a wrong code after the password')
    assertFieldMessage(wrong.main, 'code', WRONG_CODE)
    assert.equal((await sigra.mfa.status(user.user)).enabled, true, 'still on')

    const done = await b.post('/account/mfa/disable', { code: codeFor(user.key, clock) })
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings#mfa')
    assert.match(setCookies(done).sigra_trust?.header ?? '', /Max-Age=0/, 'the trust cookie is cleared')
    const section = await settingsSection(b)
    assert.ok(section.includes('<p>Off. '), section)
    assert.equal((await sigra.mfa.status(user.user)).enabled, false)
    assert.equal((await sigra.mail.outbox({ to: user.email })).at(-1)?.subject, 'Two-factor authentication is off for your Acme account')
  })

  test('new backup codes: behind the password prompt, ten new codes; the old ones stop working', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const b = browser(sigra, { token: await signedIn(sigra, clock, user) })
    const prompt = await rendered(await b.post('/account/mfa/backup-codes'), 403, 'without sudo')
    assert.ok(prompt.main.includes('<h1>Confirm it is you to create new backup codes</h1>'))
    const fresh = await rendered(await confirmPassword(b, prompt.main, user.password!), 200, 'after the password')
    assert.ok(fresh.main.includes('<h1>New backup codes</h1>'))
    const codes = [...fresh.main.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
    assert.equal(codes.length, 10)
    assert.equal(codes.filter((code) => user.backupCodes.includes(code)).length, 0, 'all new')
    // Sudo is fresh now: a second set without the prompt.
    assert.equal((await b.post('/account/mfa/backup-codes')).status, 200)
    assert.ok((await settingsSection(b)).includes('10 backup codes left.'))

    const challenge = browser(sigra, { token: await heldAtMfa(sigra, user) })
    const old = await rendered(await challenge.post('/account/mfa/challenge', { backup_code: user.backupCodes[0]! }), 400, 'an old backup code')
    assertFieldMessage(old.main, 'backup-code', WRONG_CODE)
  })

  test('forget a trusted device: the settings form removes it, and that browser is asked for a code again; another account’s device id removes nothing', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const b = browser(sigra, { token: await heldAtMfa(sigra, user) })
    const passed = await b.post('/account/mfa/challenge', { code: codeFor(user.key, clock), trust_device: 'on' })
    assert.equal(passed.status, 303)
    const trust = setCookies(passed).sigra_trust!.value
    clock.advance(30)
    const [device] = await sigra.mfa.trustedDevices(user.user)
    assert.ok(device)
    const listed = await settingsSection(b)
    assert.ok(listed.includes('<form method="post" action="/account/mfa/trusted-devices/forget">'), listed)
    assert.ok(listed.includes(`<input type="hidden" name="device_id" value="${device.id}">`))
    assert.match(listed, /<button type="submit" class="secondary" aria-label="Forget [^"]+">Forget<\/button>/)

    // Someone else's forget form with this device's id: nothing happens to it.
    const other = await enrolledUser(sigra, clock)
    const stranger = browser(sigra, { token: await signedIn(sigra, clock, other) })
    assert.equal((await stranger.post('/account/mfa/trusted-devices/forget', { device_id: device.id })).status, 303)
    assert.equal((await sigra.mfa.trustedDevices(user.user)).length, 1, 'another account cannot forget it')

    const forgot = await b.post('/account/mfa/trusted-devices/forget', { device_id: device.id })
    assert.equal(forgot.status, 303)
    assert.equal(forgot.headers.get('location'), '/account/settings#mfa')
    assert.ok((await settingsSection(b)).includes('No device skips the code.'))
    assert.deepEqual(await sigra.mfa.trustedDevices(user.user), [])
    const again = await browser(sigra).post('/account/log-in', { login: user.email, password: user.password! }, { cookie: `sigra_trust=${trust}` })
    assert.equal(again.status, 303)
    const held = browser(sigra, { token: setCookies(again).sigra_session!.value })
    const settings = await held.get('/account/settings')
    assert.equal(settings.status, 303)
    assert.equal(settings.headers.get('location'), '/account/mfa/challenge', 'the forgotten device is asked for a code again')
  })
})
