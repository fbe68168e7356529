import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { VetoError, type Sigra } from 'sigra'
import { countRows } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail, type TestEnv } from './support/harness.ts'

const uniqueUsername = (prefix = 'user') => `${prefix}_${randomBytes(4).toString('hex')}`

/** Everything that must stay untouched when a registration is refused or rolled back. */
async function footprint(sigra: Sigra) {
  return {
    users: await countRows(sigra, 'users'),
    tokens: await countRows(sigra, 'user_tokens'),
    mails: await countRows(sigra, 'mail_outbox'),
    audit: await countRows(sigra, 'audit_events'),
  }
}

describeEachBackend('auth.register', (env) => {
  test('creates a user whose shape carries no password hash or other secret', async () => {
    const { sigra } = env()
    const result = await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })
    assert.equal(result.ok, true)
    if (!result.ok) return
    for (const [key, value] of Object.entries(result.user)) {
      // `hasPassword` is the only password-ish key, and it is a boolean.
      if (/password|hash|secret|token|digest/i.test(key)) assert.equal(typeof value, 'boolean', `user.${key} must not carry a secret`)
    }
    const serialized = JSON.stringify(result.user)
    assert.ok(!serialized.includes('$argon2'), 'no password hash in the user')
    assert.ok(!serialized.includes(GOOD_PASSWORD), 'no password in the user')
    assert.equal(result.user.hasPassword, true)
    assert.equal(result.user.confirmedAt, null)
  })

  test('normalises the email: trimmed and lower-case', async () => {
    const { sigra } = env()
    const email = uniqueEmail('MiXeD')
    const result = await sigra.auth.register({ email: `  ${email.toUpperCase()}  `, password: GOOD_PASSWORD })
    assert.ok(result.ok)
    assert.equal(result.user.email, email.toLowerCase())
  })

  test('mails a confirmation link built from baseUrl', async () => {
    const { sigra: custom } = await env().makeSigra({ baseUrl: 'https://accounts.example.org/' })
    const email = uniqueEmail()
    assert.ok((await custom.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const mail = await latestMail(custom, email)
    assert.ok(mail.link, 'the mail carries a link')
    const url = new URL(mail.link)
    assert.equal(url.origin, 'https://accounts.example.org', 'built from the configured baseUrl')
    assert.match(url.pathname, /\/confirm$/)
    assert.match(mail.token ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.ok(mail.html.includes(mail.link!), 'the HTML body carries the same link')
  })

  test('email_taken for an existing address in any case/whitespace variant, with a token-free notice to the owner', async () => {
    const { sigra } = env()
    const email = uniqueEmail()
    const first = await sigra.auth.register({ email, password: GOOD_PASSWORD })
    assert.ok(first.ok)
    // registerEmail allows 3 attempts per address per hour: the original and two variants.
    for (const variant of [email.toUpperCase(), `  ${email.replace(/^u/, 'U')}\t`]) {
      const before = (await sigra.mail.outbox({ to: email })).length
      const result = await sigra.auth.register({ email: variant, password: GOOD_PASSWORD })
      assert.equal(result.ok, false)
      if (result.ok) return
      assert.equal(result.error, 'email_taken')
      const mails = await sigra.mail.outbox({ to: email })
      assert.equal(mails.length, before + 1, 'the owner is told')
      const notice = mails.at(-1)!
      assert.ok(!notice.text.includes('token=') && !notice.html.includes('token='), 'the notice carries no token')
    }
    const users = await sigra.db.selectFrom('users').select('id').where('email', '=', email).execute()
    assert.equal(users.length, 1)
  })

  test("an address reserved by another user's unexpired pending_email is taken; free once it expires", async () => {
    const { sigra, clock } = env()
    const holder = await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })
    assert.ok(holder.ok)
    const reserved = uniqueEmail('reserved')
    const expiresAt = new Date(clock().getTime() + 3600 * 1000)
    await sigra.db.updateTable('users').set({ pending_email: reserved, pending_email_expires_at: expiresAt }).where('id', '=', holder.user.id).execute()

    const taken = await sigra.auth.register({ email: reserved, password: GOOD_PASSWORD })
    assert.equal(taken.ok ? 'ok' : taken.error, 'email_taken')
    clock.set(new Date(expiresAt.getTime() - 1000))
    const stillTaken = await sigra.auth.register({ email: reserved, password: GOOD_PASSWORD })
    assert.equal(stillTaken.ok ? 'ok' : stillTaken.error, 'email_taken')
    clock.set(expiresAt)
    const free = await sigra.auth.register({ email: reserved, password: GOOD_PASSWORD })
    assert.ok(free.ok, JSON.stringify(free))
    assert.equal(free.user.email, reserved)
  })

  test('bad input never throws: each case answers invalid with field issues', async () => {
    const { sigra } = env()
    const cases: Array<{ input: unknown; field: string; code?: string }> = [
      { input: { email: 42, password: GOOD_PASSWORD }, field: 'email', code: 'invalid_type' },
      { input: { password: GOOD_PASSWORD }, field: 'email', code: 'required' },
      { input: { email: uniqueEmail() }, field: 'password', code: 'required' },
      { input: {}, field: 'email' },
      { input: undefined, field: 'email' },
      { input: { email: uniqueEmail(), password: 'x'.repeat(10 * 1024 * 1024) }, field: 'password', code: 'too_long' },
      { input: { email: 'not-an-email', password: GOOD_PASSWORD }, field: 'email', code: 'invalid_format' },
      { input: { email: 'a@b', password: GOOD_PASSWORD }, field: 'email', code: 'invalid_format' },
      { input: { email: uniqueEmail(), password: GOOD_PASSWORD, username: '1starts-with-digit' }, field: 'username', code: 'invalid_format' },
      { input: { email: uniqueEmail(), password: GOOD_PASSWORD, username: 'has space' }, field: 'username', code: 'invalid_format' },
      { input: { email: uniqueEmail(), password: GOOD_PASSWORD, username: 42 }, field: 'username', code: 'invalid_type' },
    ]
    for (const { input, field, code } of cases) {
      const result = await sigra.auth.register(input as never)
      const label = JSON.stringify(input)?.slice(0, 80)
      assert.equal(result.ok, false, label)
      if (result.ok) return
      assert.equal(result.error, 'invalid', label)
      const issue = result.issues?.find((i) => i.field === field)
      assert.ok(issue, `${label}: expected an issue on ${field}, got ${JSON.stringify(result.issues)}`)
      if (code) assert.equal(issue.code, code, label)
    }
  })

  test('usernames are unique case-insensitively', async () => {
    const { sigra } = env()
    const username = uniqueUsername('Alice')
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, username })).ok)
    const email = uniqueEmail()
    const result = await sigra.auth.register({ email, password: GOOD_PASSWORD, username: username.toUpperCase() })
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.equal(result.error, 'invalid')
    assert.deepEqual(
      result.issues?.map(({ field, code }) => ({ field, code })),
      [{ field: 'username', code: 'taken' }],
    )
    assert.equal(await sigra.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(), undefined)
  })

  test('writes an auth.register audit row', async () => {
    const { sigra } = env()
    const result = await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, ip: '198.51.100.4' })
    assert.ok(result.ok)
    const { events } = await sigra.audit.list({ userId: result.user.id, action: 'auth.register' })
    assert.equal(events.length, 1)
    assert.equal(events[0]!.outcome, 'success')
    assert.equal(events[0]!.ip, '198.51.100.4')
  })

  describeHooks(env)

  test('every field\'s problems come back at once, the password policy included', async () => {
    const { sigra } = env()
    const result = await sigra.auth.register({ email: 'not-an-address', password: 'password', username: '1bad' })
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.deepEqual(result.issues?.map((i) => i.field).sort(), ['email', 'password', 'username'])
    const policy = await sigra.auth.register({ email: 'still wrong', password: 'correct horse battery staple' })
    assert.deepEqual(policy.ok ? [] : policy.issues?.map((i) => i.field), ['email'], 'a good password adds nothing')
  })

  test('refused sign-ups do not spend the sign-up budget: a typo costs nothing', async () => {
    const { sigra } = await env().makeSigra({ rateLimit: { rules: { registerIp: { points: 2, duration: 3600 } } } })
    const ip = '203.0.113.200'
    for (let i = 0; i < 5; i++) {
      const refused = await sigra.auth.register({ email: uniqueEmail(), password: 'password123', ip })
      assert.equal(refused.ok ? 'ok' : refused.error, 'invalid', `refused ${i + 1}`)
    }
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, ip })).ok)
    assert.ok((await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, ip })).ok)
    const third = await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD, ip })
    assert.equal(third.ok ? 'ok' : third.error, 'rate_limited', 'valid sign-ups are counted')
  })

  test('the default per-IP sign-up budget lets an office sign up together (50 an hour)', async () => {
    const { sigra } = env()
    assert.deepEqual(sigra.config.rateLimitRules.registerIp, { points: 50, duration: 3600 })
  })
})

/** The onRegister hook: same transaction; a veto or an error leaves nothing behind. */
function describeHooks(env: () => TestEnv) {
  let hooked: Sigra | undefined
  const sigraWithHook = async () => {
    hooked ??= (
      await env().makeSigra({
        hooks: {
          async onRegister({ trx, user }) {
            // Written through the hook's transaction: the row is visible only inside it until commit.
            const seen = await trx.selectFrom('users').select('id').where('id', '=', user.id).executeTakeFirst()
            await trx.updateTable('users').set({ custom_fields: JSON.stringify({ hookSaw: seen?.id ?? null }) }).where('id', '=', user.id).execute()
            if (user.email.startsWith('veto-')) throw new VetoError('not on the guest list')
            if (user.email.startsWith('boom-')) throw new Error('hook crashed')
          },
        },
      })
    ).sigra
    return hooked
  }

  test('onRegister runs in the same transaction and can write with event.trx', async () => {
    const sigra = await sigraWithHook()
    const result = await sigra.auth.register({ email: uniqueEmail('hooked'), password: GOOD_PASSWORD })
    assert.ok(result.ok)
    const row = await sigra.db.selectFrom('users').select('custom_fields').where('id', '=', result.user.id).executeTakeFirstOrThrow()
    assert.deepEqual(row.custom_fields, { hookSaw: result.user.id })
  })

  test('a VetoError from onRegister returns vetoed and leaves no user, mail or audit row', async () => {
    const sigra = await sigraWithHook()
    const before = await footprint(sigra)
    const email = uniqueEmail('veto')
    const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
    assert.equal(result.ok, false)
    if (result.ok) return
    assert.equal(result.error, 'vetoed')
    assert.deepEqual(await footprint(sigra), before)
    assert.deepEqual(await sigra.mail.outbox({ to: email }), [])
  })

  test('a plain Error from onRegister rejects the call and leaves nothing', async () => {
    const sigra = await sigraWithHook()
    const before = await footprint(sigra)
    const email = uniqueEmail('boom')
    await assert.rejects(sigra.auth.register({ email, password: GOOD_PASSWORD }), /hook crashed/)
    assert.deepEqual(await footprint(sigra), before)
    assert.deepEqual(await sigra.mail.outbox({ to: email }), [])
  })
}
