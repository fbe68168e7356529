import assert from 'node:assert/strict'
import { test } from 'node:test'
import { guard } from 'sigra/middleware'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { terms } from './support/features/terms-feature.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, cookieToken, json, ORIGIN } from './support/http-client.ts'
import { browser } from './support/web-browser.ts'

describeEachBackend('sign-in pipeline', (env) => {
  const withTerms = () => env().makeSigra({ features: [terms({ version: '2026-12' })] })

  /** A confirmed user whose sign-in (the fixture's login) is held at the terms step. */
  const heldUser = (sigra: Awaited<ReturnType<typeof withTerms>>['sigra']) => createConfirmedUser(sigra)

  test('a step a feature adds holds every new session: validate says not signed in, resolve says why', async () => {
    const { sigra } = await withTerms()
    const email = uniqueEmail()
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    assert.deepEqual(login.pending, ['accept_terms'])
    assert.equal(login.termsRequired, true, "the step's flag is on the result")
    assert.deepEqual(login.session.pendingSteps, ['accept_terms'])
    assert.equal(await sigra.sessions.validate(login.token), null)
    assert.deepEqual((await sigra.sessions.resolve(login.token))?.pending, ['accept_terms'])
    assert.equal(await sigra.sessions.fromHeaders({ cookie: `sigra_session=${login.token}` }), null)
    const audit = await allAuditEvents(sigra, { userId: login.user.id, action: 'auth.login.success' })
    assert.deepEqual(audit[0]!.metadata.pending, ['accept_terms'])

    const confirmed = await sigra.sessions.confirmSudo(login.token, { password: GOOD_PASSWORD })
    assert.equal(confirmed.ok ? 'ok' : confirmed.error, 'terms_required', 'a held session cannot become sudo')
    const rotated = await sigra.sessions.rotate(login.token)
    assert.equal(rotated.ok ? 'ok' : rotated.error, 'invalid_session')
  })

  test('passing the step renews the token and signs the session in; the next sign-in has no step', async () => {
    const { sigra } = await withTerms()
    const { email, password, token } = await heldUser(sigra)
    const accepted = await sigra.terms.accept(token)
    assert.ok(accepted.ok)
    assert.deepEqual(accepted.pending, [])
    assert.notEqual(accepted.token, token)
    assert.equal(accepted.token.split('.')[0], token.split('.')[0], 'same session, new secret')
    assert.equal(await sigra.sessions.resolve(token), null, 'the held token is dead')
    const current = await sigra.sessions.validate(accepted.token)
    assert.ok(current)
    assert.deepEqual(current.session.amr, ['pwd'])
    assert.equal((await allAuditEvents(sigra, { userId: current.user.id, action: 'session.step_passed' })).length, 1)
    const again = await sigra.terms.accept(accepted.token)
    assert.equal(again.ok ? 'ok' : again.error, 'invalid_session', 'a step passes once')

    const next = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(next.ok)
    assert.deepEqual(next.pending, [])
    assert.equal(next.termsRequired, undefined)
    assert.ok(await sigra.sessions.validate(next.token))
  })

  test('two parallel completions of one held session: exactly one wins', async () => {
    const { sigra } = await withTerms()
    const { token } = await heldUser(sigra)
    const results = await Promise.all(Array.from({ length: 6 }, () => sigra.terms.accept(token)))
    assert.equal(results.filter((r) => r.ok).length, 1)
  })

  test('over HTTP a held session may read itself, log out and pass its step; every other authenticated route answers 403 with the step code', async () => {
    const { sigra } = await withTerms()
    const { email, password } = await heldUser(sigra)
    const login = await call(sigra, 'POST', '/auth/login', { body: { login: email, password } })
    assert.equal(login.status, 200)
    assert.deepEqual((await json(login)).pending, ['accept_terms'])
    const token = cookieToken(login)!

    const me = await call(sigra, 'GET', '/auth/session', { token })
    assert.equal(me.status, 200)
    assert.deepEqual((await json(me)).pending, ['accept_terms'])

    // Walk the route table: every authenticated operation but the step's own and GET /session refuses.
    const doc = await json(await call(sigra, 'GET', '/auth/openapi.json'))
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>
    let walked = 0
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security) continue
        if (path === '/auth/session' || path === '/auth/terms/accept') continue
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')
        const res = await call(sigra, method.toUpperCase(), concrete, method === 'get' ? { token } : { token, body: {} })
        assert.equal(res.status, 403, `${method} ${path}`)
        assert.equal((await json(res)).error, 'terms_required', `${method} ${path}`)
        walked++
      }
    }
    assert.ok(walked >= 13, `walked ${walked} authenticated operations`)

    const accepted = await call(sigra, 'POST', '/auth/terms/accept', { token })
    assert.equal(accepted.status, 200)
    const renewed = cookieToken(accepted)!
    assert.notEqual(renewed, token)
    assert.equal((await call(sigra, 'GET', '/auth/sessions', { token: renewed })).status, 200)
    assert.equal((await call(sigra, 'GET', '/auth/sessions', { token })).status, 401, 'the held cookie is dead')
    assert.equal((await call(sigra, 'POST', '/auth/logout', { token: renewed })).status, 200)
  })

  test('pages send a held session to the step page; guards refuse it with the step code', async () => {
    const { sigra } = await withTerms()
    const { token } = await heldUser(sigra)
    const b = browser(sigra, { token })
    for (const path of ['/account/settings', '/account/sudo', '/account/delete']) {
      const res = await b.get(path)
      assert.equal(res.status, 303, path)
      assert.equal(res.headers.get('location'), '/account/terms', path)
    }
    const post = await b.post('/account/settings/sessions/revoke-others')
    assert.equal(post.headers.get('location'), '/account/terms')
    assert.equal((await b.get('/account/terms')).status, 200)
    assert.equal((await b.get('/account/log-in')).status, 200, 'a held session is not signed in: the log-in page shows')

    const jsonGuard = await guard(sigra, new Request(`${ORIGIN}/app`, { headers: { cookie: `sigra_session=${token}` } }))
    assert.equal(jsonGuard.ok, false)
    assert.equal(jsonGuard.ok ? 0 : jsonGuard.response.status, 403)
    assert.equal(jsonGuard.ok ? '' : jsonGuard.error, 'terms_required')
    const htmlGuard = await guard(sigra, new Request(`${ORIGIN}/app`, { headers: { cookie: `sigra_session=${token}`, accept: 'text/html' } }))
    assert.equal(htmlGuard.ok ? '' : htmlGuard.response.headers.get('location'), '/account/terms')

    const passed = await b.post('/account/terms')
    assert.equal(passed.headers.get('location'), '/account/settings')
    assert.equal((await b.get('/account/settings')).status, 200, 'signed in after the step')
  })

  test('a forced password change is a gate of the same pipeline: stored steps first, then the gate', async () => {
    const { sigra } = await withTerms()
    const fixture = await heldUser(sigra)
    assert.ok((await sigra.account.requirePasswordChange(fixture.user)).ok)
    assert.deepEqual((await sigra.sessions.resolve(fixture.token))?.pending, ['accept_terms', 'password_change'])
    const me = await call(sigra, 'POST', '/auth/password/change', { token: fixture.token, body: { currentPassword: fixture.password, password: 'another long passphrase 7' } })
    assert.equal((await json(me)).error, 'terms_required', 'the password step comes after the stored one')
    const accepted = await sigra.terms.accept(fixture.token)
    assert.ok(accepted.ok)
    assert.deepEqual(accepted.pending, ['password_change'])
    const changed = await call(sigra, 'POST', '/auth/password/change', { token: accepted.token, body: { currentPassword: fixture.password, password: 'another long passphrase 7' } })
    assert.equal(changed.status, 200)
    assert.ok(await sigra.sessions.validate(cookieToken(changed)!), 'signed in once the gate is passed')
  })
})
