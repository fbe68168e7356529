import assert from 'node:assert/strict'
import { createPublicKey } from 'node:crypto'
import { test } from 'node:test'
import { SigraError } from 'sigra'
import { jwt, type JwtOptions } from 'sigra/jwt'
import { createConfirmedUser, type Fixture } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { errorOf, forge, jwtRows, keyPair, parts, unsigned, withPayload, type JwtSigra } from './support/jwt-helpers.ts'
import type { TestClock } from 'sigra/testing'

const ORIGIN = 'http://localhost:3000'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describeEachBackend('jwt', (env) => {
  const withJwt = (options: JwtOptions = {}, extra: Record<string, unknown> = {}) => env().makeSigra({ features: [jwt(options)], ...extra })

  /** One Sigra per backend whose signing key the test holds, to sign tokens that are valid but for one thing. */
  let shared: Promise<{ sigra: JwtSigra; clock: TestClock; key: ReturnType<typeof keyPair>; fixture: Fixture; token: string; claims: Record<string, unknown> }> | undefined
  const held = () =>
    (shared ??= (async () => {
      const key = keyPair('EdDSA')
      const { sigra, clock } = await withJwt({ keys: [{ kid: 'main-key', privateJwk: key.privateJwk }] })
      const fixture = await createConfirmedUser(sigra)
      const issued = await sigra.jwt.issue(fixture.token)
      assert.ok(issued.ok)
      return { sigra, clock, key, fixture, token: issued.accessToken, claims: parts(issued.accessToken).claims as Record<string, unknown> }
    })())
  /** A token signed with the real key, its claims those of a real token with `changes` applied. */
  const signed = async (changes: Record<string, unknown>, header: Record<string, unknown> = {}) => {
    const { key, claims } = await held()
    const payload: Record<string, unknown> = { ...claims, ...changes }
    for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k]
    return forge({ alg: 'EdDSA', kid: 'main-key', typ: 'at+jwt', ...header }, payload, key.privateKey)
  }
  const verdict = async (token: unknown) => errorOf(await (await held()).sigra.jwt.verify(token))

  test('issue: an EdDSA access token with the registered claims, an opaque refresh token, audited', async () => {
    const { sigra } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    assert.equal(issued.expiresIn, 900)
    assert.equal(issued.tokenType, 'Bearer')
    assert.match(issued.refreshToken, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/)
    const { header, claims } = parts(issued.accessToken)
    assert.equal(header.alg, 'EdDSA')
    assert.equal(header.typ, 'at+jwt')
    assert.match(String(header.kid), /^[A-Za-z0-9_-]{22}$/)
    assert.equal(claims.iss, ORIGIN)
    assert.equal(claims.aud, ORIGIN)
    assert.equal(claims.sub, fixture.user.id)
    assert.equal(claims.sid, fixture.session.id)
    assert.equal(claims.epoch, fixture.user.epoch)
    assert.deepEqual(claims.amr, ['pwd'])
    assert.equal(claims.exp! - claims.iat!, 900)
    assert.match(String(claims.jti), UUID)
    assert.match(String(claims.fid), UUID)

    const checked = await sigra.jwt.verify(issued.accessToken)
    assert.ok(checked.ok)
    assert.equal(checked.claims.sub, fixture.user.id)
    assert.equal(checked.user, undefined, 'no database read without checkRevocation')
    const revocation = await sigra.jwt.verify(issued.accessToken, { checkRevocation: true })
    assert.ok(revocation.ok)
    assert.equal(revocation.user?.id, fixture.user.id)

    const set = await sigra.jwt.jwks()
    assert.equal(set.keys.length, 1)
    assert.deepEqual(Object.keys(set.keys[0]!).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x'])
    assert.equal(set.keys[0]!.kid, header.kid)
    const events = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.issue' })
    assert.equal(events.length, 1)
    assert.equal(events[0]!.metadata.session_id, fixture.session.id)
    assert.equal(errorOf(await sigra.jwt.issue('not-a-session')), 'invalid_session')
    await sigra.auth.logOut(fixture.token)
    assert.equal(errorOf(await sigra.jwt.issue(fixture.token)), 'invalid_session')
  })

  test('ES256 and RS256 are available; verify takes the algorithm from the stored key', async () => {
    for (const [algorithm, kty] of [['ES256', 'EC'], ['RS256', 'RSA']] as const) {
      const { sigra } = await withJwt({ algorithm })
      const fixture = await createConfirmedUser(sigra)
      const issued = await sigra.jwt.issue(fixture.token)
      assert.ok(issued.ok)
      assert.equal(parts(issued.accessToken).header.alg, algorithm)
      assert.ok((await sigra.jwt.verify(issued.accessToken)).ok)
      const [published] = (await sigra.jwt.jwks()).keys
      assert.equal(published!.kty, kty)
      assert.equal(published!.alg, algorithm)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.ok(!(member in published!), `no ${member} in the JWKS`)
    }
  })

  test('custom claims are added beside the registered ones; a hook that sets a registered claim is refused (throws), never applied', async () => {
    const { sigra } = await withJwt({ claims: (user, session) => ({ org: 'acme', email: user.email, device: session.deviceLabel }) })
    const fixture = await createConfirmedUser(sigra)
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    const { claims } = parts(issued.accessToken)
    assert.equal(claims.org, 'acme')
    assert.equal(claims.email, fixture.email)
    assert.equal(claims.sub, fixture.user.id)

    for (const reserved of ['sub', 'epoch', 'aud', 'sid', 'exp']) {
      const { sigra: bad } = await withJwt({ claims: () => ({ [reserved]: 'x', org: 'acme' }) })
      const user = await createConfirmedUser(bad)
      await assert.rejects(bad.jwt.issue(user.token), (e: unknown) => e instanceof SigraError && e.code === 'invalid_config' && e.message.includes(reserved))
      assert.equal((await jwtRows(bad, 'jwt_refresh_families')).length, 0, 'nothing issued')
    }
  })

  test('RFC 8725: an `alg: none` token is refused, with or without a known kid', async () => {
    const { claims } = await held()
    assert.equal(await verdict(unsigned({ alg: 'none', kid: 'main-key', typ: 'at+jwt' }, claims)), 'invalid_token')
    assert.equal(await verdict(unsigned({ alg: 'none', typ: 'at+jwt' }, claims)), 'invalid_token')
    assert.equal(await verdict(unsigned({ alg: 'none' }, claims).slice(0, -1)), 'invalid_token')
  })

  test('RFC 8725: an HS256 token keyed with the public key (JWK or PEM) is refused', async () => {
    const { key, claims } = await held()
    const jwkSecret = new TextEncoder().encode(JSON.stringify(createPublicKey(key.privateKey).export({ format: 'jwk' })))
    const pemSecret = new TextEncoder().encode(String(key.publicKey.export({ format: 'pem', type: 'spki' })))
    for (const secret of [jwkSecret, pemSecret]) {
      assert.equal(await verdict(await forge({ alg: 'HS256', kid: 'main-key', typ: 'at+jwt' }, claims, secret)), 'invalid_token')
    }
  })

  test('RFC 8725: a kid not in the set is refused', async () => {
    assert.equal(await verdict(await signed({}, { kid: 'another-key' })), 'invalid_token')
    assert.equal(await verdict(await signed({}, { kid: undefined })), 'invalid_token')
  })

  test('RFC 8725: a kid with path or SQL characters is only a lookup key (refused, nothing read or broken)', async () => {
    for (const kid of ['../../etc/passwd', "' OR 1=1 --", '__proto__', 'constructor', 'main-key\u0000']) {
      assert.equal(await verdict(await signed({}, { kid })), 'invalid_token', kid)
    }
    // The same with generated keys (stored in a table).
    const { sigra } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    const { header, claims } = parts(issued.accessToken)
    const stranger = keyPair('EdDSA')
    for (const kid of ['../../etc/passwd', "' OR 1=1 --", `${header.kid}' OR '1'='1`]) {
      assert.equal(errorOf(await sigra.jwt.verify(await forge({ alg: 'EdDSA', kid, typ: 'at+jwt' }, claims, stranger.privateKey))), 'invalid_token', kid)
    }
    assert.equal((await jwtRows(sigra, 'jwt_keys')).length, 1, 'the key table is intact')
    assert.ok((await sigra.jwt.verify(issued.accessToken)).ok)
  })

  test('RFC 8725: a wrong issuer is refused', async () => {
    assert.equal(await verdict(await signed({ iss: 'https://evil.example' })), 'invalid_token')
    assert.equal(await verdict(await signed({ iss: undefined })), 'invalid_token')
  })

  test('RFC 8725: a wrong audience is refused', async () => {
    assert.equal(await verdict(await signed({ aud: 'https://other-service.example' })), 'invalid_token')
    assert.equal(await verdict(await signed({ aud: undefined })), 'invalid_token')
  })

  test('RFC 8725: an expired token answers `expired` (past the leeway), not before', async () => {
    const { clock } = await held()
    const now = Math.floor(clock().getTime() / 1000)
    assert.equal(await verdict(await signed({ iat: now - 1000, exp: now - 6 })), 'expired')
    assert.equal(await verdict(await signed({ iat: now - 900, exp: now - 3 })), 'ok', 'within the 5 s leeway')
    // A real token, the clock moved past its end.
    const { sigra, fixture } = await held()
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    const exp = Number(parts(issued.accessToken).claims.exp) * 1000
    const back = clock()
    clock.set(new Date(exp + 5_000))
    assert.equal(await verdict(issued.accessToken), 'expired')
    clock.set(back)
    assert.equal(await verdict(issued.accessToken), 'ok')
  })

  test('RFC 8725: a token not yet valid (nbf or iat in the future beyond the leeway) is refused', async () => {
    const { clock } = await held()
    const now = Math.floor(clock().getTime() / 1000)
    assert.equal(await verdict(await signed({ nbf: now + 60 })), 'invalid_token')
    assert.equal(await verdict(await signed({ nbf: now + 3 })), 'ok', 'within the leeway')
    assert.equal(await verdict(await signed({ iat: now + 60, exp: now + 960 })), 'invalid_token')
    assert.equal(await verdict(await signed({ iat: now + 3, exp: now + 903 })), 'ok', 'within the leeway')
  })

  test('RFC 8725: a tampered payload is refused', async () => {
    const { token, claims } = await held()
    const other = await createConfirmedUser((await held()).sigra)
    assert.equal(await verdict(withPayload(token, { ...claims, sub: other.user.id })), 'invalid_token')
    assert.equal(await verdict(withPayload(token, { ...claims, amr: ['pwd', 'otp'] })), 'invalid_token')
    assert.equal(await verdict(withPayload(token, { ...claims, exp: Number(claims.exp) + 86_400 })), 'invalid_token')
    assert.equal(await verdict(token), 'ok', 'the original still verifies')
  })

  test('RFC 8725: a token signed with an ES256 key whose kid names the EdDSA key is refused', async () => {
    const { claims } = await held()
    const ec = keyPair('ES256')
    assert.equal(await verdict(await forge({ alg: 'ES256', kid: 'main-key', typ: 'at+jwt' }, claims, ec.privateKey)), 'invalid_token')
    // And another EdDSA key under the same kid: the signature does not check.
    assert.equal(await verdict(await forge({ alg: 'EdDSA', kid: 'main-key', typ: 'at+jwt' }, claims, keyPair('EdDSA').privateKey)), 'invalid_token')
  })

  test('RFC 8725: explicit typing and Sigra\'s claims are required', async () => {
    assert.equal(await verdict(await signed({}, { typ: 'JWT' })), 'invalid_token', 'another kind of JWT (an ID token) is not an access token')
    assert.equal(await verdict(await signed({}, { typ: undefined })), 'invalid_token')
    for (const claim of ['sub', 'sid', 'fid', 'epoch', 'amr', 'jti', 'exp', 'iat']) assert.equal(await verdict(await signed({ [claim]: undefined })), 'invalid_token', claim)
    assert.equal(await verdict(await signed({ sid: "' OR 1=1 --" })), 'invalid_token')
    assert.equal(await verdict(await signed({ epoch: '1' })), 'invalid_token')
    for (const junk of [undefined, null, 42, '', 'a.b', 'a.b.c.d', 'x'.repeat(9000), '....', { token: 1 }]) assert.equal(await verdict(junk), 'invalid_token')
  })

  test('key rotation: old tokens verify until they expire, then the old key leaves the JWKS and the sweep drops it', async () => {
    const { sigra, clock } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const before = await sigra.jwt.issue(fixture.token)
    assert.ok(before.ok)
    const oldKid = parts(before.accessToken).header.kid
    clock.advance(60)
    const retiredAt = clock().getTime()
    const rotated = await sigra.jwt.rotateKeys()
    assert.ok(rotated.ok)
    assert.equal(rotated.previousKid, oldKid)
    assert.notEqual(rotated.kid, oldKid)
    assert.deepEqual((await sigra.jwt.jwks()).keys.map((k) => k.kid), [rotated.kid, oldKid], 'the new key first, the old one still published')
    const after = await sigra.jwt.issue(fixture.token)
    assert.ok(after.ok)
    assert.equal(parts(after.accessToken).header.kid, rotated.kid, 'new tokens are signed with the new key')
    assert.ok((await sigra.jwt.verify(before.accessToken)).ok, 'an old token verifies')
    assert.equal((await allAuditEvents(sigra, { action: 'token.key_rotate' })).map((e) => e.metadata.reason).sort().join(), 'first_use,rotate')

    clock.advance(900 - 60 - 1) // the old token's last second
    assert.ok((await sigra.jwt.verify(before.accessToken)).ok)
    clock.advance(1 + 5) // past its end and the leeway: expired, its key still published for the tokens signed just before the rotation
    assert.equal(errorOf(await sigra.jwt.verify(before.accessToken)), 'expired')
    assert.equal((await sigra.jwt.jwks()).keys.length, 2)
    clock.set(new Date(retiredAt + (900 + 5) * 1000)) // retired_at + accessTtl + leeway: no token of the old key can be live
    assert.deepEqual((await sigra.jwt.jwks()).keys.map((k) => k.kid), [rotated.kid], 'the old key has left the JWKS')
    assert.equal(errorOf(await sigra.jwt.verify(before.accessToken)), 'invalid_token')
    assert.deepEqual((await sigra.jobs.runDue()).features['jwt.expired'], { families: 0, sessions: 0, successorsCleared: 0, keys: 1 })
    assert.equal((await jwtRows(sigra, 'jwt_keys')).length, 1)
    assert.ok((await sigra.jwt.verify((await sigra.jwt.issue(fixture.token) as { accessToken: string }).accessToken)).ok)
  })

  test('rotateKeys({ immediate: true }) drops the old key at once (a leaked key)', async () => {
    const { sigra } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const before = await sigra.jwt.issue(fixture.token)
    assert.ok(before.ok)
    const rotated = await sigra.jwt.rotateKeys({ immediate: true })
    assert.deepEqual((await sigra.jwt.jwks()).keys.map((k) => k.kid), [rotated.kid])
    assert.equal(errorOf(await sigra.jwt.verify(before.accessToken)), 'invalid_token')
  })

  test('changing `algorithm` on an existing schema rotates to a key of the new kind; tokens of the old one verify until they expire', async () => {
    const { sigra: first, clock } = await withJwt()
    const fixture = await createConfirmedUser(first)
    const old = await first.jwt.issue(fixture.token)
    assert.ok(old.ok)
    const { sigra: second } = await withJwt({ algorithm: 'ES256' }, { schema: first.config.schema, clock })
    const fresh = await second.jwt.issue(fixture.token)
    assert.ok(fresh.ok)
    assert.equal(parts(fresh.accessToken).header.alg, 'ES256')
    assert.ok((await second.jwt.verify(old.accessToken)).ok)
    assert.deepEqual((await second.jwt.jwks()).keys.map((k) => k.alg), ['ES256', 'EdDSA'])
    assert.equal((await jwtRows(second, 'jwt_keys')).filter((k) => k.retired_at === null).length, 1, 'one active key')
    assert.equal((await allAuditEvents(second, { action: 'token.key_rotate' })).at(0)?.metadata.reason, 'algorithm_changed')
  })

  test('keys in configuration: the first signs, every one verifies and is published; rotateKeys refuses; bad keys fail at the factory', async () => {
    const newer = keyPair('ES256')
    const older = keyPair('EdDSA')
    const { sigra, clock } = await withJwt({ keys: [{ kid: 'k2', privateJwk: newer.privateJwk }, { kid: 'k1', privateJwk: older.privateJwk }] })
    const fixture = await createConfirmedUser(sigra)
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    assert.deepEqual(parts(issued.accessToken).header, { alg: 'ES256', kid: 'k2', typ: 'at+jwt' })
    assert.deepEqual((await sigra.jwt.jwks()).keys.map((k) => `${k.kid}:${k.alg}`), ['k2:ES256', 'k1:EdDSA'])
    const now = Math.floor(clock().getTime() / 1000)
    const byOlder = await forge({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' }, { ...parts(issued.accessToken).claims, iat: now, exp: now + 900 }, older.privateKey)
    assert.ok((await sigra.jwt.verify(byOlder)).ok, 'a token of the older key still verifies')
    await assert.rejects(sigra.jwt.rotateKeys(), (e: unknown) => e instanceof SigraError && e.code === 'invalid_config')
    assert.equal((await jwtRows(sigra, 'jwt_keys')).length, 0, 'nothing stored')

    const refused = (options: JwtOptions) => assert.throws(() => jwt(options), (e: unknown) => e instanceof SigraError && e.code === 'invalid_config')
    refused({ keys: [{ kid: 'x', privateJwk: { kty: 'oct', k: 'c2VjcmV0' } }] })
    refused({ keys: [{ kid: 'x', privateJwk: createPublicKey(older.privateKey).export({ format: 'jwk' }) }] })
    refused({ keys: [{ kid: 'x', privateJwk: { ...older.privateJwk, alg: 'ES256' } }] })
    refused({ keys: [{ kid: 'x', privateJwk: older.privateJwk }], algorithm: 'RS256' })
    refused({ keys: [{ kid: 'x', privateJwk: older.privateJwk }, { kid: 'x', privateJwk: newer.privateJwk }] })
    refused({ keys: [] })
    refused({ algorithm: 'HS256' as never })
    refused({ accessTtl: 5 })
    refused({ claims: 'nope' as never })
  })

  test('key generation is race-safe across instances: two starting together end with one key', async () => {
    const { sigra: a, clock } = await withJwt()
    const { sigra: b } = await withJwt({}, { schema: a.config.schema, clock })
    const fa = await createConfirmedUser(a)
    const fb = await createConfirmedUser(b)
    const [ia, ib] = await Promise.all([a.jwt.issue(fa.token), b.jwt.issue(fb.token), a.jwt.jwks(), b.jwt.jwks()])
    assert.ok(ia.ok && ib.ok)
    const keys = await jwtRows(a, 'jwt_keys')
    assert.equal(keys.length, 1)
    assert.equal(parts(ia.accessToken).header.kid, keys[0]!.kid)
    assert.equal(parts(ib.accessToken).header.kid, keys[0]!.kid)
    assert.ok((await a.jwt.verify(ib.accessToken)).ok)
    assert.ok((await b.jwt.verify(ia.accessToken)).ok)
  })

  test('an instance sees a rotation made by another (a new kid reloads the key table)', async () => {
    const { sigra: a, clock } = await withJwt()
    const { sigra: b } = await withJwt({}, { schema: a.config.schema, clock })
    const fixture = await createConfirmedUser(a)
    const first = await a.jwt.issue(fixture.token)
    assert.ok(first.ok && (await b.jwt.verify(first.accessToken)).ok)
    await a.jwt.rotateKeys()
    const second = await a.jwt.issue(fixture.token)
    assert.ok(second.ok)
    assert.ok((await b.jwt.verify(second.accessToken)).ok, 'b learns the new key')
    const third = await b.jwt.issue(fixture.token)
    assert.ok(third.ok)
    assert.equal(parts(third.accessToken).header.kid, parts(second.accessToken).header.kid, 'and signs with it')
  })
})
