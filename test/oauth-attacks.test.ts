import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { oauth, oidc } from 'sigra/oauth'
import { magicLink } from 'sigra/magic-link'
import { createConfirmedUser, grantSudo, testClock } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, GOOD_PASSWORD, latestMail, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { startHostileOidc, type HostileOidc } from './support/hostile-oidc.ts'
import { startOidcPeer, signInAtPeer, type OidcPeer } from './support/oidc-peer.ts'
import { errorOf, OP, oauthRows, reasonOf, redirectUri, start } from './support/oauth-helpers.ts'

// The attack cases of issue 10, each its own test, against a small OpenID provider that can be told
// to misbehave (and the real oidc-provider where a real one proves more).

const CLIENTS = { 'client-a': 'secret-a-0123456789abcdef', 'client-b': 'secret-b-0123456789abcdef' }

describeEachBackend('oauth attacks', (env) => {
  let idp: HostileOidc
  let op: OidcPeer
  before(async () => {
    idp = await startHostileOidc(CLIENTS)
    op = await startOidcPeer([{ client_id: OP.clientId, client_secret: OP.clientSecret, redirect_uris: [redirectUri(OP.id)] }])
  })
  after(async () => {
    await idp?.stop()
    await op?.stop()
  })

  const provider = (id = 'idp', clientId: keyof typeof CLIENTS = 'client-a') => oidc({ id, name: `IdP ${id}`, issuer: idp.issuer, clientId, clientSecret: CLIENTS[clientId] })
  const withOAuth = (options: Partial<Parameters<typeof oauth>[0]> = {}) =>
    env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [provider()], ...options })] })
  /** A fresh login at the IdP with the claims given (honest defaults: a verified address). */
  const account = (claims: Record<string, unknown> = {}) => {
    const login = `u-${Math.random().toString(36).slice(2, 10)}`
    idp.accounts.set(login, { email: uniqueEmail(login), email_verified: true, ...claims })
    return login
  }

  test('missing state cookie: invalid_state, and no code is exchanged', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    const back = await idp.authorize(started.url, account())
    const before = idp.tokenRequests.length
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: null })), 'invalid_state:missing_cookie')
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: '' })), 'invalid_state:missing_cookie')
    assert.equal(idp.tokenRequests.length, before, 'the code never reached the token endpoint')
    // Over HTTP, the same: a callback without the cookie is refused.
    const url = new URL(back)
    const response = await call(sigra, 'GET', `${url.pathname}${url.search}`)
    assert.equal(response.status, 400)
    assert.equal((await json(response)).error, 'invalid_state')
  })

  test('mismatched state: a callback whose state is not the cookie’s is refused (login CSRF)', async () => {
    const { sigra } = await withOAuth()
    // The attacker's own sign-in, completed with the attacker's account…
    const attacker = await start(sigra, 'idp')
    const attackerBack = await idp.authorize(attacker.url, account())
    // …delivered to the victim's browser, which holds its own state cookie.
    const victim = await start(sigra, 'idp')
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: attackerBack, cookie: victim.cookie })), 'invalid_state:state_mismatch')
    const noState = new URL(attackerBack)
    noState.searchParams.delete('state')
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: noState, cookie: victim.cookie })), 'invalid_state:missing_state')
  })

  test('state from another provider: a binding made for one provider is refused at another’s callback', async () => {
    const { sigra } = await env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [provider('one', 'client-a'), provider('two', 'client-b')] })] })
    const started = await start(sigra, 'one')
    const back = await idp.authorize(started.url, account())
    assert.equal(reasonOf(await sigra.oauth.callback('two', { url: back, cookie: started.cookie })), 'invalid_state:other_provider')
  })

  test('reused state: the second callback with the same state and cookie is refused, even before the provider would refuse the code', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    const back = await idp.authorize(started.url, account())
    const first = await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })
    assert.ok(first.ok)
    const before = idp.tokenRequests.length
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })), 'invalid_state:reused')
    assert.equal(idp.tokenRequests.length, before, 'refused before the token endpoint')
    // Parallel callbacks with one state: exactly one goes on.
    const again = await start(sigra, 'idp')
    const url = await idp.authorize(again.url, account())
    const results = await Promise.all([1, 2, 3].map(() => sigra.oauth.callback('idp', { url, cookie: again.cookie })))
    assert.equal(results.filter((r) => r.ok).length, 1)
    assert.deepEqual(results.filter((r) => !r.ok).map(reasonOf), ['invalid_state:reused', 'invalid_state:reused'])
  })

  test('an expired or tampered state cookie is refused', async () => {
    const { sigra, clock } = await withOAuth()
    const started = await start(sigra, 'idp')
    const back = await idp.authorize(started.url, account())
    const flipped = started.cookie.slice(0, 40) + (started.cookie[40] === 'A' ? 'B' : 'A') + started.cookie.slice(41)
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: flipped })), 'invalid_state:unreadable_cookie')
    clock.advance(601)
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })), 'invalid_state:expired')
    // A binding sealed by another instance (another secret) does not open here.
    const { sigra: other } = await env().makeSigra({ secret: 'another-secret-that-is-long-enough-987654', clock: testClock(new Date()), features: [oauth({ providers: [provider()] })] })
    const foreign = await start(other, 'idp')
    const fresh = await start(sigra, 'idp')
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(fresh.url, account()), cookie: foreign.cookie })), 'invalid_state:unreadable_cookie')
  })

  test('PKCE downgrade: every request is S256 with the verifier bound to the browser; a provider offering only `plain` is not used', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    assert.equal(started.query.get('code_challenge_method'), 'S256')
    const back = await idp.authorize(started.url, account())
    const result = await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })
    assert.ok(result.ok, 'the IdP checked the verifier against the S256 challenge')
    const verifier = idp.tokenRequests.at(-1)!.get('code_verifier')!
    assert.ok(verifier.length >= 43 && !started.url.includes(verifier), 'the verifier never travels in the front channel')

    idp.discovery = { code_challenge_methods_supported: ['plain'] }
    try {
      const { sigra: fresh } = await withOAuth()
      const refused = await fresh.oauth.authorizationUrl('idp')
      assert.equal(reasonOf(refused), 'provider_error:pkce_s256_unsupported')
    } finally {
      idp.discovery = {}
    }
  })

  test('authorization code injection: a code issued to the attacker’s own flow (another PKCE challenge) is refused at the real provider', async () => {
    const { sigra } = await env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [oidc({ id: OP.id, issuer: op.issuer, clientId: OP.clientId, clientSecret: OP.clientSecret })] })] })
    op.accounts.set('mallory', { email: uniqueEmail('mallory'), email_verified: true })
    const attacker = await start(sigra, 'op')
    const stolen = new URL(await signInAtPeer(attacker.url, 'mallory'))
    const victim = await start(sigra, 'op')
    const injected = new URL(redirectUri('op'))
    injected.searchParams.set('code', stolen.searchParams.get('code')!)
    injected.searchParams.set('state', victim.query.get('state')!)
    injected.searchParams.set('iss', op.issuer)
    const result = await sigra.oauth.callback('op', { url: injected, cookie: victim.cookie })
    assert.equal(reasonOf(result), 'provider_error:token_refused')
    assert.equal((await oauthRows(sigra, 'oauth_identities')).length, 0)
  })

  test('nonce mismatch: an ID token minted for another sign-in is refused', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    idp.next = { claims: { nonce: 'a-nonce-from-another-sign-in' } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'invalid_state:nonce_mismatch')
    const missing = await start(sigra, 'idp')
    idp.next = { claims: { nonce: undefined } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(missing.url, account()), cookie: missing.cookie })), 'invalid_state:nonce_mismatch')
  })

  test('wrong iss: an ID token from another issuer is refused', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    idp.next = { claims: { iss: 'https://evil.example' } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'provider_error:id_token_issuer')
  })

  test('wrong aud: an ID token for another client is refused (and several audiences need azp)', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    idp.next = { claims: { aud: 'client-b' } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'provider_error:id_token_audience')
    const several = await start(sigra, 'idp')
    idp.next = { claims: { aud: ['client-a', 'client-b'], azp: 'client-b' } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(several.url, account()), cookie: several.cookie })), 'provider_error:id_token_audience')
  })

  test('expired ID token: refused against Sigra’s clock', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    const at = Math.floor(Date.now() / 1000)
    idp.next = { claims: { iat: at - 7200, exp: at - 3600 } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'provider_error:id_token_expired')
  })

  test('alg none: an unsigned ID token is refused', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    idp.next = { sign: 'none' }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'provider_error:id_token_algorithm')
  })

  test('HS256 keyed with the provider’s public key: refused (asymmetric algorithms only; HMAC cannot even be configured)', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    idp.next = { sign: 'hs256-public' }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: started.cookie })), 'provider_error:id_token_algorithm')
    assert.throws(() => oauth({ providers: [oidc({ id: 'x', issuer: idp.issuer, clientId: 'c', clientSecret: 's', idTokenAlgorithms: ['HS256'] })] }), /ID-token algorithm HS256 is not accepted/)
    // And a signature by a key that is not in the provider's JWKS.
    const foreign = await start(sigra, 'idp')
    idp.next = { sign: 'foreign' }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(foreign.url, account()), cookie: foreign.cookie })), 'provider_error:id_token_signature')
  })

  test('email_verified: "false" (a string) is not verified: no account is created, none is linked', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const started = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email_verified: 'false' })), cookie: started.cookie })), 'email_unverified')
    // Not even the string "true", nor 1: only the boolean.
    for (const value of ['true', 1]) {
      const again = await start(sigra, 'idp')
      assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(again.url, account({ email_verified: value })), cookie: again.cookie })), 'email_unverified', JSON.stringify(value))
    }
    const existing = await createConfirmedUser(sigra)
    const link = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(link.url, account({ email: existing.email, email_verified: 'false' })), cookie: link.cookie })), 'email_unverified')
    assert.equal((await oauthRows(sigra, 'oauth_identities')).length, 0)
    assert.equal((await sigra.db.selectFrom('users').select('id').execute()).length, 1)
  })

  test('email_verified missing: not verified', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const started = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email_verified: undefined })), cookie: started.cookie })), 'email_unverified')
    const noEmail = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(noEmail.url, account({ email: undefined, email_verified: true })), cookie: noEmail.cookie })), 'email_unverified')
  })

  test('ID token sub ≠ userinfo sub: the userinfo answer is not used, the sign-in refused', async () => {
    const { sigra } = await withOAuth()
    const victim = await createConfirmedUser(sigra)
    const started = await start(sigra, 'idp')
    idp.next = { claims: { email: undefined, email_verified: undefined }, userinfo: { sub: 'someone-else', email: victim.email, email_verified: true } }
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email: undefined, email_verified: undefined })), cookie: started.cookie })), 'provider_error:sub_mismatch')
    assert.equal((await oauthRows(sigra, 'oauth_identities')).length, 0)
  })

  test('two providers with colliding issuers: identities are keyed by provider, so one provider’s subject never signs in through the other', async () => {
    const { sigra } = await env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [provider('work', 'client-a'), provider('personal', 'client-b')] })] })
    const login = account()
    const first = await start(sigra, 'work')
    const created = await sigra.oauth.callback('work', { url: await idp.authorize(first.url, login), cookie: first.cookie })
    assert.ok(created.ok && created.intent === 'sign_in')
    // The same issuer and the same `sub` through the other provider: not that account.
    const other = await start(sigra, 'personal')
    const result = await sigra.oauth.callback('personal', { url: await idp.authorize(other.url, login), cookie: other.cookie })
    assert.equal(errorOf(result), 'account_exists', 'a new identity whose address has an account: not merged')
    assert.deepEqual((await sigra.oauth.identities(created.user)).map((i) => i.provider), ['work'])
    // An ID token minted for the first provider's client, offered at the second: wrong audience.
    const third = await start(sigra, 'personal')
    idp.next = { claims: { aud: 'client-a' } }
    assert.equal(reasonOf(await sigra.oauth.callback('personal', { url: await idp.authorize(third.url, login), cookie: third.cookie })), 'provider_error:id_token_audience')
  })

  test('mix-up: an authorization response naming another issuer (RFC 9207 `iss`) is refused before the code is used', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    const back = new URL(await idp.authorize(started.url, account()))
    back.searchParams.set('iss', 'https://other-idp.example')
    const before = idp.tokenRequests.length
    assert.equal(reasonOf(await sigra.oauth.callback('idp', { url: back, cookie: started.cookie })), 'provider_error:issuer_mismatch')
    assert.equal(idp.tokenRequests.length, before)
  })

  test('pre-hijacking 1, classic–federated merge: an unconfirmed account registered with the victim’s address never receives the identity', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const email = uniqueEmail('victim')
    const registered = await sigra.auth.register({ email, password: GOOD_PASSWORD })
    assert.ok(registered.ok)
    const started = await start(sigra, 'idp')
    const result = await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email })), cookie: started.cookie })
    assert.equal(errorOf(result), 'account_exists', 'even with linkByVerifiedEmail: never onto an unconfirmed account')
    assert.deepEqual(await sigra.oauth.identities(registered.user), [])
    // The victim's way in is the mailbox (a reset or a magic link), which ends what the attacker set.
    const reset = await sigra.auth.requestPasswordReset(email)
    assert.ok(reset.ok)
    assert.ok((await sigra.auth.resetPassword((await latestMail(sigra, email)).token!, { password: 'plum orbit lantern quietly 7' })).ok)
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'invalid_credentials', 'the attacker’s password is gone')
  })

  test('pre-hijacking 2, unexpired session: the attacker’s session on a pre-registered account does not survive the owner’s proof of the address', async () => {
    const { sigra } = await env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [provider()], linkByVerifiedEmail: true }), magicLink()] })
    const email = uniqueEmail('victim')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const attacker = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(attacker.ok, 'confirmation is not required to log in here')
    // The owner's OAuth sign-in does not land in that account (so no shared session either).
    const started = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email })), cookie: started.cookie })), 'account_exists')
    // The owner's first proof of the mailbox (a magic link) ends the attacker's session and password.
    await sigra.magicLink.request(email)
    const link = new URL((await latestMail(sigra, email)).link!)
    const owner = await sigra.magicLink.consume(link.searchParams.get('token'))
    assert.ok(owner.ok)
    assert.equal(await sigra.sessions.validate(attacker.token), null, 'the attacker’s session ended')
    assert.equal(errorOf(await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })), 'invalid_credentials', 'and the password they set is gone')
    assert.ok(owner.user.confirmedAt)
  })

  test('pre-hijacking 3, trojan identifier: the attacker cannot attach their own provider account to an unconfirmed account with the victim’s address', async () => {
    const { sigra } = await withOAuth()
    const email = uniqueEmail('victim')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const attacker = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(attacker.ok)
    const session = await grantSudo(sigra, attacker.session)
    assert.equal(errorOf(await sigra.oauth.authorizationUrl('idp', { link: { session } })), 'unconfirmed')
    assert.deepEqual(await sigra.oauth.identities(attacker.user), [])
  })

  test('pre-hijacking 4, unexpired email change: a pending change to the victim’s address never attaches an identity, and the victim’s own account is created', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const attacker = await createConfirmedUser(sigra, { sudo: true })
    const email = uniqueEmail('victim')
    assert.ok((await sigra.account.requestEmailChange(attacker.user, email, { session: attacker.session })).ok)
    const changeToken = (await latestMail(sigra, email)).token!
    const started = await start(sigra, 'idp')
    const result = await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account({ email })), cookie: started.cookie })
    assert.ok(result.ok && result.intent === 'sign_in', JSON.stringify(result))
    assert.equal(result.created, true)
    assert.notEqual(result.user.id, attacker.user.id)
    assert.deepEqual(await sigra.oauth.identities(attacker.user), [])
    // The attacker's pending change lost its claim on the address.
    const row = await sigra.db.selectFrom('users').select(['email', 'pending_email']).where('id', '=', attacker.user.id).executeTakeFirstOrThrow()
    assert.equal(row.pending_email, null)
    assert.equal(errorOf(await sigra.account.confirmEmailChange(changeToken)), 'invalid_token')
  })

  test('pre-hijacking 5, non-verifying identity provider: an identity with an unverified address never creates or joins an account', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const email = uniqueEmail('victim')
    // The attacker signs in first with an IdP account claiming the victim's address, unverified.
    const first = await start(sigra, 'idp')
    const login = account({ email, email_verified: false })
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(first.url, login), cookie: first.cookie })), 'email_unverified')
    // The victim registers and confirms; the attacker's identity still cannot get in.
    const victim = await createConfirmedUser(sigra, { email })
    const second = await start(sigra, 'idp')
    assert.equal(errorOf(await sigra.oauth.callback('idp', { url: await idp.authorize(second.url, login), cookie: second.cookie })), 'email_unverified')
    assert.deepEqual(await sigra.oauth.identities(victim.user), [])
  })

  test('open redirects through returnTo: only same-origin paths are accepted, also encoded; the callback never leaves the site', async () => {
    const { sigra } = await withOAuth()
    const evil = [
      '//evil.example', '\\\\evil.example', '/\\evil.example', 'javascript:alert(1)', 'https://good@evil.example', 'https://evil.example/',
      'http:evil.example', '%2F%2Fevil.example', '/%2F%2Fevil.example', '/%5Cevil.example', ' //evil.example', '/\t/evil.example', 'data:text/html,x', '///evil.example',
    ]
    for (const returnTo of evil) {
      const result = await sigra.oauth.authorizationUrl('idp', { returnTo })
      assert.equal(errorOf(result), 'invalid', `refused: ${JSON.stringify(returnTo)}`)
      const response = await call(sigra, 'GET', `/auth/oauth/idp/start?return_to=${encodeURIComponent(returnTo)}`)
      assert.equal(response.status, 400, `HTTP refused: ${JSON.stringify(returnTo)}`)
      assert.equal(response.headers.get('location'), null)
    }
    const good = await start(sigra, 'idp', { returnTo: '/projects/42?tab=settings#top' })
    const result = await sigra.oauth.callback('idp', { url: await idp.authorize(good.url, account()), cookie: good.cookie })
    assert.ok(result.ok)
    assert.equal(result.returnTo, '/projects/42?tab=settings#top')
  })

  test('every refusal is audited with its reason; nothing secret is recorded', async () => {
    const { sigra } = await withOAuth()
    const started = await start(sigra, 'idp')
    await sigra.oauth.callback('idp', { url: await idp.authorize(started.url, account()), cookie: 'not-a-sealed-value' })
    const events = await allAuditEvents(sigra, { action: 'oauth.callback_failure' })
    assert.deepEqual(events.map((e) => [e.metadata.provider, e.metadata.error, e.metadata.reason]), [['idp', 'invalid_state', 'unreadable_cookie']])
    assert.ok(!JSON.stringify(events).includes(started.query.get('state')!))
  })
})
