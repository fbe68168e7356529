import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, signedInUser, uniqueEmail } from './support/harness.ts'

const MINUTE = 60
const DAY = 86400

let ipCounter = 0
/** A distinct client address per sign-in, so the per-IP login budget never interferes. */
const nextIp = () => `10.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}.1`
const signIn = (sigra: Sigra) => signedInUser(sigra, { ip: nextIp() })

async function lastActiveAt(sigra: Sigra, sessionId: string): Promise<number> {
  const row = await sigra.db.selectFrom('sessions').select('last_active_at').where('id', '=', sessionId).executeTakeFirstOrThrow()
  return row.last_active_at.getTime()
}

async function sessionRowExists(sigra: Sigra, sessionId: string): Promise<boolean> {
  return (await sigra.db.selectFrom('sessions').select('id').where('id', '=', sessionId).executeTakeFirst()) !== undefined
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const HEX = '0123456789abcdef'
/** Replaces the character at `index` with the next one of its alphabet: same shape, different value. */
function flipChar(text: string, index: number, alphabet: string): string {
  const next = alphabet[(alphabet.indexOf(text[index]!) + 1) % alphabet.length]!
  return text.slice(0, index) + next + text.slice(index + 1)
}

describeEachBackend('sessions', (env) => {
  test('validate returns the user and session for a fresh token', async () => {
    const { sigra } = env()
    const { token, user, session } = await signIn(sigra)
    const result = await sigra.sessions.validate(token)
    assert.ok(result)
    assert.equal(result.user.id, user.id)
    assert.equal(result.session.id, session.id)
    assert.ok(!JSON.stringify(result).includes(token.split('.')[1]!), 'the secret half is not handed back')
  })

  test('validate returns null for malformed, garbage and tampered tokens', async () => {
    const { sigra } = env()
    const { token } = await signIn(sigra)
    const [id, secret] = token.split('.') as [string, string]
    const bad: unknown[] = [
      '', 'garbage', `${id}.`, `.${secret}`, id, `${id}.${secret}x`, `${id}.${secret.slice(1)}`, `${id}.${secret}.${secret}`,
      `${id}.${flipChar(secret, 0, BASE64URL)}`, `${id}.${flipChar(secret, 21, BASE64URL)}`, `${flipChar(id, 0, HEX)}.${secret}`,
      token.toUpperCase(), ` ${token}`, 'x'.repeat(10 * 1024 * 1024), null, undefined, 42, {}, [token],
    ]
    for (const candidate of bad) {
      assert.equal(await sigra.sessions.validate(candidate as never), null, String(candidate).slice(0, 100))
    }
    assert.ok(await sigra.sessions.validate(token), 'the genuine token still works')
  })

  test('validate returns null after logOut', async () => {
    const { sigra } = env()
    const { token, user, session } = await signIn(sigra)
    assert.deepEqual(await sigra.auth.logOut(token), { ok: true })
    assert.equal(await sigra.sessions.validate(token), null)
    assert.equal(await sessionRowExists(sigra, session.id), false)
    assert.equal((await allAuditEvents(sigra, { userId: user.id, action: 'auth.logout' })).length, 1)
    assert.deepEqual(await sigra.auth.logOut(token), { ok: true }, 'logging out twice is harmless')
  })

  test('idle timeout: valid one second before 30 min of inactivity, gone at 30 min (row deleted)', async () => {
    const { sigra, clock } = env()
    const a = await signIn(sigra)
    const b = await signIn(sigra)
    clock.advance(30 * MINUTE - 1)
    assert.ok(await sigra.sessions.validate(a.token), 'one second before the idle limit')
    clock.advance(1)
    assert.equal(await sigra.sessions.validate(b.token), null, 'at the idle limit')
    assert.equal(await sessionRowExists(sigra, b.session.id), false, 'an expired session is deleted when seen')
  })

  test('activity inside the throttle window writes nothing; at the throttle it is recorded', async () => {
    const { sigra, clock } = env()
    const { token, session } = await signIn(sigra)
    const start = await lastActiveAt(sigra, session.id)
    clock.advance(4 * MINUTE)
    assert.ok(await sigra.sessions.validate(token))
    assert.equal(await lastActiveAt(sigra, session.id), start, 'unchanged at +4 min')
    clock.advance(1 * MINUTE)
    const result = await sigra.sessions.validate(token)
    assert.ok(result)
    assert.equal(await lastActiveAt(sigra, session.id), clock().getTime(), 'written at +5 min')
    assert.equal(result.session.lastActiveAt.getTime(), clock().getTime())
  })

  test('activity extends the idle expiry', async () => {
    const { sigra, clock } = env()
    const { token } = await signIn(sigra)
    clock.advance(20 * MINUTE)
    const active = await sigra.sessions.validate(token)
    assert.ok(active)
    assert.equal(active.session.idleExpiresAt?.getTime(), clock().getTime() + 30 * MINUTE * 1000)
    clock.advance(30 * MINUTE - 1)
    assert.ok(await sigra.sessions.validate(token), '49:59 after login, 29:59 after the last activity')
    clock.advance(30 * MINUTE)
    assert.equal(await sigra.sessions.validate(token), null, '30 min after the last recorded activity')
  })

  test('absolute timeout: 24 h from login even with continuous activity', async () => {
    const { sigra, clock } = env()
    const { token, session } = await signIn(sigra)
    assert.equal(session.expiresAt.getTime(), session.createdAt.getTime() + DAY * 1000)
    for (let elapsed = 10 * MINUTE; elapsed < DAY; elapsed += 10 * MINUTE) {
      clock.advance(10 * MINUTE)
      assert.ok(await sigra.sessions.validate(token), `active at +${elapsed / 60} min`)
    }
    clock.advance(10 * MINUTE - 1)
    assert.ok(await sigra.sessions.validate(token), 'one second before 24 h')
    clock.advance(1)
    assert.equal(await sigra.sessions.validate(token), null, 'at 24 h')
    assert.equal(await sessionRowExists(sigra, session.id), false)
  })

  test('remember-me lasts 60 days with no idle timeout', async () => {
    const { sigra, clock } = env()
    const { email, password } = await signIn(sigra)
    const login = await sigra.auth.logIn({ login: email, password, rememberMe: true })
    assert.ok(login.ok)
    assert.equal(login.session.rememberMe, true)
    assert.equal(login.session.idleExpiresAt, null)
    assert.equal(login.session.expiresAt.getTime(), clock().getTime() + 60 * DAY * 1000)
    clock.advance(60 * DAY - 1)
    assert.ok(await sigra.sessions.validate(login.token), 'untouched for 60 days minus a second')
    clock.advance(1)
    assert.equal(await sigra.sessions.validate(login.token), null, 'at 60 days')
  })

  test('list shows live sessions with a device label and leaves expired ones out', async () => {
    const { sigra, clock } = env()
    const { user, email, password, session: browser } = await signIn(sigra)
    assert.equal(browser.deviceLabel, 'Safari on macOS')
    const phone = await sigra.auth.logIn({
      login: email,
      password,
      rememberMe: true,
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0',
    })
    assert.ok(phone.ok)
    const listed = await sigra.sessions.list(user.id)
    assert.deepEqual(listed.map((s) => s.id).sort(), [browser.id, phone.session.id].sort())
    assert.deepEqual(listed.map((s) => s.deviceLabel).sort(), ['Firefox on Windows', 'Safari on macOS'])
    clock.advance(30 * MINUTE)
    const later = await sigra.sessions.list(user.id)
    assert.deepEqual(later.map((s) => s.id), [phone.session.id], 'the idle browser session is gone')
    assert.deepEqual(await sigra.sessions.list(uniqueEmail()), [], 'a non-id lists nothing')
  })

  test("revoke is scoped to the user: another user's session id is not_found", async () => {
    const { sigra } = env()
    const alice = await signIn(sigra)
    const mallory = await signIn(sigra)
    assert.deepEqual(await sigra.sessions.revoke(mallory.user.id, alice.session.id), { ok: false, error: 'not_found' })
    assert.ok(await sigra.sessions.validate(alice.token), "Alice's session survives")
    assert.deepEqual(await sigra.sessions.revoke(alice.user.id, 'not-a-uuid'), { ok: false, error: 'not_found' })

    assert.deepEqual(await sigra.sessions.revoke(alice.user.id, alice.session.id), { ok: true })
    assert.equal(await sigra.sessions.validate(alice.token), null)
    assert.deepEqual(await sigra.sessions.revoke(alice.user.id, alice.session.id), { ok: false, error: 'not_found' })
    const audit = await allAuditEvents(sigra, { userId: alice.user.id, action: 'session.revoke' })
    assert.equal(audit.length, 1)
    assert.equal(audit[0]!.metadata.session_id, alice.session.id)
    assert.equal((await allAuditEvents(sigra, { userId: mallory.user.id, action: 'session.revoke' })).length, 0)
  })

  test('revokeAll ends every session, or every other one with except; audited', async () => {
    const { sigra } = env()
    const first = await signIn(sigra)
    const logins = [first.token]
    for (let i = 0; i < 2; i++) {
      const again = await sigra.auth.logIn({ login: first.email, password: first.password })
      assert.ok(again.ok)
      logins.push(again.token)
    }
    const bystander = await signIn(sigra)

    assert.deepEqual(await sigra.sessions.revokeAll(first.user.id, { except: first.session.id }), { ok: true, count: 2 })
    assert.ok(await sigra.sessions.validate(first.token), 'the kept session still works')
    for (const token of logins.slice(1)) assert.equal(await sigra.sessions.validate(token), null)

    assert.deepEqual(await sigra.sessions.revokeAll(first.user.id), { ok: true, count: 1 })
    assert.equal(await sigra.sessions.validate(first.token), null)
    assert.ok(await sigra.sessions.validate(bystander.token), "another user's session is untouched")

    const audit = await allAuditEvents(sigra, { userId: first.user.id, action: 'session.revoke_all' })
    assert.deepEqual(audit.map((e) => e.metadata.count), [1, 2], 'newest first')
    assert.equal(audit[1]!.metadata.kept_session_id, first.session.id)
  })

  test('the database never stores the token or its secret', async () => {
    const { sigra } = env()
    const email = uniqueEmail()
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    const secret = login.token.split('.')[1]!
    const secretBytesHex = Buffer.from(secret, 'base64url').toString('hex')
    const row = await sigra.db.selectFrom('sessions').selectAll().where('id', '=', login.session.id).executeTakeFirstOrThrow()
    for (const [column, value] of Object.entries(row)) {
      const forms =
        value instanceof Uint8Array
          ? [Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), Buffer.from(value).toString('utf8')]
          : [value instanceof Date ? value.toISOString() : String(value)]
      for (const form of forms) {
        assert.ok(!form.includes(secret), `sessions.${column} holds the secret`)
        assert.notEqual(form, login.token, `sessions.${column} holds the token`)
        assert.ok(!form.includes(secretBytesHex), `sessions.${column} holds the raw secret bytes`)
      }
    }
  })
})
