import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { browser } from './support/web-browser.ts'

/** What PostgreSQL text cannot hold: a NUL byte, a lone high surrogate, a lone low surrogate. */
const BAD = ['a\u0000b', 'x\uD800y', '\uDC00z']

type Result = unknown

describeEachBackend('characters PostgreSQL cannot store', (env) => {
  test('every JSON route answers a NUL or a lone surrogate in any string field with 400 invalid, never a 500', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const doc = await json(await call(sigra, 'GET', '/auth/openapi.json'))
    const paths = doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: Record<string, { type?: string }> } }> }; security?: unknown[] }>>
    let walked = 0
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const properties = operation.requestBody?.content['application/json']?.schema.properties
        if (!properties) continue
        const strings = Object.entries(properties).filter(([, p]) => p.type === 'string').map(([name]) => name)
        for (const field of strings) {
          for (const bad of BAD) {
            const body = Object.fromEntries(strings.map((name) => [name, name === field ? bad : name === 'email' || name === 'login' ? uniqueEmail() : 'fine value 123456']))
            const res = await call(sigra, method.toUpperCase(), path.replace(/\{[^}]+\}/g, fixture.session.id), { token: fixture.token, body })
            assert.ok(res.status < 500, `${method} ${path} ${field}=${JSON.stringify(bad)}: ${res.status}`)
            if (res.status === 400) {
              const answer = await json(res)
              assert.equal(answer.error, 'invalid', `${method} ${path} ${field}`)
              assert.ok((answer.issues as Array<{ field: string; code: string }>).some((i) => i.field === field && i.code === 'invalid_characters'), `${method} ${path} ${field}: the field is named`)
            } else assert.fail(`${method} ${path} ${field}=${JSON.stringify(bad)}: expected 400, got ${res.status}`)
            walked++
          }
        }
      }
    }
    assert.ok(walked >= 30, `walked ${walked} field × value cases`)
  })

  test('the pages: %00 in forms and query strings is answered, never a 500', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const anonymous = browser(sigra)
    const signedIn = browser(sigra, { token: fixture.token })
    const forms: Array<[typeof anonymous, string, Record<string, string>]> = [
      [anonymous, '/account/sign-up', { email: 'a\u0000b@example.com', password: GOOD_PASSWORD, username: '' }],
      [anonymous, '/account/log-in', { login: 'a\u0000b@example.com', password: GOOD_PASSWORD }],
      [anonymous, '/account/forgot-password', { email: 'a\u0000b@example.com' }],
      [anonymous, '/account/reset-password', { token: 'a\u0000b', password: GOOD_PASSWORD }],
      [anonymous, '/account/confirm', { token: 'a\u0000b' }],
      [anonymous, '/account/confirm-email-change', { token: '\uD800' }],
      [signedIn, '/account/settings/email', { email: 'b\u0000c@example.com' }],
      [signedIn, '/account/settings/password', { current: 'x\u0000', password: 'y\u0000y long enough' }],
      [signedIn, '/account/settings/sessions/revoke', { session_id: 'a\u0000' }],
      [signedIn, '/account/sudo', { password: '\u0000', return_to: '/\u0000' }],
    ]
    for (const [who, path, form] of forms) {
      const res = await who.post(path, form)
      assert.ok(res.status < 500, `POST ${path}: ${res.status}`)
    }
    for (const path of ['/account/confirm?token=%00', '/account/reset-password?token=a%00b', '/account/log-in?return_to=%00', '/account/settings?new_email=%00']) {
      const res = await signedIn.get(path)
      assert.ok(res.status < 500, `GET ${path}: ${res.status}`)
    }
  })

  test('every facade function given such a string answers a value (invalid, invalid_token, null, empty), never a database error', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    for (const bad of BAD) {
      const email = `${bad}@example.com`
      const calls: Array<[string, () => Promise<Result>]> = [
        ['auth.register email', () => sigra.auth.register({ email, password: GOOD_PASSWORD })],
        ['auth.register username', () => sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, username: `ab${bad}` })],
        ['auth.register password', () => sigra.auth.register({ email: uniqueEmail(), password: `${GOOD_PASSWORD}${bad}` })],
        ['auth.register customFields value', () => sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, customFields: { nick: bad } })],
        ['auth.register customFields key', () => sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, customFields: { [bad]: 1 } })],
        ['auth.logIn', () => sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })],
        ['auth.requestPasswordReset', () => sigra.auth.requestPasswordReset(email)],
        ['auth.resetPassword token', () => sigra.auth.resetPassword(bad, { password: GOOD_PASSWORD })],
        ['auth.confirmEmail', () => sigra.auth.confirmEmail(bad)],
        ['auth.logOut', () => sigra.auth.logOut(bad)],
        ['sessions.validate', () => sigra.sessions.validate(bad)],
        ['sessions.resolve', () => sigra.sessions.resolve(bad)],
        ['sessions.revoke', () => sigra.sessions.revoke(fixture.user.id, bad)],
        ['sessions.list', () => sigra.sessions.list(bad)],
        ['sessions.confirmSudo', () => sigra.sessions.confirmSudo(fixture.token, { password: bad })],
        ['sessions.fromHeaders', () => sigra.sessions.fromHeaders({ cookie: `sigra_session=${bad}` })],
        ['account.requestEmailChange', () => sigra.account.requestEmailChange(fixture.user, email, { session: fixture.session })],
        ['account.confirmEmailChange', () => sigra.account.confirmEmailChange(bad)],
        ['account.changePassword', () => sigra.account.changePassword(fixture.user, bad, { password: `new ${bad} password here` }, { session: fixture.session })],
        ['mail.outbox', () => sigra.mail.outbox({ to: email })],
        ['audit.log metadata', () => sigra.audit.log({ action: 'app.thing', metadata: { note: bad } })],
      ]
      for (const [name, run] of calls) {
        const result = await run()
        if (Array.isArray(result)) assert.deepEqual(result, [], name)
        else if (result === null || typeof result === 'boolean') continue
        else if (!('ok' in (result as object))) assert.fail(`${name}: answered ${JSON.stringify(result)}`)
        else {
          const r = result as { ok: boolean; error?: string }
          if (name === 'auth.logOut' || name === 'auth.requestPasswordReset' && r.ok) continue
          assert.equal(r.ok, false, `${name} ${JSON.stringify(bad)}`)
          assert.ok(['invalid', 'invalid_token', 'not_found', 'invalid_credentials', 'invalid_current_password'].includes(r.error!), `${name}: ${r.error}`)
        }
      }
      await assert.rejects(sigra.audit.list({ action: bad }), (e: unknown) => (e as { code?: string }).code === 'invalid_argument', 'audit.list refuses a filter it could not run')
    }
    // A user agent is recorded, not refused: what PostgreSQL cannot store is dropped from it.
    assert.ok((await sigra.audit.log({ action: 'app.agent_check', userId: fixture.user.id, userAgent: 'ok\u0000agent\uD800' })).ok)
    const row = (await sigra.audit.list({ userId: fixture.user.id, action: 'app.agent_check' })).events[0]
    assert.equal(row?.userAgent, 'okagent')
  })
})
