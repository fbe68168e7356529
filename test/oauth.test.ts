import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { defineFeature } from 'sigra/feature-kit'
import { mfa } from 'sigra/mfa'
import { github, oauth, oidc } from 'sigra/oauth'
import { createConfirmedUser, grantSudo, testClock } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { startGitHubPeer, type GitHubPeer } from './support/github-peer.ts'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { enrolledUser, codeFor } from './support/mfa-helpers.ts'
import { cookieJar, signInAtPeer, startOidcPeer, type OidcPeer } from './support/oidc-peer.ts'
import { errorOf, GH, OP, oauthRows, redirectUri, setUser, start } from './support/oauth-helpers.ts'

// Sign-in against real peers on loopback: panva's oidc-provider (discovery, its own login and
// consent pages, code + PKCE, RS256 ID tokens, userinfo) and a GitHub-like OAuth 2.0 peer.

describeEachBackend('oauth with real peers', (env) => {
  let op: OidcPeer
  let gh: GitHubPeer
  before(async () => {
    op = await startOidcPeer([{ client_id: OP.clientId, client_secret: OP.clientSecret, redirect_uris: [redirectUri(OP.id)] }])
    gh = await startGitHubPeer({ [GH.clientId]: GH.clientSecret })
  })
  after(async () => {
    await op?.stop()
    await gh?.stop()
  })

  const opProvider = () => oidc({ id: OP.id, name: OP.name, issuer: op.issuer, clientId: OP.clientId, clientSecret: OP.clientSecret })
  const ghProvider = () => github({ ...GH, endpoints: gh.endpoints })
  const withOAuth = (options: Partial<Parameters<typeof oauth>[0]> = {}, extra: { features?: [] } = {}) =>
    env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [opProvider(), ghProvider()], ...options })], ...extra })
  /** A fresh account at the provider, with the claims given. */
  const opAccount = (claims: { email?: unknown; email_verified?: unknown; name?: string }) => {
    const login = `op-${Math.random().toString(36).slice(2, 10)}`
    op.accounts.set(login, claims)
    return login
  }
  const ghUser = (emails: Array<{ email: string; primary: boolean; verified: boolean }>) => {
    const id = Math.floor(Math.random() * 1e9)
    const login = `octo${id}`
    gh.users.set(login, { id, login, name: `Octo ${id}`, emails })
    return login
  }

  test('the real OpenID provider end to end: discovery, code + PKCE S256, ID token, userinfo → a confirmed account without a password', async () => {
    const { sigra } = await withOAuth()
    const email = uniqueEmail('op')
    const login = opAccount({ email, email_verified: true, name: 'Ada Lovelace' })
    const started = await start(sigra, 'op', { returnTo: '/dashboard?tab=2' })
    const q = started.query
    assert.equal(new URL(started.url).origin, op.issuer, 'the authorization endpoint comes from discovery')
    assert.equal(q.get('response_type'), 'code')
    assert.equal(q.get('client_id'), OP.clientId)
    assert.equal(q.get('redirect_uri'), redirectUri('op'), 'the redirect URI is exact, built from baseUrl')
    assert.equal(q.get('code_challenge_method'), 'S256')
    assert.match(q.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.match(q.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.match(q.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/)
    assert.deepEqual(q.get('scope')?.split(' '), ['openid', 'email', 'profile'])
    assert.ok(!started.cookie.includes(q.get('state')!), 'the cookie is sealed: the state is not readable in it')
    assert.match(started.setCookie, /^sigra_oauth=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/)

    // Through the provider's own login and consent pages.
    const back = await signInAtPeer(started.url, login)
    const backUrl = new URL(back)
    assert.equal(`${backUrl.origin}${backUrl.pathname}`, redirectUri('op'))
    assert.equal(backUrl.searchParams.get('iss'), op.issuer, 'RFC 9207: the response names its issuer')
    const result = await sigra.oauth.callback('op', { url: back, cookie: started.cookie, ip: '203.0.113.9', userAgent: 'Test/1.0' })
    assert.ok(result.ok && result.intent === 'sign_in', JSON.stringify(result))
    assert.equal(result.created, true)
    assert.equal(result.user.email, email)
    assert.ok(result.user.confirmedAt, 'the provider verified the address: the account is confirmed')
    assert.equal(result.user.hasPassword, false)
    assert.equal(result.returnTo, '/dashboard?tab=2')
    assert.deepEqual(result.pending, [])
    assert.deepEqual(result.session.amr, ['fed'])
    assert.equal((await sigra.sessions.validate(result.token))?.user.id, result.user.id, 'the session works')
    assert.deepEqual(
      (await sigra.oauth.identities(result.user)).map((i) => [i.provider, i.providerName, i.subject, i.email, i.emailVerified, i.name]),
      [['op', OP.name, login, email, true, 'Ada Lovelace']],
      'email and name came from userinfo (the ID token carries only sub)',
    )
    const logins = await allAuditEvents(sigra, { userId: result.user.id, action: 'auth.login.success' })
    assert.equal(logins[0]?.metadata.method, 'oauth')
    assert.equal(logins[0]?.metadata.provider, 'op')
    assert.equal((await allAuditEvents(sigra, { userId: result.user.id, action: 'auth.register' }))[0]?.metadata.method, 'oauth')

    // The next sign-in finds the identity: the same account, nothing created.
    const again = await start(sigra, 'op')
    const second = await sigra.oauth.callback('op', { url: await signInAtPeer(again.url, login), cookie: again.cookie })
    assert.ok(second.ok && second.intent === 'sign_in')
    assert.equal(second.created, false)
    assert.equal(second.user.id, result.user.id)
    assert.equal(second.returnTo, '/account/settings', 'default landing: the settings page')
  })

  test('each sign-in refreshes what the provider says of the account, but a name stated only once (Apple) is kept', async () => {
    const { sigra } = await withOAuth()
    const email = uniqueEmail('name')
    const login = opAccount({ email, email_verified: true, name: 'Ada Lovelace' })
    const first = await start(sigra, 'op')
    const created = await sigra.oauth.callback('op', { url: await signInAtPeer(first.url, login), cookie: first.cookie })
    assert.ok(created.ok && created.intent === 'sign_in')
    op.accounts.set(login, { email, email_verified: false })
    const again = await start(sigra, 'op')
    assert.ok((await sigra.oauth.callback('op', { url: await signInAtPeer(again.url, login), cookie: again.cookie })).ok, 'a known identity signs in whatever its address says now')
    const [identity] = await sigra.oauth.identities(created.user)
    assert.deepEqual([identity?.name, identity?.emailVerified], ['Ada Lovelace', false])
  })

  test('over HTTP: GET start → the provider → GET callback sets the session cookie and lands on return_to; the state cookie is HttpOnly and cleared', async () => {
    const { sigra } = await withOAuth()
    const login = opAccount({ email: uniqueEmail('http'), email_verified: true })
    const startResponse = await call(sigra, 'GET', '/auth/oauth/op/start?return_to=%2Faccount%2Fsettings%23linked-accounts', { headers: { accept: 'text/html' } })
    assert.equal(startResponse.status, 303)
    const location = startResponse.headers.get('location')!
    assert.ok(location.startsWith(`${op.issuer}/`), location)
    const stateCookie = startResponse.headers.get('set-cookie')!
    assert.match(stateCookie, /^sigra_oauth=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/)
    assert.equal(startResponse.headers.get('cache-control'), 'no-store')

    const back = new URL(await signInAtPeer(location, login))
    const callbackResponse = await call(sigra, 'GET', `${back.pathname}${back.search}`, { headers: { accept: 'text/html', cookie: stateCookie.split(';')[0]! } })
    assert.equal(callbackResponse.status, 303)
    assert.equal(callbackResponse.headers.get('location'), '/account/settings#linked-accounts')
    const cookies = callbackResponse.headers.getSetCookie()
    const session = cookies.find((c) => c.startsWith('sigra_session='))
    assert.ok(session && /HttpOnly/.test(session) && /SameSite=Lax/.test(session), cookies.join(' | '))
    assert.ok(cookies.some((c) => /^sigra_oauth=;.*Max-Age=0/.test(c)), 'the state cookie is cleared')
    const token = session.split(';')[0]!.slice('sigra_session='.length)
    const me = await json(await call(sigra, 'GET', '/auth/session', { token }))
    assert.equal(me.ok, true)

    // The same callback again (a replayed URL with the copied cookie): the state is spent.
    const replay = await call(sigra, 'GET', `${back.pathname}${back.search}`, { headers: { cookie: stateCookie.split(';')[0]! } })
    assert.equal(replay.status, 400)
    assert.equal((await json(replay)).error, 'invalid_state')
    // A browser is sent to the error page instead, which explains in words.
    const replayPage = await call(sigra, 'GET', `${back.pathname}${back.search}`, { headers: { accept: 'text/html', cookie: stateCookie.split(';')[0]! } })
    assert.equal(replayPage.status, 303)
    assert.equal(replayPage.headers.get('location'), '/account/oauth/error?error=invalid_state&provider=op')
    const errorPage = await call(sigra, 'GET', replayPage.headers.get('location')!, { headers: { accept: 'text/html' } })
    assert.equal(errorPage.status, 400)
    assert.match(await errorPage.text(), /This sign-in could not be completed/)
  })

  test('the GitHub-like provider: the verified primary address from /user/emails signs up; the numeric id is the subject', async () => {
    const { sigra } = await withOAuth()
    const email = uniqueEmail('gh')
    const login = ghUser([{ email: uniqueEmail('unverified'), primary: false, verified: false }, { email, primary: true, verified: true }])
    const started = await start(sigra, 'github')
    assert.equal(new URL(started.url).origin + new URL(started.url).pathname, gh.endpoints.authorization)
    assert.equal(started.query.get('code_challenge_method'), 'S256')
    assert.equal(started.query.get('nonce'), null, 'no nonce for a plain OAuth 2.0 provider')
    assert.deepEqual(started.query.get('scope')?.split(' '), ['read:user', 'user:email'])
    const result = await sigra.oauth.callback('github', { url: await gh.authorize(started.url, login), cookie: started.cookie })
    assert.ok(result.ok && result.intent === 'sign_in', JSON.stringify(result))
    assert.equal(result.created, true)
    assert.equal(result.user.email, email)
    const [identity] = await sigra.oauth.identities(result.user)
    assert.equal(identity?.subject, String(gh.users.get(login)!.id))
    assert.equal(identity?.username, login)
    const form = gh.tokenRequests.at(-1)!
    assert.equal(form.get('redirect_uri'), redirectUri('github'))
    assert.match(form.get('code_verifier') ?? '', /^[A-Za-z0-9_-]{64}$/, 'the PKCE verifier goes to the token endpoint')
  })

  test('the GitHub-like provider: an account whose addresses GitHub has not verified cannot sign up (email_unverified)', async () => {
    const { sigra } = await withOAuth()
    const login = ghUser([{ email: uniqueEmail('gh-unverified'), primary: true, verified: false }])
    const started = await start(sigra, 'github')
    const result = await sigra.oauth.callback('github', { url: await gh.authorize(started.url, login), cookie: started.cookie })
    assert.equal(errorOf(result), 'email_unverified')
    assert.equal((await oauthRows(sigra, 'oauth_identities')).length, 0)
  })

  test('MFA applies after an OAuth sign-in: the session is held at the second factor until the code', async () => {
    const clock = testClock(new Date())
    const { sigra } = await env().makeSigra({ clock, features: [mfa({ issuer: 'Acme' }), oauth({ providers: [opProvider()], linkByVerifiedEmail: true })] })
    const enrolled = await enrolledUser(sigra, clock)
    const login = opAccount({ email: enrolled.email, email_verified: true })
    const started = await start(sigra, 'op')
    const result = await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login), cookie: started.cookie })
    assert.ok(result.ok && result.intent === 'sign_in', JSON.stringify(result))
    assert.equal(result.user.id, enrolled.user.id, 'linked by the verified address onto the confirmed account')
    assert.equal(result.mfaRequired, true)
    assert.deepEqual(result.pending, ['mfa'])
    assert.equal(await sigra.sessions.validate(result.token), null, 'not signed in before the second factor')
    const verified = await sigra.mfa.verify(result.token, { code: codeFor(enrolled.key, clock) })
    assert.ok(verified.ok)
    assert.equal((await sigra.sessions.validate(verified.token))?.user.id, enrolled.user.id)
  })

  test('suspended, banned and deleted accounts are refused (account_unavailable); no session is made', async () => {
    const { sigra, clock } = await withOAuth()
    for (const change of [{ status: 'suspended' }, { status: 'banned' }, { delete_at: new Date(Date.now() - 1000), deletion_requested_at: new Date(Date.now() - 86_400_000) }]) {
      const login = opAccount({ email: uniqueEmail('refused'), email_verified: true })
      const first = await start(sigra, 'op')
      const created = await sigra.oauth.callback('op', { url: await signInAtPeer(first.url, login), cookie: first.cookie })
      assert.ok(created.ok)
      await setUser(sigra, created.user.id, change)
      clock.set(new Date())
      const again = await start(sigra, 'op')
      const refused = await sigra.oauth.callback('op', { url: await signInAtPeer(again.url, login), cookie: again.cookie })
      assert.equal(errorOf(refused), 'account_unavailable', JSON.stringify(change))
      const sessions = await sigra.db.selectFrom('sessions').select('id').where('user_id', '=', created.user.id).execute()
      assert.equal(sessions.length, 1, 'only the first sign-in made a session')
    }
  })

  test('a verified address of an existing account is not linked by default: account_exists, nothing attached, nobody signed in', async () => {
    const { sigra } = await withOAuth()
    const existing = await createConfirmedUser(sigra)
    const login = opAccount({ email: existing.email, email_verified: true })
    const started = await start(sigra, 'op')
    const result = await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login), cookie: started.cookie })
    assert.equal(errorOf(result), 'account_exists')
    assert.deepEqual(await sigra.oauth.identities(existing.user), [])
    const failures = await allAuditEvents(sigra, { action: 'oauth.callback_failure' })
    assert.equal(failures[0]?.metadata.reason, 'account_exists')
  })

  test('linkByVerifiedEmail links a verified address onto a confirmed account, signs in, and mails the owner', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const existing = await createConfirmedUser(sigra)
    const login = opAccount({ email: existing.email.toUpperCase(), email_verified: true })
    const started = await start(sigra, 'op')
    const result = await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login), cookie: started.cookie })
    assert.ok(result.ok && result.intent === 'sign_in', JSON.stringify(result))
    assert.equal(result.user.id, existing.user.id)
    assert.equal(result.created, false)
    assert.deepEqual((await sigra.oauth.identities(existing.user)).map((i) => i.provider), ['op'])
    const mail = (await sigra.mail.outbox({ to: existing.email })).at(-1)!
    assert.equal(mail.template, 'oauthLinked')
    assert.match(mail.subject, /Loopback ID was connected/)
    assert.equal((await allAuditEvents(sigra, { userId: existing.user.id, action: 'oauth.link' }))[0]?.metadata.automatic, true)
  })

  test('link from the settings needs sudo and a confirmed account; the linked provider then signs in to that account', async () => {
    const { sigra } = await withOAuth()
    const user = await createConfirmedUser(sigra)
    assert.equal(errorOf(await sigra.oauth.authorizationUrl('github', { link: { session: user.session } })), 'sudo_required')
    const session = await grantSudo(sigra, user.session)
    const started = await start(sigra, 'github', { link: { session } })
    // A GitHub account with another address (even unverified) may be linked explicitly: the owner proved both sides.
    const login = ghUser([{ email: uniqueEmail('other'), primary: true, verified: false }])
    const linked = await sigra.oauth.callback('github', { url: await gh.authorize(started.url, login), cookie: started.cookie })
    assert.ok(linked.ok && linked.intent === 'link', JSON.stringify(linked))
    assert.equal(linked.linked, true)
    assert.equal(linked.user.id, user.user.id)
    assert.equal(linked.returnTo, '/account/settings#linked-accounts')
    assert.equal((await sigra.mail.outbox({ to: user.email })).at(-1)?.template, 'oauthLinked')
    assert.equal(errorOf(await sigra.oauth.authorizationUrl('github', { link: { session } })), 'already_linked')

    const signIn = await start(sigra, 'github')
    const result = await sigra.oauth.callback('github', { url: await gh.authorize(signIn.url, login), cookie: signIn.cookie })
    assert.ok(result.ok && result.intent === 'sign_in')
    assert.equal(result.user.id, user.user.id)

    // The same GitHub account cannot be linked to a second account.
    const other = await createConfirmedUser(sigra, { sudo: true })
    const second = await start(sigra, 'github', { link: { session: other.session } })
    assert.equal(errorOf(await sigra.oauth.callback('github', { url: await gh.authorize(second.url, login), cookie: second.cookie })), 'identity_taken')
  })

  test('unlink needs sudo and refuses the last way to sign in (last_method); a password, another identity or a passkey keeps it possible', async () => {
    // A stand-in for another sign-in feature (passkeys): the guard counts every feature's ways in (`signInMethods`).
    const passkeyCount = { n: 0 }
    const fakePasskeys = defineFeature({ name: 'passkeys', setup: () => ({ signInMethods: async () => passkeyCount.n }) })
    const { sigra } = await env().makeSigra({ clock: testClock(new Date()), features: [oauth({ providers: [opProvider(), ghProvider()] }), fakePasskeys] })
    const login = opAccount({ email: uniqueEmail('only'), email_verified: true })
    const started = await start(sigra, 'op')
    const created = await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login), cookie: started.cookie })
    assert.ok(created.ok && created.intent === 'sign_in')
    const { user, session } = created
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'op', { session })), 'last_method', 'said before sudo is asked')
    const sudo = await grantSudo(sigra, session)
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'op', { session: sudo })), 'last_method')
    passkeyCount.n = 1
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'github', { session: sudo })), 'not_found')

    // A second identity: now one of the two may go, but not both.
    passkeyCount.n = 0
    const linkStart = await start(sigra, 'github', { link: { session: sudo } })
    const linked = await sigra.oauth.callback('github', { url: await gh.authorize(linkStart.url, ghUser([{ email: uniqueEmail('gh2'), primary: true, verified: true }])), cookie: linkStart.cookie })
    assert.ok(linked.ok)
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'op', { session: sudo })), 'ok', 'GitHub remains')
    assert.equal((await sigra.mail.outbox({ to: user.email })).at(-1)?.template, 'oauthUnlinked')
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'github', { session: sudo })), 'last_method')
    // With a passkey, the last identity may go.
    passkeyCount.n = 1
    assert.equal(errorOf(await sigra.oauth.unlink(user, 'github', { session: sudo })), 'ok')
    assert.deepEqual(await sigra.oauth.identities(user), [])
  })

  test('unlink without a fresh sudo is sudo_required when another way to sign in remains', async () => {
    const { sigra } = await withOAuth({ linkByVerifiedEmail: true })
    const user = await createConfirmedUser(sigra)
    const login = opAccount({ email: user.email, email_verified: true })
    const started = await start(sigra, 'op')
    assert.ok((await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login), cookie: started.cookie })).ok)
    assert.equal(errorOf(await sigra.oauth.unlink(user.user, 'op', { session: user.session })), 'sudo_required')
    const session = await grantSudo(sigra, user.session)
    assert.equal(errorOf(await sigra.oauth.unlink(user.user, 'op', { session })), 'ok', 'the password remains')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'oauth.unlink' })).length, 1)
  })

  test('sudo by signing in again at the provider (prompt=login): only with an identity of the signed-in account', async () => {
    const { sigra } = await withOAuth()
    const login = opAccount({ email: uniqueEmail('sudo'), email_verified: true })
    const jar = cookieJar()
    const first = await start(sigra, 'op')
    const created = await sigra.oauth.callback('op', { url: await signInAtPeer(first.url, login, jar), cookie: first.cookie })
    assert.ok(created.ok && created.intent === 'sign_in')
    assert.equal(sigra.sessions.isSudo(created.session), false, 'a fresh OAuth sign-in is not sudo by itself')
    const started = await start(sigra, 'op', { sudo: { session: created.session } })
    assert.equal(started.query.get('prompt'), 'login', 'the provider is asked to authenticate again')
    const sudo = await sigra.oauth.callback('op', { url: await signInAtPeer(started.url, login, jar), cookie: started.cookie, previousToken: created.token })
    assert.ok(sudo.ok && sudo.intent === 'sudo', JSON.stringify(sudo))
    assert.equal(sigra.sessions.isSudo(sudo.session), true)

    // Someone else's provider account does not make this session sudo.
    const other = opAccount({ email: uniqueEmail('other'), email_verified: true })
    const second = await start(sigra, 'op', { sudo: { session: created.session } })
    assert.equal(errorOf(await sigra.oauth.callback('op', { url: await signInAtPeer(second.url, other), cookie: second.cookie })), 'wrong_account')
    assert.equal(errorOf(await sigra.oauth.authorizationUrl('github', { sudo: { session: created.session } })), 'not_linked')
  })

  test('provider tokens: not stored by default; with storeTokens, sealed at rest and readable through oauth.tokens', async () => {
    for (const storeTokens of [false, true]) {
      const { sigra } = await withOAuth({ storeTokens })
      const login = ghUser([{ email: uniqueEmail('tokens'), primary: true, verified: true }])
      const started = await start(sigra, 'github')
      const result = await sigra.oauth.callback('github', { url: await gh.authorize(started.url, login), cookie: started.cookie })
      assert.ok(result.ok && result.intent === 'sign_in')
      const [row] = await oauthRows(sigra, 'oauth_identities')
      const tokens = await sigra.oauth.tokens(result.user, 'github')
      if (!storeTokens) {
        assert.equal(row!.access_token_sealed, null)
        assert.equal(errorOf(tokens), 'not_stored')
        continue
      }
      assert.ok(tokens.ok)
      assert.match(tokens.accessToken, /^gho_[0-9a-f]{32}$/)
      const sealed = Buffer.from(row!.access_token_sealed as Uint8Array)
      assert.ok(!sealed.toString('latin1').includes(tokens.accessToken), 'never in plain text at rest')
      assert.ok(!JSON.stringify(await sigra.oauth.identities(result.user)).includes(tokens.accessToken))
    }
  })

  test('identities are in the data export (never tokens) and go when the account is deleted', async () => {
    const { sigra, clock } = await withOAuth({ storeTokens: true })
    const user = await createConfirmedUser(sigra)
    const session = await grantSudo(sigra, user.session)
    const started = await start(sigra, 'github', { link: { session } })
    const login = ghUser([{ email: user.email, primary: true, verified: true }])
    assert.ok((await sigra.oauth.callback('github', { url: await gh.authorize(started.url, login), cookie: started.cookie })).ok)
    const exported = await sigra.account.exportUserData(user.user, { session })
    assert.ok(exported.ok)
    const part = (exported.data as { features: Record<string, { identities: Array<Record<string, unknown>> }> }).features.oauth!
    assert.deepEqual(part.identities.map((i) => [i.provider, i.username]), [['github', login]])
    assert.ok(!JSON.stringify(exported).includes('gho_'), 'no provider token in the export')

    const scheduled = await sigra.account.scheduleDeletion(user.user, { session })
    assert.ok(scheduled.ok)
    assert.equal((await oauthRows(sigra, 'oauth_spent_states')).length, 1, 'the spent state is kept while it could still be replayed')
    clock.advance(60 * 86_400)
    const report = await sigra.jobs.runDue()
    assert.equal((await oauthRows(sigra, 'oauth_identities')).length, 0)
    assert.equal((await oauthRows(sigra, 'oauth_spent_states')).length, 0, 'and forgotten by the sweep once expired')
    assert.equal((report as unknown as { features: Record<string, unknown> }).features['oauth.spentStates'], 1)
  })

  test('the HTTP surface: provider list, link and unlink over JSON, the OpenAPI entries', async () => {
    const { sigra } = await withOAuth()
    const providers = await json(await call(sigra, 'GET', '/auth/oauth/providers'))
    assert.deepEqual(providers.providers, [{ id: 'op', name: OP.name, kind: 'oidc' }, { id: 'github', name: 'GitHub', kind: 'oauth2' }])
    const user = await createConfirmedUser(sigra)
    const refused = await call(sigra, 'POST', '/auth/oauth/github/link', { token: user.token, body: {} })
    assert.equal(refused.status, 403)
    assert.equal((await json(refused)).error, 'sudo_required')
    await grantSudo(sigra, user.session)
    const linkResponse = await call(sigra, 'POST', '/auth/oauth/github/link', { token: user.token, body: {} })
    assert.equal(linkResponse.status, 200)
    const { url } = (await json(linkResponse)) as unknown as { url: string }
    const stateCookie = linkResponse.headers.get('set-cookie')!.split(';')[0]!
    const back = new URL(await gh.authorize(url, ghUser([{ email: uniqueEmail('j'), primary: true, verified: true }])))
    const done = await call(sigra, 'GET', `${back.pathname}${back.search}`, { headers: { accept: 'text/html', cookie: `${stateCookie}; sigra_session=${user.token}` } })
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings?connected=github#linked-accounts')
    const list = await json(await call(sigra, 'GET', '/auth/oauth/identities', { token: user.token }))
    assert.deepEqual((list.identities as Array<{ provider: string }>).map((i) => i.provider), ['github'])
    assert.equal((await call(sigra, 'DELETE', '/auth/oauth/identities/github', { token: user.token })).status, 200)
    assert.equal((await call(sigra, 'DELETE', '/auth/oauth/identities/github', { token: user.token })).status, 404)

    const doc = (await json(await call(sigra, 'GET', '/auth/openapi.json'))) as unknown as { paths: Record<string, Record<string, unknown>> }
    for (const path of ['/auth/oauth/{provider}/start', '/auth/oauth/{provider}/callback', '/auth/oauth/identities', '/auth/oauth/identities/{provider}', '/auth/oauth/{provider}/link']) {
      assert.ok(doc.paths[path], `${path} is documented: ${Object.keys(doc.paths).filter((p) => p.includes('oauth')).join(', ')}`)
    }
    assert.ok(doc.paths['/auth/oauth/{provider}/callback']!.post, 'the form_post callback too')
  })
})
