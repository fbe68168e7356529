import assert, { AssertionError } from 'node:assert/strict'
import { test } from 'node:test'
import {
  assertAuditEvent,
  assertDeletionScheduled,
  assertSessionRevoked,
  authenticatedFixture,
  createConfirmedUser,
  fastPasswordHasher,
  grantSudo,
  latestMail,
  testClock,
} from 'sigra/testing'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'

test('testClock is frozen, starts at a fixed instant, and moves only when told', () => {
  const clock = testClock()
  assert.equal(clock().toISOString(), '2026-01-15T12:00:00.000Z')
  assert.equal(clock().getTime(), clock().getTime(), 'two reads agree')
  assert.equal(clock.advance(90).toISOString(), '2026-01-15T12:01:30.000Z')
  assert.equal(clock().toISOString(), '2026-01-15T12:01:30.000Z')
  clock.advance(0.5)
  assert.equal(clock().toISOString(), '2026-01-15T12:01:30.500Z', 'fractional seconds')
  clock.advance(-30.5)
  assert.equal(clock().toISOString(), '2026-01-15T12:01:00.000Z', 'backwards')
  assert.equal(clock.set('2030-02-01T00:00:00Z').toISOString(), '2030-02-01T00:00:00.000Z')
  clock.set(new Date('2031-01-01T00:00:00Z'))
  assert.equal(clock().toISOString(), '2031-01-01T00:00:00.000Z')
  assert.equal(testClock('2020-05-05T05:05:05Z')().toISOString(), '2020-05-05T05:05:05.000Z')
  const returned = clock()
  returned.setTime(0)
  assert.equal(clock().toISOString(), '2031-01-01T00:00:00.000Z', 'a returned Date is a copy')
})

test('fastPasswordHasher is real Argon2id with the smallest parameters, and verifies its own hashes', async () => {
  const hasher = fastPasswordHasher()
  const hash = await hasher.hash('correct horse battery staple')
  assert.match(hash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
  assert.notEqual(await hasher.hash('correct horse battery staple'), hash, 'salted')
  assert.equal(await hasher.verify(hash, 'correct horse battery staple'), true)
  assert.equal(await hasher.verify(hash, 'correct horse battery stapler'), false)
  assert.equal(await hasher.verify('not a hash', 'anything'), false)
  assert.equal(hasher.needsRehash(hash), false, 'its own hashes are current (no rehash on every login)')
  assert.equal(hasher.needsRehash('$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA'), true)
})

describeEachBackend('sigra/testing helpers', (env) => {
  test('createConfirmedUser goes through the public flows: a confirmed user, a live session, a password that logs in', async () => {
    const { sigra } = env()
    const email = uniqueEmail('fixture')
    const fixture = await createConfirmedUser(sigra, { email, username: `ada${Date.now() % 100000}`, ip: '198.51.100.9', userAgent: 'Mozilla/5.0 (Macintosh) Safari/605.1.15' })
    assert.equal(fixture.email, email)
    assert.equal(fixture.user.email, email)
    assert.ok(fixture.user.confirmedAt, 'confirmed')
    assert.equal(fixture.user.hasPassword, true)
    assert.ok(fixture.user.username?.startsWith('ada'))
    assert.equal(fixture.session.userId, fixture.user.id)
    assert.equal(fixture.session.ip, '198.51.100.9')
    assert.equal(fixture.session.sudoAt, null)
    const validated = await sigra.sessions.validate(fixture.token)
    assert.equal(validated?.session.id, fixture.session.id)
    assert.ok((await sigra.auth.logIn({ login: email, password: fixture.password! })).ok)
    assert.equal(authenticatedFixture, createConfirmedUser, "Sigra.Testing's name for the same fixture")
  })

  test('createConfirmedUser with password null makes an OAuth-only account with a live session', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { password: null })
    assert.equal(fixture.password, null)
    assert.equal(fixture.user.hasPassword, false)
    assert.ok(fixture.user.confirmedAt)
    const row = await sigra.db.selectFrom('users').select('hashed_password').where('id', '=', fixture.user.id).executeTakeFirstOrThrow()
    assert.equal(row.hashed_password, null)
    assert.ok(await sigra.sessions.validate(fixture.token))
  })

  test('createConfirmedUser with sudo: true gives a sudo-fresh session, with or without a password; grantSudo does the same', async () => {
    const { sigra, clock } = env()
    for (const password of [undefined, null]) {
      const fixture = await createConfirmedUser(sigra, { sudo: true, password })
      assert.equal(fixture.session.sudoAt?.getTime(), clock().getTime())
      assert.equal(sigra.sessions.isSudo(fixture.session), true)
      assert.ok((await sigra.account.exportUserData(fixture.user, { session: fixture.session })).ok, 'the database agrees')
    }
    const plain = await createConfirmedUser(sigra)
    const elevated = await grantSudo(sigra, plain.session)
    assert.equal(sigra.sessions.isSudo(elevated), true)
    await assert.rejects(grantSudo(sigra, { id: '00000000-0000-4000-8000-000000000000' }), /no such session/)
  })

  test('createConfirmedUser can be called many times on one instance (beyond the per-address registration budget)', async () => {
    const { sigra } = await env().makeSigra()
    const ids = new Set<string>()
    for (let i = 0; i < 15; i++) ids.add((await createConfirmedUser(sigra)).user.id)
    assert.equal(ids.size, 15)
  })

  test('latestMail returns the newest message to an address, with its link and token; it throws when there is none', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const newEmail = uniqueEmail('new')
    const change = await sigra.account.requestEmailChange(fixture.user, newEmail, { session: fixture.session })
    assert.ok(change.ok)
    assert.equal((await latestMail(sigra, newEmail)).token, change.token)
    const notice = await latestMail(sigra, fixture.email)
    assert.ok(notice.link, 'the notice to the old address links to the settings page')
    assert.equal(notice.token, null, 'but carries no token')

    assert.deepEqual(await sigra.auth.requestPasswordReset(fixture.email), { ok: true })
    const reset = await latestMail(sigra, fixture.email.toUpperCase())
    assert.equal(reset.to, fixture.email)
    assert.ok(reset.subject.length > 0 && reset.text.length > 0 && reset.html.length > 0)
    assert.ok(reset.link?.includes('reset-password?token='))
    assert.ok(reset.token && reset.link?.endsWith(`token=${reset.token}`))
    assert.ok((await sigra.auth.resetPassword(reset.token, { password: 'a brand new passphrase 2026' })).ok, 'the token is the real one')
    await assert.rejects(latestMail(sigra, uniqueEmail('nobody')), /no mail/)
  })

  test('assertAuditEvent returns the newest match and throws AssertionError when nothing matches', async () => {
    const { sigra } = env()
    const { user } = await createConfirmedUser(sigra)
    const other = await createConfirmedUser(sigra)
    assert.ok((await sigra.audit.log({ action: 'app.note', userId: user.id, metadata: { n: 1, tag: 'a' } })).ok)
    assert.ok((await sigra.audit.log({ action: 'app.note', userId: user.id, outcome: 'failure', metadata: { n: 2, tag: 'a', nested: { x: [1, 2] } } })).ok)

    const newest = await assertAuditEvent(sigra, { action: 'app.note', userId: user.id })
    assert.equal(newest.metadata.n, 2)
    assert.equal((await assertAuditEvent(sigra, { action: 'app.note', userId: user.id, metadata: { n: 1 } })).metadata.tag, 'a', 'metadata is matched as a subset')
    assert.equal((await assertAuditEvent(sigra, { action: 'app.note', outcome: 'success' })).metadata.n, 1)
    await assertAuditEvent(sigra, { action: 'app.note', metadata: { nested: { x: [1, 2] } } })
    await assertAuditEvent(sigra, { action: 'auth.register', userId: user.id, outcome: 'success' })

    await assert.rejects(assertAuditEvent(sigra, { action: 'app.never_logged' }), AssertionError)
    await assert.rejects(assertAuditEvent(sigra, { action: 'app.note', userId: other.user.id }), AssertionError, 'wrong user')
    await assert.rejects(assertAuditEvent(sigra, { action: 'app.note', userId: user.id, metadata: { n: 3 } }), AssertionError, 'wrong metadata')
    await assert.rejects(assertAuditEvent(sigra, { action: 'app.note', metadata: { nested: { x: [2, 1] } } }), AssertionError, 'nested values compared exactly')
    await assert.rejects(assertAuditEvent(sigra, { action: 'auth.register', userId: user.id, outcome: 'failure' }), AssertionError, 'wrong outcome')
  })

  test('assertAuditEvent finds a match beyond the first page of events with that action', async () => {
    const { sigra, clock } = await env().makeSigra()
    const rows = Array.from({ length: 520 }, (_, n) => ({ occurred_at: clock(), action: 'app.bulk', outcome: 'success' as const, actor_id: null, user_id: null, ip: null, user_agent: null, metadata: JSON.stringify({ n }) }))
    await sigra.db.insertInto('audit_events').values(rows).execute()
    assert.equal((await assertAuditEvent(sigra, { action: 'app.bulk', metadata: { n: 0 } })).metadata.n, 0, 'the oldest of 520')
    await assert.rejects(assertAuditEvent(sigra, { action: 'app.bulk', metadata: { n: 520 } }), AssertionError)
  })

  test('assertDeletionScheduled reads the database and throws AssertionError when the account is not scheduled', async () => {
    const { sigra } = env()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    await assert.rejects(assertDeletionScheduled(sigra, fixture.user), AssertionError)
    const scheduled = await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session })
    assert.ok(scheduled.ok)
    const status = await assertDeletionScheduled(sigra, fixture.user)
    assert.equal(status.daysRemaining, 14)
    assert.equal(status.deleteAt.getTime(), scheduled.deleteAt.getTime())
    assert.ok((await sigra.account.cancelDeletion(fixture.user)).ok)
    await assert.rejects(assertDeletionScheduled(sigra, fixture.user), AssertionError, 'cancelled')
  })

  test('assertSessionRevoked accepts a token, a session or an id, and throws AssertionError while the session lives', async () => {
    const { sigra } = env()
    const a = await createConfirmedUser(sigra)
    const b = await createConfirmedUser(sigra)
    await assert.rejects(assertSessionRevoked(sigra, a.token), AssertionError)
    await assert.rejects(assertSessionRevoked(sigra, a.session), AssertionError)
    await assert.rejects(assertSessionRevoked(sigra, a.session.id), AssertionError)

    await sigra.auth.logOut(a.token)
    await assertSessionRevoked(sigra, a.token)
    await assertSessionRevoked(sigra, a.session)
    await assertSessionRevoked(sigra, a.session.id)
    await assert.rejects(assertSessionRevoked(sigra, b.session), AssertionError, 'other sessions are unaffected')
  })
})
