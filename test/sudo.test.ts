import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Session, Sigra } from 'sigra'
import { createConfirmedUser, grantSudo, type Fixture } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'

const SUDO_TTL = 300
const WRONG = 'definitely not my password'
const NEW_PASSWORD = 'a brand new passphrase 2026'

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

async function userRow(sigra: Sigra, id: string) {
  return sigra.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** Re-authenticates as the user would (password), or as an OAuth re-login would (no password). */
async function elevate(sigra: Sigra, fixture: Fixture): Promise<Session> {
  if (fixture.password === null) return grantSudo(sigra, fixture.session)
  const result = await sigra.sessions.confirmSudo(fixture.token, { password: fixture.password })
  assert.ok(result.ok, JSON.stringify(result))
  return result.session
}

interface Gate {
  name: string
  /** The operation needs an account without a password (setPassword). */
  oauth?: boolean
  run(sigra: Sigra, fixture: Fixture, session: Pick<Session, 'id'> | undefined): Promise<{ ok: boolean; error?: string }>
}

/** Every operation that requires a sudo-fresh session. */
const GATED: Gate[] = [
  { name: 'requestEmailChange', run: (sigra, f, session) => sigra.account.requestEmailChange(f.user, uniqueEmail('gated'), { session }) },
  { name: 'setPassword', oauth: true, run: (sigra, f, session) => sigra.account.setPassword(f.user, { password: NEW_PASSWORD }, { session }) },
  { name: 'scheduleDeletion', run: (sigra, f, session) => sigra.account.scheduleDeletion(f.user, { session }) },
  { name: 'revokeOtherSessions', run: (sigra, f, session) => sigra.account.revokeOtherSessions(f.user, { session }) },
  { name: 'exportUserData', run: (sigra, f, session) => sigra.account.exportUserData(f.user, { session }) },
]

describeEachBackend('sudo', (env) => {
  test('confirmSudo with the right password makes the session sudo-fresh and audits it', async () => {
    const { sigra, clock } = env()
    const { user, session, token, password } = await createConfirmedUser(sigra)
    assert.equal(sigra.sessions.isSudo(session), false)
    const result = await sigra.sessions.confirmSudo(token, { password: password! })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.session.id, session.id)
    assert.equal(result.session.sudoAt?.getTime(), clock().getTime())
    assert.equal(sigra.sessions.isSudo(result.session), true)
    const validated = await sigra.sessions.validate(token)
    assert.equal(validated?.session.sudoAt?.getTime(), clock().getTime(), 'stored on the session row')
    assert.equal(sigra.sessions.isSudo(validated?.session), true)
    const audit = await allAuditEvents(sigra, { userId: user.id, action: 'session.sudo_enter' })
    assert.equal(audit.length, 1)
    assert.equal(audit[0]!.metadata.session_id, session.id)
  })

  test('a wrong password is invalid_credentials, audited, and counts toward the lockout: the fifth locks', async () => {
    const { sigra } = env()
    const { user, session, token, email, password } = await createConfirmedUser(sigra)
    for (let i = 1; i <= 4; i++) {
      assert.equal(errorOf(await sigra.sessions.confirmSudo(token, { password: WRONG })), 'invalid_credentials', `attempt ${i}`)
      assert.equal((await userRow(sigra, user.id)).failed_login_attempts, i)
    }
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'session.sudo_failure' })).length, 4)
    const failures = await allAuditEvents(sigra, { userId: user.id, action: 'auth.login.failure' })
    assert.ok(failures.length === 4 && failures.every((e) => e.metadata.reason === 'sudo_wrong_password'))
    assert.equal((await sigra.db.selectFrom('sessions').select('sudo_at').where('id', '=', session.id).executeTakeFirstOrThrow()).sudo_at, null)

    assert.equal(errorOf(await sigra.sessions.confirmSudo(token, { password: WRONG })), 'locked')
    assert.equal(errorOf(await sigra.sessions.confirmSudo(token, { password: password! })), 'locked', 'the right password does not get through a lock')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: password! })), 'locked', 'login is locked too')
  })

  test('wrong sudo passwords and wrong logins share one counter; a right sudo password resets it', async () => {
    const { sigra } = env()
    const a = await createConfirmedUser(sigra)
    for (let i = 0; i < 2; i++) assert.equal(errorOf(await sigra.sessions.confirmSudo(a.token, { password: WRONG })), 'invalid_credentials')
    assert.ok((await sigra.sessions.confirmSudo(a.token, { password: a.password! })).ok)
    assert.equal((await userRow(sigra, a.user.id)).failed_login_attempts, 0)

    const b = await createConfirmedUser(sigra)
    for (let i = 0; i < 4; i++) assert.equal(errorOf(await sigra.sessions.confirmSudo(b.token, { password: WRONG })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.auth.logIn({ login: b.email, password: WRONG })), 'locked', 'the fifth failure, at login, locks')
  })

  test('malformed, tampered and revoked session tokens are invalid_session; bad input is invalid; OAuth-only is no_password', async () => {
    const { sigra } = env()
    const { token, password } = await createConfirmedUser(sigra)
    const [id, secret] = token.split('.') as [string, string]
    for (const bad of ['', 'garbage', `${id}.`, `${id}.${secret.slice(1)}A`, `${id}.${secret.toUpperCase()}`, null, undefined, 42, 'x'.repeat(1024 * 1024)]) {
      assert.equal(errorOf(await sigra.sessions.confirmSudo(bad as never, { password: password! })), 'invalid_session', String(bad).slice(0, 50))
    }
    assert.equal(errorOf(await sigra.sessions.confirmSudo(token, { password: 42 as never })), 'invalid')
    assert.equal(errorOf(await sigra.sessions.confirmSudo(token, null as never)), 'invalid')

    await sigra.auth.logOut(token)
    assert.equal(errorOf(await sigra.sessions.confirmSudo(token, { password: password! })), 'invalid_session', 'a revoked session')

    const oauth = await createConfirmedUser(sigra, { password: null })
    assert.equal(errorOf(await sigra.sessions.confirmSudo(oauth.token, { password: 'anything at all here' })), 'no_password')
  })

  test('isSudo holds for 300 s: true one second before, false at 300 s; the gated operations agree', async () => {
    const { sigra, clock } = env()
    const fixture = await createConfirmedUser(sigra)
    const session = await elevate(sigra, fixture)
    clock.advance(SUDO_TTL - 1)
    assert.equal(sigra.sessions.isSudo(session), true)
    assert.ok((await sigra.account.revokeOtherSessions(fixture.user, { session })).ok, 'one second before')
    clock.advance(1)
    assert.equal(sigra.sessions.isSudo(session), false)
    assert.equal(errorOf(await sigra.account.revokeOtherSessions(fixture.user, { session })), 'sudo_required', 'at 300 s')
    assert.equal(sigra.sessions.isSudo(null), false)
    assert.equal(sigra.sessions.isSudo({ sudoAt: null, impersonatorId: null }), false)
  })

  test('sessions.sudoTtl overrides the window', async () => {
    const { sigra, clock } = await env().makeSigra({ sessions: { sudoTtl: 60 } })
    const fixture = await createConfirmedUser(sigra)
    const session = await elevate(sigra, fixture)
    clock.advance(59)
    assert.equal(sigra.sessions.isSudo(session), true)
    assert.ok((await sigra.account.exportUserData(fixture.user, { session })).ok)
    clock.advance(1)
    assert.equal(sigra.sessions.isSudo(session), false)
    assert.equal(errorOf(await sigra.account.exportUserData(fixture.user, { session })), 'sudo_required')
  })

  test('revokeOtherSessions ends every other session of the user and keeps the sudo-fresh one', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const others: string[] = []
    for (let i = 0; i < 2; i++) {
      const login = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
      assert.ok(login.ok)
      others.push(login.token)
    }
    const stranger = await createConfirmedUser(sigra)
    const result = await sigra.account.revokeOtherSessions(fixture.user, { session: fixture.session })
    assert.deepEqual(result, { ok: true, count: 2 })
    assert.ok(await sigra.sessions.validate(fixture.token))
    for (const other of others) assert.equal(await sigra.sessions.validate(other), null)
    assert.ok(await sigra.sessions.validate(stranger.token), "another user's session is untouched")
    const audit = (await allAuditEvents(sigra, { userId: fixture.user.id, action: 'session.revoke_all' }))[0]
    assert.equal(audit?.metadata.reason, 'revoke_others')
    assert.equal(audit?.metadata.count, 2)
  })

  for (const gate of GATED) {
    test(`${gate.name}: sudo_required without sudo, with another user's sudo session and after expiry; works when sudo-fresh`, async () => {
      const { sigra, clock } = env()
      const fixture = await createConfirmedUser(sigra, gate.oauth ? { password: null } : {})
      assert.equal(errorOf(await gate.run(sigra, fixture, undefined)), 'sudo_required', 'no session')
      assert.equal(errorOf(await gate.run(sigra, fixture, fixture.session)), 'sudo_required', 'a session that never confirmed')
      const stranger = await createConfirmedUser(sigra, { sudo: true })
      assert.equal(errorOf(await gate.run(sigra, fixture, stranger.session)), 'sudo_required', "another user's sudo session")

      const session = await elevate(sigra, fixture)
      clock.advance(SUDO_TTL)
      assert.equal(errorOf(await gate.run(sigra, fixture, session)), 'sudo_required', 'after expiry')

      const fresh = await elevate(sigra, fixture)
      const result = await gate.run(sigra, fixture, fresh)
      assert.ok(result.ok, JSON.stringify(result))
    })
  }

  test('a malformed session id is refused as sudo_required by every gated operation, never a database error', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const oauth = await createConfirmedUser(sigra, { password: null, sudo: true })
    for (const gate of GATED) {
      const target = gate.oauth ? oauth : fixture
      for (const id of ['-'.repeat(36), 'a'.repeat(36), `${target.session.id}x`, '', 42, null]) {
        assert.equal(errorOf(await gate.run(sigra, target, { id } as never)), 'sudo_required', `${gate.name} ${String(id)}`)
      }
    }
    assert.equal(errorOf(await sigra.account.revokeOtherSessions({ id: 'not-a-uuid' }, { session: fixture.session })), 'sudo_required', 'a malformed user id')
  })

  test('impersonated sessions are never sudo: confirmSudo is refused and gated operations answer impersonated even with sudo_at set', async () => {
    const { sigra } = env()
    const admin = await createConfirmedUser(sigra)
    const fixture = await createConfirmedUser(sigra)
    const oauth = await createConfirmedUser(sigra, { password: null })
    for (const target of [fixture, oauth]) {
      await sigra.db.updateTable('sessions').set({ impersonator_id: admin.user.id }).where('id', '=', target.session.id).execute()
    }
    assert.equal(errorOf(await sigra.sessions.confirmSudo(fixture.token, { password: fixture.password! })), 'impersonated')
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'session.sudo_enter' })).length, 0)

    for (const target of [fixture, oauth]) await grantSudo(sigra, target.session)
    const validated = await sigra.sessions.validate(fixture.token)
    assert.ok(validated?.session.sudoAt && validated.session.impersonatorId === admin.user.id)
    assert.equal(sigra.sessions.isSudo(validated.session), false)
    for (const gate of GATED) {
      const target = gate.oauth ? oauth : fixture
      assert.equal(errorOf(await gate.run(sigra, target, target.session)), 'impersonated', gate.name)
    }
    assert.equal((await userRow(sigra, fixture.user.id)).delete_at, null, 'nothing was scheduled')
  })
})
