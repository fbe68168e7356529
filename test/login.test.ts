import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, signedInUser, uniqueEmail, type TestEnv } from './support/harness.ts'

const WRONG = 'definitely not the password'

async function registered(sigra: Sigra, options: { username?: string } = {}) {
  const email = uniqueEmail()
  const result = await sigra.auth.register({ email, password: GOOD_PASSWORD, ...options })
  if (!result.ok) throw new Error(`register failed: ${JSON.stringify(result)}`)
  return { email, user: result.user }
}

async function userRow(sigra: Sigra, id: string) {
  return sigra.db.selectFrom('users').select(['failed_login_attempts', 'locked_until']).where('id', '=', id).executeTakeFirstOrThrow()
}

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

describeEachBackend('auth.logIn', (env) => {
  test('logs in by email, case-insensitively', async () => {
    const { sigra } = env()
    const { email, user } = await registered(sigra)
    const result = await sigra.auth.logIn({ login: `  ${email.toUpperCase()} `, password: GOOD_PASSWORD })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.id, user.id)
    assert.equal(result.session.userId, user.id)
    assert.deepEqual((await sigra.sessions.validate(result.token))?.user.id, user.id)
  })

  test('logs in by username', async () => {
    const { sigra } = env()
    const username = `Ada_${randomBytes(4).toString('hex')}`
    const { user } = await registered(sigra, { username })
    const result = await sigra.auth.logIn({ login: username.toLowerCase(), password: GOOD_PASSWORD })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.user.id, user.id)
  })

  test('wrong password and unknown account both answer invalid_credentials', async () => {
    const { sigra } = env()
    const { email } = await registered(sigra)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.auth.logIn({ login: uniqueEmail('nobody'), password: GOOD_PASSWORD })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.auth.logIn({ login: `nobody_${randomBytes(4).toString('hex')}`, password: GOOD_PASSWORD })), 'invalid_credentials')
  })

  test('audits auth.login.success and auth.login.failure', async () => {
    const { sigra } = env()
    const { email, user } = await registered(sigra)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG, ip: '198.51.100.9' })), 'invalid_credentials')
    const ok = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '198.51.100.9' })
    assert.ok(ok.ok)
    const failures = await allAuditEvents(sigra, { userId: user.id, action: 'auth.login.failure' })
    assert.equal(failures.length, 1)
    assert.equal(failures[0]!.outcome, 'failure')
    assert.equal(failures[0]!.ip, '198.51.100.9')
    const successes = await allAuditEvents(sigra, { userId: user.id, action: 'auth.login.success' })
    assert.equal(successes.length, 1)
    assert.equal(successes[0]!.metadata.session_id, ok.session.id)
  })

  test('an unknown account is audited without its email anywhere in the row', async () => {
    const { sigra } = env()
    const ghost = uniqueEmail('ghost')
    const before = (await allAuditEvents(sigra, { action: 'auth.login.failure' })).length
    assert.equal(errorOf(await sigra.auth.logIn({ login: ghost, password: GOOD_PASSWORD, ip: '198.51.100.10', userAgent: 'curl/8.0' })), 'invalid_credentials')
    const failures = await allAuditEvents(sigra, { action: 'auth.login.failure' })
    assert.equal(failures.length, before + 1)
    const row = failures[0]!
    assert.equal(row.userId, null)
    assert.equal(row.ip, '198.51.100.10')
    const everything = JSON.stringify(await allAuditEvents(sigra)).toLowerCase()
    assert.ok(!everything.includes(ghost.toLowerCase()), 'the attempted email is not stored')
    assert.ok(!everything.includes(ghost.split('@')[0]!.toLowerCase()), 'not even its local part')
  })

  describeLockout(env)

  test('requireConfirmation: unconfirmed with the right password, success once confirmed', async () => {
    const { sigra } = await env().makeSigra({ requireConfirmation: true })
    const { email } = await registered(sigra)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'unconfirmed')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'invalid_credentials', 'a wrong password does not reveal the state')
    const { token } = await latestMail(sigra, email)
    assert.ok((await sigra.auth.confirmEmail(token!)).ok)
    const result = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(result.ok, JSON.stringify(result))
  })

  test('renews the session id at login: previousToken ends the old session', async () => {
    const { sigra } = env()
    const first = await signedInUser(sigra, { ip: '198.51.100.11' })
    const second = await sigra.auth.logIn({ login: first.email, password: first.password, previousToken: first.token })
    assert.ok(second.ok)
    assert.notEqual(second.session.id, first.session.id)
    assert.notEqual(second.token, first.token)
    assert.equal(await sigra.sessions.validate(first.token), null)
    assert.equal((await sigra.sessions.validate(second.token))?.session.id, second.session.id)
    assert.deepEqual((await sigra.sessions.list(first.user.id)).map((s) => s.id), [second.session.id])
  })

  test("previousToken cannot end another user's session", async () => {
    const { sigra } = env()
    const victim = await signedInUser(sigra, { ip: '198.51.100.12' })
    const attacker = await signedInUser(sigra, { ip: '198.51.100.13' })
    const result = await sigra.auth.logIn({ login: attacker.email, password: attacker.password, previousToken: victim.token })
    assert.ok(result.ok)
    assert.equal((await sigra.sessions.validate(victim.token))?.session.id, victim.session.id)
  })

  test('an OAuth-only user (no password hash) gets invalid_credentials', async () => {
    const { sigra, clock } = env()
    const email = uniqueEmail('oauth')
    await sigra.db.insertInto('users').values({ email, hashed_password: null, password_changed_at: null, confirmed_at: clock(), created_at: clock(), updated_at: clock() }).execute()
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: '' })), 'invalid_credentials')
  })

  test('bad input answers invalid and never throws', async () => {
    const { sigra } = env()
    const cases: unknown[] = [
      undefined,
      {},
      { login: 42, password: GOOD_PASSWORD },
      { login: uniqueEmail(), password: 42 },
      { login: uniqueEmail() },
      { login: '   ', password: GOOD_PASSWORD },
      { login: uniqueEmail(), password: 'x'.repeat(10 * 1024 * 1024) },
      { login: 'x'.repeat(10 * 1024 * 1024), password: GOOD_PASSWORD },
      { login: uniqueEmail(), password: GOOD_PASSWORD, rememberMe: 'yes' },
    ]
    for (const input of cases) {
      const result = await sigra.auth.logIn(input as never)
      const label = JSON.stringify(input)?.slice(0, 80)
      assert.equal(errorOf(result), 'invalid', label)
      assert.ok(!result.ok && result.issues && result.issues.length > 0, label)
    }
  })
})

/**
 * Lockout runs on its own Sigra with a generous per-account rate limit: the default budget
 * (10 attempts a minute, counted in real time) would otherwise cut these sequences short, and
 * rate limiting is a different mechanism from lockout.
 */
function describeLockout(env: () => TestEnv) {
  let lockout: Awaited<ReturnType<TestEnv['makeSigra']>> | undefined
  const setup = async () => (lockout ??= await env().makeSigra({ rateLimit: { rules: { loginAccount: { points: 1000, duration: 60 } } } }))

  test('5 failures lock the account (the 5th answers locked); the lock ends exactly at locked_until', async () => {
    const { sigra, clock } = await setup()
    const { email, user } = await registered(sigra)
    for (let i = 1; i <= 4; i++) assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'invalid_credentials', `attempt ${i}`)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'locked', 'the 5th failure locks')
    const { locked_until, failed_login_attempts } = await userRow(sigra, user.id)
    assert.equal(failed_login_attempts, 5)
    assert.equal(locked_until?.getTime(), clock().getTime() + 15 * 60 * 1000)

    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'locked', 'the right password is refused while locked')
    clock.set(new Date(locked_until!.getTime() - 1000))
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'locked', 'one second before the end: still locked')
    clock.set(locked_until!)
    const result = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(result.ok, JSON.stringify(result))
    assert.deepEqual(await userRow(sigra, user.id), { failed_login_attempts: 0, locked_until: null })
  })

  test('after the lock expires the counter re-arms: 5 more failures lock again', async () => {
    const { sigra, clock } = await setup()
    const { email, user } = await registered(sigra)
    for (let i = 0; i < 5; i++) await sigra.auth.logIn({ login: email, password: WRONG })
    const { locked_until } = await userRow(sigra, user.id)
    assert.ok(locked_until)
    clock.set(locked_until)
    for (let i = 1; i <= 4; i++) assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'invalid_credentials', `attempt ${i} after expiry`)
    assert.equal((await userRow(sigra, user.id)).failed_login_attempts, 4)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: WRONG })), 'locked')
    assert.equal((await userRow(sigra, user.id)).locked_until?.getTime(), clock().getTime() + 15 * 60 * 1000)
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.lockout' })).length, 2)
  })

  test('a lockout is audited as auth.lockout and the owner is mailed', async () => {
    const { sigra } = await setup()
    const { email, user } = await registered(sigra)
    for (let i = 0; i < 5; i++) await sigra.auth.logIn({ login: email, password: WRONG, ip: '198.51.100.20' })
    const lockouts = await allAuditEvents(sigra, { userId: user.id, action: 'auth.lockout' })
    assert.equal(lockouts.length, 1)
    assert.equal(lockouts[0]!.ip, '198.51.100.20')
    const mails = await sigra.mail.outbox({ to: email })
    assert.equal(mails.filter((m) => m.template === 'accountLocked').length, 1)
    assert.ok(!mails.at(-1)!.text.includes('token='), 'the lockout notice carries no token')
  })

  test('parallel failures are counted atomically', async () => {
    const { sigra } = await setup()
    const { email, user } = await registered(sigra)
    const results = await Promise.all(Array.from({ length: 5 }, () => sigra.auth.logIn({ login: email, password: WRONG })))
    assert.deepEqual(results.map(errorOf).sort(), ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked'])
    const row = await userRow(sigra, user.id)
    assert.equal(row.failed_login_attempts, 5)
    assert.ok(row.locked_until)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'locked')
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.lockout' })).length, 1)
  })

  test('more parallel failures than the threshold lock once: one auth.lockout, one mail', async () => {
    const { sigra } = await setup()
    const { email, user } = await registered(sigra)
    const results = await Promise.all(Array.from({ length: 8 }, () => sigra.auth.logIn({ login: email, password: WRONG })))
    assert.equal(results.filter((r) => !r.ok && r.error === 'invalid_credentials').length, 4, 'the first four failures')
    assert.equal(results.filter((r) => !r.ok && r.error === 'locked').length, 4, 'the locking one and those after it')
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.lockout' })).length, 1)
    assert.equal((await sigra.mail.outbox({ to: email })).filter((m) => m.template === 'accountLocked').length, 1)
  })

  test('an unknown identifier locks exactly like an account: same codes, same attempt, same Retry-After', async () => {
    const { sigra, clock } = await setup()
    const { email } = await registered(sigra)
    const unknown = uniqueEmail('nobody')
    const known: string[] = []
    const ghost: string[] = []
    const retry: Array<number | undefined> = []
    for (let i = 0; i < 6; i++) {
      const a = await sigra.auth.logIn({ login: email, password: WRONG })
      const b = await sigra.auth.logIn({ login: unknown, password: WRONG })
      known.push(errorOf(a) ?? "ok")
      ghost.push(errorOf(b) ?? "ok")
      if (!a.ok && !b.ok && a.error === 'locked') retry.push(a.retryAfter, b.retryAfter)
    }
    assert.deepEqual(ghost, known, 'the answers cannot tell the two apart')
    assert.deepEqual(known, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked', 'locked'])
    assert.deepEqual(retry, [900, 900, 900, 900])
    const rows = await sigra.db.selectFrom('login_throttles').select(['key', 'failures']).execute()
    assert.ok(rows.some((r) => r.failures === 5), 'counted under a key')
    const everything = JSON.stringify(await sigra.db.selectFrom('login_throttles').selectAll().execute())
    assert.ok(!everything.includes(unknown.split('@')[0]!), 'the table never holds what was typed')
    clock.advance(15 * 60)
    assert.equal(errorOf(await sigra.auth.logIn({ login: unknown, password: WRONG })), 'invalid_credentials', 're-armed after the lock, like an account')
  })

  test('an account without a usable password (OAuth-only) locks under its identifier too, without touching the account row', async () => {
    const { sigra } = await setup()
    const fixture = await createConfirmedUser(sigra, { password: null })
    const codes: string[] = []
    for (let i = 0; i < 5; i++) codes.push(errorOf(await sigra.auth.logIn({ login: fixture.email, password: WRONG })) ?? "ok")
    assert.deepEqual(codes, ['invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'invalid_credentials', 'locked'])
    assert.deepEqual(await userRow(sigra, fixture.user.id), { failed_login_attempts: 0, locked_until: null })
    assert.equal((await sigra.mail.outbox({ to: fixture.email })).filter((m) => m.template === 'accountLocked').length, 0, 'no lock mail for a password it does not have')
  })
}
