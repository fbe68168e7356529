import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VetoError, type Sigra } from 'sigra'
import { createConfirmedUser, latestMail } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

const HOUR = 3600

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

/** Replaces the character at `index` with a different one of the token alphabet. */
function flipChar(text: string, index: number): string {
  const c = text[index]!
  return text.slice(0, index) + (c === 'A' ? 'B' : 'A') + text.slice(index + 1)
}

async function userRow(sigra: Sigra, id: string) {
  return sigra.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

async function changeTokenRows(sigra: Sigra, userId: string) {
  return sigra.db.selectFrom('user_tokens').selectAll().where('user_id', '=', userId).where('context', '=', 'change_email').execute()
}

/** A sudo-fresh user who asked to move to a new address; the token is read from the mailed link. */
async function pendingChange(sigra: Sigra) {
  const fixture = await createConfirmedUser(sigra, { sudo: true })
  const newEmail = uniqueEmail('new')
  const result = await sigra.account.requestEmailChange(fixture.user, newEmail, { session: fixture.session })
  assert.ok(result.ok, JSON.stringify(result))
  const mail = await latestMail(sigra, newEmail)
  assert.equal(mail.token, result.token, 'the mailed link carries the returned token')
  return { ...fixture, newEmail, changeToken: result.token }
}

describeEachBackend('email change', (env) => {
  test('request reserves the new address, keeps the current one active, mails both addresses and audits', async () => {
    const { sigra, clock } = env()
    const { user, session, email, password, newEmail, changeToken } = await pendingChange(sigra)

    const row = await userRow(sigra, user.id)
    assert.equal(row.email, email, 'the current address stays')
    assert.equal(row.pending_email, newEmail)
    assert.equal(row.pending_email_expires_at?.getTime(), clock().getTime() + 24 * HOUR * 1000)
    const tokens = await changeTokenRows(sigra, user.id)
    assert.equal(tokens.length, 1)
    assert.equal(tokens[0]!.sent_to, newEmail, 'the token is bound to the new address')

    assert.ok((await sigra.auth.logIn({ login: email, password: password! })).ok, 'the current address still logs in')
    assert.equal(errorOf(await sigra.auth.logIn({ login: newEmail, password: password! })), 'invalid_credentials', 'the new one does not yet')

    const verify = await latestMail(sigra, newEmail)
    const url = new URL(verify.link!)
    assert.equal(url.origin, 'http://localhost:3000', 'built from baseUrl')
    assert.ok(url.pathname.endsWith('/confirm-email-change'), `link was ${verify.link}`)
    const notice = await latestMail(sigra, email)
    assert.ok(notice.text.includes(newEmail), 'the old address is told where the account would move')
    assert.equal(notice.token, null)
    for (const part of [notice.text, notice.html]) {
      assert.ok(!part.includes('token='), 'the notice to the old address carries no link that changes anything')
      assert.ok(!part.includes(changeToken))
    }

    const audit = await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_request' })
    assert.equal(audit.length, 1)
    assert.equal(audit[0]!.metadata.session_id, session.id)
    assert.ok(!JSON.stringify(audit).includes(changeToken), 'the token is not in the audit log')
  })

  test('request refuses same_email, invalid input, email_taken and a session that is not sudo-fresh', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const other = await createConfirmedUser(sigra, { sudo: true })
    const opts = { session: fixture.session }

    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, fixture.email, opts)), 'same_email')
    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, ` ${fixture.email.toUpperCase()} `, opts)), 'same_email', 'compared normalised')
    for (const bad of ['', 'not-an-email', 'a@b', 42, null, 'x'.repeat(400) + '@example.com']) {
      assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, bad as never, opts)), 'invalid', String(bad).slice(0, 40))
    }
    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, other.email, opts)), 'email_taken')
    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, other.email.toUpperCase(), opts)), 'email_taken')

    const target = uniqueEmail('target')
    const plain = await createConfirmedUser(sigra)
    assert.equal(errorOf(await sigra.account.requestEmailChange(plain.user, target, { session: plain.session })), 'sudo_required', 'a session that is not sudo-fresh')
    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, target)), 'sudo_required', 'no session')
    assert.equal(errorOf(await sigra.account.requestEmailChange(fixture.user, target, { session: other.session })), 'sudo_required', "another user's sudo session")

    for (const id of [fixture.user.id, plain.user.id]) {
      assert.equal((await userRow(sigra, id)).pending_email, null, 'nothing was reserved')
      assert.equal((await changeTokenRows(sigra, id)).length, 0)
    }
    assert.deepEqual(await sigra.mail.outbox({ to: target }), [], 'nothing was mailed to the target')
  })

  test('request is rate limited per account: the sixth within an hour is rate_limited', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    for (let i = 0; i < 5; i++) {
      assert.ok((await sigra.account.requestEmailChange(fixture.user, uniqueEmail('hop'), { session: fixture.session })).ok, `request ${i + 1}`)
    }
    const target = uniqueEmail('hop')
    const limited = await sigra.account.requestEmailChange(fixture.user, target, { session: fixture.session })
    assert.equal(errorOf(limited), 'rate_limited')
    assert.ok(!limited.ok && limited.retryAfter !== undefined && limited.retryAfter > 0)
    assert.deepEqual(await sigra.mail.outbox({ to: target }), [])
  })

  test('the pending address is taken: register and another user\'s request answer email_taken', async () => {
    const { sigra } = env()
    const { user, newEmail } = await pendingChange(sigra)
    const usersBefore = await sigra.db.selectFrom('users').select('id').execute()

    assert.equal(errorOf(await sigra.auth.register({ email: newEmail, password: GOOD_PASSWORD })), 'email_taken')
    assert.equal(errorOf(await sigra.auth.register({ email: newEmail.toUpperCase(), password: GOOD_PASSWORD })), 'email_taken')
    assert.equal((await sigra.db.selectFrom('users').select('id').execute()).length, usersBefore.length, 'no account was created')

    const other = await createConfirmedUser(sigra, { sudo: true })
    assert.equal(errorOf(await sigra.account.requestEmailChange(other.user, newEmail, { session: other.session })), 'email_taken')
    assert.equal((await userRow(sigra, other.user.id)).pending_email, null)
    assert.equal((await userRow(sigra, user.id)).pending_email, newEmail, 'the first reservation stands')
  })

  test('an expired reservation no longer holds the address: another user can claim it', async () => {
    const { sigra, clock } = env()
    const first = await pendingChange(sigra)
    clock.advance(24 * HOUR)
    const other = await createConfirmedUser(sigra, { sudo: true })
    const claimed = await sigra.account.requestEmailChange(other.user, first.newEmail, { session: other.session })
    assert.ok(claimed.ok, JSON.stringify(claimed))
    assert.equal((await userRow(sigra, other.user.id)).pending_email, first.newEmail)
    assert.equal((await userRow(sigra, first.user.id)).pending_email, null, 'the lapsed reservation was released')
    assert.equal(errorOf(await sigra.account.confirmEmailChange(first.changeToken)), 'invalid_token')
    assert.ok((await sigra.account.confirmEmailChange(claimed.token)).ok)
    assert.equal((await userRow(sigra, other.user.id)).email, first.newEmail)
  })

  test('confirm switches the address, clears pending_email, keeps only the given session, bumps epoch, mails the old address, audits', async () => {
    const { sigra } = env()
    const { user, session, token, email, password, newEmail, changeToken } = await pendingChange(sigra)
    const second = await sigra.auth.logIn({ login: email, password: password! })
    assert.ok(second.ok)
    const before = await userRow(sigra, user.id)

    const result = await sigra.account.confirmEmailChange(changeToken, { session })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.email, newEmail)
    assert.equal(result.user.pendingEmail, null)
    assert.equal(result.user.epoch, before.epoch + 1)

    const row = await userRow(sigra, user.id)
    assert.equal(row.email, newEmail)
    assert.equal(row.pending_email, null)
    assert.equal(row.pending_email_expires_at, null)
    assert.equal(row.epoch, before.epoch + 1)

    assert.ok(await sigra.sessions.validate(token), 'the given session survives')
    assert.equal(await sigra.sessions.validate(second.token), null, 'every other session is revoked')
    const revokeAll = (await allAuditEvents(sigra, { userId: user.id, action: 'session.revoke_all' }))[0]
    assert.equal(revokeAll?.metadata.reason, 'email_change')

    const notice = (await sigra.mail.outbox({ to: email })).at(-1)!
    assert.equal(notice.template, 'emailChanged')
    assert.ok(notice.text.includes(newEmail))
    assert.ok(!notice.text.includes('token=') && !notice.html.includes('token='))

    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_confirm' })).length, 1)
    assert.ok((await sigra.auth.logIn({ login: newEmail, password: password! })).ok, 'the new address logs in')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: password! })), 'invalid_credentials', 'the old one no longer does')
    assert.equal(errorOf(await sigra.account.confirmEmailChange(changeToken, { session })), 'invalid_token', 'the token works once')
  })

  test('confirm without a session, or with a session of another user, revokes every session', async () => {
    const { sigra } = env()
    const bare = await pendingChange(sigra)
    assert.ok((await sigra.account.confirmEmailChange(bare.changeToken)).ok)
    assert.equal(await sigra.sessions.validate(bare.token), null)

    const foreign = await pendingChange(sigra)
    const stranger = await createConfirmedUser(sigra)
    assert.ok((await sigra.account.confirmEmailChange(foreign.changeToken, { session: stranger.session })).ok)
    assert.equal(await sigra.sessions.validate(foreign.token), null)
    assert.ok(await sigra.sessions.validate(stranger.token), "the stranger's session is untouched")
  })

  test('the token lives 24 h: valid one second before, invalid_token at 24 h', async () => {
    const { sigra, clock } = env()
    const early = await pendingChange(sigra)
    const late = await pendingChange(sigra)
    clock.advance(24 * HOUR - 1)
    assert.ok((await sigra.account.confirmEmailChange(early.changeToken)).ok, 'one second before 24 h')
    clock.advance(1)
    assert.equal(errorOf(await sigra.account.confirmEmailChange(late.changeToken)), 'invalid_token', 'at 24 h')
    assert.equal((await userRow(sigra, late.user.id)).email, late.email)
  })

  test('tampered, malformed and foreign (other purpose) tokens are invalid_token and change nothing', async () => {
    const { sigra } = env()
    const { user, email, changeToken } = await pendingChange(sigra)
    for (const bad of [flipChar(changeToken, 0), flipChar(changeToken, 42), changeToken.slice(1), `${changeToken}A`, changeToken.toUpperCase(), '', 'nope', null, undefined, 42, {}, 'x'.repeat(1024 * 1024)]) {
      assert.equal(errorOf(await sigra.account.confirmEmailChange(bad as never)), 'invalid_token', String(bad).slice(0, 50))
    }

    // A reset token and a confirmation token are not email change tokens, and are not spent by trying.
    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const resetToken = (await latestMail(sigra, email)).token!
    const unconfirmedEmail = uniqueEmail('unconfirmed')
    assert.ok((await sigra.auth.register({ email: unconfirmedEmail, password: GOOD_PASSWORD })).ok)
    const confirmToken = (await latestMail(sigra, unconfirmedEmail)).token!
    assert.equal(errorOf(await sigra.account.confirmEmailChange(resetToken)), 'invalid_token')
    assert.equal(errorOf(await sigra.account.confirmEmailChange(confirmToken)), 'invalid_token')
    assert.ok((await sigra.auth.confirmEmail(confirmToken)).ok, 'the confirmation token still works for its purpose')

    const row = await userRow(sigra, user.id)
    assert.equal(row.email, email)
    assert.ok(row.pending_email)
    assert.ok((await sigra.account.confirmEmailChange(changeToken)).ok, 'the genuine token still works')
  })

  test('the token is bound to its user and to the address it was mailed to', async () => {
    const { sigra, clock } = env()
    const { user, email, changeToken } = await pendingChange(sigra)
    // Keep the token row but move the reservation (an out-of-band write): the token no longer applies.
    const elsewhere = uniqueEmail('elsewhere')
    await sigra.db.updateTable('users').set({ pending_email: elsewhere, pending_email_expires_at: new Date(clock().getTime() + HOUR * 1000) }).where('id', '=', user.id).execute()
    assert.equal(errorOf(await sigra.account.confirmEmailChange(changeToken)), 'invalid_token')
    const row = await userRow(sigra, user.id)
    assert.equal(row.email, email)
    assert.equal(row.pending_email, elsewhere, 'and it was not switched to the other address either')

    // Another user's pending change confirms only that user's account.
    const other = await pendingChange(sigra)
    const confirmed = await sigra.account.confirmEmailChange(other.changeToken, { session: other.session })
    assert.ok(confirmed.ok)
    assert.equal(confirmed.user.id, other.user.id)
    assert.equal((await userRow(sigra, user.id)).email, email)
  })

  test('a second request replaces the first: the old token is invalid_token, the first address is free again', async () => {
    const { sigra } = env()
    const first = await pendingChange(sigra)
    const secondEmail = uniqueEmail('second')
    const second = await sigra.account.requestEmailChange(first.user, secondEmail, { session: first.session })
    assert.ok(second.ok)
    assert.equal(second.user.pendingEmail, secondEmail)
    assert.equal((await changeTokenRows(sigra, first.user.id)).length, 1, 'one pending change at a time')

    assert.equal(errorOf(await sigra.account.confirmEmailChange(first.changeToken)), 'invalid_token')
    assert.ok((await sigra.auth.register({ email: first.newEmail, password: GOOD_PASSWORD })).ok, 'the first address is no longer reserved')
    const confirmed = await sigra.account.confirmEmailChange(second.token)
    assert.ok(confirmed.ok)
    assert.equal(confirmed.user.email, secondEmail)
  })

  test('cancel clears pending_email, deletes the token, frees the address and audits; with nothing pending it audits nothing', async () => {
    const { sigra } = env()
    const { user, newEmail, changeToken } = await pendingChange(sigra)
    const cancelled = await sigra.account.cancelEmailChange(user)
    assert.ok(cancelled.ok)
    assert.equal(cancelled.user.pendingEmail, null)
    const row = await userRow(sigra, user.id)
    assert.equal(row.pending_email, null)
    assert.equal(row.pending_email_expires_at, null)
    assert.equal((await changeTokenRows(sigra, user.id)).length, 0)
    assert.equal(errorOf(await sigra.account.confirmEmailChange(changeToken)), 'invalid_token')
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_cancel' })).length, 1)

    assert.ok((await sigra.account.cancelEmailChange(user)).ok, 'cancelling again is harmless')
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_cancel' })).length, 1, 'and writes no second row')
    assert.ok((await sigra.auth.register({ email: newEmail, password: GOOD_PASSWORD })).ok, 'the address is free')
    assert.equal(errorOf(await sigra.account.cancelEmailChange({ id: '00000000-0000-4000-8000-000000000000' })), 'not_found')
  })

  test('an address claimed meanwhile makes confirm answer email_taken, and nothing changes', async () => {
    const { sigra } = env()
    const { user, session, token, email, newEmail, changeToken } = await pendingChange(sigra)
    // The reservation keeps every public path off the address, so the claim is simulated with an
    // out-of-band write (an operator's tool, an import) putting another live account on it.
    const other = await createConfirmedUser(sigra)
    await sigra.db.updateTable('users').set({ email: newEmail }).where('id', '=', other.user.id).execute()
    const before = await userRow(sigra, user.id)

    assert.equal(errorOf(await sigra.account.confirmEmailChange(changeToken, { session })), 'email_taken')
    const after = await userRow(sigra, user.id)
    assert.equal(after.email, email)
    assert.equal(after.pending_email, newEmail)
    assert.equal(after.epoch, before.epoch)
    assert.ok(await sigra.sessions.validate(token), 'no session was revoked')
    assert.equal((await changeTokenRows(sigra, user.id))[0]?.used_at, null, 'the token was not spent')
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_confirm' })).length, 0)
    assert.equal((await sigra.mail.outbox({ to: email })).at(-1)?.template, 'emailChangeRequested', 'no "changed" notice')
  })

  test('onEmailChange runs inside the transaction: its writes commit with the switch, a VetoError rolls everything back', async () => {
    let mode: 'allow' | 'veto' | 'crash' = 'veto'
    const { sigra, clock } = await env().makeSigra({
      hooks: {
        onEmailChange: async ({ trx, user, previousEmail }) => {
          const seen = await trx.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow()
          await trx
            .insertInto('audit_events')
            .values({ occurred_at: clock(), action: 'app.email_changed', outcome: 'success', actor_id: user.id, user_id: user.id, ip: null, user_agent: null, metadata: JSON.stringify({ seen: seen.email, previous: previousEmail }) })
            .execute()
          if (mode === 'veto') throw new VetoError('address not allowed')
          if (mode === 'crash') throw new Error('hook crashed')
        },
      },
    })
    const { user, token, email, newEmail, changeToken } = await pendingChange(sigra)

    const vetoed = await sigra.account.confirmEmailChange(changeToken)
    assert.deepEqual(vetoed, { ok: false, error: 'vetoed', reason: 'address not allowed' })
    mode = 'crash'
    await assert.rejects(sigra.account.confirmEmailChange(changeToken), /hook crashed/)

    const row = await userRow(sigra, user.id)
    assert.equal(row.email, email, 'the address did not switch')
    assert.equal(row.pending_email, newEmail)
    assert.ok(await sigra.sessions.validate(token), 'no session was revoked')
    assert.equal((await allAuditEvents(sigra, { action: 'app.email_changed' })).length, 0, "the hook's own write was rolled back")
    assert.equal((await allAuditEvents(sigra, { action: 'account.email_change_confirm' })).length, 0)

    // The token's consumption is part of the rolled-back transaction, so the same link works once
    // the hook lets the change through: a refusal does not burn the user's link.
    mode = 'allow'
    const confirmed = await sigra.account.confirmEmailChange(changeToken)
    assert.ok(confirmed.ok, JSON.stringify(confirmed))
    const hookRows = await allAuditEvents(sigra, { action: 'app.email_changed' })
    assert.equal(hookRows.length, 1)
    assert.deepEqual(hookRows[0]!.metadata, { seen: newEmail, previous: email }, 'the hook saw the switched row inside the transaction')
  })

  test('race: two parallel confirms of one token, exactly one succeeds (5 rounds)', async () => {
    const { sigra } = env()
    for (let round = 1; round <= 5; round++) {
      const { user, newEmail, changeToken } = await pendingChange(sigra)
      const results = await Promise.all([sigra.account.confirmEmailChange(changeToken), sigra.account.confirmEmailChange(changeToken)])
      assert.deepEqual(results.map(errorOf).sort(), ['invalid_token', 'ok'], `round ${round}`)
      assert.equal((await userRow(sigra, user.id)).email, newEmail)
      assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.email_change_confirm' })).length, 1, `round ${round}`)
    }
  })

  test('race: a confirm in parallel with a new request of the same user never fails with an error, and ends consistent (12 rounds)', async () => {
    const { sigra } = env()
    for (let round = 1; round <= 12; round++) {
      const { user, session, email, newEmail, changeToken } = await pendingChange(sigra)
      const sameAddress = round % 2 === 0
      const next = sameAddress ? newEmail : uniqueEmail('next')
      // Both must settle to values (an exception such as a deadlock would reject Promise.all).
      const [request, confirm] = await Promise.all([
        sigra.account.requestEmailChange(user, next, { session }),
        sigra.account.confirmEmailChange(changeToken, { session }),
      ])
      const outcome = `${errorOf(request)}/${errorOf(confirm)}`
      const row = await userRow(sigra, user.id)
      if (confirm.ok) {
        // The confirm went first; the request then saw the switched address.
        assert.equal(outcome, sameAddress ? 'same_email/ok' : 'ok/ok', `round ${round}`)
        assert.equal(row.email, newEmail)
        assert.equal(row.pending_email, sameAddress ? null : next)
      } else {
        // The request went first and replaced the token the confirm carried.
        assert.equal(outcome, 'ok/invalid_token', `round ${round}`)
        assert.equal(row.email, email)
        assert.equal(row.pending_email, next)
      }
    }
  })
})
