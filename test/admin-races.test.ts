import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin, SYSTEM_ACTOR } from 'sigra/admin'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD } from './support/harness.ts'

/**
 * The races the admin feature promises to win. They matter on real PostgreSQL (PGlite runs one
 * statement at a time, so there they pass trivially): run with SIGRA_TEST_DATABASE_URL, as CI does.
 */
describeEachBackend('admin races', (env) => {
  const owners = async (sigra: Awaited<ReturnType<typeof withAdmin>>['sigra']) => {
    const rows = await sigra.db.selectFrom('users').select('id').execute()
    const roles = await Promise.all(rows.map((r) => sigra.admin.roles(r)))
    return roles.filter((r) => r.includes('owner')).length
  }
  const withAdmin = () => env().makeSigra({ features: [admin()] })

  test('parallel first registrations make exactly one Owner', async () => {
    for (let round = 0; round < 5; round++) {
      const { sigra } = await withAdmin()
      const results = await Promise.all(
        [...Array(6).keys()].map((i) => sigra.auth.register({ email: `racer-${round}-${i}@example.com`, password: GOOD_PASSWORD, ip: `192.0.2.${i + 10}` })),
      )
      assert.ok(results.every((r) => r.ok), 'every registration succeeds')
      assert.equal(await owners(sigra), 1, `round ${round}`)
    }
  })

  test('the last two Owners stepping down at once: exactly one succeeds', async () => {
    for (let round = 0; round < 5; round++) {
      const { sigra } = await withAdmin()
      const a = await createConfirmedUser(sigra)
      const b = await createConfirmedUser(sigra)
      assert.ok((await sigra.admin.setRole(a.user, b.user, 'owner')).ok)
      const results = await Promise.all([sigra.admin.setRole(a.user, a.user, 'user'), sigra.admin.setRole(b.user, b.user, 'admin')])
      assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error)).sort(), ['last_owner', 'ok'], `round ${round}`)
      assert.equal(await owners(sigra), 1)
    }
  })

  test('suspending and deleting the last two Owners at once: one always stays', async () => {
    for (let round = 0; round < 5; round++) {
      const { sigra } = await withAdmin()
      const a = await createConfirmedUser(sigra)
      const b = await createConfirmedUser(sigra)
      assert.ok((await sigra.admin.setRole(a.user, b.user, 'owner')).ok)
      const results = await Promise.all([sigra.admin.setStatus(SYSTEM_ACTOR, a.user, 'suspended'), sigra.admin.deleteUser(SYSTEM_ACTOR, b.user)])
      assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error)).sort(), ['last_owner', 'ok'], `round ${round}`)
      const active = await sigra.db.selectFrom('users').select('id').where('status', '=', 'active').where('deleted_at', 'is', null).execute()
      assert.equal(active.length, 1)
    }
  })

  test('two Owners requesting their own deletion at once: the second is vetoed', async () => {
    const { sigra } = await withAdmin()
    const a = await createConfirmedUser(sigra)
    const b = await createConfirmedUser(sigra)
    await sigra.admin.setRole(a.user, b.user, 'owner')
    const [sa, sb] = await Promise.all([grantSudo(sigra, a.session), grantSudo(sigra, b.session)])
    const results = await Promise.all([sigra.account.scheduleDeletion(a.user, { session: sa }), sigra.account.scheduleDeletion(b.user, { session: sb })])
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : `${r.error}:${'reason' in r ? r.reason : ''}`)).sort(), ['ok', 'vetoed:last_owner'])
  })
})
