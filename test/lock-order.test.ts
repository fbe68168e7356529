import assert from 'node:assert/strict'
import { it } from 'node:test'
import { createConfirmedUser, latestMail } from 'sigra/testing'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'

// Flows that touch one account's user row and its tokens take their locks in one order (user row,
// then token rows). Taken in opposite orders, a reset and an email-change confirmation racing on
// PostgreSQL deadlock (40P01) and one of them throws instead of answering.
describeEachBackend('lock order across flows on one account', (env) => {
  it('a password reset racing an email-change confirmation: exactly one wins, neither throws', async () => {
    const { sigra } = env()
    for (let round = 0; round < 6; round++) {
      const fixture = await createConfirmedUser(sigra, { sudo: true })
      const newEmail = uniqueEmail('moved')
      const change = await sigra.account.requestEmailChange(fixture.user, newEmail, { session: fixture.session })
      assert.ok(change.ok)
      assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
      const resetToken = (await latestMail(sigra, fixture.email)).token
      assert.ok(resetToken)

      const [reset, confirm] = await Promise.all([
        sigra.auth.resetPassword(resetToken, { password: `a new passphrase for round ${round}` }),
        sigra.account.confirmEmailChange(change.token),
      ])
      const winners = [reset.ok, confirm.ok].filter(Boolean).length
      assert.equal(winners, 1, `round ${round}: reset=${JSON.stringify(reset)} confirm=${JSON.stringify(confirm)}`)
      if (!reset.ok) assert.equal(reset.error, 'invalid_token')
      if (!confirm.ok) assert.equal(confirm.error, 'invalid_token')
    }
  })
})
