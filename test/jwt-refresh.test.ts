import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Sealer } from 'sigra/feature-kit'
import { jwt, type JwtOptions, type TokenPair } from 'sigra/jwt'
import { createConfirmedUser, type Fixture } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, SECRET } from './support/harness.ts'
import { captureConsole, encodings, errorOf, jwtRows, parts, schemaText, type JwtSigra } from './support/jwt-helpers.ts'

describeEachBackend('jwt refresh tokens', (env) => {
  const withJwt = (options: JwtOptions = {}, extra: Record<string, unknown> = {}) => env().makeSigra({ features: [jwt(options)], ...extra })

  async function issued(sigra: JwtSigra, options: { sudo?: boolean } = {}): Promise<{ fixture: Fixture; tokens: TokenPair }> {
    const fixture = await createConfirmedUser(sigra, options)
    const tokens = await sigra.jwt.issue(fixture.token)
    assert.ok(tokens.ok, JSON.stringify(tokens))
    return { fixture, tokens }
  }
  const familyOf = (token: string) => String(parts(token).claims.fid)
  const revokedCheck = async (sigra: JwtSigra, accessToken: string) => errorOf(await sigra.jwt.verify(accessToken, { checkRevocation: true }))

  test('every refresh rotates: a new pair in the same family, the old refresh token spent in the row', async () => {
    const { sigra, clock } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    clock.advance(600)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok)
    assert.notEqual(next.refreshToken, tokens.refreshToken)
    assert.notEqual(next.accessToken, tokens.accessToken)
    assert.equal(familyOf(next.accessToken), familyOf(tokens.accessToken))
    assert.equal(parts(next.accessToken).claims.sid, fixture.session.id)
    assert.equal(next.refreshExpiresAt.getTime(), tokens.refreshExpiresAt.getTime(), 'the family keeps its end')
    const rows = await jwtRows(sigra, 'jwt_refresh_tokens', { family_id: familyOf(tokens.accessToken) })
    assert.equal(rows.length, 2)
    const old = rows.find((r) => r.id === tokens.refreshToken.split('.')[0])!
    assert.ok(old.spent_at instanceof Date)
    assert.equal(old.successor_id, next.refreshToken.split('.')[0])
    assert.ok((await sigra.jwt.verify(next.accessToken, { checkRevocation: true })).ok)
    clock.advance(600)
    const third = await sigra.jwt.refresh(next.refreshToken)
    assert.ok(third.ok)
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh' })).length, 2)
    assert.equal(errorOf(await sigra.jwt.refresh('nonsense')), 'invalid_token')
    assert.equal(errorOf(await sigra.jwt.refresh(`${third.refreshToken.split('.')[0]}.${'A'.repeat(43)}`)), 'invalid_token', 'a wrong secret for a real id')
    assert.ok((await sigra.jwt.refresh(third.refreshToken)).ok, 'a wrong secret does not spend or revoke anything')
  })

  test('theft detection: a spent token presented after the grace revokes the family and its session, audited', async () => {
    const { sigra, clock } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    const other = await sigra.jwt.issue(fixture.token) // a second app on the same session
    assert.ok(other.ok)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok)
    clock.advance(6)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'reuse_detected')
    assert.equal(await sigra.sessions.validate(fixture.token), null, 'the session is revoked')
    assert.equal(errorOf(await sigra.jwt.refresh(next.refreshToken)), 'invalid_token', 'the thief\'s (or the owner\'s) successor is dead')
    assert.equal(errorOf(await sigra.jwt.refresh(other.refreshToken)), 'invalid_token', 'every family of the session')
    assert.equal(await revokedCheck(sigra, next.accessToken), 'revoked')
    assert.equal((await jwtRows(sigra, 'jwt_refresh_families', { user_id: fixture.user.id })).length, 0)
    const [event] = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh_reuse' })
    assert.ok(event)
    assert.equal(event.outcome, 'failure')
    assert.equal(event.metadata.family_id, familyOf(tokens.accessToken))
    assert.equal(event.metadata.session_id, fixture.session.id)
  })

  test('the concurrent-refresh grace: two refreshes of one token within it get the same successor, and nothing is revoked', async () => {
    const { sigra, clock } = await withJwt({ refreshGrace: 5 })
    const { fixture, tokens } = await issued(sigra)
    const [a, b] = await Promise.all([sigra.jwt.refresh(tokens.refreshToken), sigra.jwt.refresh(tokens.refreshToken)])
    assert.ok(a.ok && b.ok, `${errorOf(a)} ${errorOf(b)}`)
    assert.equal(a.refreshToken, b.refreshToken)
    clock.advance(5)
    const late = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(late.ok, 'still within the grace at 5 s')
    assert.equal(late.refreshToken, a.refreshToken)
    assert.ok(await sigra.sessions.validate(fixture.token))
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh_reuse' })).length, 0)
    assert.equal((await jwtRows(sigra, 'jwt_refresh_tokens', { family_id: familyOf(tokens.accessToken) })).length, 2, 'one successor, no duplicate rows')

    // Once the successor is used, the grace no longer hands it out: the old token is reuse.
    const used = await sigra.jwt.refresh(a.refreshToken)
    assert.ok(used.ok)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'reuse_detected')
  })

  test('refreshGrace: 0 turns the grace off: a second refresh of one token is reuse at once, and nothing is kept sealed', async () => {
    const { sigra } = await withJwt({ refreshGrace: 0 })
    const { fixture, tokens } = await issued(sigra)
    assert.ok((await sigra.jwt.refresh(tokens.refreshToken)).ok)
    assert.equal((await jwtRows(sigra, 'jwt_refresh_tokens', { id: tokens.refreshToken.split('.')[0] }))[0]!.sealed_successor, null)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'reuse_detected')
    assert.equal(await sigra.sessions.validate(fixture.token), null)
  })

  test('the successor is sealed on the spent row for the grace only (cleared by the next refresh or the sweep)', async () => {
    const { sigra, clock } = await withJwt()
    const { tokens } = await issued(sigra)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok)
    const spent = async () => (await jwtRows(sigra, 'jwt_refresh_tokens', { id: tokens.refreshToken.split('.')[0] }))[0]!
    assert.ok((await spent()).sealed_successor, 'kept during the grace')
    clock.advance(6)
    assert.equal(((await sigra.jobs.runDue()).features['jwt.expired'] as { successorsCleared: number }).successorsCleared, 1)
    assert.equal((await spent()).sealed_successor, null)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'reuse_detected')
  })

  test('10 parallel refreshes of one token: one successor, no duplicate rows, no reuse detection', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    const results = await Promise.all(Array.from({ length: 10 }, () => sigra.jwt.refresh(tokens.refreshToken)))
    assert.deepEqual(results.map(errorOf), Array(10).fill('ok'))
    const successors = new Set(results.map((r) => (r.ok ? r.refreshToken : '')))
    assert.equal(successors.size, 1)
    const rows = await jwtRows(sigra, 'jwt_refresh_tokens', { family_id: familyOf(tokens.accessToken) })
    assert.equal(rows.length, 2)
    assert.equal(rows.filter((r) => r.spent_at === null).length, 1)
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh_reuse' })).length, 0)
    const refreshes = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh' })
    assert.equal(refreshes.filter((e) => e.metadata.concurrent === true).length, 9, 'nine were answered with the successor of the one that rotated')
    assert.ok(await sigra.sessions.validate(fixture.token))
    for (const r of results) assert.ok(r.ok && (await sigra.jwt.verify(r.accessToken, { checkRevocation: true })).ok)
  })

  test('a refresh racing a logout or a password change: neither throws (one lock order), and the family ends', async () => {
    const { sigra } = await withJwt()
    for (let round = 0; round < 5; round++) {
      const { fixture, tokens } = await issued(sigra)
      const [refreshed] = await Promise.all([sigra.jwt.refresh(tokens.refreshToken), sigra.auth.logOut(fixture.token)])
      assert.ok(refreshed.ok || refreshed.error === 'invalid_token', errorOf(refreshed))
      assert.equal(errorOf(await sigra.jwt.refresh(refreshed.ok ? refreshed.refreshToken : tokens.refreshToken)), 'invalid_token')
      const second = await issued(sigra)
      const [again, changed] = await Promise.all([
        sigra.jwt.refresh(second.tokens.refreshToken),
        sigra.account.changePassword(second.fixture.user, second.fixture.password, { password: `another passphrase ${round} here` }, { session: second.fixture.session }),
      ])
      assert.ok(changed.ok)
      assert.ok(again.ok || again.error === 'invalid_token', errorOf(again))
      assert.equal(errorOf(await sigra.jwt.refresh(again.ok ? again.refreshToken : second.tokens.refreshToken)), 'invalid_token')
      if (again.ok) assert.equal(await revokedCheck(sigra, again.accessToken), 'revoked')
    }
  })

  test('absolute family lifetime: refreshTtl from the first token, however often it is refreshed', async () => {
    const { sigra, clock } = await withJwt({ refreshTtl: 3600 })
    const { tokens } = await issued(sigra)
    assert.equal(tokens.refreshExpiresAt.getTime(), clock().getTime() + 3600_000)
    let current = tokens.refreshToken
    for (let minute = 10; minute < 60; minute += 10) {
      clock.advance(600)
      const next = await sigra.jwt.refresh(current)
      assert.ok(next.ok, `at ${minute} minutes: ${errorOf(next)}`)
      current = next.refreshToken
    }
    clock.advance(600) // 60 minutes
    assert.equal(errorOf(await sigra.jwt.refresh(current)), 'invalid_token')
  })

  test('a family never outlives its session: it ends with the session\'s absolute end, and idling out the session ends it', async () => {
    const { sigra, clock } = await withJwt({}, { sessions: { absoluteTimeout: 7200, idleTimeout: 1800 } })
    const { fixture, tokens } = await issued(sigra)
    assert.equal(tokens.refreshExpiresAt.getTime(), fixture.session.expiresAt.getTime())
    clock.advance(1700)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok, 'a refresh is activity on the session')
    clock.advance(1700)
    assert.ok(await sigra.sessions.validate(fixture.token), 'the refresh kept the session from idling out')
    clock.advance(1801)
    assert.equal(errorOf(await sigra.jwt.refresh(next.refreshToken)), 'invalid_token', 'idle: the session ended')
  })

  test('logout ends refresh tokens (cascade) and revokes access tokens for a verifier that checks', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    assert.ok((await sigra.jwt.verify(tokens.accessToken, { checkRevocation: true })).ok)
    await sigra.auth.logOut(fixture.token)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
    assert.ok((await sigra.jwt.verify(tokens.accessToken)).ok, 'without the check it is a self-contained token until it expires')
    assert.equal((await jwtRows(sigra, 'jwt_refresh_tokens')).length, 0)
  })

  test('revoking a session from the sessions list ends its families', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    assert.ok((await sigra.sessions.revoke(fixture.user.id, fixture.session.id)).ok)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
  })

  test('a password change ends every family of the user, the changing session\'s too; the epoch revokes access tokens', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    const second = await createConfirmedUser(sigra, { email: `x-${fixture.email}` })
    const bystander = await sigra.jwt.issue(second.token)
    assert.ok(bystander.ok)
    const changed = await sigra.account.changePassword(fixture.user, fixture.password, { password: 'a brand new passphrase 42' }, { session: fixture.session })
    assert.ok(changed.ok, JSON.stringify(changed))
    assert.ok(await sigra.sessions.validate(fixture.token), 'core keeps the changing session')
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
    const [event] = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.revoke' })
    assert.equal(event?.metadata.reason, 'password_change')
    assert.ok((await sigra.jwt.refresh(bystander.refreshToken)).ok, 'another user is untouched')
    // New tokens from the session carry the new epoch.
    const again = await sigra.jwt.issue(fixture.token)
    assert.ok(again.ok)
    assert.equal(parts(again.accessToken).claims.epoch, changed.user.epoch)
    assert.ok((await sigra.jwt.verify(again.accessToken, { checkRevocation: true })).ok)
  })

  test('an epoch moved by something else (email change) stops the family at its next refresh', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    await sigra.db.updateTable('users').set((eb) => ({ epoch: eb('epoch', '+', 1) })).where('id', '=', fixture.user.id).execute()
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    assert.equal((await jwtRows(sigra, 'jwt_refresh_families', { user_id: fixture.user.id })).length, 0)
  })

  test('suspension: a disabled account\'s tokens are revoked and cannot be refreshed', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    await sigra.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', fixture.user.id).execute()
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    await sigra.db.updateTable('users').set({ status: 'active' }).where('id', '=', fixture.user.id).execute()
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token', 'reactivation does not bring them back (the session went)')
  })

  test('a forced password change holds refresh and revokes access tokens until it is done', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    assert.ok((await sigra.account.requirePasswordChange(fixture.user)).ok)
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'password_change_required')
    assert.equal(errorOf(await sigra.jwt.issue(fixture.token)), 'password_change_required')
    assert.ok((await sigra.account.clearPasswordChangeRequirement(fixture.user)).ok)
    assert.ok((await sigra.jwt.refresh(tokens.refreshToken)).ok)
  })

  test('scheduled deletion and deletion end refresh tokens; past the deletion date access tokens are revoked', async () => {
    const { sigra, clock } = await withJwt()
    const { fixture, tokens } = await issued(sigra, { sudo: true })
    const scheduled = await sigra.account.scheduleDeletion(fixture.user, { session: fixture.session })
    assert.ok(scheduled.ok)
    assert.equal(errorOf(await sigra.jwt.refresh(tokens.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, tokens.accessToken), 'revoked')

    const { fixture: doomed, tokens: doomedTokens } = await issued(sigra)
    assert.ok((await sigra.account.executeDeletion(doomed.user, { immediately: true, strategy: 'hard_delete' })).ok)
    assert.equal(errorOf(await sigra.jwt.refresh(doomedTokens.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, doomedTokens.accessToken), 'revoked')

    const { fixture: anon, tokens: anonTokens } = await issued(sigra)
    assert.ok((await sigra.account.executeDeletion(anon.user, { immediately: true, strategy: 'anonymize' })).ok)
    assert.equal(errorOf(await sigra.jwt.refresh(anonTokens.refreshToken)), 'invalid_token')
    assert.equal((await jwtRows(sigra, 'jwt_refresh_families', { user_id: anon.user.id })).length, 0)

    // A deletion date passed before the sweep ran: revoked at once.
    const { fixture: due, tokens: dueTokens } = await issued(sigra)
    await sigra.db.updateTable('users').set({ delete_at: new Date(clock().getTime() - 1000) }).where('id', '=', due.user.id).execute()
    assert.equal(await revokedCheck(sigra, dueTokens.accessToken), 'revoked')
  })

  test('revoke(): the family ends (every token of it, and access tokens for a verifier that checks); always ok', async () => {
    const { sigra } = await withJwt()
    const { fixture, tokens } = await issued(sigra)
    const other = await sigra.jwt.issue(fixture.token)
    assert.ok(other.ok)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok)
    assert.deepEqual(await sigra.jwt.revoke(next.refreshToken), { ok: true })
    assert.equal(errorOf(await sigra.jwt.refresh(next.refreshToken)), 'invalid_token')
    assert.equal(await revokedCheck(sigra, next.accessToken), 'revoked')
    assert.ok(await sigra.sessions.validate(fixture.token), 'the cookie session is not the app\'s: it stays')
    assert.ok((await sigra.jwt.refresh(other.refreshToken)).ok, 'another family of the session stays')
    assert.deepEqual(await sigra.jwt.revoke(next.refreshToken), { ok: true }, 'again: still ok')
    assert.deepEqual(await sigra.jwt.revoke('garbage'), { ok: true })
    const [event] = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.revoke' })
    assert.equal(event?.metadata.family_id, familyOf(tokens.accessToken))
  })

  test('the sweep deletes ended families in batches once their access tokens have expired too', async () => {
    const { sigra, clock } = await withJwt({ refreshTtl: 3600 }, { sessions: { idleTimeout: 86_400 } })
    const login = async () => {
      const fixture = await createConfirmedUser(sigra)
      const r = await sigra.jwt.logIn({ login: fixture.email, password: fixture.password! })
      assert.ok(r.ok && 'accessToken' in r)
      return r
    }
    const a = await login()
    const { fixture: cookie } = await issued(sigra)
    clock.advance(3600)
    assert.deepEqual((await sigra.jobs.runDue()).features['jwt.expired'], { families: 0, sessions: 0, successorsCleared: 0, keys: 0 }, 'access tokens may still be live')
    assert.equal(await revokedCheck(sigra, a.accessToken), 'expired')
    clock.advance(900 + 5)
    const report = (await sigra.jobs.runDue()).features['jwt.expired'] as { families: number; sessions: number }
    assert.equal(report.sessions, 1, 'the token login\'s session went with its family')
    assert.equal(report.families, 1, 'the cookie session\'s family went; the session stays')
    assert.ok(await sigra.sessions.validate(cookie.token))
    assert.equal((await jwtRows(sigra, 'jwt_refresh_families')).length, 0)
    assert.equal((await jwtRows(sigra, 'jwt_refresh_tokens')).length, 0)
  })

  test('the data export lists the refresh families (created, last used, expires), never a secret', async () => {
    const { sigra, clock } = await withJwt()
    const { fixture, tokens } = await issued(sigra, { sudo: true })
    clock.advance(60)
    const next = await sigra.jwt.refresh(tokens.refreshToken)
    assert.ok(next.ok)
    const exported = await sigra.account.exportUserData(fixture.user, { session: fixture.session })
    assert.ok(exported.ok, JSON.stringify(exported))
    const part = (exported.data.features as Record<string, { refreshFamilies: Array<Record<string, unknown>> }>).jwt!
    assert.equal(part.refreshFamilies.length, 1)
    assert.deepEqual(Object.keys(part.refreshFamilies[0]!).sort(), ['createdAt', 'expiresAt', 'lastUsedAt'])
    assert.equal(new Date(part.refreshFamilies[0]!.lastUsedAt as string).getTime(), clock().getTime())
    const text = JSON.stringify(exported)
    for (const secret of [tokens.refreshToken, next.refreshToken, tokens.refreshToken.split('.')[1]!, next.accessToken]) assert.ok(!text.includes(secret))
  })

  test('no secret is stored or logged: refresh secrets, successors and private keys appear in no row, audit row or console line', async () => {
    const { sigra, clock } = await withJwt()
    const { result, output } = await captureConsole(async () => {
      const { tokens } = await issued(sigra)
      const next = await sigra.jwt.refresh(tokens.refreshToken)
      assert.ok(next.ok)
      const concurrent = await sigra.jwt.refresh(tokens.refreshToken)
      assert.ok(concurrent.ok)
      await sigra.jwt.rotateKeys()
      const { tokens: reused } = await issued(sigra)
      const spent = await sigra.jwt.refresh(reused.refreshToken)
      assert.ok(spent.ok)
      clock.advance(10)
      assert.equal(errorOf(await sigra.jwt.refresh(reused.refreshToken)), 'reuse_detected')
      return [tokens, next, reused, spent]
    })
    const text = await schemaText(sigra)
    assert.ok(text.includes('jwt_refresh_tokens'), 'the dump covers the feature\'s tables')
    const secrets = result.flatMap((pair) => [pair.refreshToken, pair.refreshToken.split('.')[1]!])
    const sealer = new Sealer(SECRET, 'jwt-signing-key')
    const keys = await jwtRows(sigra, 'jwt_keys')
    assert.equal(keys.length, 2)
    for (const key of keys) {
      const privateJwk = JSON.parse(sealer.open(key.sealed_private as Uint8Array)) as Record<string, string>
      assert.ok(privateJwk.d && privateJwk.d.length >= 40)
      secrets.push(privateJwk.d)
      assert.ok(!String(key.public_jwk).includes(privateJwk.d))
    }
    for (const secret of secrets) {
      for (const form of encodings(secret)) {
        assert.ok(!text.includes(form), `a secret is stored in clear (${form.slice(0, 8)}…)`)
        assert.ok(!output.includes(form), 'a secret was logged')
      }
    }
    const audit = JSON.stringify(await allAuditEvents(sigra))
    for (const secret of secrets) assert.ok(!audit.includes(secret))
    assert.ok(!JSON.stringify(await sigra.jwt.jwks()).includes('"d"'))
  })
})
