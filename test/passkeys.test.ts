import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, test } from 'node:test'
import { sql } from 'kysely'
import { createSigra, type Sigra } from 'sigra'
import { mfa } from 'sigra/mfa'
import { pglite } from 'sigra/pglite'
import { checkSignCount, defaultLabel, passkeys, type Passkey } from 'sigra/passkeys'
import { createConfirmedUser, fastPasswordHasher, grantSudo } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, SECRET } from './support/harness.ts'
import { codeFor, enrolledUser } from './support/mfa-helpers.ts'
import { aaguidBytes, authenticatorData, b64url, cbor, coseKey } from './support/passkey-authenticator.ts'
import { addPasskey, authenticator, errorOf, ICLOUD, passkeySignIn, userWithPasskey, YUBIKEY } from './support/passkey-helpers.ts'

describe('passkeys: the pure parts', () => {
  test('the sign-count policy, case by case', () => {
    // [stored, received, policy] → [accept, regression, next]
    const cases: Array<[number, number, 'refuse' | 'flag', boolean, boolean, number, string]> = [
      [0, 0, 'refuse', true, false, 0, 'synced passkeys never count: accepted'],
      [0, 0, 'flag', true, false, 0, 'synced, flag: the same'],
      [0, 1, 'refuse', true, false, 1, 'a first count'],
      [5, 6, 'refuse', true, false, 6, 'counting up'],
      [5, 500, 'refuse', true, false, 500, 'a jump forward is fine'],
      [5, 5, 'refuse', false, true, 5, 'the same counter again: refused'],
      [5, 5, 'flag', true, true, 5, 'the same counter again: flagged'],
      [5, 3, 'refuse', false, true, 5, 'backwards: refused'],
      [5, 3, 'flag', true, true, 5, 'backwards: flagged, the higher one kept'],
      [5, 0, 'refuse', false, true, 5, 'a counting authenticator that reports 0: refused'],
      [5, 0, 'flag', true, true, 5, 'a counting authenticator that reports 0: flagged'],
    ]
    for (const [stored, received, policy, accept, regression, next, why] of cases) {
      assert.deepEqual(checkSignCount(stored, received, policy), { accept, regression, next }, why)
    }
  })

  test('default labels come from the AAGUID map, else from the transports; taken names are numbered', () => {
    assert.equal(defaultLabel(ICLOUD, ['internal', 'hybrid'], []), 'iCloud Keychain')
    assert.equal(defaultLabel('EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4', [], []), 'Google Password Manager', 'case-insensitive')
    assert.equal(defaultLabel('08987058-cadc-4b81-b6e1-30de50dcbe96', ['internal'], []), 'Windows Hello')
    assert.equal(defaultLabel('bada5566-a7aa-401f-bd96-45619a55120d', ['hybrid', 'internal'], []), '1Password')
    assert.equal(defaultLabel('d548826e-79b4-db40-a3d8-11116f7e8349', [], []), 'Bitwarden')
    assert.equal(defaultLabel(YUBIKEY, ['usb', 'nfc'], []), 'YubiKey 5 Series')
    assert.equal(defaultLabel('00000000-0000-0000-0000-000000000000', ['usb'], []), 'Security key')
    assert.equal(defaultLabel('00000000-0000-0000-0000-000000000000', ['internal'], []), 'Passkey')
    assert.equal(defaultLabel(ICLOUD, [], ['iCloud Keychain', 'icloud keychain 2']), 'iCloud Keychain 3')
  })

  test('bad options fail when the factory is called, naming the option', () => {
    assert.throws(() => passkeys({ rpName: '' }), /Invalid options for passkeys\(\): rpName/)
    assert.throws(() => passkeys({ rpName: 'Acme', counterPolicy: 'ignore' as never }), /counterPolicy/)
    assert.throws(() => passkeys({ rpName: 'Acme', origins: ['https://example.com/path'] }), /origin/)
    assert.throws(() => passkeys({ rpName: 'Acme', rpId: 'Example.COM' }), /rpId/)
  })
})

describeEachBackend('passkeys', (env) => {
  const withPasskeys = (options: Partial<Parameters<typeof passkeys>[0]> = {}, extra: Record<string, unknown> = {}) =>
    env().makeSigra({ features: [passkeys({ rpName: 'Acme', ...options })], ...extra })
  const withMfaAndPasskeys = (options: Partial<Parameters<typeof passkeys>[0]> = {}, extra: Record<string, unknown> = {}) =>
    env().makeSigra({ features: [mfa({ issuer: 'Acme' }), passkeys({ rpName: 'Acme', ...options })], ...extra })
  const rows = async (sigra: Sigra, table: string, userId: string) =>
    Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(`${sigra.config.schema}.${table}`)} WHERE user_id = ${userId}`.execute(sigra.db)).rows[0]!.n)

  test('RP ID and origins come from baseUrl by default; an origin off the RP ID refuses to start', async () => {
    const { sigra } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const started = await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })
    assert.ok(started.ok)
    assert.equal(started.options.rp.id, 'localhost')
    assert.equal(started.options.rp.name, 'Acme')
    const other = await withPasskeys({ rpId: 'localhost', origins: ['http://localhost:3000', 'http://app.localhost:3000'] })
    assert.deepEqual(other.sigra.features, ['passkeys'])
    await assert.rejects(env().makeSigra({ features: [passkeys({ rpName: 'Acme', origins: ['https://evil.example'] })] }), /origin https:\/\/evil.example is not on the RP ID localhost/)
  })

  test('registration: sudo for an account with a password; options exclude existing passkeys; the credential is stored with its AAGUID label, mailed, audited, and fires passkeyAdded', async () => {
    const { sigra, clock } = await withPasskeys()
    const added: Passkey[] = []
    sigra.events.on('passkeyAdded', ({ passkey }) => void added.push(passkey))
    const fixture = await createConfirmedUser(sigra)
    assert.equal(errorOf(await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })), 'sudo_required')
    const session = await grantSudo(sigra, fixture.session)
    const started = await sigra.passkeys.registrationOptions(fixture.user, { session })
    assert.ok(started.ok)
    const { options } = started
    assert.equal(options.user.name, fixture.email)
    assert.equal(Buffer.from(options.user.id, 'base64url').toString('hex'), fixture.user.id.replace(/-/g, ''), 'the user handle is the account id, opaque')
    assert.equal(Buffer.from(options.challenge, 'base64url').length, 32)
    assert.equal(options.attestation, 'none')
    assert.deepEqual(options.authenticatorSelection, { residentKey: 'preferred', userVerification: 'required', requireResidentKey: false })
    assert.deepEqual(options.excludeCredentials, [])
    assert.equal(options.timeout, 300_000)

    const device = authenticator({ aaguid: ICLOUD, synced: true })
    const response = device.create(options)
    const verified = await sigra.passkeys.verifyRegistration(fixture.user, response, { session })
    assert.ok(verified.ok)
    assert.equal(verified.passkey.label, 'iCloud Keychain')
    assert.equal(verified.passkey.credentialId, response.id)
    assert.equal(verified.passkey.aaguid, ICLOUD)
    assert.deepEqual(verified.passkey.transports, ['internal', 'hybrid'])
    assert.equal(verified.passkey.backupEligible, true)
    assert.equal(verified.passkey.backedUp, true)
    assert.equal(verified.passkey.lastUsedAt, null)
    const stored = (await sql<{ public_key: Uint8Array; counter: string }>`SELECT public_key, counter FROM ${sql.table(`${sigra.config.schema}.passkey_credentials`)} WHERE id = ${verified.passkey.id}`.execute(sigra.db)).rows[0]!
    assert.deepEqual(Buffer.from(stored.public_key), coseKey(device.credentials[0]!.publicKey), 'the COSE public key as the authenticator gave it')
    assert.equal(Number(stored.counter), 0)
    assert.deepEqual(added.map((p) => p.id), [verified.passkey.id])
    const mail = (await sigra.mail.outbox({ to: fixture.email })).at(-1)!
    assert.equal(mail.template, 'passkeyAdded')
    assert.ok(mail.text.includes('iCloud Keychain'))
    const audit = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'passkey.register' })
    assert.equal(audit.length, 1)
    assert.equal(audit[0]!.metadata.passkey_id, verified.passkey.id)

    // A second one: the first is excluded, the same model gets a numbered name, a typed name wins.
    clock.advance(1)
    const second = await sigra.passkeys.registrationOptions(fixture.user, { session })
    assert.ok(second.ok)
    assert.deepEqual(second.options.excludeCredentials, [{ id: response.id, type: 'public-key', transports: ['internal', 'hybrid'] }])
    const again = await sigra.passkeys.verifyRegistration(fixture.user, device.create(second.options), { session })
    assert.ok(again.ok && again.passkey.label === 'iCloud Keychain 2')
    const key = authenticator({ aaguid: YUBIKEY, transports: ['usb', 'nfc'] })
    clock.advance(1)
    const third = await addPasskey(sigra, fixture, key, { label: '  My   blue key ' })
    assert.equal(third.passkey.label, 'My blue key')
    assert.equal(third.passkey.backupEligible, false)
    assert.deepEqual((await sigra.passkeys.list(fixture.user)).map((p) => p.label), ['iCloud Keychain', 'iCloud Keychain 2', 'My blue key'])
    assert.equal(errorOf(await sigra.passkeys.verifyRegistration(fixture.user, device.create(second.options), { session, label: 'x'.repeat(65) })), 'invalid', 'a name too long')
  })

  test('an account with no way to sign in yet registers its first passkey only from a fresh sign-in; after that, sudo like anyone', async () => {
    const { sigra, clock } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra, { password: null })
    const device = authenticator()
    const started = await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })
    assert.ok(started.ok, 'a session that just signed in needs no sudo for the first way in')
    clock.advance(sigra.config.sessions.sudoTtl + 1)
    assert.equal(errorOf(await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })), 'sudo_required', 'no longer fresh')
    const fresh = await createConfirmedUser(sigra, { password: null })
    const { passkey } = await addPasskey(sigra, fresh, device, { sudo: false })
    assert.ok(passkey.id)
    assert.equal(errorOf(await sigra.passkeys.registrationOptions(fresh.user, { session: fresh.session })), 'sudo_required', 'it has a way in now: a second one needs sudo')
    // Its sudo is a passkey: it has no password.
    const sudo = await sigra.passkeys.sudoOptions(fresh.token)
    assert.ok(sudo.ok)
    const confirmed = await sigra.passkeys.confirmSudo(fresh.token, device.get(sudo.options), { ceremony: sudo.ceremony })
    assert.ok(confirmed.ok && confirmed.session.sudoAt)
    assert.ok((await sigra.passkeys.registrationOptions(fresh.user, { session: confirmed.session })).ok)
    assert.equal((await allAuditEvents(sigra, { userId: fresh.user.id, action: 'session.sudo_enter' }))[0]?.metadata.method, 'passkey')
  })

  test('registration refuses, as `invalid` (audited), a wrong origin, a wrong RP ID hash, a replay, another ceremony\'s challenge, missing user verification, another session; late is challenge_expired', async () => {
    const { sigra, clock } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const device = authenticator()
    const options = async () => {
      const started = await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })
      assert.ok(started.ok)
      return started.options
    }
    const verify = (response: unknown, session = fixture.session) => sigra.passkeys.verifyRegistration(fixture.user, response, { session })

    assert.equal(errorOf(await verify(device.create(await options(), { origin: 'https://evil.example' }))), 'invalid', 'wrong origin')
    assert.equal(errorOf(await verify(device.create(await options(), { origin: 'http://localhost:3001' }))), 'invalid', 'another port is another origin')
    assert.equal(errorOf(await verify(device.create(await options(), { rpId: 'evil.example' }))), 'invalid', 'wrong RP ID hash')
    assert.equal(errorOf(await verify(device.create(await options(), { type: 'webauthn.get' }))), 'invalid', 'wrong type')
    assert.equal(errorOf(await verify(authenticator({ uv: false }).create(await options()))), 'invalid', 'no user verification')
    assert.equal(errorOf(await verify(device.create(await options(), { up: false }))), 'invalid', 'no user presence')

    const signIn = await sigra.passkeys.authenticationOptions()
    assert.ok(signIn.ok)
    const current = await options()
    assert.equal(errorOf(await verify(device.create(current, { challenge: signIn.options.challenge }))), 'invalid', "another ceremony's challenge")
    assert.equal(errorOf(await verify(device.create(current))), 'invalid', 'that refusal spent the ceremony: the right answer comes too late')

    const good = device.create(await options())
    assert.ok((await verify(good)).ok)
    assert.equal(errorOf(await verify(good)), 'invalid', 'a replay')

    const other = await grantSudo(sigra, (await sigra.auth.logIn({ login: fixture.email, password: fixture.password! }) as { session: { id: string } }).session)
    const mine = await options()
    assert.equal(errorOf(await verify(device.create(mine), other)), 'invalid', "another session cannot finish this session's ceremony")

    const slow = await options()
    clock.advance(301)
    assert.equal(errorOf(await verify(device.create(slow))), 'challenge_expired')

    const failures = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'passkey.register_failure' })
    assert.ok(failures.length >= 10, `audited: ${failures.length}`)
    assert.ok(failures.every((f) => f.outcome === 'failure'))
    assert.deepEqual(new Set(failures.map((f) => f.metadata.reason)), new Set(['verification_failed', 'challenge_mismatch', 'no_ceremony', 'expired']))
    assert.equal((await sigra.passkeys.list(fixture.user)).length, 1)
  })

  test('malformed answers (not base64url, not JSON, not CBOR, truncated) are a clear `invalid`, never an exception', async () => {
    const { sigra } = await withPasskeys()
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    const started = await sigra.passkeys.registrationOptions(fixture.user, { session: fixture.session })
    assert.ok(started.ok)
    const id = b64url(randomBytes(16))
    const clientData = b64url(JSON.stringify({ type: 'webauthn.create', challenge: started.options.challenge, origin: 'http://localhost:3000' }))
    const answer = (response: Record<string, unknown>) => ({ id, rawId: id, type: 'public-key', response })
    const shortAuthData = cbor({ fmt: 'none', attStmt: {}, authData: Buffer.alloc(10) })
    const noKey = cbor({ fmt: 'none', attStmt: {}, authData: authenticatorData({ rpId: 'localhost', flags: 0x45, counter: 0, attested: { aaguid: aaguidBytes(ICLOUD), credentialId: randomBytes(16), cose: Buffer.from([0xa1]) } }) })
    const malformed: unknown[] = [
      null, 'garbage', 42, [], {}, { id, rawId: 'other', type: 'public-key', response: {} }, answer({}),
      answer({ clientDataJSON: '!!!not base64!!!', attestationObject: 'AAAA' }),
      answer({ clientDataJSON: b64url('not json'), attestationObject: 'AAAA' }),
      answer({ clientDataJSON: b64url('{"type":1}'), attestationObject: 'AAAA' }),
      answer({ clientDataJSON: clientData, attestationObject: b64url(randomBytes(40)) }),
      answer({ clientDataJSON: clientData, attestationObject: b64url(Buffer.from([0xbf, 0xff, 0x00])) }),
      answer({ clientDataJSON: clientData, attestationObject: b64url(shortAuthData) }),
      answer({ clientDataJSON: clientData, attestationObject: b64url(noKey) }),
      answer({ clientDataJSON: clientData, attestationObject: 'A' }),
    ]
    for (const input of malformed) {
      const result = await sigra.passkeys.verifyRegistration(fixture.user, input, { session: fixture.session })
      assert.equal(errorOf(result), 'invalid', JSON.stringify(input))
    }
    for (const input of malformed) {
      const signIn = await sigra.passkeys.authenticationOptions()
      assert.ok(signIn.ok)
      assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(input, { ceremony: signIn.ceremony, ip: null })), 'invalid', JSON.stringify(input))
    }
    const signIn = await sigra.passkeys.authenticationOptions()
    assert.ok(signIn.ok)
    const garbled = answer({ clientDataJSON: b64url(JSON.stringify({ type: 'webauthn.get', challenge: signIn.options.challenge, origin: 'http://localhost:3000' })), authenticatorData: b64url(authenticatorData({ rpId: 'localhost', flags: 0x05, counter: 1 })), signature: b64url(randomBytes(70)) })
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(garbled, { ceremony: signIn.ceremony })), 'invalid_credentials', 'well-formed but wrong: refused as credentials')
  })

  test('passwordless sign-in, discoverable: with user verification it is two factors (MFA satisfied); it ends in signIn (one session, audited, counter and last use updated)', async () => {
    const { sigra, clock } = await withMfaAndPasskeys()
    const user = await enrolledUser(sigra, clock)
    const device = authenticator({ aaguid: YUBIKEY, transports: ['usb'] })
    await addPasskey(sigra, user, device)
    clock.advance(60)
    const login = await passkeySignIn(sigra, device)
    assert.ok(login.ok)
    assert.equal(login.user.id, user.user.id)
    assert.deepEqual(login.pending, [], 'UV: the MFA step does not hold it')
    assert.deepEqual(login.session.amr, ['hwk', 'user'])
    assert.ok(await sigra.sessions.validate(login.token))
    const success = await allAuditEvents(sigra, { userId: user.user.id, action: 'auth.login.success' })
    assert.equal(success[0]!.metadata.method, 'passkey', 'core\'s sign-in audited it')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'passkey.sign_in' }))[0]!.metadata.user_verified, true)
    const [listed] = await sigra.passkeys.list(user.user)
    assert.equal(listed!.lastUsedAt?.toISOString(), clock().toISOString())
    const counted = await passkeySignIn(sigra, device)
    assert.ok(counted.ok, 'the counter moved on: a second sign-in is fine')
  })

  test('username-first: allowCredentials lists that account\'s passkeys; an unknown login gets the same shape, stable, and nothing can answer it; another user\'s credential is refused', async () => {
    const { sigra } = await withPasskeys()
    const alice = authenticator()
    const bob = authenticator()
    const a = await userWithPasskey(sigra, alice)
    const b = await userWithPasskey(sigra, bob)
    const known = await sigra.passkeys.authenticationOptions({ login: a.email.toUpperCase() })
    assert.ok(known.ok)
    assert.deepEqual(known.options.allowCredentials, [{ id: a.passkey.credentialId, type: 'public-key', transports: ['internal', 'hybrid'] }])
    assert.equal(known.options.userVerification, 'required')
    const unknown1 = await sigra.passkeys.authenticationOptions({ login: 'nobody@example.com' })
    const unknown2 = await sigra.passkeys.authenticationOptions({ login: 'Nobody@Example.com' })
    assert.ok(unknown1.ok && unknown2.ok)
    assert.deepEqual(Object.keys(unknown1.options).sort(), Object.keys(known.options).sort(), 'the same keys')
    assert.equal(unknown1.options.allowCredentials!.length, 1)
    assert.deepEqual(Object.keys(unknown1.options.allowCredentials![0]!).sort(), ['id', 'transports', 'type'])
    assert.deepEqual(unknown1.options.allowCredentials, unknown2.options.allowCredentials, 'stable across requests, like a real list')
    const noPasskey = await createConfirmedUser(sigra)
    const without = await sigra.passkeys.authenticationOptions({ login: noPasskey.email })
    assert.ok(without.ok && without.options.allowCredentials!.length === 1, 'an account without passkeys answers like an unknown one')

    // Bob's valid credential cannot answer Alice's ceremony, nor the unknown login's.
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(bob.get(known.options, { credentialId: b.passkey.credentialId }), { ceremony: known.ceremony })), 'invalid_credentials')
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(bob.get(unknown1.options, { credentialId: b.passkey.credentialId }), { ceremony: unknown1.ceremony })), 'invalid_credentials')
    const denied = await allAuditEvents(sigra, { userId: b.user.id, action: 'passkey.sign_in_failure' })
    assert.equal(denied[0]!.metadata.reason, 'not_allowed')
    const fine = await passkeySignIn(sigra, alice, { login: a.email })
    assert.ok(fine.ok && fine.user.id === a.user.id)
  })

  test('sign-in refuses (invalid_credentials, audited) a wrong origin, a wrong RP ID hash, a replay, a foreign challenge, missing UV, a bad signature, an unknown credential, a user handle of someone else', async () => {
    const { sigra } = await withPasskeys()
    const device = authenticator()
    const user = await userWithPasskey(sigra, device)
    const attempt = async (over: Parameters<typeof device.get>[1], options?: { ceremony?: string }) => {
      const started = await sigra.passkeys.authenticationOptions()
      assert.ok(started.ok)
      return errorOf(await sigra.passkeys.verifyAuthentication(device.get(started.options, over), { ceremony: options?.ceremony ?? started.ceremony, ip: null }))
    }
    assert.equal(await attempt({ origin: 'https://evil.example' }), 'invalid_credentials', 'wrong origin')
    assert.equal(await attempt({ rpId: 'evil.example' }), 'invalid_credentials', 'wrong RP ID hash')
    assert.equal(await attempt({ type: 'webauthn.create' }), 'invalid_credentials', 'wrong type')
    assert.equal(await attempt({ uv: false }), 'invalid_credentials', 'UV required by default')
    assert.equal(await attempt({ badSignature: true }), 'invalid_credentials', 'bad signature')
    assert.equal(await attempt({ userHandle: b64url(randomBytes(16)) }), 'invalid_credentials', "a user handle that is not the owner's")
    assert.equal(await attempt({}, { ceremony: 'x'.repeat(43) }), 'invalid_credentials', 'an unknown ceremony')
    const stranger = authenticator()
    stranger.create({ challenge: 'AAAA', rp: { id: 'localhost' }, user: { id: b64url(randomBytes(16)), name: 'x', displayName: 'x' } })
    const started = await sigra.passkeys.authenticationOptions()
    assert.ok(started.ok)
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(stranger.get(started.options), { ceremony: started.ceremony })), 'invalid_credentials', 'an unknown credential')

    const first = await sigra.passkeys.authenticationOptions()
    const second = await sigra.passkeys.authenticationOptions()
    assert.ok(first.ok && second.ok)
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(device.get(first.options), { ceremony: second.ceremony })), 'invalid_credentials', "a challenge of another ceremony")
    const answer = device.get(second.options)
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(answer, { ceremony: second.ceremony })), 'invalid_credentials', 'the foreign answer spent it')
    const third = await sigra.passkeys.authenticationOptions()
    assert.ok(third.ok)
    const good = device.get(third.options)
    assert.ok((await sigra.passkeys.verifyAuthentication(good, { ceremony: third.ceremony })).ok)
    assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(good, { ceremony: third.ceremony })), 'invalid_credentials', 'a replay')

    const failures = await allAuditEvents(sigra, { action: 'passkey.sign_in_failure' })
    const reasons = new Set(failures.map((f) => f.metadata.reason))
    for (const reason of ['verification_failed', 'user_handle_mismatch', 'no_ceremony', 'unknown_credential', 'challenge_mismatch']) assert.ok(reasons.has(reason), `${reason} in ${[...reasons].join(', ')}`)
    assert.equal((await sigra.sessions.list(user.user.id)).length, 2, 'only the fixture\'s and the one good sign-in')
  })

  test('failed passkey sign-ins are throttled per IP before any lookup', async () => {
    const { sigra } = await withPasskeys({}, { rateLimit: { rules: { passkeySignInIp: { points: 3, duration: 900 } } } })
    const device = authenticator()
    await userWithPasskey(sigra, device)
    for (let i = 0; i < 3; i++) {
      const started = await sigra.passkeys.authenticationOptions()
      assert.ok(started.ok)
      assert.equal(errorOf(await sigra.passkeys.verifyAuthentication(device.get(started.options, { badSignature: true }), { ceremony: started.ceremony, ip: '198.51.100.9' })), 'invalid_credentials')
    }
    const started = await sigra.passkeys.authenticationOptions()
    assert.ok(started.ok)
    const answer = device.get(started.options)
    const before = (await allAuditEvents(sigra, { action: 'passkey.sign_in_failure' })).length
    const limited = await sigra.passkeys.verifyAuthentication(answer, { ceremony: started.ceremony, ip: '198.51.100.9' })
    assert.equal(errorOf(limited), 'rate_limited', 'even a right answer, from that IP')
    assert.ok(!limited.ok && limited.retryAfter! > 0)
    assert.equal((await allAuditEvents(sigra, { action: 'passkey.sign_in_failure' })).length, before, 'refused before anything was looked up')
    assert.ok((await sigra.passkeys.verifyAuthentication(answer, { ceremony: started.ceremony, ip: '198.51.100.10' })).ok, 'another IP, the same (unspent) ceremony')
  })

  test('without user verification (userVerification: preferred) a passkey is one factor: MFA holds the session; the passkey cannot be its own second factor, a code can', async () => {
    const { sigra, clock } = await withMfaAndPasskeys({ userVerification: 'preferred' })
    const user = await enrolledUser(sigra, clock)
    const device = authenticator({ uv: false })
    await addPasskey(sigra, user, device)
    const login = await passkeySignIn(sigra, device)
    assert.ok(login.ok)
    assert.equal(login.mfaRequired, true)
    assert.deepEqual(login.pending, ['mfa'])
    assert.deepEqual(login.session.amr, ['hwk'])
    assert.equal(await sigra.sessions.validate(login.token), null)
    assert.equal(errorOf(await sigra.passkeys.secondFactorOptions(login.token)), 'second_factor_unavailable')
    const passed = await sigra.mfa.verify(login.token, { code: codeFor(user.key, clock) })
    assert.ok(passed.ok)
    assert.deepEqual((await sigra.sessions.validate(passed.token))!.session.amr, ['hwk', 'otp'])
    // The same account, with a verifying authenticator: two factors at once.
    const verifying = authenticator()
    await addPasskey(sigra, user, verifying)
    const both = await passkeySignIn(sigra, verifying)
    assert.ok(both.ok && both.pending.length === 0)
  })

  test('a passkey as the second factor at the MFA challenge: the held session passes the mfa step (token renewed) in one transaction; a replay, another session\'s ceremony, another user\'s passkey fail', async () => {
    const { sigra, clock } = await withMfaAndPasskeys()
    const user = await enrolledUser(sigra, clock)
    const device = authenticator()
    await addPasskey(sigra, user, device)
    const held = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(held.ok && held.mfaRequired)
    const started = await sigra.passkeys.secondFactorOptions(held.token)
    assert.ok(started.ok)
    assert.deepEqual(started.options.allowCredentials!.map((c) => c.id), [device.credentials[0]!.id.toString('base64url')])
    assert.equal(started.options.userVerification, 'preferred')

    // Another held session of the same user cannot use this ceremony.
    const other = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(other.ok)
    const answer = device.get(started.options)
    assert.equal(errorOf(await sigra.passkeys.verifySecondFactor(other.token, answer, { ceremony: started.ceremony })), 'invalid_credentials')
    const started2 = await sigra.passkeys.secondFactorOptions(held.token)
    assert.ok(started2.ok)
    const passed = await sigra.passkeys.verifySecondFactor(held.token, device.get(started2.options), { ceremony: started2.ceremony })
    assert.ok(passed.ok)
    assert.notEqual(passed.token, held.token)
    assert.equal(await sigra.sessions.validate(held.token), null, 'the held token is dead')
    const current = await sigra.sessions.validate(passed.token)
    assert.deepEqual(current!.session.amr, ['pwd', 'hwk'])
    assert.equal(errorOf(await sigra.passkeys.verifySecondFactor(passed.token, device.get(started2.options), { ceremony: started2.ceremony })), 'invalid_session', 'nothing left to pass')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'session.step_passed' }))[0]!.metadata.step, 'mfa')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'passkey.second_factor' })).length, 1)

    // Another user's passkey cannot pass this user's challenge.
    const stranger = await enrolledUser(sigra, clock)
    const strangerKey = authenticator()
    await addPasskey(sigra, stranger, strangerKey)
    const again = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(again.ok)
    const options = await sigra.passkeys.secondFactorOptions(again.token)
    assert.ok(options.ok)
    assert.equal(errorOf(await sigra.passkeys.verifySecondFactor(again.token, strangerKey.get(options.options, { credentialId: strangerKey.credentials[0]!.id.toString('base64url') }), { ceremony: options.ceremony })), 'invalid_credentials')
    const noPasskey = await enrolledUser(sigra, clock)
    const heldNoPasskey = await sigra.auth.logIn({ login: noPasskey.email, password: noPasskey.password! })
    assert.ok(heldNoPasskey.ok)
    assert.equal(errorOf(await sigra.passkeys.secondFactorOptions(heldNoPasskey.token)), 'no_passkey')
    assert.equal(errorOf(await sigra.passkeys.secondFactorOptions(passed.token)), 'invalid_session', 'a signed-in session is not at the challenge')
  })

  test('counter regression under refuse: refused and audited; under flag: accepted, marked, audited; counters at 0 always pass', async () => {
    for (const policy of ['refuse', 'flag'] as const) {
      const { sigra } = await withPasskeys({ counterPolicy: policy })
      const device = authenticator()
      const user = await userWithPasskey(sigra, device)
      assert.ok((await passkeySignIn(sigra, device)).ok)  // counter 1
      assert.ok((await passkeySignIn(sigra, device)).ok)  // counter 2
      const started = await sigra.passkeys.authenticationOptions()
      assert.ok(started.ok)
      const cloned = await sigra.passkeys.verifyAuthentication(device.get(started.options, { counter: 1 }), { ceremony: started.ceremony })
      const audit = await allAuditEvents(sigra, { userId: user.user.id, action: 'passkey.counter_regression' })
      assert.equal(audit.length, 1, `${policy}: audited`)
      assert.deepEqual({ stored: audit[0]!.metadata.stored, received: audit[0]!.metadata.received, policy: audit[0]!.metadata.policy }, { stored: 2, received: 1, policy })
      const [listed] = await sigra.passkeys.list(user.user)
      if (policy === 'refuse') {
        assert.equal(errorOf(cloned), 'invalid_credentials')
        assert.equal(audit[0]!.outcome, 'failure')
        assert.equal(listed!.counterRegressedAt, null)
        assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'passkey.sign_in_failure' }))[0]!.metadata.reason, 'counter_regression')
      } else {
        assert.ok(cloned.ok, 'flag: accepted')
        assert.equal(audit[0]!.outcome, 'success')
        assert.ok(listed!.counterRegressedAt, 'and the passkey is marked')
        const next = await passkeySignIn(sigra, device) // the device's own counter (3) is above the kept 2
        assert.ok(next.ok)
      }
    }
    const { sigra } = await withPasskeys()
    const synced = authenticator({ synced: true, aaguid: ICLOUD })
    await userWithPasskey(sigra, synced)
    for (let i = 0; i < 3; i++) assert.ok((await passkeySignIn(sigra, synced)).ok, 'a synced passkey stays at 0')
    assert.equal((await allAuditEvents(sigra, { action: 'passkey.counter_regression' })).length, 0)
  })

  test('list, rename and remove: another user\'s id is not_found (audited authz.denied); removing needs sudo; the last way to sign in cannot be removed', async () => {
    const { sigra } = await withPasskeys()
    const removed: string[] = []
    sigra.events.on('passkeyRemoved', ({ passkey }) => void removed.push(passkey.label))
    const device = authenticator()
    const owner = await createConfirmedUser(sigra, { password: null })
    const first = await addPasskey(sigra, owner, device, { sudo: false })
    const mallory = await createConfirmedUser(sigra, { sudo: true })
    const { passkey: theirs } = await addPasskey(sigra, mallory, authenticator())

    assert.deepEqual((await sigra.passkeys.list(owner.user)).map((p) => p.id), [first.passkey.id])
    const renamed = await sigra.passkeys.rename(owner.user, first.passkey.id, 'Work laptop')
    assert.ok(renamed.ok && renamed.passkey.label === 'Work laptop')
    assert.equal(errorOf(await sigra.passkeys.rename(owner.user, first.passkey.id, '   ')), 'invalid')
    assert.equal(errorOf(await sigra.passkeys.rename(owner.user, theirs.id, 'Mine now')), 'not_found')
    assert.equal(errorOf(await sigra.passkeys.rename(owner.user, 'not-a-uuid', 'x')), 'not_found')
    assert.equal((await sigra.passkeys.list(mallory.user))[0]!.label, theirs.label, 'untouched')
    assert.equal((await allAuditEvents(sigra, { userId: owner.user.id, action: 'passkey.rename' })).length, 1)

    // The only way in: no password, one passkey.
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, first.passkey.id, { session: owner.session })), 'last_method', 'said before sudo is asked')
    const sudo = await grantSudo(sigra, owner.session)
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, first.passkey.id, { session: sudo })), 'last_method')
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, theirs.id, { session: sudo })), 'not_found')
    const denied = await allAuditEvents(sigra, { userId: owner.user.id, action: 'authz.denied' })
    assert.ok(denied.some((d) => d.metadata.reason === 'not_found' && d.metadata.resource === 'passkey' && d.metadata.operation === 'passkey.remove'))
    assert.ok(denied.some((d) => d.metadata.reason === 'not_found' && d.metadata.operation === 'passkey.rename'))
    assert.ok(denied.some((d) => d.metadata.reason === 'last_method'))

    // A second passkey: either may go (with sudo), then the other is the last again.
    const second = await addPasskey(sigra, owner, authenticator(), { label: 'Phone' })
    const plain = await passkeySignIn(sigra, device)
    assert.ok(plain.ok)
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, first.passkey.id, { session: plain.session })), 'sudo_required')
    assert.ok((await sigra.passkeys.remove(owner.user, first.passkey.id, { session: second.session })).ok)
    assert.deepEqual(removed, ['Work laptop'])
    assert.equal((await sigra.mail.outbox({ to: owner.email })).at(-1)!.template, 'passkeyRemoved')
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, second.passkey.id, { session: second.session })), 'last_method')
    assert.equal(errorOf(await sigra.passkeys.remove(owner.user, first.passkey.id, { session: second.session })), 'not_found', 'already gone')

    // With a password, the only passkey may go.
    assert.ok((await sigra.passkeys.remove(mallory.user, theirs.id, { session: mallory.session })).ok)
    assert.deepEqual(await sigra.passkeys.list(mallory.user), [])
    const device2 = authenticator()
    const started = await sigra.passkeys.authenticationOptions()
    assert.ok(started.ok)
    assert.throws(() => device2.get(started.options))
  })

  test('two parallel removals of an account\'s last two passkeys: one wins, the other is last_method', async () => {
    const { sigra } = await withPasskeys()
    const owner = await createConfirmedUser(sigra, { password: null })
    const a = await addPasskey(sigra, owner, authenticator(), { sudo: false })
    const b = await addPasskey(sigra, owner, authenticator())
    const results = await Promise.all([a, b].map((p) => sigra.passkeys.remove(owner.user, p.passkey.id, { session: b.session })))
    assert.deepEqual(results.map(errorOf).sort(), ['last_method', 'ok'])
    assert.equal((await sigra.passkeys.list(owner.user)).length, 1)
  })

  test('data export lists the passkeys (label, created, last used); deletion removes them and their ceremonies; the sweep drops stale ceremonies', async () => {
    const { sigra, clock } = await withPasskeys()
    const device = authenticator({ aaguid: ICLOUD, synced: true })
    const user = await userWithPasskey(sigra, device)
    assert.ok((await passkeySignIn(sigra, device)).ok)
    const sudo = await grantSudo(sigra, user.session)
    const exported = await sigra.account.exportUserData(user.user, { session: sudo })
    assert.ok(exported.ok)
    const part = exported.data.features.passkeys as { passkeys: Array<{ label: string; createdAt: Date; lastUsedAt: Date | null; synced: boolean }> }
    assert.equal(part.passkeys.length, 1)
    assert.equal(part.passkeys[0]!.label, 'iCloud Keychain')
    assert.ok(part.passkeys[0]!.lastUsedAt)
    assert.ok(!/public|credential_id|counter/i.test(JSON.stringify(part)), 'no key material')

    await sigra.passkeys.authenticationOptions({ login: user.email })
    await sigra.passkeys.registrationOptions(user.user, { session: sudo })
    assert.ok((await rows(sigra, 'passkey_challenges', user.user.id)) >= 2)
    assert.ok((await sigra.account.scheduleDeletion(user.user, { session: sudo })).ok)
    assert.ok((await sigra.account.executeDeletion(user.user)).ok)
    assert.equal(await rows(sigra, 'passkey_credentials', user.user.id), 0)
    assert.equal(await rows(sigra, 'passkey_challenges', user.user.id), 0)

    await sigra.passkeys.authenticationOptions()
    await sigra.passkeys.authenticationOptions()
    clock.advance(301)
    const report = await sigra.jobs.runDue()
    assert.ok((report.features['passkeys.expired'] as { challenges: number }).challenges >= 2)
  })

  test('parallel answers to one ceremony: one sign-in wins', async () => {
    const { sigra } = await withPasskeys()
    const device = authenticator({ synced: true })
    await userWithPasskey(sigra, device)
    const started = await sigra.passkeys.authenticationOptions()
    assert.ok(started.ok)
    const answer = device.get(started.options)
    const results = await Promise.all(Array.from({ length: 6 }, () => sigra.passkeys.verifyAuthentication(answer, { ceremony: started.ceremony })))
    assert.equal(results.filter((r) => r.ok).length, 1)
  })
})

describe('passkeys: a database that was never migrated', () => {
  test('calls wait for migrate()', async () => {
    const sigra = await createSigra({ database: pglite(), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme', passwordHasher: fastPasswordHasher(), allowWeakPasswordHashing: true, features: [passkeys({ rpName: 'Acme' })] })
    try {
      await assert.rejects(sigra.passkeys.authenticationOptions(), /pending/i)
      await sigra.migrate()
      assert.ok((await sigra.passkeys.authenticationOptions()).ok)
    } finally {
      await sigra.close()
    }
  })
})
