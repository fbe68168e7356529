import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { SigraError } from 'sigra'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'

const USER_A = '00000000-0000-4000-8000-00000000000a'
const USER_B = '00000000-0000-4000-8000-00000000000b'

describeEachBackend('audit log', (env) => {
  test('cursor pagination walks every event once, newest first, ending with a null cursor', async () => {
    const { sigra } = await env().makeSigra()
    for (let i = 0; i < 7; i++) assert.deepEqual(await sigra.audit.log({ action: 'billing.plan_change', metadata: { i } }), { ok: true })
    const seen: unknown[] = []
    const pageSizes: number[] = []
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof sigra.audit.list>> = await sigra.audit.list({ limit: 3, ...(cursor ? { cursor } : {}) })
      pageSizes.push(page.events.length)
      seen.push(...page.events.map((e) => e.metadata.i))
      cursor = page.nextCursor
    } while (cursor !== null)
    assert.deepEqual(pageSizes, [3, 3, 1])
    assert.deepEqual(seen, [6, 5, 4, 3, 2, 1, 0])
    const exact = await sigra.audit.list({ limit: 7 })
    assert.equal(exact.events.length, 7)
    assert.equal(exact.nextCursor, null, 'no empty extra page when the last page is exactly full')
  })

  test('filters by userId and by action', async () => {
    const { sigra } = await env().makeSigra()
    await sigra.audit.log({ action: 'billing.plan_change', userId: USER_A })
    await sigra.audit.log({ action: 'billing.refund', userId: USER_A })
    await sigra.audit.log({ action: 'billing.plan_change', userId: USER_B })
    const a = (await sigra.audit.list({ userId: USER_A })).events
    assert.deepEqual(a.map((e) => e.action), ['billing.refund', 'billing.plan_change'])
    assert.ok(a.every((e) => e.userId === USER_A))
    const changes = (await sigra.audit.list({ action: 'billing.plan_change' })).events
    assert.deepEqual(changes.map((e) => e.userId), [USER_B, USER_A])
    const both = (await sigra.audit.list({ action: 'billing.plan_change', userId: USER_B })).events
    assert.equal(both.length, 1)
  })

  test('an unknown filter key or a malformed cursor throws invalid_argument', async () => {
    const { sigra } = env()
    for (const filter of [{ user: USER_A }, { userID: USER_A }, { cursor: 'abc' }, { limit: 0 }, { userId: 'not-a-uuid' }]) {
      await assert.rejects(sigra.audit.list(filter as never), (error: unknown) => error instanceof SigraError && error.code === 'invalid_argument', JSON.stringify(filter))
    }
  })

  test('host actions under a reserved prefix are invalid', async () => {
    const { sigra } = env()
    for (const action of ['auth.x', 'auth.login.success', 'session.revoke', 'admin.anything', 'sigra.internal', 'Billing.Upper', 'nodot', '']) {
      const result = await sigra.audit.log({ action })
      assert.equal(result.ok ? 'ok' : result.error, 'invalid', action)
      assert.equal(!result.ok && result.issues?.[0]?.field, 'action', action)
    }
  })

  test('metadata with a secret-looking key at any depth is invalid', async () => {
    const { sigra } = env()
    const refused: Array<Record<string, unknown>> = [
      { password: 'x' },
      { nested: { password: 'x' } },
      { apiKey: 'x' },
      { api_key: 'x' },
      { deep: { deeper: [{ ok: 1 }, { Session_Token: 'x' }] } },
      { totp_code: '123456' },
      { Authorization: 'Bearer x' },
    ]
    for (const metadata of refused) {
      const result = await sigra.audit.log({ action: 'billing.plan_change', metadata })
      assert.equal(result.ok ? 'ok' : result.error, 'invalid', JSON.stringify(metadata))
    }
    assert.deepEqual(await sigra.audit.log({ action: 'billing.plan_change', metadata: { plan: 'pro', seats: 3, nested: { region: 'eu' } } }), { ok: true })
  })

  test('metadata over 8 KB is invalid; exactly 8 KB is accepted', async () => {
    const { sigra } = env()
    const overhead = JSON.stringify({ blob: '' }).length
    const atLimit = { blob: 'x'.repeat(8192 - overhead) }
    assert.equal(JSON.stringify(atLimit).length, 8192)
    assert.deepEqual(await sigra.audit.log({ action: 'billing.export', metadata: atLimit }), { ok: true })
    const over = await sigra.audit.log({ action: 'billing.export', metadata: { blob: 'x'.repeat(8193 - overhead) } })
    assert.equal(over.ok ? 'ok' : over.error, 'invalid')
    const multiByte = await sigra.audit.log({ action: 'billing.export', metadata: { blob: 'é'.repeat(4096) } })
    assert.equal(multiByte.ok ? 'ok' : multiByte.error, 'invalid', 'the limit counts bytes, not characters')
  })

  test('no audit row from the auth flows holds a session token, email token, password or hash', async () => {
    const { sigra } = await env().makeSigra()
    const secrets: string[] = [GOOD_PASSWORD]
    const keep = (token: string | null | undefined) => {
      assert.ok(token)
      secrets.push(token, createHash('sha256').update(token).digest('hex'), createHash('sha256').update(token).digest('base64'))
      if (token.includes('.')) secrets.push(token.split('.')[1]!)
      return token
    }
    const newPassword = 'another long passphrase 31'
    secrets.push(newPassword)

    const email = uniqueEmail()
    const registered = await sigra.auth.register({ email, password: GOOD_PASSWORD, ip: '198.51.100.50' })
    assert.ok(registered.ok)
    const confirmToken = keep((await latestMail(sigra, email)).token)
    assert.equal((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok, false, 'a duplicate is audited too')
    assert.ok((await sigra.auth.confirmEmail(confirmToken)).ok)

    assert.equal((await sigra.auth.logIn({ login: email, password: 'wrong password here' })).ok, false)
    assert.equal((await sigra.auth.logIn({ login: uniqueEmail('ghost'), password: GOOD_PASSWORD })).ok, false)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, ip: '198.51.100.50', userAgent: 'curl/8.5.0' })
    assert.ok(login.ok)
    keep(login.token)
    const second = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD, previousToken: login.token })
    assert.ok(second.ok)
    keep(second.token)
    const third = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(third.ok)
    keep(third.token)
    await sigra.sessions.revoke(registered.user.id, third.session.id)
    await sigra.auth.logOut(second.token)

    assert.deepEqual(await sigra.auth.requestPasswordReset(email), { ok: true })
    const resetToken = keep((await latestMail(sigra, email)).token)
    assert.equal((await sigra.auth.resetPassword(resetToken, { password: 'short' })).ok, false)
    assert.ok((await sigra.auth.resetPassword(resetToken, { password: newPassword })).ok)
    const after = await sigra.auth.logIn({ login: email, password: newPassword })
    assert.ok(after.ok)
    keep(after.token)
    await sigra.sessions.revokeAll(registered.user.id)

    const hashes = await sigra.db.selectFrom('users').select('hashed_password').execute()
    for (const { hashed_password } of hashes) if (hashed_password) secrets.push(hashed_password)
    secrets.push('$argon2', '$2a$', '$2b$')

    const events = await allAuditEvents(sigra)
    const actions = new Set(events.map((e) => e.action))
    for (const action of ['auth.register', 'auth.register.failure', 'auth.email_confirm', 'auth.login.success', 'auth.login.failure', 'auth.logout', 'session.revoke', 'auth.password_reset_request', 'auth.password_reset', 'session.revoke_all']) {
      assert.ok(actions.has(action), `the flow wrote ${action}`)
    }
    for (const event of events) {
      const serialized = JSON.stringify(event)
      for (const secret of secrets) assert.ok(!serialized.includes(secret), `${event.action} holds a secret (${secret.slice(0, 8)}…)`)
    }
  })
})
