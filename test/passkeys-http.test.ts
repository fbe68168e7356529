import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { mfa } from 'sigra/mfa'
import { passkeys, PASSKEY_SCRIPT } from 'sigra/passkeys'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'
import { codeFor, enrolledUser } from './support/mfa-helpers.ts'
import { b64url } from './support/passkey-authenticator.ts'
import { addPasskey, authenticator } from './support/passkey-helpers.ts'
import { body, client, dataAttribute, type Client } from './support/passkey-http.ts'

const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`
const scriptsOf = (html: string) => [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!)

describeEachBackend('passkeys over HTTP', (env) => {
  const withPasskeys = (extra: Record<string, unknown> = {}) => env().makeSigra({ features: [passkeys({ rpName: 'Acme' })], ...extra })
  const withBoth = () => env().makeSigra({ features: [mfa({ issuer: 'Acme' }), passkeys({ rpName: 'Acme' })] })

  /** Logs a client in with a password through the API. */
  async function logIn(c: Client, email: string, password: string) {
    const res = await c.json('POST', '/auth/login', { login: email, password })
    assert.equal(res.status, 200, await res.clone().text())
    return body(res)
  }

  test('both ceremonies over HTTP: registration behind sudo, then a passwordless sign-in bound to the ceremony cookie', async () => {
    const { sigra } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra)
    const device = authenticator()
    const a = client(sigra)
    await logIn(a, fixture.email, fixture.password!)
    const refused = await a.json('POST', '/auth/passkeys/registration/options')
    assert.equal(refused.status, 403)
    assert.equal((await body(refused)).error, 'sudo_required')
    assert.equal((await a.json('POST', '/auth/sudo', { password: fixture.password })).status, 200)
    const started = await a.json('POST', '/auth/passkeys/registration/options')
    assert.equal(started.status, 200)
    const { options } = await body(started)
    const created = await a.json('POST', '/auth/passkeys/registration', { response: device.create(options), label: 'Laptop' })
    assert.equal(created.status, 201)
    const { passkey } = await body(created)
    assert.equal(passkey.label, 'Laptop')
    assert.deepEqual((await body(await a.get('/auth/passkeys'))).passkeys.map((p: { id: string }) => p.id), [passkey.id])

    // Another browser signs in with it.
    const b = client(sigra)
    const opened = await b.json('POST', '/auth/passkeys/authentication/options', {})
    assert.equal(opened.status, 200)
    const cookie = opened.headers.getSetCookie().find((h) => h.startsWith('sigra_passkey='))!
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Strict/)
    assert.match(cookie, /Max-Age=300/)
    const openedBody = await body(opened)
    assert.equal(openedBody.ceremony, undefined, 'the ceremony id stays in the HttpOnly cookie')
    assert.deepEqual(openedBody.options.allowCredentials, undefined, 'discoverable')
    const answer = device.get(openedBody.options)

    // Another browser (no ceremony cookie, or another one) cannot use this answer.
    const c = client(sigra)
    assert.equal((await c.json('POST', '/auth/passkeys/authentication', { response: answer })).status, 401)
    await c.json('POST', '/auth/passkeys/authentication/options', {})
    const foreign = await c.json('POST', '/auth/passkeys/authentication', { response: answer })
    assert.equal(foreign.status, 401)
    assert.equal((await body(foreign)).error, 'invalid_credentials')

    const signedIn = await b.json('POST', '/auth/passkeys/authentication', { response: answer, rememberMe: true })
    assert.equal(signedIn.status, 200)
    const result = await body(signedIn)
    assert.equal(result.user.id, fixture.user.id)
    assert.deepEqual(result.pending, [])
    assert.equal(b.cookie('sigra_passkey'), null, 'the ceremony cookie is cleared')
    assert.ok(signedIn.headers.getSetCookie().some((h) => h.startsWith('sigra_session=') && /Expires=/.test(h)), 'remember me: a persistent cookie')
    assert.equal((await body(await b.get('/auth/session'))).user.id, fixture.user.id)

    // A replay from the same browser: the ceremony is spent (and its cookie gone).
    b.setCookie('sigra_passkey', cookie.split(';')[0]!.split('=')[1]!)
    assert.equal((await b.json('POST', '/auth/passkeys/authentication', { response: answer })).status, 401)
  })

  test('malformed bodies and answers are 400 invalid over HTTP, never a 500', async () => {
    const { sigra } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra)
    const a = client(sigra)
    await logIn(a, fixture.email, fixture.password!)
    await a.json('POST', '/auth/sudo', { password: fixture.password })
    await a.json('POST', '/auth/passkeys/registration/options')
    const id = b64url(randomBytes(16))
    const bad: unknown[] = [
      {},
      { response: 'x' },
      { response: { id, rawId: id, type: 'public-key', response: { clientDataJSON: '%%%' } } },
      { response: { id, rawId: id, type: 'public-key', response: { clientDataJSON: b64url('{}'), attestationObject: b64url(randomBytes(64)) } } },
      { response: { id, rawId: id, type: 'public-key', response: { clientDataJSON: b64url('nope'), authenticatorData: 'A', signature: '' } } },
      { response: { id: 'x'.repeat(2000), rawId: 'x', type: 'public-key', response: { clientDataJSON: 'AA' } } },
    ]
    for (const path of ['/auth/passkeys/registration', '/auth/passkeys/authentication']) {
      for (const json of bad) {
        await a.json('POST', '/auth/passkeys/authentication/options', {})
        const res = await a.json('POST', path, json)
        assert.equal(res.status, 400, `${path} ${JSON.stringify(json).slice(0, 80)}`)
        assert.equal((await body(res)).error, 'invalid')
      }
      const notJson = await a.raw(path, '{"response": ')
      assert.equal(notJson.status, 400)
      assert.equal((await body(notJson)).error, 'invalid_json')
    }
    const label = await a.json('POST', `/auth/passkeys/${randomBytes(4).toString('hex')}/label`, { label: 42 })
    assert.equal(label.status, 400)
  })

  test('rename and delete over HTTP: another user\'s passkey is 404, delete needs sudo, the last way in is 409 last_method', async () => {
    const { sigra } = await withPasskeys()
    const owner = await createConfirmedUser(sigra, { password: null })
    const { passkey } = await addPasskey(sigra, owner, authenticator(), { sudo: false })
    const other = await createConfirmedUser(sigra, { sudo: true })
    const { passkey: theirs } = await addPasskey(sigra, other, authenticator())
    const a = client(sigra)
    a.setCookie('sigra_session', owner.token)
    const renamed = await a.json('POST', `/auth/passkeys/${passkey.id}/label`, { label: 'Desk' })
    assert.equal(renamed.status, 200)
    assert.equal((await body(renamed)).passkey.label, 'Desk')
    assert.equal((await a.json('POST', `/auth/passkeys/${theirs.id}/label`, { label: 'Mine' })).status, 404)
    assert.equal((await a.json('DELETE', `/auth/passkeys/${theirs.id}`)).status, 403, 'sudo first')
    await grantSudo(sigra, owner.session)
    assert.equal((await a.json('DELETE', `/auth/passkeys/${theirs.id}`)).status, 404)
    const last = await a.json('DELETE', `/auth/passkeys/${passkey.id}`)
    assert.equal(last.status, 409)
    assert.equal((await body(last)).error, 'last_method')
    const o = client(sigra)
    o.setCookie('sigra_session', other.token)
    assert.equal((await o.json('DELETE', `/auth/passkeys/${theirs.id}`)).status, 200)
  })

  test('the OpenAPI document describes both ceremonies, the list, rename, delete, sudo, and (with mfa) the second factor', async () => {
    const { sigra } = await withBoth()
    const doc = await body(await client(sigra).get('/auth/openapi.json'))
    const paths = doc.paths as Record<string, Record<string, { summary: string; tags: string[] }>>
    const expected: Array<[string, string]> = [
      ['post', '/auth/passkeys/registration/options'], ['post', '/auth/passkeys/registration'],
      ['post', '/auth/passkeys/authentication/options'], ['post', '/auth/passkeys/authentication'],
      ['get', '/auth/passkeys'], ['post', '/auth/passkeys/{id}/label'], ['delete', '/auth/passkeys/{id}'],
      ['post', '/auth/passkeys/sudo/options'], ['post', '/auth/passkeys/sudo'],
      ['post', '/auth/passkeys/second-factor/options'], ['post', '/auth/passkeys/second-factor'],
    ]
    for (const [method, path] of expected) {
      const op = paths[path]?.[method]
      assert.ok(op, `${method} ${path}`)
      assert.deepEqual(op.tags, ['passkeys'])
      assert.ok(op.summary.length > 20)
    }
    const alone = await withPasskeys()
    const docAlone = await body(await client(alone.sigra).get('/auth/openapi.json'))
    assert.equal((docAlone.paths as Record<string, unknown>)['/auth/passkeys/second-factor'], undefined, 'no second factor without mfa')
  })

  test('a session held at the MFA step reaches only the step\'s routes; a passkey passes the challenge over HTTP and the cookie is renewed', async () => {
    const { sigra, clock } = await withBoth()
    const user = await enrolledUser(sigra, clock)
    const device = authenticator()
    await addPasskey(sigra, user, device)
    const a = client(sigra)
    const login = await logIn(a, user.email, user.password!)
    assert.deepEqual(login.pending, ['mfa'])
    const held = a.cookie('sigra_session')!
    const doc = await body(await a.get('/auth/openapi.json'))
    let walked = 0
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      if (!path.startsWith('/auth/passkeys')) continue
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security || path.startsWith('/auth/passkeys/second-factor')) continue
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')
        const res = method === 'get' ? await a.get(concrete) : await a.json(method.toUpperCase(), concrete, {})
        assert.equal(res.status, 403, `${method} ${path}`)
        assert.equal((await body(res)).error, 'mfa_required', `${method} ${path}`)
        walked++
      }
    }
    assert.ok(walked >= 7, `walked ${walked}`)
    const started = await a.json('POST', '/auth/passkeys/second-factor/options')
    assert.equal(started.status, 200)
    const { options } = await body(started)
    const passed = await a.json('POST', '/auth/passkeys/second-factor', { response: device.get(options) })
    assert.equal(passed.status, 200)
    assert.notEqual(a.cookie('sigra_session'), held, 'renewed')
    const session = await body(await a.get('/auth/session'))
    assert.deepEqual(session.pending, [])
    assert.deepEqual(session.session.amr, ['pwd', 'hwk'])
    // A code still works for another sign-in, as before.
    const b = client(sigra)
    await logIn(b, user.email, user.password!)
    assert.equal((await b.json('POST', '/auth/mfa/verify', { code: codeFor(user.key, clock) })).status, 200)
  })

  test('pages: the log-in page offers a passkey (button, autofill, its script allowed by hash with connect-src); without the feature nothing changes', async () => {
    const { sigra } = await withPasskeys()
    const res = await client(sigra).get('/account/log-in')
    const html = await res.text()
    const csp = res.headers.get('content-security-policy')!
    assert.ok(html.includes('data-passkey-login'))
    assert.ok(html.includes('Sign in with a passkey'))
    assert.ok(html.includes('autocomplete="username webauthn"'), 'conditional mediation on the login field')
    const scripts = scriptsOf(html)
    assert.equal(scripts.length, 2)
    assert.ok(scripts.includes(PASSKEY_SCRIPT))
    for (const script of scripts) assert.ok(csp.includes(hash(script)), 'each inline script is allowed by its hash')
    assert.ok(csp.includes("connect-src 'self'"))
    assert.doesNotMatch(html, /\son[a-z]+="/)
    assert.doesNotMatch(html, /\sstyle="/)
    const signUp = await client(sigra).get('/account/sign-up')
    assert.ok(!signUp.headers.get('content-security-policy')!.includes('connect-src'), 'other pages keep their policy')

    const { sigra: plain } = await env().makeSigra()
    const bare = await client(plain).get('/account/log-in')
    const bareHtml = await bare.text()
    assert.equal(bare.headers.get('content-security-policy'), signUp.headers.get('content-security-policy'), 'the core log-in page\'s policy is the one every page had')
    assert.equal(scriptsOf(bareHtml).length, 1)
    assert.ok(bareHtml.includes('autocomplete="username"'))
    assert.ok(!bareHtml.includes('passkey'))
  })

  test('pages: settings lists the passkeys; adding goes through the password prompt, then the ceremony page, then back to the list', async () => {
    const { sigra } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra)
    const device = authenticator()
    const a = client(sigra)
    await a.form('/account/log-in', { login: fixture.email, password: fixture.password! })
    const settings = await (await a.get('/account/settings')).text()
    assert.ok(settings.includes('id="passkeys"'))
    assert.ok(settings.includes('No passkey yet.'))
    assert.equal(scriptsOf(settings).length, 1, 'the settings page carries no passkey script')

    const prompt = await a.form('/account/passkeys/add')
    assert.equal(prompt.status, 403)
    const promptHtml = await prompt.text()
    assert.ok(promptHtml.includes('Confirm it is you to add a passkey'))
    const resumed = await a.form('/account/sudo', { password: fixture.password!, resume: '/passkeys/add' })
    assert.equal(resumed.status, 200)
    const ceremonyPage = await resumed.text()
    assert.ok(resumed.headers.get('content-security-policy')!.includes(hash(PASSKEY_SCRIPT)))
    const options = JSON.parse(dataAttribute(ceremonyPage, 'data-options')!)
    assert.equal(options.rp.id, 'localhost')
    const finished = await a.form('/account/passkeys/add', { action: 'finish', response: JSON.stringify(device.create(options)), label: 'Work laptop' })
    assert.equal(finished.status, 303)
    assert.equal(finished.headers.get('location'), '/account/settings#passkeys')
    const listed = await (await a.get('/account/settings')).text()
    assert.ok(listed.includes('Work laptop'))
    assert.ok(listed.includes('never used'))

    // A broken answer: the page says so and opens a new ceremony.
    await a.form('/account/sudo', { password: fixture.password! })
    const again = await a.form('/account/passkeys/add')
    const broken = await a.form('/account/passkeys/add', { action: 'finish', response: '{not json', label: '' })
    assert.equal(broken.status, 400)
    const brokenHtml = await broken.text()
    assert.ok(brokenHtml.includes('That passkey answer could not be read'))
    assert.notEqual(dataAttribute(brokenHtml, 'data-options'), dataAttribute(await again.text(), 'data-options'), 'a fresh challenge')

    // Rename, then remove from the section (sudo is still fresh).
    const id = /name="passkey_id" value="([^"]+)"/.exec(listed)![1]!
    assert.equal((await a.form('/account/passkeys/rename', { passkey_id: id, label: 'Old laptop' })).status, 303)
    assert.ok((await (await a.get('/account/settings')).text()).includes('Old laptop'))
    const strangerOwner = await createConfirmedUser(sigra, { sudo: true })
    const { passkey: theirs } = await addPasskey(sigra, strangerOwner, authenticator())
    const notMine = await a.form('/account/passkeys/remove', { passkey_id: theirs.id })
    assert.equal(notMine.status, 404)
    assert.ok((await notMine.text()).includes('That passkey was not found'))
    assert.equal((await a.form('/account/passkeys/remove', { passkey_id: id })).status, 303)
    assert.ok((await (await a.get('/account/settings')).text()).includes('No passkey yet.'))
  })

  test('pages: an account without a password confirms with a passkey (in place, carrying the passkey id), and the last way in is refused in the section', async () => {
    const { sigra } = await withPasskeys()
    const owner = await createConfirmedUser(sigra, { password: null })
    const first = await addPasskey(sigra, owner, authenticator(), { sudo: false })
    const a = client(sigra)
    a.setCookie('sigra_session', owner.token)
    const refused = await a.form('/account/passkeys/remove', { passkey_id: first.passkey.id })
    assert.equal(refused.status, 409)
    assert.ok((await refused.text()).includes('only way you can sign in'))

    const second = await addPasskey(sigra, owner, authenticator())
    // Sudo has lapsed on this session: the prompt is the passkey one, carrying what to resume.
    await sigra.db.updateTable('sessions').set({ sudo_at: null }).where('id', '=', owner.session.id).execute()
    const prompt = await a.form('/account/passkeys/remove', { passkey_id: second.passkey.id })
    assert.equal(prompt.status, 403)
    const html = await prompt.text()
    assert.ok(html.includes('Confirm it is you to remove a passkey'))
    assert.ok(html.includes('data-passkey-sudo'))
    assert.ok(html.includes(`name="passkey_id" value="${second.passkey.id}"`))
    assert.ok(html.includes('action="/account/passkeys/remove"'))
    assert.ok(!html.includes('name="password"'), 'no password to ask for')
  })

  test('pages: the MFA challenge offers "Use a passkey" only to a user who has one', async () => {
    const { sigra, clock } = await withBoth()
    const withKey = await enrolledUser(sigra, clock)
    await addPasskey(sigra, withKey, authenticator())
    const without = await enrolledUser(sigra, clock)
    const a = client(sigra)
    await a.form('/account/log-in', { login: withKey.email, password: withKey.password! })
    const page = await a.get('/account/mfa/challenge')
    const html = await page.text()
    assert.ok(html.includes('Use a passkey'))
    assert.ok(html.includes('data-passkey-second-factor'))
    assert.ok(page.headers.get('content-security-policy')!.includes(hash(PASSKEY_SCRIPT)))
    const b = client(sigra)
    await b.form('/account/log-in', { login: without.email, password: without.password! })
    const plain = await b.get('/account/mfa/challenge')
    const plainHtml = await plain.text()
    assert.ok(!plainHtml.includes('Use a passkey'))
    assert.equal(scriptsOf(plainHtml).length, 1)
    assert.ok(!plain.headers.get('content-security-policy')!.includes('connect-src'))
  })
})
