import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VetoError, type Sigra } from 'sigra'
import { assertDeletionScheduled, createConfirmedUser, latestMail, testClock, type TestClock } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'

const DAY = 86_400
const GRACE = 14 * DAY

const errorOf = (result: { ok: boolean; error?: string }) => (result.ok ? 'ok' : result.error)

async function userRow(sigra: Sigra, id: string) {
  return sigra.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

async function countFor(sigra: Sigra, table: 'sessions' | 'user_tokens', userId: string): Promise<number> {
  return (await sigra.db.selectFrom(table).select('id').where('user_id', '=', userId).execute()).length
}

async function executions(sigra: Sigra, userId: string) {
  return allAuditEvents(sigra, { userId, action: 'account.deletion_execute' })
}

/** A user (with a username and custom fields) whose deletion is scheduled from a sudo-fresh session. */
async function scheduledUser(sigra: Sigra) {
  const fixture = await createConfirmedUser(sigra, { sudo: true, username: `u${Math.random().toString(36).slice(2, 12)}` })
  await sigra.db.updateTable('users').set({ custom_fields: JSON.stringify({ nickname: 'Ada' }) }).where('id', '=', fixture.user.id).execute()
  const result = await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session })
  assert.ok(result.ok, JSON.stringify(result))
  return { ...fixture, password: fixture.password!, deleteAt: result.deleteAt }
}

/** Schedules `count` users and moves the clock to their deletion time. */
async function dueUsers(sigra: Sigra, clock: TestClock, count: number) {
  const users = []
  for (let i = 0; i < count; i++) users.push(await scheduledUser(sigra))
  clock.advance(GRACE)
  return users
}

describeEachBackend('account deletion', (env) => {
  test('scheduleDeletion: deleteAt in 14 days, every session revoked, epoch bumped, pending change dropped, mail with the date, audit', async () => {
    const { sigra, clock } = await env().makeSigra()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const second = await sigra.auth.logIn({ login: fixture.email, password: fixture.password! })
    assert.ok(second.ok)
    const change = await sigra.account.requestEmailChange(fixture.user, uniqueEmail('new'), { session: fixture.session })
    assert.ok(change.ok)
    const epoch = (await userRow(sigra, fixture.user.id))!.epoch

    const result = await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session })
    assert.ok(result.ok, JSON.stringify(result))
    assert.equal(result.deleteAt.getTime(), clock().getTime() + GRACE * 1000)
    assert.equal(result.user.deleteAt?.getTime(), result.deleteAt.getTime())
    assert.equal(result.user.epoch, epoch + 1)
    const status = await assertDeletionScheduled(sigra, fixture.user)
    assert.equal(status.daysRemaining, 14)
    assert.equal(await sigra.account.deletionScheduled(fixture.user), true)

    assert.equal(await sigra.sessions.validate(fixture.token), null, 'the current session is revoked too')
    assert.equal(await sigra.sessions.validate(second.token), null)
    const row = (await userRow(sigra, fixture.user.id))!
    assert.equal(row.pending_email, null, 'the pending email change is dropped')
    assert.equal(await countFor(sigra, 'user_tokens', fixture.user.id), 0)
    assert.equal(errorOf(await sigra.account.confirmEmailChange(change.token)), 'invalid_token')

    const mail = await latestMail(sigra, fixture.email)
    assert.ok(mail.text.includes(result.deleteAt.toUTCString()), 'the mail names the date')
    assert.equal(mail.token, null)
    const audit = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'account.deletion_schedule' })
    assert.equal(audit.length, 1)
    assert.deepEqual(audit[0]!.metadata, { delete_at: result.deleteAt.toISOString(), grace_days: 14 })
  })

  test('deletion.graceDays configures the grace period', async () => {
    const { sigra, clock } = await env().makeSigra({ deletion: { graceDays: 3 } })
    const { user, deleteAt } = await scheduledUser(sigra)
    assert.equal(deleteAt.getTime(), clock().getTime() + 3 * DAY * 1000)
    assert.equal((await assertDeletionScheduled(sigra, user)).daysRemaining, 3)
  })

  test('the deletionScheduled event runs inside the transaction: it writes through event.trx, and a throw rolls everything back', async () => {
    const { sigra, clock } = await env().makeSigra()
    let mode: 'allow' | 'throw' | 'veto' = 'throw'
    sigra.events.on('deletionScheduled', async (event) => {
      await event.trx
        .insertInto('audit_events')
        .values({ occurred_at: clock(), action: 'app.deletion_noted', outcome: 'success', actor_id: event.user.id, user_id: event.user.id, ip: null, user_agent: null, metadata: JSON.stringify({ delete_at: event.deleteAt.toISOString() }) })
        .execute()
      if (mode === 'throw') throw new Error('subscriber failed')
      if (mode === 'veto') throw new VetoError('legal hold')
    })
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const mailsBefore = (await sigra.mail.outbox({ to: fixture.email })).length

    await assert.rejects(sigra.account.scheduleDeletion(fixture.user, { session: fixture.session }), /subscriber failed/)
    mode = 'veto'
    assert.deepEqual(await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session }), { ok: false, error: 'vetoed', reason: 'legal hold' })

    assert.equal((await userRow(sigra, fixture.user.id))!.delete_at, null, 'not scheduled')
    assert.deepEqual(await sigra.account.deletionStatus(fixture.user), { state: 'not_scheduled' })
    assert.ok(await sigra.sessions.validate(fixture.token), 'no session was revoked')
    assert.equal((await sigra.mail.outbox({ to: fixture.email })).length, mailsBefore, 'no mail')
    assert.equal((await allAuditEvents(sigra, { action: 'account.deletion_schedule' })).length, 0)
    assert.equal((await allAuditEvents(sigra, { action: 'app.deletion_noted' })).length, 0, "the subscriber's write was rolled back")

    mode = 'allow'
    const result = await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session })
    assert.ok(result.ok)
    const noted = await allAuditEvents(sigra, { action: 'app.deletion_noted' })
    assert.equal(noted.length, 1)
    assert.equal(noted[0]!.metadata.delete_at, result.deleteAt.toISOString())
  })

  test('deletionStatus counts started days: 14 right after, 1 on the last day, 0 when due, deleted after the sweep', async () => {
    const { sigra, clock } = await env().makeSigra()
    const bystander = await createConfirmedUser(sigra)
    assert.deepEqual(await sigra.account.deletionStatus(bystander.user), { state: 'not_scheduled' })
    assert.equal(await sigra.account.deletionScheduled(bystander.user), false)

    const { user, deleteAt } = await scheduledUser(sigra)
    const remaining = async () => {
      const status = await sigra.account.deletionStatus(user)
      assert.equal(status.state, 'scheduled')
      return status.state === 'scheduled' ? status.daysRemaining : -1
    }
    assert.equal(await remaining(), 14)
    clock.advance(1)
    assert.equal(await remaining(), 14)
    clock.advance(DAY - 1)
    assert.equal(await remaining(), 13)
    clock.advance(12 * DAY)
    assert.equal(await remaining(), 1, 'the last day starts')
    clock.advance(DAY - 1)
    assert.equal(await remaining(), 1, 'one second before deletion')
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 0, failed: 0 }, 'not due yet')
    clock.advance(1)
    assert.equal(clock().getTime(), deleteAt.getTime())
    assert.equal(await remaining(), 0, 'due')
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 1, failed: 0 })
    assert.deepEqual(await sigra.account.deletionStatus(user), { state: 'deleted' })
    assert.equal(await sigra.account.deletionScheduled(user), false)
    assert.deepEqual(await sigra.account.deletionStatus(bystander.user), { state: 'not_scheduled' }, 'nobody else was touched')
  })

  test('login works during the grace period and shows deleteAt; cancelDeletion reactivates, audits and mails', async () => {
    const { sigra, clock } = await env().makeSigra()
    const { user, email, password, deleteAt } = await scheduledUser(sigra)
    clock.advance(3 * DAY)
    const login = await sigra.auth.logIn({ login: email, password })
    assert.ok(login.ok, JSON.stringify(login))
    assert.equal(login.user.deleteAt?.getTime(), deleteAt.getTime())
    assert.equal((await sigra.sessions.validate(login.token))?.user.deleteAt?.getTime(), deleteAt.getTime())

    const sudo = await sigra.sessions.confirmSudo(login.token, { password })
    assert.ok(sudo.ok)
    assert.equal(errorOf(await sigra.account.scheduleDeletion(login.user, { session: sudo.session })), 'already_scheduled')

    const cancelled = await sigra.account.cancelDeletion(login.user)
    assert.ok(cancelled.ok)
    assert.equal(cancelled.user.deleteAt, null)
    assert.equal(cancelled.user.deletionRequestedAt, null)
    assert.deepEqual(await sigra.account.deletionStatus(user), { state: 'not_scheduled' })
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'account.deletion_cancel' })).length, 1)
    assert.equal((await sigra.mail.outbox({ to: email })).at(-1)?.template, 'deletionCancelled')
    assert.equal(errorOf(await sigra.account.cancelDeletion(user)), 'not_scheduled')
    assert.equal(errorOf(await sigra.account.cancelDeletion({ id: '00000000-0000-4000-8000-000000000000' })), 'not_found')

    clock.advance(GRACE)
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 0, failed: 0 })
    assert.ok((await sigra.auth.logIn({ login: email, password })).ok, 'the account lives on')
  })

  test('while scheduled, email and password changes are refused (deletion_scheduled)', async () => {
    const { sigra } = await env().makeSigra()
    const { user, email, password } = await scheduledUser(sigra)
    const login = await sigra.auth.logIn({ login: email, password })
    assert.ok(login.ok)
    const sudo = await sigra.sessions.confirmSudo(login.token, { password })
    assert.ok(sudo.ok)
    assert.equal(errorOf(await sigra.account.requestEmailChange(user, uniqueEmail('new'), { session: sudo.session })), 'deletion_scheduled')
    assert.equal(errorOf(await sigra.account.changePassword(user, password, { password: 'a brand new passphrase 2026' }, { session: sudo.session })), 'deletion_scheduled')
  })

  for (const strategy of ['anonymize', 'soft_delete', 'hard_delete'] as const) {
    test(`executeDeletion with ${strategy}: credentials, sessions and tokens gone; audit history kept`, async () => {
      // anonymize is the default: that instance gets no strategy option.
      const { sigra } = await env().makeSigra(strategy === 'anonymize' ? {} : { deletion: { strategy } })
      const { user, email, password } = await scheduledUser(sigra)
      assert.equal(errorOf(await sigra.account.executeDeletion((await createConfirmedUser(sigra)).user)), 'not_scheduled')
      // During the grace period the user logged in again and asked for a reset: a session and a token exist.
      const login = await sigra.auth.logIn({ login: email, password, ip: '198.51.100.77', userAgent: 'Mozilla/5.0 (Windows NT 10.0) Chrome/126.0' })
      assert.ok(login.ok)
      assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
      assert.equal(await countFor(sigra, 'user_tokens', user.id), 1)

      const result = await sigra.account.executeDeletion(user)
      assert.deepEqual(result, { ok: true, strategy })

      assert.equal(await countFor(sigra, 'sessions', user.id), 0)
      assert.equal(await countFor(sigra, 'user_tokens', user.id), 0)
      assert.equal(await sigra.sessions.validate(login.token), null)
      assert.equal(errorOf(await sigra.auth.logIn({ login: email, password })), 'invalid_credentials', 'login is impossible')
      assert.deepEqual(await sigra.account.deletionStatus(user), { state: 'deleted' })
      assert.equal(errorOf(await sigra.account.executeDeletion(user)), 'not_found', 'nothing left to delete')
      assert.equal((await sigra.mail.outbox({ to: email })).at(-1)?.template, 'accountDeleted')

      const history = await allAuditEvents(sigra, { userId: user.id })
      for (const action of ['auth.register', 'auth.login.success', 'account.deletion_schedule', 'account.deletion_execute']) {
        assert.ok(history.some((e) => e.action === action), `${action} is kept`)
      }
      const execution = await executions(sigra, user.id)
      assert.equal(execution.length, 1)
      assert.equal(execution[0]!.metadata.strategy, strategy)
      const withPii = history.filter((e) => e.ip !== null || e.userAgent !== null)

      const row = await userRow(sigra, user.id)
      if (strategy === 'hard_delete') {
        assert.equal(row, undefined, 'the row is gone')
      } else {
        assert.ok(row)
        assert.equal(row.hashed_password, null)
        assert.ok(row.deleted_at)
        assert.equal(row.status, 'deleted')
      }
      if (strategy === 'anonymize') {
        assert.equal(row!.email, `deleted-${user.id}@deleted.invalid`)
        assert.equal(row!.username, null)
        assert.deepEqual(row!.custom_fields, {})
        assert.equal(row!.pending_email, null)
      }
      if (strategy === 'soft_delete') {
        assert.equal(row!.email, email, 'the row keeps its PII')
        assert.ok(withPii.some((e) => e.ip === '198.51.100.77'), 'soft_delete keeps audit ip and user agent')
      } else {
        assert.deepEqual(withPii, [], 'audit ip and user agent are cleared')
        assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok, 'the address is free again')
      }
    })
  }

  test('the sweep deletes due accounts once: runDue reports them, a second run deletes nothing', async () => {
    const { sigra, clock } = await env().makeSigra()
    const users = await dueUsers(sigra, clock, 3)
    const notDue = await scheduledUser(sigra)
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 3, failed: 0 })
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 0, failed: 0 }, 'idempotent')
    for (const { user } of users) {
      assert.deepEqual(await sigra.account.deletionStatus(user), { state: 'deleted' })
      const rows = await executions(sigra, user.id)
      assert.equal(rows.length, 1)
      assert.equal(rows[0]!.actorType, 'system')
    }
    assert.equal((await assertDeletionScheduled(sigra, notDue.user)).daysRemaining, 14, 'a later deletion waits')
  })

  test('beforeDelete writes its own data through event.trx, in the deletion transaction, before the strategy applies', async () => {
    const { sigra, clock } = await env().makeSigra({
      hooks: {
        beforeDelete: async ({ trx, user, strategy }) => {
          const still = await trx.selectFrom('users').select('email').where('id', '=', user.id).executeTakeFirstOrThrow()
          await trx
            .insertInto('audit_events')
            .values({ occurred_at: clock(), action: 'app.user_archived', outcome: 'success', actor_id: null, user_id: user.id, ip: null, user_agent: null, metadata: JSON.stringify({ strategy, had_email: still.email === user.email }) })
            .execute()
        },
      },
    })
    const [due] = await dueUsers(sigra, clock, 1)
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 1, failed: 0 })
    const archived = await allAuditEvents(sigra, { userId: due!.user.id, action: 'app.user_archived' })
    assert.equal(archived.length, 1)
    assert.deepEqual(archived[0]!.metadata, { strategy: 'anonymize', had_email: true })
  })

  test('a throwing beforeDelete aborts that account only: it stays scheduled, the sweep reports failed and goes on', async () => {
    let blocked = ''
    const { sigra, clock } = await env().makeSigra({
      hooks: {
        beforeDelete: async ({ trx, user }) => {
          await trx
            .insertInto('audit_events')
            .values({ occurred_at: clock(), action: 'app.user_archived', outcome: 'success', actor_id: null, user_id: user.id, ip: null, user_agent: null, metadata: '{}' })
            .execute()
          if (user.id === blocked) throw new Error('archive unavailable')
        },
      },
    })
    const [kept, gone] = await dueUsers(sigra, clock, 2)
    blocked = kept!.user.id

    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 1, failed: 1 })
    assert.deepEqual(await sigra.account.deletionStatus(gone!.user), { state: 'deleted' })
    const status = await assertDeletionScheduled(sigra, kept!.user)
    assert.equal(status.daysRemaining, 0)
    const row = (await userRow(sigra, kept!.user.id))!
    assert.equal(row.email, kept!.email)
    assert.ok(row.hashed_password, 'credentials untouched')
    assert.equal((await executions(sigra, kept!.user.id)).length, 0)
    assert.equal((await allAuditEvents(sigra, { userId: kept!.user.id, action: 'app.user_archived' })).length, 0, "the hook's write was rolled back")
    const failure = await allAuditEvents(sigra, { userId: kept!.user.id, action: 'account.deletion_failure' })
    assert.equal(failure.length, 1)
    assert.equal(failure[0]!.outcome, 'failure')

    await assert.rejects(sigra.account.executeDeletion(kept!.user), /archive unavailable/)
    // Kept for the next sweep, but due: no one signs in to an account past its deletion date.
    assert.equal(errorOf(await sigra.auth.logIn({ login: kept!.email, password: kept!.password })), 'invalid_credentials')
  })

  test('a beforeDelete VetoError makes executeDeletion answer vetoed', async () => {
    const { sigra } = await env().makeSigra({
      hooks: {
        beforeDelete: () => {
          throw new VetoError('open invoices')
        },
      },
    })
    const { user } = await scheduledUser(sigra)
    assert.deepEqual(await sigra.account.executeDeletion(user), { ok: false, error: 'vetoed', reason: 'open invoices' })
    await assertDeletionScheduled(sigra, user)
  })

  test('a cancel one second before the deadline keeps the account; the sweep then leaves it', async () => {
    const { sigra, clock } = await env().makeSigra()
    const user = await scheduledUser(sigra)
    clock.advance(GRACE - 1)
    assert.ok((await sigra.account.cancelDeletion(user.user)).ok)
    clock.advance(1)
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 0, failed: 0 })
    assert.deepEqual(await sigra.account.deletionStatus(user.user), { state: 'not_scheduled' })
    assert.ok((await sigra.auth.logIn({ login: user.email, password: user.password })).ok)
  })

  test('past the deadline, before any sweep: log-in, validation and cancel treat the account as deleted', async () => {
    const { sigra, clock } = await env().makeSigra()
    const user = await scheduledUser(sigra)
    const during = await sigra.auth.logIn({ login: user.email, password: user.password })
    assert.ok(during.ok, 'log-in works during the grace period')
    clock.advance(GRACE + 1)
    assert.equal(await sigra.sessions.validate(during.token), null, 'a session of a due account is no longer valid')
    assert.equal(errorOf(await sigra.auth.logIn({ login: user.email, password: user.password })), 'invalid_credentials', 'answered as for a deleted account')
    assert.equal(errorOf(await sigra.account.cancelDeletion(user.user)), 'not_found', 'too late to cancel')
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 1, failed: 0 }, 'the sweep still deletes it')
  })

  test('race: a cancel just before the deadline in parallel with a sweep at the deadline has one consistent outcome (5 rounds)', async () => {
    const { sigra, clock } = await env().makeSigra()
    // A second instance on the same schema whose clock is one second ahead: its sweep finds the account due.
    const ahead = testClock(clock())
    const sweeper = await env().makeSigra({ schema: sigra.config.schema, migrate: false, clock: ahead })
    for (let round = 1; round <= 5; round++) {
      const user = await scheduledUser(sigra)
      clock.advance(GRACE - 1)
      ahead.set(new Date(clock().getTime() + 1000))
      const [cancel, sweep] = await Promise.all([sigra.account.cancelDeletion(user.user), sweeper.sigra.jobs.runDue()])
      const status = await sigra.account.deletionStatus(user.user)
      if (cancel.ok) {
        // The cancel committed first: the sweep re-read the row under its lock (or skipped it) and left it.
        assert.equal(sweep.deletions.deleted, 0, `round ${round}`)
        assert.deepEqual(status, { state: 'not_scheduled' }, `round ${round}`)
        assert.equal((await executions(sigra, user.user.id)).length, 0, `round ${round}`)
      } else {
        // The sweep committed first: the cancel found nothing left to cancel.
        assert.equal(cancel.error, 'not_found', `round ${round}`)
        assert.equal(sweep.deletions.deleted, 1, `round ${round}`)
        assert.deepEqual(status, { state: 'deleted' }, `round ${round}`)
        assert.equal((await executions(sigra, user.user.id)).length, 1, `round ${round}`)
      }
    }
  })

  test('race: two sweeps in parallel on 6 due accounts delete each exactly once', async () => {
    const { sigra, clock } = await env().makeSigra()
    const users = await dueUsers(sigra, clock, 6)
    const reports = await Promise.all([sigra.jobs.runDue(), sigra.jobs.runDue()])
    assert.equal(reports[0].deletions.deleted + reports[1].deletions.deleted, 6)
    assert.equal(reports[0].deletions.failed + reports[1].deletions.failed, 0)
    for (const { user } of users) {
      assert.equal((await executions(sigra, user.id)).length, 1, user.id)
      assert.deepEqual(await sigra.account.deletionStatus(user), { state: 'deleted' })
    }
    assert.deepEqual((await sigra.jobs.runDue()).deletions, { deleted: 0, failed: 0 })
  })
})
