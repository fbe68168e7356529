import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, test } from 'node:test'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { apple, discord, github, gitlab, google, microsoft, oauth, oidc, resolveAccount, standardProfile, type ResolutionInput } from 'sigra/oauth'

// Account resolution is one pure function: this is its table of cases. Then the provider presets'
// configuration shapes (their real servers are not reachable from the tests).

const confirmed = { id: 'u-confirmed', confirmed: true, usable: true }
const unconfirmed = { id: 'u-unconfirmed', confirmed: false, usable: true }
const suspended = { id: 'u-suspended', confirmed: true, usable: false }
const verified = { email: 'ada@example.com', emailVerified: true }
const unverified = { email: 'ada@example.com', emailVerified: false }

const base: ResolutionInput = { intent: 'sign_in', profile: verified, identityOwner: null, addressOwner: null, current: null, linkByVerifiedEmail: false, signUp: true }

describe('resolveAccount: the table', () => {
  const cases: Array<[string, Partial<ResolutionInput>, ReturnType<typeof resolveAccount>]> = [
    ['known identity signs in', { identityOwner: confirmed }, { action: 'sign_in', userId: 'u-confirmed' }],
    ['known identity signs in whatever the address says now', { identityOwner: confirmed, profile: unverified }, { action: 'sign_in', userId: 'u-confirmed' }],
    ['known identity of a suspended account', { identityOwner: suspended }, { action: 'refuse', error: 'account_unavailable' }],
    ['new identity, verified address, no account: create', {}, { action: 'create' }],
    ['new identity, verified address, no account, sign-up off', { signUp: false }, { action: 'refuse', error: 'sign_up_disabled' }],
    ['new identity, unverified address', { profile: unverified }, { action: 'refuse', error: 'email_unverified' }],
    ['new identity, no address', { profile: { email: null, emailVerified: true } }, { action: 'refuse', error: 'email_unverified' }],
    ['new identity, verified address of a confirmed account (default)', { addressOwner: confirmed }, { action: 'refuse', error: 'account_exists' }],
    ['new identity, verified address of a confirmed account, linkByVerifiedEmail', { addressOwner: confirmed, linkByVerifiedEmail: true }, { action: 'link_and_sign_in', userId: 'u-confirmed' }],
    ['new identity, verified address of an account that already has another identity of this provider, linkByVerifiedEmail', { addressOwner: { ...confirmed, linkedProvider: true }, linkByVerifiedEmail: true }, { action: 'refuse', error: 'account_exists' }],
    ['new identity, verified address of an unconfirmed account, linkByVerifiedEmail', { addressOwner: unconfirmed, linkByVerifiedEmail: true }, { action: 'refuse', error: 'account_exists' }],
    ['new identity, verified address of a suspended confirmed account, linkByVerifiedEmail', { addressOwner: suspended, linkByVerifiedEmail: true }, { action: 'refuse', error: 'account_unavailable' }],
    ['new identity, unverified address of a confirmed account, linkByVerifiedEmail', { addressOwner: confirmed, linkByVerifiedEmail: true, profile: unverified }, { action: 'refuse', error: 'email_unverified' }],
    ['link: a free identity onto a confirmed account', { intent: 'link', current: { ...confirmed, linkedProvider: false } }, { action: 'link', userId: 'u-confirmed' }],
    ['link: whatever the provider says of the address (both sides proved)', { intent: 'link', profile: unverified, current: { ...confirmed, linkedProvider: false } }, { action: 'link', userId: 'u-confirmed' }],
    ['link: onto an unconfirmed account (trojan identifier)', { intent: 'link', current: { ...unconfirmed, linkedProvider: false } }, { action: 'refuse', error: 'unconfirmed' }],
    ['link: an identity another account holds', { intent: 'link', identityOwner: unconfirmed, current: { ...confirmed, linkedProvider: false } }, { action: 'refuse', error: 'identity_taken' }],
    ['link: the identity this account already holds', { intent: 'link', identityOwner: confirmed, current: { ...confirmed, linkedProvider: true } }, { action: 'already_linked', userId: 'u-confirmed' }],
    ['link: a second account of a provider already connected', { intent: 'link', current: { ...confirmed, linkedProvider: true } }, { action: 'refuse', error: 'already_linked' }],
    ['link: by a suspended account', { intent: 'link', current: { ...suspended, linkedProvider: false } }, { action: 'refuse', error: 'account_unavailable' }],
    ['sudo: the account’s own identity', { intent: 'sudo', identityOwner: confirmed, current: { ...confirmed, linkedProvider: true } }, { action: 'sudo', userId: 'u-confirmed' }],
    ['sudo: someone else’s identity', { intent: 'sudo', identityOwner: unconfirmed, current: { ...confirmed, linkedProvider: true } }, { action: 'refuse', error: 'wrong_account' }],
    ['sudo: an unknown identity', { intent: 'sudo', current: { ...confirmed, linkedProvider: true } }, { action: 'refuse', error: 'wrong_account' }],
  ]
  for (const [name, input, expected] of cases) {
    test(name, () => assert.deepEqual(resolveAccount({ ...base, ...input }), expected))
  }
  test('a pending email change is not an input: only the current address of an account can match', () => {
    // The caller looks up `addressOwner` by the current address only; an account with only a pending
    // change to this address is not an owner, so a verified address creates its own account.
    assert.deepEqual(resolveAccount({ ...base, linkByVerifiedEmail: true, addressOwner: null }), { action: 'create' })
  })
})

describe('provider presets: configuration shapes', () => {
  const creds = { clientId: 'id', clientSecret: 'secret' }

  test('oidc: by issuer, openid email profile, prompt=login for re-authentication', () => {
    const p = oidc({ id: 'okta', name: 'Okta', issuer: 'https://acme.okta.com', ...creds })
    assert.deepEqual([p.id, p.name, p.kind, p.issuer, [...p.scopes], p.reauthenticationParams], ['okta', 'Okta', 'oidc', 'https://acme.okta.com', ['openid', 'email', 'profile'], { prompt: 'login' }])
    assert.ok(Object.isFrozen(p))
  })

  test('google: OIDC at accounts.google.com', () => {
    const p = google(creds)
    assert.deepEqual([p.id, p.name, p.kind, p.issuer], ['google', 'Google', 'oidc', 'https://accounts.google.com'])
  })

  test('gitlab: OIDC at gitlab.com, or a self-managed issuer', () => {
    assert.equal(gitlab(creds).issuer, 'https://gitlab.com')
    assert.equal(gitlab({ ...creds, issuer: 'https://git.acme.dev' }).issuer, 'https://git.acme.dev')
    assert.equal(gitlab(creds).kind, 'oidc')
  })

  test('microsoft: common tenant issuer template filled from tid; verified only for personal accounts or xms_edov', async () => {
    const p = microsoft(creds)
    assert.equal(p.issuer, 'https://login.microsoftonline.com/common/v2.0')
    assert.equal(p.acceptsDiscoveredIssuer?.('https://login.microsoftonline.com/{tenantid}/v2.0'), true)
    assert.equal(p.acceptsDiscoveredIssuer?.('https://evil.example/{tenantid}/v2.0'), false)
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47'
    assert.equal(p.expectedIssuer?.('https://login.microsoftonline.com/{tenantid}/v2.0', { tid }), `https://login.microsoftonline.com/${tid}/v2.0`)
    assert.equal(p.expectedIssuer?.('https://login.microsoftonline.com/{tenantid}/v2.0', { tid: '../evil' }), null)
    const read = (claims: Record<string, unknown>) => p.profile!({ idToken: { sub: 's', email: 'a@contoso.com', ...claims }, userinfo: null, accessToken: '', callbackParams: {}, getJson: async () => null })
    assert.equal((await read({ tid }))?.emailVerified, false, 'Entra does not verify work addresses by itself')
    assert.equal((await read({ tid, xms_edov: true }))?.emailVerified, true)
    assert.equal((await read({ tid: '9188040d-6c67-4c5b-b112-36a304b66dad' }))?.emailVerified, true, 'personal accounts')
    const single = microsoft({ ...creds, tenant: tid })
    assert.equal(single.issuer, `https://login.microsoftonline.com/${tid}/v2.0`)
    assert.equal(single.expectedIssuer, undefined)
  })

  test('apple: form_post, name and email scopes, client_secret_post; the name only from the first sign-in’s user field', async () => {
    const p = apple(creds)
    assert.deepEqual([p.kind, p.issuer, p.responseMode, p.tokenAuthMethod, [...p.scopes]], ['oidc', 'https://appleid.apple.com', 'form_post', 'client_secret_post', ['openid', 'name', 'email']])
    const read = (claims: Record<string, unknown>, user?: string) =>
      p.profile!({ idToken: { sub: '001.abc', email: 'x@privaterelay.appleid.com', ...claims }, userinfo: null, accessToken: '', callbackParams: user ? { user } : {}, getJson: async () => null })
    const first = await read({ email_verified: 'true' }, JSON.stringify({ name: { firstName: 'Ada', lastName: 'Lovelace' }, email: 'attacker@example.com' }))
    assert.deepEqual([first?.email, first?.emailVerified, first?.name], ['x@privaterelay.appleid.com', true, 'Ada Lovelace'], 'the posted address is never used')
    assert.equal((await read({ email_verified: 'false' }))?.emailVerified, false)
    assert.equal((await read({}))?.name, null)
  })

  test('apple: a client secret made from the team key (ES256 JWT for appleid.apple.com, short-lived)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const p = apple({ clientId: 'com.acme.web', key: { teamId: 'TEAM123456', keyId: 'KEY1234567', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } })
    assert.equal(typeof p.clientSecret, 'function')
    const jwt = await (p.clientSecret as () => Promise<string>)()
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', kid: 'KEY1234567' })
    const claims = decodeJwt(jwt)
    assert.deepEqual([claims.iss, claims.sub, claims.aud], ['TEAM123456', 'com.acme.web', 'https://appleid.apple.com'])
    assert.ok(claims.exp! - claims.iat! <= 300)
  })

  test('github: OAuth 2.0 endpoints, read:user user:email, overridable for Enterprise Server', () => {
    const p = github(creds)
    assert.deepEqual([p.kind, p.endpoints.authorization, p.endpoints.token, p.endpoints.api, [...p.scopes], p.tokenAuthMethod], [
      'oauth2', 'https://github.com/login/oauth/authorize', 'https://github.com/login/oauth/access_token', 'https://api.github.com', ['read:user', 'user:email'], 'client_secret_post',
    ])
    assert.equal(github({ ...creds, endpoints: { api: 'https://ghe.acme.dev/api/v3' } }).endpoints.api, 'https://ghe.acme.dev/api/v3')
  })

  test('github profile: only a verified address counts, the primary one first', async () => {
    const p = github(creds)
    const read = (emails: unknown) =>
      p.profile!({ idToken: {}, userinfo: null, accessToken: 't', callbackParams: {}, getJson: async (url) => (url.endsWith('/user') ? { id: 7, login: 'octo', name: null } : emails) })
    assert.deepEqual(await read([{ email: 'a@x.com', primary: true, verified: true }, { email: 'b@x.com', primary: false, verified: true }]).then((r) => [r?.subject, r?.email, r?.emailVerified, r?.name]), ['7', 'a@x.com', true, 'octo'])
    assert.deepEqual(await read([{ email: 'a@x.com', primary: true, verified: false }, { email: 'b@x.com', primary: false, verified: true }]).then((r) => [r?.email, r?.emailVerified]), ['b@x.com', true])
    assert.deepEqual(await read([{ email: 'a@x.com', primary: true, verified: 'true' }]).then((r) => [r?.email, r?.emailVerified]), ['a@x.com', false])
    assert.deepEqual(await read('not a list').then((r) => [r?.email, r?.emailVerified]), [null, false])
  })

  test('discord: OAuth 2.0, identify email, `verified` must be the boolean true', async () => {
    const p = discord(creds)
    assert.deepEqual([p.kind, p.endpoints.authorization, p.endpoints.token, [...p.scopes]], ['oauth2', 'https://discord.com/oauth2/authorize', 'https://discord.com/api/oauth2/token', ['identify', 'email']])
    const read = (me: unknown) => p.profile!({ idToken: {}, userinfo: null, accessToken: 't', callbackParams: {}, getJson: async () => me })
    assert.equal((await read({ id: '80351110224678912', email: 'n@x.com', verified: true, username: 'nelly' }))?.emailVerified, true)
    assert.equal((await read({ id: '80351110224678912', email: 'n@x.com', verified: 'true', username: 'nelly' }))?.emailVerified, false)
  })

  test('standardProfile: the address and its verification come from the same source; only the boolean true is verified', () => {
    const p = (idToken: Record<string, unknown>, userinfo: Record<string, unknown> | null) => standardProfile({ idToken: { sub: 's', ...idToken }, userinfo })
    assert.deepEqual([p({ email: 'a@x.com', email_verified: true }, null).emailVerified, p({ email: 'a@x.com', email_verified: 'true' }, null).emailVerified], [true, false])
    // The ID token's address with the userinfo's verification flag would mix two statements: not done.
    assert.equal(p({ email: 'a@x.com' }, { sub: 's', email: 'b@x.com', email_verified: true }).emailVerified, false)
    assert.deepEqual([p({}, { sub: 's', email: 'b@x.com', email_verified: true }).email, p({}, { sub: 's', email: 'b@x.com', email_verified: true }).emailVerified], ['b@x.com', true])
  })

  test('configuration mistakes fail when oauth() is called: duplicate ids, http issuers off loopback, reserved parameters, no providers', () => {
    assert.throws(() => oauth({ providers: [] }), /at least one provider/)
    assert.throws(() => oauth({ providers: [google(creds), google(creds)] }), /listed twice/)
    assert.throws(() => oauth({ providers: [oidc({ id: 'x', issuer: 'http://idp.example', ...creds })] }), /issuer must be an https URL/)
    assert.throws(() => oauth({ providers: [oidc({ id: 'x', issuer: 'https://idp.example', ...creds, authorizationParams: { state: 'fixed' } })] }), /may not set state/)
    assert.throws(() => oauth({ providers: [oidc({ id: 'Bad Id', issuer: 'https://idp.example', ...creds })] }), /lower-case/)
    assert.throws(() => oauth({ providers: [github({ clientId: '', clientSecret: 's' })] }), /clientId is required/)
    assert.doesNotThrow(() => oauth({ providers: [oidc({ id: 'dev', issuer: 'http://127.0.0.1:9999', ...creds })] }))
  })
})
