import assert from 'node:assert/strict'
import { it } from 'node:test'
import { VetoError } from 'sigra'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'

// A login without listeners runs as one statement; with an onLogin hook (or a subscriber) it runs
// in a transaction with the hook. Both must leave exactly the same state.
describeEachBackend('login with and without onLogin', (env) => {
  it('an onLogin hook sees the new session inside the transaction and can write with event.trx', async () => {
    const seen: string[] = []
    const { sigra } = await env().makeSigra({
      hooks: {
        onLogin: async ({ trx, user, session }) => {
          const row = await trx.selectFrom('sessions').select('id').where('id', '=', session.id).executeTakeFirst()
          seen.push(`${user.id}:${row?.id}`)
          await trx.updateTable('users').set({ custom_fields: JSON.stringify({ logins: seen.length }) }).where('id', '=', user.id).execute()
        },
      },
    })
    const fixture = await createConfirmedUser(sigra)
    assert.deepEqual(seen, [`${fixture.user.id}:${fixture.session.id}`])
    const validated = await sigra.sessions.validate(fixture.token)
    assert.deepEqual(validated?.user.customFields, { logins: 1 })
  })

  it('an onLogin veto leaves no session, no success audit row and the failure count untouched', async () => {
    let veto = false
    const { sigra } = await env().makeSigra({ hooks: { onLogin: () => { if (veto) throw new VetoError('maintenance') } } })
    const fixture = await createConfirmedUser(sigra)
    const before = await sigra.db.selectFrom('sessions').select('id').where('user_id', '=', fixture.user.id).execute()
    const audits = (await sigra.audit.list({ userId: fixture.user.id, action: 'auth.login.success' })).events.length
    veto = true
    const refused = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.deepEqual(refused, { ok: false, error: 'vetoed', reason: 'maintenance' })
    const after = await sigra.db.selectFrom('sessions').select('id').where('user_id', '=', fixture.user.id).execute()
    assert.deepEqual(after, before)
    assert.equal((await sigra.audit.list({ userId: fixture.user.id, action: 'auth.login.success' })).events.length, audits)
  })

  it('without listeners the one-statement login ends the previous session and audits the new one', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const again = await sigra.auth.logIn({ login: fixture.email, password: fixture.password!, previousToken: fixture.token })
    assert.ok(again.ok)
    assert.equal(await sigra.sessions.validate(fixture.token), null, 'the previous session ended')
    assert.equal((await sigra.sessions.validate(again.token))?.session.id, again.session.id)
    const { events } = await sigra.audit.list({ userId: fixture.user.id, action: 'auth.login.success', limit: 1 })
    assert.equal(events[0]?.metadata.session_id, again.session.id)
  })

  it('a previousToken with the right session id but a wrong secret does not end that session', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra)
    const forged = `${fixture.session.id}.${'A'.repeat(43)}`
    const again = await sigra.auth.logIn({ login: fixture.email, password: fixture.password!, previousToken: forged })
    assert.ok(again.ok)
    assert.equal((await sigra.sessions.validate(fixture.token))?.session.id, fixture.session.id, 'the real session is untouched')
  })
})
