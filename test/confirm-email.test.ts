import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'

/** Registers an account and returns the confirmation token from its mail. */
async function registeredWithToken(sigra: Sigra) {
  const email = uniqueEmail()
  const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
  if (!result.ok) throw new Error(`register failed: ${JSON.stringify(result)}`)
  const { token } = await latestMail(sigra, email)
  assert.ok(token, 'the confirmation mail carries a token')
  return { email, user: result.user, token }
}

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

describeEachBackend('email confirmation', (env) => {
  test('the mailed token confirms the account', async () => {
    const { sigra, clock } = env()
    const { user, token } = await registeredWithToken(sigra)
    const result = await sigra.auth.confirmEmail(token)
    assert.ok(result.ok)
    assert.equal(result.user.id, user.id)
    assert.equal(result.user.confirmedAt?.getTime(), clock().getTime())
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.email_confirm' })).length, 1)
  })

  test('a token works once: the second use is invalid_token', async () => {
    const { sigra } = env()
    const { token } = await registeredWithToken(sigra)
    assert.ok((await sigra.auth.confirmEmail(token)).ok)
    assert.equal(errorOf(await sigra.auth.confirmEmail(token)), 'invalid_token')
  })

  test('a token expires at 48 h: valid one second before, invalid at the boundary', async () => {
    const { sigra, clock } = env()
    const early = await registeredWithToken(sigra)
    const late = await registeredWithToken(sigra)
    clock.advance(48 * 3600 - 1)
    assert.ok((await sigra.auth.confirmEmail(early.token)).ok, 'one second before 48 h')
    clock.advance(1)
    assert.equal(errorOf(await sigra.auth.confirmEmail(late.token)), 'invalid_token', 'at 48 h')
    const row = await sigra.db.selectFrom('users').select('confirmed_at').where('id', '=', late.user.id).executeTakeFirstOrThrow()
    assert.equal(row.confirmed_at, null)
  })

  test('malformed and foreign tokens are invalid_token', async () => {
    const { sigra } = env()
    const { token } = await registeredWithToken(sigra)
    const { sigra: other } = await env().makeSigra()
    const foreign = await registeredWithToken(other)
    // A password-reset token of the same account: the right shape, the wrong purpose.
    const { email } = await registeredWithToken(sigra)
    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const resetToken = (await latestMail(sigra, email)).token
    const bad: unknown[] = [
      '', 'nope', token.slice(1), `${token}x`, token.toUpperCase(), 'A'.repeat(43), null, undefined, 42, {}, 'x'.repeat(10 * 1024 * 1024),
      foreign.token, resetToken,
    ]
    for (const candidate of bad) {
      assert.equal(errorOf(await sigra.auth.confirmEmail(candidate as never)), 'invalid_token', String(candidate).slice(0, 60))
    }
    assert.ok((await sigra.auth.confirmEmail(token)).ok, 'the genuine token still works')
  })

  test('a token is bound to the address it was sent to', async () => {
    const { sigra } = env()
    const { user, token } = await registeredWithToken(sigra)
    await sigra.db.updateTable('users').set({ email: uniqueEmail('moved') }).where('id', '=', user.id).execute()
    assert.equal(errorOf(await sigra.auth.confirmEmail(token)), 'invalid_token')
  })

  test('sendConfirmation replaces earlier tokens', async () => {
    const { sigra, clock } = env()
    const { email, user, token: oldToken } = await registeredWithToken(sigra)
    clock.advance(60)
    assert.deepEqual(await sigra.auth.sendConfirmation(user), { ok: true })
    const { token: newToken } = await latestMail(sigra, email)
    assert.ok(newToken && newToken !== oldToken)
    assert.equal(errorOf(await sigra.auth.confirmEmail(oldToken)), 'invalid_token')
    assert.ok((await sigra.auth.confirmEmail(newToken)).ok)
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.confirmation_sent' })).length, 1)
  })

  test('resending is throttled: rate_limited within 60 s of the last mail, allowed at 60 s', async () => {
    const { sigra, clock } = env()
    const { email, user } = await registeredWithToken(sigra)
    clock.advance(59)
    const early = await sigra.auth.sendConfirmation(user)
    assert.equal(errorOf(early), 'rate_limited')
    assert.equal(!early.ok && early.retryAfter, 1)
    assert.equal((await sigra.mail.outbox({ to: email })).length, 1, 'no second mail')
    clock.advance(1)
    assert.deepEqual(await sigra.auth.sendConfirmation(user), { ok: true })
    assert.equal((await sigra.mail.outbox({ to: email })).length, 2)
    assert.equal(errorOf(await sigra.auth.sendConfirmation(user)), 'rate_limited', 'the new mail restarts the interval')
  })

  test('already_confirmed once confirmed', async () => {
    const { sigra, clock } = env()
    const { user, token } = await registeredWithToken(sigra)
    assert.ok((await sigra.auth.confirmEmail(token)).ok)
    clock.advance(3600)
    assert.equal(errorOf(await sigra.auth.sendConfirmation(user)), 'already_confirmed')
  })

  test('confirming an address ends every session the account had before, except the one confirming', async () => {
    const { sigra } = env()
    const email = uniqueEmail('prehijack')
    // Someone registers an address they do not own and keeps a session.
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const squatter = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(squatter.ok)
    const other = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(other.ok)
    // The owner opens the link (without a session of the account): every earlier session ends.
    const { token } = await latestMail(sigra, email)
    assert.ok((await sigra.auth.confirmEmail(token!)).ok)
    assert.equal(await sigra.sessions.validate(squatter.token), null)
    assert.equal(await sigra.sessions.validate(other.token), null)
    const revoked = await sigra.audit.list({ userId: squatter.user.id, action: 'session.revoke_all' })
    assert.equal(revoked.events[0]?.metadata.reason, 'email_confirmed')
    assert.equal(revoked.events[0]?.metadata.count, 2)
  })

  test('the confirming session is kept when it is the account’s own; a session of another account changes nothing', async () => {
    const { sigra } = env()
    const email = uniqueEmail('own')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const mine = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    const elsewhere = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(mine.ok && elsewhere.ok)
    const { token } = await latestMail(sigra, email)
    assert.ok((await sigra.auth.confirmEmail(token!, { session: mine.session })).ok)
    assert.ok(await sigra.sessions.validate(mine.token), 'kept')
    assert.equal(await sigra.sessions.validate(elsewhere.token), null, 'ended')
  })
})
