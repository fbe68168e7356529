import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { createConfirmedUser, latestMail } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'

/** Every encoding a 32-byte digest could be leaked in. */
function encodings(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes)
  return [buffer.toString('hex'), buffer.toString('base64'), buffer.toString('base64url'), JSON.stringify(Array.from(bytes)).slice(1, -1)]
}

/**
 * A sudo-fresh user with two devices, a used confirmation token, a live reset token and a pending
 * email change: every kind of secret Sigra holds for them exists.
 */
async function userWithEverything(sigra: Sigra) {
  const fixture = await createConfirmedUser(sigra, { sudo: true })
  const confirmToken = (await sigra.mail.outbox({ to: fixture.email })).map((m) => /[?&]token=([\w-]+)/.exec(m.text)?.[1]).find(Boolean)!
  const phone = await sigra.auth.logIn({ login: fixture.email, password: fixture.password!, ip: '198.51.100.23', userAgent: CHROME })
  assert.ok(phone.ok)
  assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
  const resetToken = (await latestMail(sigra, fixture.email)).token!
  const change = await sigra.account.requestEmailChange(fixture.user, uniqueEmail('new'), { session: fixture.session })
  assert.ok(change.ok)
  return { ...fixture, phone, confirmToken, resetToken, changeToken: change.token }
}

describeEachBackend('data export', (env) => {
  test('exportUserData returns profile, sessions with devices, token metadata, audit events and the host hook data, and audits the export', async () => {
    const { sigra, clock } = await env().makeSigra({ hooks: { exportUserData: ({ user }) => ({ orders: [{ id: 7, owner: user.id }] }) } })
    const { user, session, phone, email } = await userWithEverything(sigra)
    const stranger = await createConfirmedUser(sigra)

    const result = await sigra.account.exportUserData(user, { session })
    assert.ok(result.ok, JSON.stringify(result))
    const { data } = result
    assert.equal(data.format, 'sigra.user-export.v1')
    assert.equal(data.exportedAt, clock().toISOString())
    assert.equal(data.profile.id, user.id)
    assert.equal(data.profile.email, email)
    assert.ok(data.profile.pendingEmail)

    assert.deepEqual(data.sessions.map((s) => s.id).sort(), [session.id, phone.session.id].sort())
    const device = data.sessions.find((s) => s.id === phone.session.id)!
    assert.equal(device.ip, '198.51.100.23')
    assert.equal(device.userAgent, CHROME)
    assert.ok(device.deviceLabel, 'sessions come with a device label')

    assert.deepEqual(data.emailTokens.map((t) => t.purpose).sort(), ['change_email', 'confirm', 'reset_password'])
    assert.ok(data.emailTokens.every((t) => Object.keys(t).sort().join() === 'createdAt,expiresAt,purpose,sentTo,usedAt'), 'metadata only')

    assert.ok(data.auditEvents.length > 0)
    assert.ok(data.auditEvents.every((e) => e.userId === user.id), 'only events about this user')
    for (const action of ['auth.register', 'auth.login.success', 'account.email_change_request']) {
      assert.ok(data.auditEvents.some((e) => e.action === action), action)
    }
    assert.deepEqual(data.app, { orders: [{ id: 7, owner: user.id }] })

    const json = JSON.stringify(data)
    assert.deepEqual(Object.keys(JSON.parse(json) as object).sort(), Object.keys(data).sort(), 'JSON-serialisable without loss of sections')
    assert.ok(!json.includes(stranger.user.id) && !json.includes(stranger.email) && !json.includes(stranger.session.id), "nothing of another user's")

    const exported = await allAuditEvents(sigra, { userId: user.id, action: 'account.data_export' })
    assert.equal(exported.length, 1)
    assert.equal(exported[0]!.metadata.session_id, session.id)
  })

  test('the export holds no secret: no password hash, session secret, email token or digest', async () => {
    const { sigra } = env()
    const everything = await userWithEverything(sigra)
    const { user, session } = everything
    const result = await sigra.account.exportUserData(user, { session })
    assert.ok(result.ok)
    const json = JSON.stringify(result.data)

    const row = await sigra.db.selectFrom('users').select('hashed_password').where('id', '=', user.id).executeTakeFirstOrThrow()
    const sessionRows = await sigra.db.selectFrom('sessions').select('secret_digest').where('user_id', '=', user.id).execute()
    const tokenRows = await sigra.db.selectFrom('user_tokens').select('digest').where('user_id', '=', user.id).execute()
    assert.equal(sessionRows.length, 2)
    assert.equal(tokenRows.length, 3)
    const secrets: Array<[string, string]> = [
      ['password hash', row.hashed_password!],
      ['this session secret', everything.token.split('.')[1]!],
      ['other session secret', everything.phone.token.split('.')[1]!],
      ['confirmation token', everything.confirmToken],
      ['reset token', everything.resetToken],
      ['email change token', everything.changeToken],
      ...sessionRows.flatMap((r) => encodings(r.secret_digest).map((e): [string, string] => ['session digest', e])),
      ...tokenRows.flatMap((r) => encodings(r.digest).map((e): [string, string] => ['token digest', e])),
    ]
    for (const [what, secret] of secrets) {
      assert.ok(secret.length >= 20, `${what} is a real value`)
      assert.ok(!json.includes(secret), `${what} leaked into the export`)
    }
    assert.ok(!json.includes('$argon2'), 'no hash of any kind')
    assert.ok(!/digest|hashed_password|secret/i.test(json), 'no field named after a secret')
    assert.equal(result.data.app, null, 'no hook, no app data')
  })

  test('exportUserData needs a sudo-fresh session of that user; unknown users are not_found', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const stranger = await createConfirmedUser(sigra, { sudo: true })
    assert.deepEqual(await sigra.account.exportUserData(fixture.user, { session: fixture.session }), { ok: false, error: 'sudo_required' })
    assert.deepEqual(await sigra.account.exportUserData(fixture.user, { session: stranger.session }), { ok: false, error: 'sudo_required' })
    assert.deepEqual(await sigra.account.exportUserData({ id: '00000000-0000-4000-8000-000000000000' }, { session: stranger.session }), { ok: false, error: 'not_found' })
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'account.data_export' })).length, 0)
  })
})
