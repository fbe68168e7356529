import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { magicLink } from 'sigra/magic-link'
import { github, oauth, oidc } from 'sigra/oauth'
import { createConfirmedUser, grantSudo, testClock } from 'sigra/testing'
import { startGitHubPeer, type GitHubPeer } from './support/github-peer.ts'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'
import { call } from './support/http-client.ts'
import { startHostileOidc, type HostileOidc } from './support/hostile-oidc.ts'
import { GH } from './support/oauth-helpers.ts'
import { inputValue, page } from './support/web-browser.ts'
import { nextIp } from './support/http-client.ts'

// The reference pages: provider buttons on log-in and sign-up, the error page, the connected
// accounts section (connect, disconnect, the last-method guard), sudo for an account without a
// password, and the form_post callback, driven through `sigra.handler` like a browser.

/**
 * A browser for these pages with a whole cookie jar (the session and the OAuth state cookie side by
 * side), calling `sigra.handler` directly, same-origin form posts, no redirects followed.
 */
function browser(sigra: { handler(request: Request, info?: { ip?: string | null }): Promise<Response> }, options: { token?: string } = {}) {
  const jar = new Map<string, string>(options.token ? [['sigra_session', options.token]] : [])
  const request = async (method: string, path: string, form?: Record<string, string>, extra: Record<string, string> = {}) => {
    const headers = new Headers({ 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', accept: 'text/html', ...extra })
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    let body: string | undefined
    if (form) {
      body = new URLSearchParams(form).toString()
      headers.set('content-type', 'application/x-www-form-urlencoded')
      headers.set('origin', 'http://localhost:3000')
    }
    const response = await sigra.handler(new Request(new URL(path, 'http://localhost:3000'), { method, headers, ...(body !== undefined ? { body } : {}) }), { ip: nextIp() })
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      if (value === '' || /Max-Age=0/i.test(line)) jar.delete(name)
      else jar.set(name, value)
    }
    return response
  }
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, form: Record<string, string> = {}) => request('POST', path, form),
    token: () => jar.get('sigra_session') ?? null,
    cookie: (name: string) => jar.get(name) ?? null,
  }
}

describeEachBackend('oauth pages', (env) => {
  let idp: HostileOidc
  let gh: GitHubPeer
  before(async () => {
    idp = await startHostileOidc({ 'client-a': 'secret-a-0123456789abcdef' })
    gh = await startGitHubPeer({ [GH.clientId]: GH.clientSecret })
  })
  after(async () => {
    await idp?.stop()
    await gh?.stop()
  })
  const withPages = (options: { linkByVerifiedEmail?: boolean; signUp?: boolean } = {}) =>
    env().makeSigra({
      clock: testClock(new Date()),
      features: [
        oauth({ providers: [oidc({ id: 'idp', name: 'Acme ID', issuer: idp.issuer, clientId: 'client-a', clientSecret: 'secret-a-0123456789abcdef' }), github({ ...GH, endpoints: gh.endpoints })], ...options }),
        magicLink(),
      ],
    })
  const account = (claims: Record<string, unknown> = {}) => {
    const login = `p-${Math.random().toString(36).slice(2, 10)}`
    idp.accounts.set(login, { email: uniqueEmail(login), email_verified: true, ...claims })
    return login
  }
  /**
   * Where a response sends the browser to the provider: a 303 (the start endpoint, a link), or, after
   * a form post (the pages' CSP keeps form submissions on this origin), a page that moves on by itself
   * (`Refresh`) and shows the link.
   */
  const providerUrl = (response: Response): string => {
    if (response.status === 303) return response.headers.get('location')!
    assert.equal(response.status, 200)
    const refresh = /^0; url=(.+)$/.exec(response.headers.get('refresh') ?? '')
    assert.ok(refresh, 'a Refresh header to the provider')
    return refresh[1]!
  }
  /** Follows a start (or link) redirect through the provider back to the callback, in the browser `b`. */
  const through = async (b: ReturnType<typeof browser>, startResponse: Response, login: string) => {
    assert.ok(b.cookie('sigra_oauth'), 'the state cookie is set')
    const location = providerUrl(startResponse)
    const back = new URL(location.startsWith(gh.url) ? await gh.authorize(location, login) : await idp.authorize(location, login))
    const done = await b.get(`${back.pathname}${back.search}`)
    assert.equal(b.cookie('sigra_oauth'), null, 'the state cookie is cleared')
    return done
  }

  test('the log-in page offers “Continue with” each provider, the sign-up page “Sign up with”; both plain links to the start endpoint', async () => {
    const { sigra } = await withPages()
    const logIn = await page(await call(sigra, 'GET', '/account/log-in', { headers: { accept: 'text/html' } }))
    assert.match(logIn.main, /<h2 id="oauth-log-in-title">Or continue with<\/h2>/)
    assert.match(logIn.main, /<a class="button secondary" href="\/auth\/oauth\/idp\/start" data-oauth-provider="idp">Continue with Acme ID<\/a>/)
    assert.match(logIn.main, /<a class="button secondary" href="\/auth\/oauth\/github\/start" data-oauth-provider="github">Continue with GitHub<\/a>/)
    const signUp = await page(await call(sigra, 'GET', '/account/sign-up', { headers: { accept: 'text/html' } }))
    assert.match(signUp.main, />Sign up with Acme ID<\/a>/)
    assert.match(signUp.main, />Sign up with GitHub<\/a>/)
    const { sigra: closed } = await withPages({ signUp: false })
    const noSignUp = await page(await call(closed, 'GET', '/account/sign-up', { headers: { accept: 'text/html' } }))
    assert.doesNotMatch(noSignUp.main, /Sign up with/, 'no provider sign-up without signUp')
  })

  test('a browser signs in through a provider button and lands on the settings, where the connected account is listed', async () => {
    const { sigra } = await withPages()
    const b = browser(sigra)
    const login = account()
    const done = await through(b, await b.get('/auth/oauth/idp/start'), login)
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings')
    assert.ok(b.token(), 'the session cookie is set')
    const settings = await page(await b.get('/account/settings'))
    assert.match(settings.main, /<h2 id="linked-accounts-title">Connected accounts<\/h2>/)
    assert.match(settings.main, /<strong>Acme ID<\/strong> · p-/)
    assert.match(settings.main, /aria-label="Disconnect Acme ID"/)
    assert.match(settings.main, />Connect GitHub<\/button>/)
    assert.match(settings.main, />Confirm it is you with Acme ID<\/button>/, 'an account without a password is offered sudo through its provider')
  })

  test('“this email already has an account”: the error page explains in words, with the way forward', async () => {
    const { sigra } = await withPages()
    const existing = await createConfirmedUser(sigra)
    const b = browser(sigra)
    const done = await through(b, await b.get('/auth/oauth/idp/start'), account({ email: existing.email }))
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/oauth/error?error=account_exists&provider=idp')
    assert.equal(b.token(), null)
    const shown = await b.get(done.headers.get('location')!)
    assert.equal(shown.status, 409)
    const { main } = await page(shown)
    assert.match(main, /<h1>This email address already has an account<\/h1>/)
    assert.match(main, /Log in to it the way you usually do \(or reset its password\), then connect Acme ID from your settings\./)
    assert.match(main, /href="\/account\/forgot-password">Forgot your password\?/)
    // The page never echoes what it is given.
    const forged = await page(await b.get('/account/oauth/error?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&provider=%3Cimg%3E'))
    assert.doesNotMatch(forged.html, /<script>alert|<img>/)
    assert.match(forged.main, /the provider did not complete the sign-in/i)
  })

  test('cancelled at the provider: the error page says so, and nothing changed', async () => {
    const { sigra } = await withPages()
    const b = browser(sigra)
    const started = await b.get('/auth/oauth/idp/start')
    const state = new URL(providerUrl(started)).searchParams.get('state')!
    const done = await b.get(`/auth/oauth/idp/callback?error=access_denied&error_description=%3Cb%3Eno%3C%2Fb%3E&state=${state}`)
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/oauth/error?error=provider_error&provider=idp&reason=access_denied')
    const { main, html } = await page(await b.get(done.headers.get('location')!))
    assert.match(main, /The sign-in was cancelled at Acme ID\. Nothing was changed\./)
    assert.doesNotMatch(html, /<b>no<\/b>/, 'the provider’s description is never shown')
    assert.equal(b.token(), null)
  })

  test('connect from the settings: the password prompt first (sudo), then the provider; back with “GitHub is connected”', async () => {
    const { sigra } = await withPages()
    const user = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: user.token })
    const prompt = await b.post('/account/oauth/link', { provider: 'github' })
    assert.equal(prompt.status, 403)
    const promptPage = await page(prompt)
    assert.match(promptPage.main, /Confirm it is you to connect an account/)
    const resumed = await b.post('/account/sudo', { password: user.password!, resume: inputValue(promptPage.html, 'resume') ?? '', 'resume.provider': inputValue(promptPage.html, 'resume.provider') ?? '' })
    const gitHubLogin = `octo${Date.now()}`
    gh.users.set(gitHubLogin, { id: Date.now(), login: gitHubLogin, name: null, emails: [{ email: uniqueEmail('gh'), primary: true, verified: true }] })
    const done = await through(b, resumed, gitHubLogin)
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings?connected=github#linked-accounts')
    const shown = await b.get(done.headers.get('location')!)
    assert.equal(shown.status, 200, `${shown.status} ${shown.headers.get('location')}`)
    const settings = await page(shown)
    assert.match(settings.main, /GitHub is connected: you can sign in with it\./)
    assert.match(settings.main, /aria-label="Disconnect GitHub"/)
  })

  test('disconnect: refused in the section when it is the last way to sign in; allowed once another remains', async () => {
    const { sigra } = await withPages()
    const b = browser(sigra)
    const login = account()
    await through(b, await b.get('/auth/oauth/idp/start'), login)
    const refused = await b.post('/account/oauth/unlink', { provider: 'idp' })
    assert.equal(refused.status, 409)
    const { main } = await page(refused)
    assert.match(main, /Acme ID is the only way left to sign in to your account\. Set a password or connect another account first\./)
    assert.match(main, /role="alert"/)
    // Another way in (GitHub, connected with a fresh sudo): now Acme ID may go.
    const session = { id: b.token()!.split('.')[0]! }
    const sudo = await grantSudo(sigra, session)
    const linkStart = await sigra.oauth.authorizationUrl('github', { link: { session: sudo } })
    assert.ok(linkStart.ok)
    const gitHubLogin = `octo${Date.now()}x`
    gh.users.set(gitHubLogin, { id: Date.now() + 1, login: gitHubLogin, name: null, emails: [{ email: uniqueEmail('gh'), primary: true, verified: true }] })
    assert.ok((await sigra.oauth.callback('github', { url: await gh.authorize(linkStart.url, gitHubLogin), cookie: linkStart.cookie })).ok)
    const allowed = await b.post('/account/oauth/unlink', { provider: 'idp' })
    assert.equal(allowed.status, 303)
    assert.equal(allowed.headers.get('location'), '/account/settings?disconnected=idp#linked-accounts')
    const settings = await page(await b.get('/account/settings?disconnected=idp'))
    assert.match(settings.main, /Acme ID was disconnected\./)
    assert.doesNotMatch(settings.main, /aria-label="Disconnect Acme ID"/)
  })

  test('an account without a password confirms it is you with its provider; the sudo round trip renews the session and returns to the settings', async () => {
    const { sigra } = await withPages()
    const b = browser(sigra)
    const login = account()
    await through(b, await b.get('/auth/oauth/idp/start'), login)
    const before = b.token()
    // Connecting another provider asks who you are: with the connected provider, not a password.
    const asked = await b.post('/account/oauth/link', { provider: 'github' })
    assert.equal(asked.status, 403)
    const askedPage = await page(asked)
    assert.match(askedPage.main, /Your account has no password, so confirm it is you by signing in again with a connected account/)
    assert.match(askedPage.main, />Confirm with Acme ID<\/button>/)
    const startSudo = await b.post('/account/oauth/sudo', { provider: 'idp', return_to: '/account/settings#linked-accounts' })
    assert.ok(idp.requests.length > 0)
    const done = await through(b, startSudo, login)
    assert.equal(idp.requests.at(-1)!.get('prompt'), 'login')
    assert.equal(done.status, 303)
    assert.equal(done.headers.get('location'), '/account/settings#linked-accounts')
    assert.notEqual(b.token(), before, 'the session token is renewed')
    const settings = await page(await b.get('/account/settings'))
    assert.match(settings.main, /sensitive changes are allowed for a few minutes/)
    // Now connecting goes straight to the provider.
    const link = await b.post('/account/oauth/link', { provider: 'github' })
    assert.ok(providerUrl(link).startsWith(gh.endpoints.authorization))
    const leaving = await page(link)
    assert.match(leaving.main, /<h1>Continue to GitHub<\/h1>/)
    assert.match(leaving.main, /<a class="button" href="http:\/\/127\.0\.0\.1:\d+\/login\/oauth\/authorize\?[^"]+" autofocus>Continue to GitHub<\/a>/)
  })

  test('form_post callback (Apple style): a cross-site POST is not refused as CSRF; it redirects to the GET callback, where the state cookie binds it', async () => {
    const { sigra } = await withPages()
    const started = await sigra.oauth.authorizationUrl('idp')
    assert.ok(started.ok)
    const back = new URL(await idp.authorize(started.url, account()))
    const form = Object.fromEntries(back.searchParams)
    const posted = await call(sigra, 'POST', '/auth/oauth/idp/callback', { form: { ...form, user: '{"name":{"firstName":"Ada"}}', extra: 'dropped' }, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://appleid.apple.com' } })
    assert.equal(posted.status, 303)
    const location = new URL(posted.headers.get('location')!, 'http://localhost:3000')
    assert.equal(location.pathname, '/auth/oauth/idp/callback')
    assert.deepEqual([...location.searchParams.keys()].sort(), ['code', 'iss', 'state', 'user'])
    assert.equal(posted.headers.get('set-cookie'), null, 'the POST itself changes nothing')
    const done = await call(sigra, 'GET', `${location.pathname}${location.search}`, { headers: { accept: 'text/html', cookie: `sigra_oauth=${started.cookie}` } })
    assert.equal(done.status, 303)
    assert.ok(done.headers.getSetCookie().some((c) => c.startsWith('sigra_session=')))
    // Other POST routes keep their CSRF check.
    const user = await createConfirmedUser(sigra)
    await grantSudo(sigra, user.session)
    const crossSite = await call(sigra, 'POST', '/auth/oauth/github/link', { token: user.token, body: {}, headers: { 'sec-fetch-site': 'cross-site' } })
    assert.equal(crossSite.status, 403)
  })
})
