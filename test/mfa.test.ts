import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { base32Decode, mfa } from 'sigra/mfa'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { codeFor, enrolledUser, type MfaSigra } from './support/mfa-helpers.ts'

const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)

describeEachBackend('mfa', (env) => {
  const withMfa = (options: Parameters<typeof mfa>[0] = {}, extra: Record<string, unknown> = {}) => env().makeSigra({ features: [mfa({ issuer: 'Acme', ...options })], ...extra })

  test('enrolment needs sudo, shows the key, the otpauth URI and a server-drawn QR code, and counts only once confirmed', async () => {
    const { sigra, clock } = await withMfa()
    const enabled: string[] = []
    sigra.events.on('mfaEnabled', ({ user }) => void enabled.push(user.id))
    const fixture = await createConfirmedUser(sigra)
    assert.equal(errorOf(await sigra.mfa.startEnrollment(fixture.user, { session: fixture.session })), 'sudo_required')
    const session = await grantSudo(sigra, fixture.session)
    const started = await sigra.mfa.startEnrollment(fixture.user, { session })
    assert.ok(started.ok)
    assert.match(started.secret, /^[A-Z2-7]{32}$/)
    assert.ok(started.uri.startsWith('otpauth://totp/Acme:'))
    assert.equal(new URL(started.uri).searchParams.get('secret'), started.secret)
    assert.ok(started.qrSvg.startsWith('<svg') && started.qrSvg.includes('<path'), 'an SVG drawn here')
    const stored = await sigra.db.selectFrom('mfa_totp' as never).selectAll().where('user_id' as never, '=', fixture.user.id as never).executeTakeFirstOrThrow() as { sealed_key: Uint8Array; confirmed_at: Date | null }
    assert.ok(!Buffer.from(stored.sealed_key).toString('latin1').includes(started.secret), 'the key is sealed at rest')
    assert.equal(stored.confirmed_at, null)
    assert.deepEqual(await sigra.mfa.status(fixture.user), { enabled: false, enabledAt: null, backupCodesRemaining: 0, required: false }, 'not on until confirmed')

    const key = base32Decode(started.secret)!
    assert.equal(errorOf(await sigra.mfa.confirmEnrollment(fixture.user, codeFor(key, clock, 3), { session })), 'invalid_code')
    const confirmed = await sigra.mfa.confirmEnrollment(fixture.user, codeFor(key, clock), { session })
    assert.ok(confirmed.ok)
    assert.equal(confirmed.backupCodes.length, 10)
    assert.equal(new Set(confirmed.backupCodes).size, 10)
    for (const code of confirmed.backupCodes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/)
    const status = await sigra.mfa.status(fixture.user)
    assert.equal(status.enabled, true)
    assert.equal(status.backupCodesRemaining, 10)
    assert.deepEqual(enabled, [fixture.user.id], 'mfaEnabled fired')
    assert.equal(errorOf(await sigra.mfa.startEnrollment(fixture.user, { session })), 'already_enabled')
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'mfa.enable' })).length, 1)
    const mails = await sigra.mail.outbox({ to: fixture.email })
    assert.ok(mails.some((m) => m.template === 'mfaEnabled' && !confirmed.backupCodes.some((c) => m.text.includes(c))), 'mailed, without the codes')
    const codes = await sigra.db.selectFrom('mfa_backup_codes' as never).selectAll().where('user_id' as never, '=', fixture.user.id as never).execute() as Array<{ digest: Uint8Array }>
    assert.ok(codes.every((c) => !confirmed.backupCodes.some((code) => Buffer.from(c.digest).toString('latin1').includes(code.replace('-', '')))), 'codes stored only as digests')
  })

  test('an unconfirmed enrolment expires; until confirmed, sign-in is not held', async () => {
    const { sigra, clock } = await withMfa({ enrollmentTtl: 600 })
    const fixture = await createConfirmedUser(sigra)
    const session = await grantSudo(sigra, fixture.session)
    const started = await sigra.mfa.startEnrollment(fixture.user, { session })
    assert.ok(started.ok)
    const login = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(login.ok && login.pending.length === 0, 'an unconfirmed enrolment does not hold sign-in')
    clock.advance(601)
    const late = await sigra.mfa.confirmEnrollment(fixture.user, codeFor(base32Decode(started.secret)!, clock), { session: await grantSudo(sigra, session) })
    assert.equal(errorOf(late), 'no_enrollment')
    assert.deepEqual((await sigra.jobs.runDue()).features['mfa.expired'], { enrolments: 1, trustedDevices: 0 })
  })

  test('with MFA on, password sign-in ends pending: not signed in until a code passes, then the token is renewed', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const login = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(login.ok)
    assert.equal(login.mfaRequired, true)
    assert.deepEqual(login.pending, ['mfa'])
    assert.equal(await sigra.sessions.validate(login.token), null, 'a pending session is not signed in')
    assert.equal(errorOf(await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock, 5) })), 'invalid_code')
    const passed = await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock) })
    assert.ok(passed.ok)
    assert.notEqual(passed.token, login.token)
    assert.equal(await sigra.sessions.validate(login.token), null, 'the token held at the step is dead')
    const current = await sigra.sessions.validate(passed.token)
    assert.ok(current)
    assert.deepEqual(current.session.amr, ['pwd', 'otp'])
    assert.equal(errorOf(await sigra.mfa.verify(passed.token, { code: codeFor(user.key, clock) })), 'invalid_session', 'a signed-in session has nothing to verify')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'mfa.verify' }))[0]?.metadata.method, 'totp')
  })

  test('a code works once: replayed in its window it is refused, the next step is fine', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const code = codeFor(user.key, clock)
    const first = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(first.ok && (await sigra.mfa.verify(first.token, { code })).ok)
    const second = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(second.ok)
    assert.equal(errorOf(await sigra.mfa.verify(second.token, { code })), 'invalid_code', 'the same code, same window')
    assert.equal(errorOf(await sigra.mfa.verify(second.token, { code: codeFor(user.key, clock, -1) })), 'invalid_code', 'an earlier step after a later one')
    clock.advance(30)
    assert.ok((await sigra.mfa.verify(second.token, { code: codeFor(user.key, clock) })).ok, 'the next step')
  })

  test('a backup code passes the challenge once, mails the owner how many remain, and fires backupCodeUsed', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const used: number[] = []
    sigra.events.on('backupCodeUsed', ({ remaining }) => void used.push(remaining))
    const login = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(login.ok)
    const passed = await sigra.mfa.verify(login.token, { backupCode: user.backupCodes[0]!.toUpperCase().replace('-', ' ') })
    assert.ok(passed.ok, 'case and separators do not matter')
    assert.equal(passed.backupCodesRemaining, 9)
    assert.deepEqual(used, [9])
    const mail = (await sigra.mail.outbox({ to: user.email })).at(-1)!
    assert.equal(mail.template, 'mfaBackupCodeUsed')
    assert.ok(mail.text.includes('9 remain'))
    const again = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(again.ok)
    assert.equal(errorOf(await sigra.mfa.verify(again.token, { backupCode: user.backupCodes[0]! })), 'invalid_code', 'spent')
    assert.equal((await sigra.mfa.status(user.user)).backupCodesRemaining, 9)
  })

  test('a trusted device skips the second factor until it expires, is revoked, or a password change voids it; a tampered token does not', async () => {
    const { sigra, clock } = await withMfa({ trustedDeviceDays: 30 })
    const user = await enrolledUser(sigra, clock)
    const first = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(first.ok)
    const passed = await sigra.mfa.verify(first.token, { code: codeFor(user.key, clock) }, { trustDevice: true })
    assert.ok(passed.ok && passed.trustToken)
    const trustToken = passed.trustToken
    const skip = await sigra.auth.logIn({ login: user.email, password: user.password!, trustToken })
    assert.ok(skip.ok)
    assert.deepEqual(skip.pending, [], 'no second factor on this device')
    const tampered = await sigra.auth.logIn({ login: user.email, password: user.password!, trustToken: `${trustToken.slice(0, -2)}AA` })
    assert.ok(tampered.ok && tampered.mfaRequired, 'a tampered token is not trust')
    const devices = await sigra.mfa.trustedDevices(user.user)
    assert.equal(devices.length, 1)

    clock.advance(31 * 86_400)
    const expired = await sigra.auth.logIn({ login: user.email, password: user.password!, trustToken })
    assert.ok(expired.ok && expired.mfaRequired, 'expired')

    // A new trust, then a password change voids it (the epoch moved).
    const again = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(again.ok)
    const trusted = await sigra.mfa.verify(again.token, { code: codeFor(user.key, clock) }, { trustDevice: true })
    assert.ok(trusted.ok && trusted.trustToken)
    const current = (await sigra.sessions.validate(trusted.token))!
    assert.ok((await sigra.account.changePassword(current.user, user.password!, { password: 'another long passphrase 4' }, { session: current.session })).ok)
    const afterChange = await sigra.auth.logIn({ login: user.email, password: 'another long passphrase 4', trustToken: trusted.trustToken })
    assert.ok(afterChange.ok && afterChange.mfaRequired, 'a password change voids every trusted device')

    // Another user's device id cannot be revoked; one's own can.
    const other = await enrolledUser(sigra, clock)
    clock.advance(30)
    const third = await sigra.auth.logIn({ login: user.email, password: 'another long passphrase 4' })
    assert.ok(third.ok)
    const t3 = await sigra.mfa.verify(third.token, { code: codeFor(user.key, clock) }, { trustDevice: true })
    assert.ok(t3.ok && t3.trustToken)
    const id = t3.trustToken.split('.')[0]!
    assert.equal(errorOf(await sigra.mfa.revokeTrustedDevice(other.user, id)), 'not_found')
    assert.ok((await sigra.mfa.revokeTrustedDevice(user.user, id)).ok)
    const revoked = await sigra.auth.logIn({ login: user.email, password: 'another long passphrase 4', trustToken: t3.trustToken })
    assert.ok(revoked.ok && revoked.mfaRequired, 'revoked')
  })

  test('five wrong codes lock the second factor for 15 minutes (a right code is refused meanwhile), audited once; it re-arms', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const login = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(login.ok)
    const answers: string[] = []
    for (let i = 0; i < 5; i++) answers.push(errorOf(await sigra.mfa.verify(login.token, { code: '000000' }))!)
    assert.deepEqual(answers, ['invalid_code', 'invalid_code', 'invalid_code', 'invalid_code', 'locked'])
    const refused = await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock) })
    assert.equal(errorOf(refused), 'locked', 'the right code is refused while locked')
    assert.ok(!refused.ok && refused.retryAfter! > 0)
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'mfa.lockout' })).length, 1)
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'mfa.verify_failure' })).length, 5)
    clock.advance(15 * 60)
    assert.ok((await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock) })).ok, 'after the lock, a right code passes')
  })

  test('disable needs sudo and a current code; it removes the credential, the codes and every trusted device', async () => {
    const { sigra, clock } = await withMfa()
    const disabled: string[] = []
    sigra.events.on('mfaDisabled', ({ by }) => void disabled.push(by))
    const user = await enrolledUser(sigra, clock)
    const login = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(login.ok)
    const passed = await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock) }, { trustDevice: true })
    assert.ok(passed.ok)
    const current = (await sigra.sessions.validate(passed.token))!
    clock.advance(30)
    assert.equal(errorOf(await sigra.mfa.disable(current.user, { code: codeFor(user.key, clock) }, { session: current.session })), 'sudo_required')
    const sudo = await grantSudo(sigra, current.session)
    assert.equal(errorOf(await sigra.mfa.disable(current.user, {}, { session: sudo })), 'invalid')
    assert.equal(errorOf(await sigra.mfa.disable(current.user, { code: '111111' }, { session: sudo })), 'invalid_code')
    assert.ok((await sigra.mfa.disable(current.user, { code: codeFor(user.key, clock) }, { session: sudo })).ok)
    assert.equal((await sigra.mfa.status(current.user)).enabled, false)
    assert.deepEqual(await sigra.mfa.trustedDevices(current.user), [])
    assert.deepEqual(disabled, ['user'])
    const next = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(next.ok && next.pending.length === 0)
    assert.equal((await sigra.mail.outbox({ to: user.email })).at(-1)?.template, 'mfaDisabled')
  })

  test('regenerating backup codes (sudo) voids the old set; an admin reset removes MFA, audited with the actor', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const admin = await createConfirmedUser(sigra)
    const regenerated = await sigra.mfa.regenerateBackupCodes(user.user, { session: await grantSudo(sigra, user.session) })
    assert.ok(regenerated.ok)
    assert.equal(regenerated.backupCodes.length, 10)
    const login = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(login.ok)
    assert.equal(errorOf(await sigra.mfa.verify(login.token, { backupCode: user.backupCodes[1]! })), 'invalid_code', 'the old set is void')
    assert.ok((await sigra.mfa.verify(login.token, { backupCode: regenerated.backupCodes[1]! })).ok)

    assert.ok((await sigra.mfa.reset(user.user, { actor: admin.user })).ok)
    assert.equal((await sigra.mfa.status(user.user)).enabled, false)
    const row = (await allAuditEvents(sigra, { userId: user.user.id, action: 'mfa.reset' }))[0]!
    assert.equal(row.actorId, admin.user.id)
    assert.equal(row.actorType, 'admin')
    assert.ok((await sigra.mail.outbox({ to: user.email })).at(-1)!.text.includes('An administrator'))
  })

  test('required: a user without MFA is held at enrolment right after sign-in, enrols without sudo, and is signed in by the confirmation', async () => {
    const { sigra, clock } = await withMfa({ required: true })
    const fixture = await createConfirmedUser(sigra)
    assert.deepEqual(fixture.session.pendingSteps, ['mfa_enrollment'])
    const login = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(login.ok)
    assert.equal(login.mfaEnrollmentRequired, true)
    assert.equal(await sigra.sessions.validate(login.token), null)
    const started = await sigra.mfa.startEnrollment(login.user, { session: login.session })
    assert.ok(started.ok, 'the fresh first factor stands in for sudo')
    const confirmed = await sigra.mfa.confirmEnrollment(login.user, codeFor(base32Decode(started.secret)!, clock), { session: login.session, token: login.token })
    assert.ok(confirmed.ok && confirmed.token)
    assert.ok(await sigra.sessions.validate(confirmed.token), 'signed in')
    assert.equal(await sigra.sessions.resolve(login.token), null, 'the held token is dead')
    clock.advance(30)
    const sudo = await grantSudo(sigra, (await sigra.sessions.validate(confirmed.token))!.session)
    assert.equal(errorOf(await sigra.mfa.disable(login.user, { code: codeFor(base32Decode(started.secret)!, clock) }, { session: sudo })), 'required_by_policy')
    const next = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(next.ok && next.mfaRequired, 'from now on, the second factor')
  })

  test('sudo with a code is for accounts without a password; with a password it is refused', async () => {
    const { sigra, clock } = await withMfa()
    const passwordless = await enrolledUser(sigra, clock, { password: null })
    assert.ok((await sigra.mfa.confirmSudo(passwordless.token, { code: codeFor(passwordless.key, clock) })).ok)
    const session = (await sigra.sessions.validate(passwordless.token))!.session
    assert.ok(sigra.sessions.isSudo(session))
    assert.equal((await allAuditEvents(sigra, { userId: passwordless.user.id, action: 'session.sudo_enter' })).at(0)?.metadata.method, 'otp')
    const withPassword = await enrolledUser(sigra, clock)
    const login = await sigra.auth.logIn({ login: withPassword.email, password: withPassword.password! })
    assert.ok(login.ok)
    const passed = await sigra.mfa.verify(login.token, { code: codeFor(withPassword.key, clock) })
    assert.ok(passed.ok)
    clock.advance(30)
    assert.equal(errorOf(await sigra.mfa.confirmSudo(passed.token, { code: codeFor(withPassword.key, clock) })), 'password_required')
  })

  test('deletion removes every MFA row; the data export says whether MFA is on, never a secret', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const sudo = await grantSudo(sigra, user.session)
    const exported = await sigra.account.exportUserData(user.user, { session: sudo })
    assert.ok(exported.ok)
    const part = exported.data.features.mfa as { enabled: boolean; backupCodesRemaining: number }
    assert.equal(part.enabled, true)
    assert.equal(part.backupCodesRemaining, 10)
    const text = JSON.stringify(exported.data)
    assert.ok(!user.backupCodes.some((c) => text.includes(c)) && !/sealed|digest/i.test(text), 'no secret in the export')
    assert.ok((await sigra.account.scheduleDeletion(user.user, { session: sudo })).ok)
    assert.ok((await sigra.account.executeDeletion(user.user)).ok)
    const left = await sql<{ n: string }>`SELECT (SELECT count(*) FROM ${sql.table(`${sigra.config.schema}.mfa_totp`)} WHERE user_id = ${user.user.id}) + (SELECT count(*) FROM ${sql.table(`${sigra.config.schema}.mfa_backup_codes`)} WHERE user_id = ${user.user.id}) AS n`.execute(sigra.db)
    assert.equal(Number(left.rows[0]!.n), 0)
  })

  test('races: one backup code used by 10 parallel challenges passes once; 20 parallel wrong codes are all counted', async () => {
    const { sigra, clock } = await withMfa({}, { rateLimit: { rules: { loginAccount: false, loginIp: false } } })
    const user = await enrolledUser(sigra, clock)
    const logins = await Promise.all(Array.from({ length: 10 }, () => sigra.auth.logIn({ login: user.email, password: user.password! })))
    const tokens = logins.map((l) => (l.ok ? l.token : ''))
    const results = await Promise.all(tokens.map((t) => sigra.mfa.verify(t, { backupCode: user.backupCodes[2]! })))
    assert.equal(results.filter((r) => r.ok).length, 1, 'exactly one success')
    assert.equal((await sigra.mfa.status(user.user)).backupCodesRemaining, 9)

    const other = await enrolledUser(sigra as MfaSigra, clock)
    const held = await Promise.all(Array.from({ length: 20 }, () => sigra.auth.logIn({ login: other.email, password: other.password! })))
    const wrong = await Promise.all(held.map((l) => sigra.mfa.verify(l.ok ? l.token : '', { code: '000000' })))
    assert.equal(wrong.filter((r) => !r.ok && r.error === 'invalid_code').length, 4, 'only four get an answer other than locked')
    assert.equal(wrong.filter((r) => !r.ok && r.error === 'locked').length, 16)
    const row = await sql<{ failed_attempts: number }>`SELECT failed_attempts FROM ${sql.table(`${sigra.config.schema}.mfa_totp`)} WHERE user_id = ${other.user.id}`.execute(sigra.db)
    assert.equal(row.rows[0]!.failed_attempts, 20, 'every attempt counted')
    assert.equal((await allAuditEvents(sigra, { userId: other.user.id, action: 'mfa.lockout' })).length, 1)
  })
})
