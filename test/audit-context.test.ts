import assert from 'node:assert/strict'
import { test } from 'node:test'
import { latestMail } from 'sigra/testing'
import { notes } from './support/features/notes-feature.ts'
import { terms } from './support/features/terms-feature.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, cookieToken, json, type CallOptions } from './support/http-client.ts'
import { browser } from './support/web-browser.ts'

const IP = '198.51.100.77'
const UA = 'AuditContext/1.0 (test)'

describeEachBackend('audit context', (env) => {
  test('every audit row written for a request records its address and user agent: core, features and listeners alike', async () => {
    const { sigra } = await env().makeSigra({ features: [notes(), terms({ version: '1' })] })
    const send = (method: string, path: string, options: CallOptions = {}) => call(sigra, method, path, { ip: IP, headers: { 'user-agent': UA }, ...options })
    const email = uniqueEmail('ctx')

    assert.equal((await send('POST', '/auth/register', { body: { email, password: GOOD_PASSWORD } })).status, 202)
    assert.equal((await send('POST', '/auth/confirm', { body: { token: (await latestMail(sigra, email)).token } })).status, 200)
    await send('POST', '/auth/login', { body: { login: email, password: 'wrong password entirely' } })
    let token = cookieToken(await send('POST', '/auth/login', { body: { login: email, password: GOOD_PASSWORD } }))!
    token = cookieToken(await send('POST', '/auth/terms/accept', { token }))!
    assert.equal((await send('POST', '/auth/notes', { token, body: { body: 'hi' } })).status, 201)
    await send('POST', '/auth/sudo', { token, body: { password: 'not it at all!!' } })
    token = cookieToken(await send('POST', '/auth/sudo', { token, body: { password: GOOD_PASSWORD } }))!
    await sigra.notes.issueKey((await sigra.sessions.validate(token))!.user)
    token = cookieToken(await send('POST', '/auth/password/change', { token, body: { currentPassword: GOOD_PASSWORD, password: 'the second passphrase' } }))!
    token = cookieToken(await send('POST', '/auth/sudo', { token, body: { password: 'the second passphrase' } }))!
    const next = uniqueEmail('ctx-next')
    assert.equal((await send('POST', '/auth/email-change', { token, body: { email: next } })).status, 202)
    assert.equal((await send('DELETE', '/auth/email-change', { token })).status, 200)
    assert.equal((await send('POST', '/auth/sessions/revoke-others', { token })).status, 200)
    assert.equal((await send('GET', '/auth/export', { token })).status, 200)
    assert.equal((await send('POST', '/auth/deletion', { token })).status, 202)
    const back = await send('POST', '/auth/login', { body: { login: email, password: 'the second passphrase' } })
    token = cookieToken(back)!
    assert.equal((await send('DELETE', '/auth/deletion', { token })).status, 200)
    await send('POST', '/auth/password-reset/request', { body: { email } })
    const reset = await latestMail(sigra, email)
    assert.equal((await send('POST', '/auth/password-reset', { body: { token: reset.token, password: 'a third passphrase here' } })).status, 200)
    // And through the pages.
    const login = await send('POST', '/auth/login', { body: { login: email, password: 'a third passphrase here' } })
    const page = browser(sigra, { token: cookieToken(login)!, ip: IP, userAgent: UA })
    assert.equal((await page.post('/account/log-out')).status, 303)

    const user = await sigra.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    const rows = await sigra.db.selectFrom('audit_events').selectAll().where('user_id', '=', user.id).orderBy('id').execute()
    const actions = new Set(rows.map((r) => r.action))
    for (const expected of [
      'auth.register', 'auth.email_confirm', 'auth.login.failure', 'auth.login.success', 'session.step_passed', 'notes.add',
      'session.sudo_failure', 'session.sudo_enter', 'account.password_change', 'notes.keys_revoked', 'session.revoke_all',
      'account.email_change_request', 'account.email_change_cancel', 'account.data_export', 'account.deletion_schedule',
      'account.deletion_cancel', 'auth.password_reset_request', 'auth.password_reset', 'auth.logout',
    ]) assert.ok(actions.has(expected), `${expected} was written`)
    for (const row of rows) {
      assert.equal(row.ip, IP, `${row.action}: ip`)
      assert.equal(row.user_agent, UA, `${row.action}: user agent`)
    }
  })

  test('sigra.withRequest scopes the facade for a host; calls without it record nothing they do not know', async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    const email = uniqueEmail('host')
    const scoped = sigra.withRequest({ ip: '203.0.113.50', userAgent: 'HostApp\u0000/2' })
    assert.ok((await scoped.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const login = await scoped.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    assert.equal(login.session.ip, '203.0.113.50', 'a session created for the request records it')
    assert.ok((await scoped.notes.add(login.user, 'scoped feature call')).ok)
    assert.ok((await sigra.notes.add(login.user, 'unscoped call')).ok)
    const rows = await sigra.db.selectFrom('audit_events').select(['action', 'ip', 'user_agent']).where('user_id', '=', login.user.id).orderBy('id').execute()
    const byAction = (action: string) => rows.filter((r) => r.action === action)
    assert.deepEqual(byAction('auth.register')[0], { action: 'auth.register', ip: '203.0.113.50', user_agent: 'HostApp/2' }, 'NUL dropped from a recorded header')
    assert.equal(byAction('notes.add')[0]!.ip, '203.0.113.50')
    assert.equal(byAction('notes.add')[1]!.ip, null, 'an unscoped call has no request to record')
    assert.equal(sigra.features.length, scoped.features.length, 'the scoped facade is the same instance')
    assert.equal((await json(await call(sigra, 'GET', '/auth/openapi.json'))).openapi, '3.1.0')
  })
})
