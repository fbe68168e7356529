import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import express from 'express'
import { Hono } from 'hono'
import type { Sigra } from 'sigra'
import { guard, safeReturnTo, sigraHono, sigraNode, type GuardRule, type SigraHonoEnv, type SigraNodeRequest } from 'sigra/middleware'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
const JSON_ACCEPT = 'application/json'

function request(path: string, options: { token?: string; accept?: string } = {}): Request {
  const headers = new Headers()
  if (options.token) headers.set('cookie', `other=1; sigra_session=${options.token}`)
  if (options.accept) headers.set('accept', options.accept)
  return new Request(new URL(path, 'http://localhost:3000'), { headers })
}

async function refusal(sigra: Sigra, rules: GuardRule[], path: string, options: { token?: string; accept?: string }) {
  const result = await guard(sigra, request(path, options), rules)
  assert.equal(result.ok, false)
  if (result.ok) throw new Error('unreachable')
  const { response } = result
  return { status: response.status, location: response.headers.get('location'), body: response.status === 303 ? null : await response.json(), cache: response.headers.get('cache-control') }
}

describeEachBackend('http middleware', (env) => {
  test('no session: 401 unauthenticated JSON for API clients, 303 to log-in with a return_to for browsers', async () => {
    const { sigra } = env()
    assert.deepEqual(await refusal(sigra, ['requireAuth'], '/dashboard?tab=1', { accept: JSON_ACCEPT }), {
      status: 401, location: null, body: { ok: false, error: 'unauthenticated' }, cache: 'no-store',
    })
    const html = await refusal(sigra, ['requireAuth'], '/dashboard?tab=1', { accept: HTML })
    assert.equal(html.status, 303)
    assert.equal(html.location, `/account/log-in?return_to=${encodeURIComponent('/dashboard?tab=1')}`)
    assert.equal((await refusal(sigra, ['requireSudo'], '/x', { token: 'garbage', accept: JSON_ACCEPT })).status, 401, 'every rule needs a session first')
  })

  test('the HTML preference follows Accept order and q=0; no Accept and */* mean JSON', async () => {
    const { sigra } = env()
    const cases: Array<[string | undefined, number]> = [
      [HTML, 303], ['text/html', 303], ['text/html, application/json', 303], ['application/json, text/html', 401],
      ['application/json;q=0.9, text/html;q=0', 401], ['*/*', 401], [undefined, 401],
    ]
    for (const [accept, status] of cases) assert.equal((await refusal(sigra, ['requireAuth'], '/p', accept ? { accept } : {})).status, status, String(accept))
  })

  test('a live session passes requireAuth and the guard hands back the user and session', async () => {
    const { sigra } = env()
    const { token, user, session } = await createConfirmedUser(sigra)
    const result = await guard(sigra, request('/dashboard', { token }), ['requireAuth'])
    assert.ok(result.ok)
    assert.equal(result.user.id, user.id)
    assert.equal(result.session.id, session.id)
  })

  test('requireSudo: 403 sudo_required or 303 to the sudo page, passes when fresh, refuses again after sudoTtl', async () => {
    const { sigra, clock } = env()
    const { token, session } = await createConfirmedUser(sigra)
    assert.deepEqual((await refusal(sigra, ['requireSudo'], '/billing', { token, accept: JSON_ACCEPT })).body, { ok: false, error: 'sudo_required' })
    const html = await refusal(sigra, ['requireSudo'], '/billing?plan=pro', { token, accept: HTML })
    assert.deepEqual([html.status, html.location], [303, `/account/sudo?return_to=${encodeURIComponent('/billing?plan=pro')}`])
    await grantSudo(sigra, session)
    assert.equal((await guard(sigra, request('/billing', { token }), ['requireSudo'])).ok, true)
    clock.advance(sigra.config.sessions.sudoTtl)
    assert.equal((await refusal(sigra, ['requireSudo'], '/billing', { token, accept: JSON_ACCEPT })).status, 403)
  })

  test('requireConfirmed: 403 unconfirmed or 303 to the confirm page', async () => {
    const { sigra } = env()
    const email = uniqueEmail('unconfirmed')
    await sigra.auth.register({ email, password: GOOD_PASSWORD })
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    assert.equal((await guard(sigra, request('/app', { token: login.token }), ['requireAuth'])).ok, true)
    const json = await refusal(sigra, ['requireConfirmed'], '/app', { token: login.token, accept: JSON_ACCEPT })
    assert.deepEqual([json.status, json.body], [403, { ok: false, error: 'unconfirmed' }])
    const html = await refusal(sigra, ['requireConfirmed'], '/app', { token: login.token, accept: HTML })
    assert.deepEqual([html.status, html.location], [303, '/account/confirm'])
    const confirmed = await createConfirmedUser(sigra)
    assert.equal((await guard(sigra, request('/app', { token: confirmed.token }), ['requireConfirmed'])).ok, true)
  })

  test('requirePasswordChangeDone: refused while a change is required, passes once it is done', async () => {
    const { sigra } = env()
    const { token, user } = await createConfirmedUser(sigra)
    assert.equal((await guard(sigra, request('/app', { token }), ['requirePasswordChangeDone'])).ok, true)
    await sigra.account.requirePasswordChange(user)
    const json = await refusal(sigra, ['requirePasswordChangeDone'], '/app', { token, accept: JSON_ACCEPT })
    assert.deepEqual([json.status, json.body], [403, { ok: false, error: 'password_change_required' }])
    const html = await refusal(sigra, ['requirePasswordChangeDone'], '/app', { token, accept: HTML })
    assert.deepEqual([html.status, html.location], [303, '/account/settings#password'])
    await sigra.account.clearPasswordChangeRequirement(user)
    assert.equal((await guard(sigra, request('/app', { token }), ['requirePasswordChangeDone'])).ok, true)
  })

  test('return_to is always a safe local path', async () => {
    for (const good of ['/', '/dashboard', '/a/b?c=d&e=%2F#frag', '/users/a:b']) assert.equal(safeReturnTo(good), good)
    for (const bad of ['', '//evil.com', '/\\evil.com', '\\\\evil.com', 'https://evil.com/', 'javascript:alert(1)', 'evil.com', '/%2F%2Fevil.com', '/%5Cevil.com', '/\nSet-Cookie:x', null, undefined]) {
      assert.equal(safeReturnTo(bad), '/', String(bad))
    }
    const { sigra } = env()
    const html = await refusal(sigra, ['requireAuth'], 'http://localhost:3000//evil.com/path', { accept: HTML })
    assert.equal(html.location, '/account/log-in?return_to=%2F', 'a request path that would leave the site falls back to /')
  })

  test('the refusal pages follow pagesPath', async () => {
    const { sigra } = await env().makeSigra({ pagesPath: '/me' })
    assert.equal((await refusal(sigra, ['requireAuth'], '/x', { accept: HTML })).location, '/me/log-in?return_to=%2Fx')
  })

  test('Hono form: refuses like guard, or sets c.get("sigra") and runs the handler', async () => {
    const { sigra } = env()
    const auth = sigraHono(sigra)
    const app = new Hono<SigraHonoEnv>()
    app.get('/me', auth.requireAuth(), (c) => c.text(`hello ${c.get('sigra').user.email}`))
    app.get('/billing', auth.requireSudo(), (c) => c.text('billing'))
    app.get('/both', auth.guard(['requireConfirmed', 'requireSudo']), (c) => c.text('both'))
    const { token, email, session } = await createConfirmedUser(sigra)
    const headers = { cookie: `sigra_session=${token}`, accept: JSON_ACCEPT }
    assert.equal((await app.request('/me', { headers: { accept: JSON_ACCEPT } })).status, 401)
    const me = await app.request('/me', { headers })
    assert.deepEqual([me.status, await me.text()], [200, `hello ${email}`])
    assert.equal((await app.request('/billing', { headers })).status, 403)
    const page = await app.request('/billing', { headers: { ...headers, accept: HTML } })
    assert.deepEqual([page.status, page.headers.get('location')], [303, '/account/sudo?return_to=%2Fbilling'])
    await grantSudo(sigra, session)
    assert.equal(await (await app.request('/both', { headers })).text(), 'both')
  })

  test('Express/connect form: refuses like guard, or sets req.sigra and calls next', async (t) => {
    const { sigra } = env()
    const auth = sigraNode(sigra)
    const app = express()
    const router = express.Router()
    router.get('/me', auth.requireAuth(), (req, res) => {
      res.send(`hello ${(req as SigraNodeRequest).sigra!.user.email}`)
    })
    router.get('/billing', auth.requireSudo(), (_req, res) => {
      res.send('billing')
    })
    app.use('/app', router)
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const { token, email } = await createConfirmedUser(sigra)
    const cookie = `sigra_session=${token}`
    const anonymous = await fetch(`${base}/app/me`, { headers: { accept: JSON_ACCEPT } })
    assert.deepEqual([anonymous.status, await anonymous.json()], [401, { ok: false, error: 'unauthenticated' }])
    const redirect = await fetch(`${base}/app/me?x=1`, { headers: { accept: HTML }, redirect: 'manual' })
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [303, `/account/log-in?return_to=${encodeURIComponent('/app/me?x=1')}`])
    const me = await fetch(`${base}/app/me`, { headers: { cookie, accept: JSON_ACCEPT } })
    assert.deepEqual([me.status, await me.text()], [200, `hello ${email}`])
    const billing = await fetch(`${base}/app/billing`, { headers: { cookie, accept: JSON_ACCEPT } })
    assert.deepEqual([billing.status, await billing.json()], [403, { ok: false, error: 'sudo_required' }])
  })
})
