import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'

const NEW_PASSWORD = 'violet lantern under quiet snow'
const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

let ipCounter = 0
const nextIp = () => `10.11.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`

describeEachBackend('auth.checkToken', (env) => {
  test('a live link of each purpose checks ok, any number of times, and is still redeemable afterwards', async () => {
    const { sigra } = env()
    const email = uniqueEmail('check-confirm')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const confirm = (await latestMail(sigra, email)).token!
    for (let i = 0; i < 3; i++) assert.deepEqual(await sigra.auth.checkToken(confirm, 'confirm'), { ok: true })
    assert.equal(errorOf(await sigra.auth.confirmEmail(confirm)), 'ok', 'checking consumed nothing')
    assert.equal(errorOf(await sigra.auth.checkToken(confirm, 'confirm')), 'invalid_token', 'a used link is dead')

    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const reset = (await latestMail(sigra, email)).token!
    assert.deepEqual(await sigra.auth.checkToken(reset, 'reset_password'), { ok: true })
    assert.equal(errorOf(await sigra.auth.resetPassword(reset, { password: NEW_PASSWORD })), 'ok')
    assert.equal(errorOf(await sigra.auth.checkToken(reset, 'reset_password')), 'invalid_token')

    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const next = uniqueEmail('check-change')
    const requested = await sigra.account.requestEmailChange(fixture.user, next, { session: fixture.session })
    assert.ok(requested.ok)
    assert.deepEqual(await sigra.auth.checkToken(requested.token, 'change_email'), { ok: true })
    assert.equal(errorOf(await sigra.account.confirmEmailChange(requested.token)), 'ok')
    assert.equal(errorOf(await sigra.auth.checkToken(requested.token, 'change_email')), 'invalid_token')
  })

  test('a token is dead for another purpose, once expired, once replaced, once the change is cancelled, and when malformed', async () => {
    const { sigra, clock } = env()
    const email = uniqueEmail('check-dead')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const confirm = (await latestMail(sigra, email)).token!
    assert.equal(errorOf(await sigra.auth.checkToken(confirm, 'reset_password')), 'invalid_token', 'wrong purpose')
    assert.equal(errorOf(await sigra.auth.checkToken(confirm, 'change_email')), 'invalid_token', 'wrong purpose')
    for (const bad of ['', 'abc', 42, null, undefined, { token: confirm }, `${confirm}x`]) {
      assert.equal(errorOf(await sigra.auth.checkToken(bad as string, 'confirm')), 'invalid_token', JSON.stringify(bad))
    }
    assert.equal(errorOf(await sigra.auth.checkToken(confirm, 'nonsense' as 'confirm')), 'invalid_token', 'an unknown purpose')

    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const first = await sigra.account.requestEmailChange(fixture.user, uniqueEmail('first'), { session: fixture.session })
    assert.ok(first.ok)
    const second = await sigra.account.requestEmailChange(fixture.user, uniqueEmail('second'), { session: fixture.session })
    assert.ok(second.ok)
    assert.equal(errorOf(await sigra.auth.checkToken(first.token, 'change_email')), 'invalid_token', 'replaced by a newer request')
    assert.deepEqual(await sigra.auth.checkToken(second.token, 'change_email'), { ok: true })
    assert.ok((await sigra.account.cancelEmailChange(fixture.user)).ok)
    assert.equal(errorOf(await sigra.auth.checkToken(second.token, 'change_email')), 'invalid_token', 'cancelled')

    clock.advance(sigra.config.tokens.confirmTtl + 1)
    assert.equal(errorOf(await sigra.auth.checkToken(confirm, 'confirm')), 'invalid_token', 'expired')
  })

  test('a token mailed to an address the account no longer has is dead, as it is for redemption', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
    const reset = (await latestMail(sigra, fixture.email)).token!
    // The account's address changes; the reset link sent to the old one must not work any more.
    const next = uniqueEmail('moved')
    const requested = await sigra.account.requestEmailChange(fixture.user, next, { session: fixture.session })
    assert.ok(requested.ok)
    assert.ok((await sigra.account.confirmEmailChange(requested.token)).ok)
    assert.equal(errorOf(await sigra.auth.checkToken(reset, 'reset_password')), 'invalid_token')
    assert.equal(errorOf(await sigra.auth.resetPassword(reset, { password: NEW_PASSWORD })), 'invalid_token', 'the redemption agrees')
  })

  test('an invalid token spends a point of the per-IP failed-redemption budget; a live one costs nothing', async () => {
    const { sigra: base } = await env().makeSigra({ rateLimit: { rules: { tokenFailuresIp: { points: 3, duration: 900 } } } })
    const email = uniqueEmail('check-budget')
    assert.ok((await base.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const live = (await latestMail(base, email)).token!
    const sigra = base.withRequest({ ip: nextIp() })
    for (let i = 0; i < 5; i++) assert.deepEqual(await sigra.auth.checkToken(live, 'confirm'), { ok: true }, 'a live link is never throttled by its own checks')
    const answers = []
    for (let i = 0; i < 4; i++) answers.push(errorOf(await sigra.auth.checkToken('not-a-live-token-at-all', 'confirm')))
    assert.deepEqual(answers, ['invalid_token', 'invalid_token', 'invalid_token', 'rate_limited'])
    const refused = await sigra.auth.checkToken(live, 'confirm')
    assert.equal(errorOf(refused), 'rate_limited', 'once spent, even a live link waits')
    assert.ok(!refused.ok && refused.retryAfter! > 0)
    assert.equal(errorOf(await sigra.auth.confirmEmail(live)), 'rate_limited', 'the same budget as the redemption')
    assert.deepEqual(await base.withRequest({ ip: nextIp() }).auth.checkToken(live, 'confirm'), { ok: true }, 'per IP')
  })
})
