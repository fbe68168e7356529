import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { allAuditEvents, countRows } from './support/audit-events.ts'
import { describeEachBackend, latestMail, signedInUser, uniqueEmail } from './support/harness.ts'

const NEW_PASSWORD = 'a brand new passphrase 2026'

let ipCounter = 0
const nextIp = () => `10.9.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

/** A confirmed user with a live session, and a reset token from a mailed link. */
async function userWithResetToken(sigra: Sigra) {
  const signed = await signedInUser(sigra, { ip: nextIp() })
  assert.deepEqual(await sigra.auth.requestPasswordReset(signed.email), { ok: true })
  const mail = await latestMail(sigra, signed.email)
  assert.ok(mail.link && new URL(mail.link).origin === 'http://localhost:3000', `link was ${mail.link}`)
  assert.match(new URL(mail.link).pathname, /\/reset-password$/)
  assert.ok(mail.token)
  return { ...signed, resetToken: mail.token }
}

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

describeEachBackend('password reset', (env) => {
  test('requesting always answers { ok: true }; only a known address gets mail', async () => {
    const { sigra } = env()
    const known = await signedInUser(sigra, { ip: nextIp() })
    const mailsBefore = (await sigra.mail.outbox({ to: known.email })).length
    assert.deepEqual(await sigra.auth.requestPasswordReset(known.email.toUpperCase()), { ok: true })
    assert.equal((await sigra.mail.outbox({ to: known.email })).length, mailsBefore + 1)

    const unknown = uniqueEmail('nobody')
    assert.deepEqual(await sigra.auth.requestPasswordReset(unknown), { ok: true })
    assert.deepEqual(await sigra.mail.outbox({ to: unknown }), [])
  })

  test('a throttled request still answers { ok: true } but sends nothing', async () => {
    const { sigra } = env()
    const { email } = await signedInUser(sigra, { ip: nextIp() })
    const before = (await sigra.mail.outbox({ to: email })).length
    // The default budget is 3 requests per address per 15 minutes.
    for (let i = 0; i < 5; i++) assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    assert.equal((await sigra.mail.outbox({ to: email })).length, before + 3)
    const unknown = uniqueEmail('nobody')
    for (let i = 0; i < 5; i++) assert.deepEqual(await sigra.auth.requestPasswordReset(unknown), { ok: true })
  })

  test('a request for an unknown address is audited without the address', async () => {
    const { sigra } = env()
    const unknown = uniqueEmail('ghost')
    const before = (await allAuditEvents(sigra, { action: 'auth.password_reset_request' })).length
    assert.deepEqual(await sigra.auth.requestPasswordReset(unknown, { ip: '198.51.100.30' }), { ok: true })
    const events = await allAuditEvents(sigra, { action: 'auth.password_reset_request' })
    assert.equal(events.length, before + 1)
    assert.equal(events[0]!.userId, null)
    assert.equal(events[0]!.outcome, 'failure')
    const everything = JSON.stringify(await allAuditEvents(sigra)).toLowerCase()
    assert.ok(!everything.includes(unknown.toLowerCase()) && !everything.includes(unknown.split('@')[0]!.toLowerCase()))
  })

  test('the mailed token sets the new password, revokes sessions, clears pending_email, bumps epoch, mails and audits — without logging in', async () => {
    const { sigra, clock } = env()
    const { email, password, user, token: sessionToken, resetToken } = await userWithResetToken(sigra)
    const second = await sigra.auth.logIn({ login: email, password })
    assert.ok(second.ok)
    await sigra.db
      .updateTable('users')
      .set({ pending_email: uniqueEmail('pending'), pending_email_expires_at: new Date(clock().getTime() + 3600_000) })
      .where('id', '=', user.id)
      .execute()
    const before = await sigra.db.selectFrom('users').select('epoch').where('id', '=', user.id).executeTakeFirstOrThrow()
    const sessionsBefore = await countRows(sigra, 'sessions')

    const result = await sigra.auth.resetPassword(resetToken, { password: NEW_PASSWORD })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(Object.keys(result).includes('token') || Object.keys(result).includes('session'), false, 'no session is handed out')

    assert.equal(await sigra.sessions.validate(sessionToken), null)
    assert.equal(await sigra.sessions.validate(second.token), null)
    assert.deepEqual(await sigra.sessions.list(user.id), [])
    assert.equal(await countRows(sigra, 'sessions'), sessionsBefore - 2, 'no new session was created')

    const row = await sigra.db.selectFrom('users').select(['epoch', 'pending_email', 'pending_email_expires_at']).where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(row.pending_email, null)
    assert.equal(row.pending_email_expires_at, null)
    assert.equal(row.epoch, before.epoch + 1)
    assert.equal(result.user.epoch, before.epoch + 1)

    const notice = (await sigra.mail.outbox({ to: email })).at(-1)!
    assert.equal(notice.template, 'passwordResetDone')
    assert.ok(!notice.text.includes('token='))
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.password_reset' })).length, 1)

    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password })), 'invalid_credentials', 'the old password no longer works')
    assert.ok((await sigra.auth.logIn({ login: email, password: NEW_PASSWORD })).ok, 'the new one does')
  })

  test('a weak password is invalid and leaves the token usable', async () => {
    const { sigra } = env()
    const { email, resetToken } = await userWithResetToken(sigra)
    for (const weak of ['short', 'password123!', email]) {
      const result = await sigra.auth.resetPassword(resetToken, { password: weak })
      assert.equal(errorOf(result), 'invalid', weak)
      assert.equal(!result.ok && result.issues?.[0]?.field, 'password')
    }
    assert.equal(errorOf(await sigra.auth.resetPassword(resetToken, { password: 42 })), 'invalid')
    assert.ok((await sigra.auth.resetPassword(resetToken, { password: NEW_PASSWORD })).ok)
  })

  test('a token expires after 1 h: valid one second before, invalid at the boundary', async () => {
    const { sigra, clock } = env()
    const early = await userWithResetToken(sigra)
    const late = await userWithResetToken(sigra)
    clock.advance(3600 - 1)
    assert.ok((await sigra.auth.resetPassword(early.resetToken, { password: NEW_PASSWORD })).ok, 'one second before 1 h')
    clock.advance(1)
    assert.equal(errorOf(await sigra.auth.resetPassword(late.resetToken, { password: NEW_PASSWORD })), 'invalid_token', 'at 1 h')
    assert.ok((await sigra.auth.logIn({ login: late.email, password: late.password })).ok, 'the old password still works')
  })

  test('a token works once', async () => {
    const { sigra } = env()
    const { resetToken } = await userWithResetToken(sigra)
    assert.ok((await sigra.auth.resetPassword(resetToken, { password: NEW_PASSWORD })).ok)
    assert.equal(errorOf(await sigra.auth.resetPassword(resetToken, { password: 'yet another passphrase 77' })), 'invalid_token')
  })

  test('a newer request invalidates the older token', async () => {
    const { sigra } = env()
    const { email, resetToken: older } = await userWithResetToken(sigra)
    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const newer = (await latestMail(sigra, email)).token!
    assert.notEqual(newer, older)
    assert.equal(errorOf(await sigra.auth.resetPassword(older, { password: NEW_PASSWORD })), 'invalid_token')
    assert.ok((await sigra.auth.resetPassword(newer, { password: NEW_PASSWORD })).ok)
  })

  test('malformed tokens are invalid_token', async () => {
    const { sigra } = env()
    for (const bad of ['', 'nope', 'A'.repeat(43), null, undefined, 42, 'x'.repeat(10 * 1024 * 1024)]) {
      assert.equal(errorOf(await sigra.auth.resetPassword(bad as never, { password: NEW_PASSWORD })), 'invalid_token', String(bad).slice(0, 40))
    }
  })

  test('two parallel resets with one token: exactly one succeeds', async () => {
    const { sigra } = env()
    for (let round = 1; round <= 5; round++) {
      const { user, resetToken } = await userWithResetToken(sigra)
      const results = await Promise.all([
        sigra.auth.resetPassword(resetToken, { password: NEW_PASSWORD }),
        sigra.auth.resetPassword(resetToken, { password: 'the other parallel passphrase' }),
      ])
      assert.deepEqual(results.map(errorOf).sort(), ['invalid_token', 'ok'], `round ${round}`)
      assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.password_reset' })).length, 1, `round ${round}`)
    }
  })
})
