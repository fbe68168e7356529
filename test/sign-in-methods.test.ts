import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { github, oauth } from 'sigra/oauth'
import { passkeys } from 'sigra/passkeys'
import { grantSudo } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'
import { authenticator, errorOf, userWithPasskey } from './support/passkey-helpers.ts'

/**
 * The last-method guard counts every feature's ways in (core's password, passkeys, provider
 * accounts), under the user's row lock: removing a passkey is fine while a provider account remains,
 * and the other way round, but never both.
 */
describeEachBackend('ways to sign in across features', (env) => {
  const setup = async () => {
    const { sigra } = await env().makeSigra({ features: [passkeys({ rpName: 'Acme' }), oauth({ providers: [github({ clientId: 'id', clientSecret: 'secret' })] })] })
    const device = authenticator()
    const fixture = await userWithPasskey(sigra, device, { password: null })
    // A connected GitHub account, as a completed link would leave it (the provider is configured).
    await sql`INSERT INTO ${sql.table(`${sigra.config.schema}.oauth_identities`)} (user_id, provider, subject, email, email_verified, created_at, last_used_at)
      VALUES (${fixture.user.id}, 'github', '4242', ${fixture.email}, true, now(), now())`.execute(sigra.db)
    return { sigra, fixture, session: await grantSudo(sigra, fixture.session) }
  }

  test('a password-less account with a passkey and a provider account may remove the passkey, then not unlink the provider', async () => {
    const { sigra, fixture, session } = await setup()
    assert.equal(errorOf(await sigra.passkeys.remove(fixture.user, fixture.passkey.id, { session })), 'ok', 'GitHub remains a way in')
    assert.equal(errorOf(await sigra.oauth.unlink(fixture.user, 'github', { session })), 'last_method')
  })

  test('…or unlink the provider, then not remove the last passkey', async () => {
    const { sigra, fixture, session } = await setup()
    assert.equal(errorOf(await sigra.oauth.unlink(fixture.user, 'github', { session })), 'ok', 'the passkey remains a way in')
    assert.equal(errorOf(await sigra.passkeys.remove(fixture.user, fixture.passkey.id, { session })), 'last_method')
  })

  test('removing both at once: exactly one succeeds', async () => {
    const { sigra, fixture, session } = await setup()
    const results = await Promise.all([sigra.passkeys.remove(fixture.user, fixture.passkey.id, { session }), sigra.oauth.unlink(fixture.user, 'github', { session })])
    assert.deepEqual(results.map(errorOf).sort(), ['last_method', 'ok'])
  })
})
