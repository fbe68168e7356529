import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VetoError, type Sigra } from 'sigra'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'

const NEW_PASSWORD = 'a brand new passphrase 2026'
const WRONG = 'definitely not my password'
const LOCK_SECONDS = 15 * 60

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)
const issueCodes = (result: { ok: boolean; issues?: Array<{ field: string; code: string }> }) => (result.ok ? [] : (result.issues ?? []).map((i) => `${i.field}:${i.code}`))

async function userRow(sigra: Sigra, id: string) {
  return sigra.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** A confirmed user with two live sessions: `session` (this device) and `other`. */
async function userWithTwoSessions(sigra: Sigra) {
  const fixture = await createConfirmedUser(sigra)
  const other = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
  assert.ok(other.ok)
  return { ...fixture, password: fixture.password!, otherToken: other.token }
}

describeEachBackend('password change', (env) => {
  test('changePassword sets the new password, keeps the given session, revokes the others, bumps epoch, mails and audits', async () => {
    const { sigra, clock } = env()
    const { user, session, token, otherToken, email, password } = await userWithTwoSessions(sigra)
    const before = await userRow(sigra, user.id)
    clock.advance(60)

    const result = await sigra.account.changePassword(user, password, { password: NEW_PASSWORD }, { session })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.epoch, before.epoch + 1)
    const row = await userRow(sigra, user.id)
    assert.equal(row.epoch, before.epoch + 1)
    assert.equal(row.password_changed_at?.getTime(), clock().getTime())
    assert.notEqual(row.hashed_password, before.hashed_password)

    assert.ok(await sigra.sessions.validate(token), 'the current session is kept')
    assert.equal(await sigra.sessions.validate(otherToken), null, 'every other session is revoked')
    const revokeAll = (await allAuditEvents(sigra, { userId: user.id, action: 'session.revoke_all' }))[0]
    assert.equal(revokeAll?.metadata.reason, 'password_change')

    const mail = (await sigra.mail.outbox({ to: email })).at(-1)!
    assert.equal(mail.template, 'passwordChanged')
    assert.ok(!mail.text.includes('token='))
    const audit = await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change' })
    assert.equal(audit.length, 1)
    assert.equal(audit[0]!.metadata.forced, false)

    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password })), 'invalid_credentials', 'the old password no longer works')
    assert.ok((await sigra.auth.logIn({ login: email, password: NEW_PASSWORD })).ok, 'the new one does')
  })

  test('without a session every session is revoked', async () => {
    const { sigra } = env()
    const { user, token, otherToken, password } = await userWithTwoSessions(sigra)
    assert.ok((await sigra.account.changePassword(user, password, { password: NEW_PASSWORD })).ok)
    assert.equal(await sigra.sessions.validate(token), null)
    assert.equal(await sigra.sessions.validate(otherToken), null)
  })

  test('a wrong current password is invalid_current_password and counts like a failed login: the fifth locks the account', async () => {
    const { sigra, clock } = env()
    const { user, email, password } = await userWithTwoSessions(sigra)
    for (let i = 1; i <= 4; i++) {
      assert.equal(errorOf(await sigra.account.changePassword(user, WRONG, { password: NEW_PASSWORD })), 'invalid_current_password', `attempt ${i}`)
      assert.equal((await userRow(sigra, user.id)).failed_login_attempts, i)
    }
    const failures = await allAuditEvents(sigra, { userId: user.id, action: 'auth.login.failure' })
    assert.equal(failures.length, 4)
    assert.ok(failures.every((e) => e.metadata.reason === 'wrong_current_password'))

    const fifth = await sigra.account.changePassword(user, WRONG, { password: NEW_PASSWORD })
    assert.equal(errorOf(fifth), 'locked')
    assert.equal(!fifth.ok && fifth.retryAfter, LOCK_SECONDS)
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.lockout' })).length, 1)
    assert.equal((await sigra.mail.outbox({ to: email })).at(-1)?.template, 'accountLocked')

    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password })), 'locked', 'login is locked too')
    assert.equal(errorOf(await sigra.account.changePassword(user, password, { password: NEW_PASSWORD })), 'locked', 'even with the right current password')

    clock.advance(LOCK_SECONDS - 1)
    assert.equal(errorOf(await sigra.account.changePassword(user, password, { password: NEW_PASSWORD })), 'locked', 'one second before the lock ends')
    clock.advance(1)
    assert.ok((await sigra.account.changePassword(user, password, { password: NEW_PASSWORD })).ok, 'when the lock ends')
    assert.equal((await userRow(sigra, user.id)).failed_login_attempts, 0, 'the counter is reset')
  })

  test('wrong logins and wrong current passwords share one counter', async () => {
    const { sigra } = env()
    const { user, email, password } = await userWithTwoSessions(sigra)
    for (let i = 0; i < 3; i++) assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.account.changePassword(user, WRONG, { password: NEW_PASSWORD })), 'invalid_current_password')
    assert.equal(errorOf(await sigra.account.changePassword(user, WRONG, { password: NEW_PASSWORD })), 'locked')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password })), 'locked')
  })

  test('the password policy applies to the new password, and the current one is refused as same_as_current', async () => {
    const { sigra } = env()
    const { user, session, token, otherToken, email, password } = await userWithTwoSessions(sigra)
    const before = await userRow(sigra, user.id)
    const cases: Array<[unknown, string]> = [
      ['short', 'password:too_short'],
      ['password123!', 'password:too_common'],
      [`${email}!`, 'password:contains_email'],
      ['aaaaaaaaaaaaaaaa', 'password:repetitive'],
      [password, 'password:same_as_current'],
      [password.normalize('NFD'), 'password:same_as_current'],
    ]
    for (const [candidate, code] of cases) {
      const result = await sigra.account.changePassword(user, password, { password: candidate as string }, { session })
      assert.equal(errorOf(result), 'invalid', String(candidate))
      assert.deepEqual(issueCodes(result), [code], String(candidate))
    }
    assert.equal(errorOf(await sigra.account.changePassword(user, password, { password: 42 as never })), 'invalid')
    assert.equal(errorOf(await sigra.account.changePassword(user, password, null as never)), 'invalid')

    const after = await userRow(sigra, user.id)
    assert.equal(after.hashed_password, before.hashed_password)
    assert.equal(after.epoch, before.epoch)
    assert.equal(after.failed_login_attempts, 0, 'a refused new password is not a failed login')
    assert.ok(await sigra.sessions.validate(token))
    assert.ok(await sigra.sessions.validate(otherToken))
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change' })).length, 0)
  })

  test('an OAuth-only account has no password to change (no_password); unknown users are not_found', async () => {
    const { sigra } = env()
    const oauth = await createConfirmedUser(sigra, { password: null })
    assert.equal(errorOf(await sigra.account.changePassword(oauth.user, 'anything at all here', { password: NEW_PASSWORD })), 'no_password')
    assert.equal(errorOf(await sigra.account.changePassword({ id: '00000000-0000-4000-8000-000000000000' }, WRONG, { password: NEW_PASSWORD })), 'not_found')
  })

  test('setPassword adds a password to an OAuth-only account, with a sudo-fresh session only', async () => {
    const { sigra } = env()
    const oauth = await createConfirmedUser(sigra, { password: null })
    assert.equal(oauth.user.hasPassword, false)
    assert.equal(errorOf(await sigra.account.setPassword(oauth.user, { password: NEW_PASSWORD })), 'sudo_required', 'no session')
    assert.equal(errorOf(await sigra.account.setPassword(oauth.user, { password: NEW_PASSWORD }, { session: oauth.session })), 'sudo_required', 'not sudo-fresh')
    assert.equal((await userRow(sigra, oauth.user.id)).hashed_password, null)

    const session = await grantSudo(sigra, oauth.session)
    const weak = await sigra.account.setPassword(oauth.user, { password: 'short' }, { session })
    assert.deepEqual(issueCodes(weak), ['password:too_short'], 'the policy applies')
    const before = await userRow(sigra, oauth.user.id)
    const result = await sigra.account.setPassword(oauth.user, { password: NEW_PASSWORD }, { session })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.hasPassword, true)
    assert.equal(result.user.epoch, before.epoch + 1)
    assert.ok(await sigra.sessions.validate(oauth.token), 'the given session is kept')
    assert.ok((await sigra.auth.logIn({ login: oauth.email, password: NEW_PASSWORD })).ok, 'the account can now log in with it')

    const mail = (await sigra.mail.outbox({ to: oauth.email })).at(-1)!
    assert.equal(mail.template, 'passwordChanged')
    const audit = await allAuditEvents(sigra, { userId: oauth.user.id, action: 'account.password_change' })
    assert.equal(audit.length, 1)
    assert.deepEqual(audit[0]!.metadata, { forced: false, source: 'set' })

    assert.equal(errorOf(await sigra.account.setPassword(oauth.user, { password: 'yet another passphrase 77' }, { session })), 'password_already_set')
  })

  test('setPassword refuses an account that has a password (password_already_set), even with sudo', async () => {
    const { sigra } = env()
    const { user, session, email, password } = await createConfirmedUser(sigra, { sudo: true })
    assert.equal(errorOf(await sigra.account.setPassword(user, { password: NEW_PASSWORD }, { session })), 'password_already_set')
    assert.ok((await sigra.auth.logIn({ login: email, password: password! })).ok, 'the password is unchanged')
  })

  test('requirePasswordChange: mustChangePassword reads the database, validate exposes it, clearing writes exactly one forced audit row', async () => {
    const { sigra } = env()
    const { user, token } = await createConfirmedUser(sigra)
    const admin = await createConfirmedUser(sigra)
    assert.equal(await sigra.account.mustChangePassword(user), false)
    assert.equal((await sigra.sessions.validate(token))?.user.mustChangePassword, false)

    const required = await sigra.account.requirePasswordChange(user, { actorId: admin.user.id })
    assert.ok(required.ok)
    assert.equal(required.user.mustChangePassword, true)
    assert.equal(await sigra.account.mustChangePassword(user), true, 'read afresh, not from the stale object')
    // Held at the password_change step: not signed in for anything else; resolve shows why.
    assert.equal(await sigra.sessions.validate(token), null)
    const held = await sigra.sessions.resolve(token)
    assert.equal(held?.user.mustChangePassword, true)
    assert.deepEqual(held?.pending, ['password_change'])
    const requiredAudit = await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change_required' })
    assert.equal(requiredAudit.length, 1)
    assert.equal(requiredAudit[0]!.actorId, admin.user.id)
    assert.equal(requiredAudit[0]!.actorType, 'admin')

    const cleared = await sigra.account.clearPasswordChangeRequirement(user)
    assert.ok(cleared.ok)
    assert.equal(cleared.user.mustChangePassword, false)
    assert.equal(await sigra.account.mustChangePassword(user), false)
    assert.equal((await sigra.sessions.validate(token))?.user.mustChangePassword, false)
    assert.ok((await sigra.account.clearPasswordChangeRequirement(user)).ok, 'clearing again is harmless')

    const forced = await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change' })
    assert.equal(forced.length, 1, 'exactly one row')
    assert.equal(forced[0]!.metadata.forced, true)
    assert.equal(await sigra.account.mustChangePassword({ id: '00000000-0000-4000-8000-000000000000' }), false)
  })

  test('changing the password while a change is required clears the requirement with one forced audit row', async () => {
    const { sigra } = env()
    const { user, session, password } = await createConfirmedUser(sigra)
    assert.ok((await sigra.account.requirePasswordChange(user)).ok)
    const result = await sigra.account.changePassword(user, password!, { password: NEW_PASSWORD }, { session })
    assert.ok(result.ok)
    assert.equal(result.user.mustChangePassword, false)
    assert.equal(await sigra.account.mustChangePassword(user), false)
    assert.ok((await sigra.account.clearPasswordChangeRequirement(user)).ok)
    const rows = await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change' })
    assert.equal(rows.length, 1, 'no duplicate row from the later clear')
    assert.equal(rows[0]!.metadata.forced, true)
  })

  test('an onPasswordChange veto rolls the change back', async () => {
    const { sigra } = await env().makeSigra({
      hooks: {
        onPasswordChange: () => {
          throw new VetoError('frozen account')
        },
      },
    })
    const { user, session, token, otherToken, email, password } = await userWithTwoSessions(sigra)
    const before = await userRow(sigra, user.id)
    assert.deepEqual(await sigra.account.changePassword(user, password, { password: NEW_PASSWORD }, { session }), { ok: false, error: 'vetoed', reason: 'frozen account' })
    const after = await userRow(sigra, user.id)
    assert.equal(after.hashed_password, before.hashed_password)
    assert.equal(after.epoch, before.epoch)
    assert.ok(await sigra.sessions.validate(token))
    assert.ok(await sigra.sessions.validate(otherToken))
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.password_change' })).length, 0)
    assert.notEqual((await sigra.mail.outbox({ to: email })).at(-1)?.template, 'passwordChanged')
  })
})
