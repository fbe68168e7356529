import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { camera, chromiumMissing, freshArtifacts, launchChromium } from './support/browser-demo.ts'
import { startOAuthDemo, type OAuthDemo } from './support/oauth-demo.ts'

// Issue 10's journey in Debian's Chromium: "Continue with Loopback ID" through the real OpenID
// provider's own login and consent pages (panva's oidc-provider on loopback), connect GitHub (the
// GitHub-like peer) from the settings after confirming it is you with the provider (the account has
// no password), disconnect it, the last-method guard, then sign in by magic link from the dev
// mailbox. Real time; every wait is for an event (a navigation, an element), never a duration.

const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' }
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const ARTIFACTS = new URL('../test-artifacts/browser-oauth', import.meta.url).pathname
const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`

let demo: OAuthDemo | null = null
let browser: Browser | null = null
const shots = camera(1, ARTIFACTS)

describe('OAuth and magic links in a real browser', () => {
  before(async () => {
    if (chromiumMissing()) return
    await freshArtifacts(ARTIFACTS)
    demo = await startOAuthDemo()
    browser = await launchChromium()
  }, { timeout: 240_000 })

  after(async () => {
    await browser?.close().catch(() => undefined)
    await demo?.stop()
  }, { timeout: 60_000 })

  const scriptErrors: string[] = []
  const newPage = async (context: BrowserContext): Promise<Page> => {
    // Nothing leaves the machine (the provider's page imports a web font).
    await context.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, (route) => route.abort())
    const page = await context.newPage()
    page.on('pageerror', (error) => scriptErrors.push(`${new URL(page.url()).pathname}: ${error.message}`))
    // The pages' script asks "Disconnect …?" before a disconnect: the person says yes.
    page.on('dialog', (dialog) => void dialog.accept())
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    return page
  }
  const where = (page: Page) => {
    const url = new URL(page.url())
    return `${url.origin === demo!.origin ? '' : url.origin}${url.pathname}${url.search}${url.hash}`
  }
  async function assertFits(page: Page, what: string): Promise<void> {
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }))
    assert.ok(scrollWidth <= clientWidth, `${what} is ${scrollWidth}px wide in a ${clientWidth}px viewport`)
  }
  /** The provider's own login page (any login, any password), then its consent page when it asks. */
  async function signInAtProvider(page: Page, login: string, shot: string): Promise<void> {
    await page.waitForURL((url) => url.origin === demo!.op.issuer)
    await page.locator('input[name="login"]').waitFor()
    await page.locator('input[name="login"]').fill(login)
    await page.locator('input[name="password"]').fill('any password')
    await shots.shoot(page, shot)
    await page.getByRole('button', { name: 'Sign-in' }).click()
    await page.waitForURL((url) => url.origin !== demo!.op.issuer || url.pathname.includes('/interaction/'))
    if (new URL(page.url()).origin === demo!.op.issuer) {
      await page.getByRole('button', { name: 'Continue' }).waitFor()
      await shots.shoot(page, `${shot}-consent`)
      await page.getByRole('button', { name: 'Continue' }).click()
    }
    await page.waitForURL((url) => url.origin === demo!.origin)
  }

  test('sign in with the loopback provider → connect GitHub from the settings → disconnect (the guard on the last one) → sign in by magic link', { timeout: 300_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    assert.ok(demo && browser)
    const { origin } = demo
    scriptErrors.length = 0
    const login = `ada-${stamp}`
    const email = `${login}@example.com`
    demo.op.accounts.set(login, { email, email_verified: true, name: 'Ada Lovelace' })
    const gitHubLogin = `octo-${stamp}`
    demo.gh.users.set(gitHubLogin, { id: 424242, login: gitHubLogin, name: 'Octo Cat', emails: [{ email: `octo-${stamp}@example.com`, primary: true, verified: true }] })
    demo.gh.signedIn = gitHubLogin

    const context = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    try {
      const page = await newPage(context)

      // The log-in page offers the providers under the form; keyboard reaches them.
      await page.goto(`${origin}/account/log-in`)
      await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
      const continueWith = page.getByRole('link', { name: 'Continue with Loopback ID' })
      assert.equal(await continueWith.count(), 1)
      assert.equal(await page.getByRole('link', { name: 'Continue with GitHub' }).count(), 1)
      assert.equal(await page.getByRole('link', { name: 'Email me a sign-in link' }).count(), 1)
      await continueWith.focus()
      await shots.shoot(page, 'log-in-with-providers')
      await page.keyboard.press('Enter')

      // The provider's real login and consent pages, then back: a new account, signed in.
      await signInAtProvider(page, login, 'provider-login')
      await page.waitForURL(`${origin}/account/settings`)
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      const section = page.getByRole('region', { name: 'Connected accounts' })
      const listed = section.getByRole('list', { name: 'Your connected accounts' })
      assert.match(await listed.innerText(), /Loopback ID · ada-/)
      await section.scrollIntoViewIfNeeded()
      await shots.shoot(page, 'settings-signed-in-with-provider')

      // Connect GitHub: the account has no password, so it confirms with its provider first.
      await section.getByRole('button', { name: 'Connect GitHub' }).click()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to connect an account' }).waitFor()
      await shots.shoot(page, 'confirm-with-provider')
      await page.getByRole('button', { name: 'Confirm with Loopback ID' }).click()
      await signInAtProvider(page, login, 'provider-login-again')
      await page.waitForURL(`${origin}/account/settings#linked-accounts`)
      await page.getByText('Your password was confirmed recently').waitFor()
      await section.getByRole('button', { name: 'Connect GitHub' }).click()
      await page.waitForURL((url) => url.origin === demo!.gh.url)
      await page.getByRole('heading', { level: 1, name: 'Authorize Acme' }).waitFor()
      await shots.shoot(page, 'github-authorize')
      await page.getByRole('button', { name: 'Authorize' }).click()
      await page.waitForURL(`${origin}/account/settings?connected=github#linked-accounts`)
      await section.getByText('GitHub is connected: you can sign in with it.').waitFor()
      assert.match(await listed.innerText(), /GitHub · octo-/)
      await shots.shoot(page, 'settings-github-connected')

      // Disconnect GitHub (sudo still fresh); then Loopback ID is the last way in: refused, said in place.
      await section.getByRole('button', { name: 'Disconnect GitHub' }).click()
      await page.waitForURL(`${origin}/account/settings?disconnected=github#linked-accounts`)
      await section.getByText('GitHub was disconnected.').waitFor()
      await section.getByRole('button', { name: 'Disconnect Loopback ID' }).click()
      const guard = page.getByRole('alert').filter({ hasText: 'Loopback ID is the only way left to sign in to your account. Set a password or connect another account first.' })
      await guard.waitFor()
      assert.equal(where(page), '/account/oauth/unlink', 'answered in place')
      assert.equal(await listed.getByRole('listitem').count(), 1, 'still connected')
      await shots.shoot(page, 'settings-last-method-guard')

      // On a phone the settings section fits.
      await page.setViewportSize(PHONE)
      await page.goto(`${origin}/account/settings#linked-accounts`)
      await assertFits(page, 'the settings page on a phone')
      await shots.shoot(page, 'phone-settings')
      await page.setViewportSize(DESKTOP)

      // Log out; sign in by magic link from the dev mailbox.
      await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click()
      await page.waitForURL(/\/account\/log-in\?notice=logged_out$/)
      await page.getByRole('link', { name: 'Email me a sign-in link' }).click()
      await page.getByRole('heading', { level: 1, name: 'Sign in with a link' }).waitFor()
      await page.keyboard.type(email)
      await shots.shoot(page, 'magic-link-request')
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { level: 1, name: 'Check your mail' }).waitFor()
      await shots.shoot(page, 'magic-link-sent')
      await page.goto(`${origin}/dev/mailbox`)
      const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Your sign-in link for Acme', exact: true }) }).filter({ hasText: email }).first()
      await mail.waitFor()
      await shots.shoot(page, 'mailbox-magic-link')
      await mail.getByRole('link', { name: /\/account\/magic-link\/sign-in\?token=/ }).first().click()
      await page.getByRole('heading', { level: 1, name: 'Sign in with a link' }).waitFor()
      assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 1, 'opening the link only shows a button')
      await shots.shoot(page, 'magic-link-open')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${origin}/account/settings`)
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      await shots.shoot(page, 'settings-after-magic-link')
      assert.deepEqual(scriptErrors, [], 'the pages’ script ran without errors')
    } finally {
      await context.close()
    }
  })
})
