import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'

describeEachBackend('sessions.rotate', (env) => {
  test('gives the same session a new secret: the old token stops validating, sudo and expiry are kept', async () => {
    const { sigra } = env()
    const { token, session, password } = await createConfirmedUser(sigra)
    const sudo = await sigra.sessions.confirmSudo(token, { password: password! })
    assert.ok(sudo.ok)
    const rotated = await sigra.sessions.rotate(token)
    assert.ok(rotated.ok)
    assert.notEqual(rotated.token, token)
    assert.equal(rotated.session.id, session.id)
    assert.equal(rotated.session.expiresAt.getTime(), session.expiresAt.getTime())
    assert.equal(await sigra.sessions.validate(token), null)
    const current = await sigra.sessions.validate(rotated.token)
    assert.equal(current?.session.id, session.id)
    assert.equal(sigra.sessions.isSudo(current?.session), true)
  })

  test('an unknown, malformed, tampered or expired token is invalid_session and changes nothing', async () => {
    const { sigra, clock } = env()
    const { token } = await createConfirmedUser(sigra)
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')
    for (const bad of ['', 'garbage', tampered, `00000000-0000-4000-8000-000000000000.${token.split('.')[1]}`]) {
      assert.deepEqual(await sigra.sessions.rotate(bad), { ok: false, error: 'invalid_session' }, bad)
    }
    assert.ok(await sigra.sessions.validate(token), 'the real token still works')
    clock.advance(sigra.config.sessions.idleTimeout)
    assert.deepEqual(await sigra.sessions.rotate(token), { ok: false, error: 'invalid_session' })
  })

  test('of two concurrent rotations of one token, exactly one wins', async () => {
    const { sigra } = env()
    const { token } = await createConfirmedUser(sigra)
    const results = await Promise.all([sigra.sessions.rotate(token), sigra.sessions.rotate(token)])
    const winners = results.filter((r) => r.ok)
    assert.equal(winners.length, 1, JSON.stringify(results.map((r) => r.ok)))
    assert.ok(winners[0]!.ok && (await sigra.sessions.validate(winners[0]!.token)))
  })
})
