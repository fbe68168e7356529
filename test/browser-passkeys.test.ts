import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, CDPSession, Locator, Page } from 'playwright-core'
import { base32Decode, timeStep, totpAt } from 'sigra/mfa'
import { camera, chromiumMissing, freshArtifacts, launchChromium } from './support/browser-demo.ts'
import { startPasskeyDemo, type PasskeyDemo } from './support/passkey-demo.ts'

// Passkeys in Debian's Chromium against `sigra demo` (passkeys({ rpName: 'Sigra demo' }) beside mfa()),
// with Chromium's virtual authenticator (DevTools protocol: WebAuthn.addVirtualAuthenticator, CTAP2,
// internal transport, resident keys, user verification) standing in for the device. Real time:
// every wait below waits for an event (a navigation, an element), never for a duration.
//
// Conditional mediation: headless Chromium reports it available, and its virtual authenticator
// answers a conditional request by itself (no autofill dropdown to pick from). So on a log-in page
// the passkey autofill signs in on its own; the steps that must type a password (or click the
// button) first tell the page that conditional mediation is unavailable, through an init script,
// as a browser without it would.

const APP = 'Sigra demo'
const PASSWORD = 'correct horse battery staple'
const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light', viewport: { width: 1280, height: 800 } }
const ARTIFACTS = new URL('../test-artifacts/browser-passkeys', import.meta.url).pathname
const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let demo: PasskeyDemo | null = null
let browser: Browser | null = null
const shots = camera(1, ARTIFACTS)

describe('passkeys in a real browser (virtual authenticator)', () => {
  before(async () => {
    if (chromiumMissing()) return
    await freshArtifacts(ARTIFACTS)
    demo = await startPasskeyDemo()
    browser = await launchChromium()
  }, { timeout: 240_000 })

  after(async () => {
    await browser?.close().catch(() => undefined)
    await demo?.stop()
  }, { timeout: 60_000 })

  const running = () => {
    assert.ok(demo && browser, 'the demo and Chromium were started in before()')
    return { demo, browser }
  }

  const scriptErrors: string[] = []
  const csp: string[] = []

  /** A page with its own virtual authenticator, and a switch for conditional mediation (see the header). */
  async function device(context: BrowserContext) {
    // Conditional mediation answers `false` while localStorage says so: "a browser without passkey autofill".
    await context.addInitScript(() => {
      if (window.localStorage.getItem('no-autofill') === '1' && window.PublicKeyCredential) {
        window.PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false)
      }
      // Which mediation each passkey request asked for, kept for the tab (to tell the autofill from the button).
      if (navigator.credentials) {
        const get = navigator.credentials.get.bind(navigator.credentials)
        navigator.credentials.get = (options?: CredentialRequestOptions) => {
          const calls = JSON.parse(window.sessionStorage.getItem('webauthn-get') ?? '[]') as string[]
          window.sessionStorage.setItem('webauthn-get', JSON.stringify([...calls, options?.mediation ?? 'optional']))
          return get(options)
        }
      }
    })
    const page = await context.newPage()
    page.on('pageerror', (error) => scriptErrors.push(`${new URL(page.url()).pathname}: ${error.message}`))
    page.on('console', (message) => { if (/Content Security Policy|Refused to/.test(message.text())) csp.push(message.text()) })
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    const cdp: CDPSession = await context.newCDPSession(page)
    await cdp.send('WebAuthn.enable', { enableUI: false })
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    })
    return {
      page,
      credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
      autofill: async (on: boolean) => page.evaluate((on) => (on ? window.localStorage.removeItem('no-autofill') : window.localStorage.setItem('no-autofill', '1')), on),
    }
  }

  const where = (page: Page) => {
    const url = new URL(page.url())
    return `${url.pathname}${url.search}${url.hash}`
  }

  async function openMail(page: Page, origin: string, to: string, subject: string): Promise<Locator> {
    await page.goto(`${origin}/dev/mailbox`)
    await page.getByRole('heading', { level: 1, name: 'Dev mailbox' }).waitFor()
    const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: subject, exact: true }) }).filter({ hasText: to }).first()
    await mail.waitFor()
    return mail
  }

  async function signUpAndConfirm(page: Page, origin: string, email: string): Promise<void> {
    await page.goto(`${origin}/account/sign-up`)
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=check_email/)
    const mail = await openMail(page, origin, email, `Confirm your email for ${APP}`)
    await mail.getByRole('link', { name: new RegExp(`^${escape(origin)}/account/confirm\\?token=`) }).click()
    await page.getByRole('button', { name: 'Confirm my email' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
  }

  /** Password log-in through the form (passkey autofill off on this page); answers where it landed. */
  async function passwordLogIn(d: Awaited<ReturnType<typeof device>>, origin: string, email: string): Promise<string> {
    const { page } = d
    await d.autofill(false)
    await page.goto(`${origin}/account/log-in`)
    await page.getByLabel('Email address or username').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL((url) => url.pathname !== '/account/log-in')
    await page.locator('h1').waitFor()
    return where(page)
  }

  async function logOut(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=logged_out$/)
  }

  /** What the server says about this browser's session (its `amr`, `pending`), asked with the context's cookies. */
  const session = async (page: Page) => (await (await page.context().request.get(new URL('/auth/session', page.url()).href)).json()) as { ok: boolean; session?: { amr: string[] }; pending?: string[] }

  const passkeySection = (page: Page) => page.getByRole('region', { name: 'Passkeys' })

  test('add a passkey behind the password prompt → sign in with it (button, then autofill) → second factor after MFA → the last-method guard → remove it', { timeout: 300_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    const email = `passkeys-${stamp}@example.com`
    const a = await browser.newContext(CONTEXT)
    const b = await browser.newContext(CONTEXT)
    try {
      const alice = await device(a)
      const page = alice.page
      page.on('dialog', (dialog) => void dialog.accept())
      await signUpAndConfirm(page, origin, email)
      assert.equal(await passwordLogIn(alice, origin, email), '/account/settings')
      await passkeySection(page).scrollIntoViewIfNeeded()
      assert.ok((await passkeySection(page).innerText()).includes('No passkey yet.'))
      await shots.shoot(page, 'settings-no-passkey')

      // Register: "Add a passkey" → the password prompt in place → the ceremony page → the list.
      await passkeySection(page).getByRole('button', { name: 'Add a passkey' }).click()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to add a passkey' }).waitFor()
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await shots.shoot(page, 'add-passkey-sudo-prompt')
      await page.getByRole('button', { name: 'Confirm' }).click()
      await page.getByRole('heading', { level: 1, name: 'Add a passkey' }).waitFor()
      await page.getByRole('button', { name: 'Create passkey' }).waitFor()
      assert.equal(await page.locator('[data-passkey-fallback]').isHidden(), true, 'WebAuthn is there: no fallback text')
      await page.getByLabel('Name (optional)').fill('Chromium on the test runner')
      await shots.shoot(page, 'add-passkey-ceremony')
      await page.getByRole('button', { name: 'Create passkey' }).click()
      await page.waitForURL(/\/account\/settings#passkeys$/)
      const listed = await passkeySection(page).innerText()
      assert.ok(listed.includes('Chromium on the test runner'), listed)
      assert.ok(listed.includes('never used'), listed)
      const stored = await alice.credentials()
      assert.equal(stored.length, 1, 'the virtual authenticator holds one credential')
      assert.equal(stored[0]!.isResidentCredential, true, 'discoverable')
      assert.equal(stored[0]!.rpId, 'localhost')
      await shots.shoot(page, 'settings-passkey-added')
      const added = await openMail(page, origin, email, `A passkey was added to your ${APP} account`)
      assert.ok((await added.innerText()).includes('Chromium on the test runner'))
      await page.goto(`${origin}/account/settings`)

      // Sign in with the passkey, no password: the button (autofill off on this page).
      await logOut(page)
      await alice.autofill(false)
      await page.goto(`${origin}/account/log-in`)
      const button = page.getByRole('button', { name: 'Sign in with a passkey' })
      await button.waitFor()
      assert.equal(await page.getByLabel('Email address or username').getAttribute('autocomplete'), 'username webauthn')
      await shots.shoot(page, 'log-in-passkey-button')
      await button.click()
      await page.waitForURL(`${origin}/account/settings`)
      assert.deepEqual((await session(page)).session?.amr, ['hwk', 'user'], 'a verified passkey: two factors at once')
      assert.ok((await passkeySection(page).innerText()).includes('last used'))
      await shots.shoot(page, 'settings-after-passkey-sign-in')

      // The autofill (conditional mediation) on the login field: nothing clicked, nothing typed.
      await logOut(page)
      await alice.autofill(true)
      await page.goto(`${origin}/account/log-in`)
      // Either the autofill request is answered (the page goes on to the settings) or the script says it is unavailable.
      await Promise.race([page.waitForURL(`${origin}/account/settings`), page.locator('[data-passkey-login][data-autofill="off"]').waitFor()])
      if (where(page) === '/account/settings') {
        assert.deepEqual((await session(page)).session?.amr, ['hwk', 'user'])
        assert.equal(await page.evaluate(() => (JSON.parse(window.sessionStorage.getItem('webauthn-get') ?? '[]') as string[]).at(-1)), 'conditional', 'the sign-in came from the autofill request')
        t.diagnostic('conditional mediation: available headless; the virtual authenticator answered the autofill request itself')
        await shots.shoot(page, 'settings-after-autofill-sign-in')
      } else {
        t.diagnostic('conditional mediation: not available in this headless Chromium; the autofill path was not exercised')
      }

      // Turn MFA on (the app's code from the key the page shows), then a password log-in is held at the challenge.
      await page.goto(`${origin}/account/settings`)
      await page.getByRole('region', { name: 'Two-factor authentication' }).getByRole('link', { name: 'Set up two-factor authentication' }).click()
      await page.getByRole('button', { name: 'Start' }).click()
      const prompt = page.getByRole('heading', { level: 1, name: 'Confirm it is you to set up two-factor authentication' })
      const scan = page.getByRole('heading', { level: 1, name: 'Scan the code' })
      await prompt.or(scan).waitFor()
      if (await prompt.isVisible()) {
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
        await page.getByRole('button', { name: 'Confirm' }).click()
      }
      await scan.waitFor()
      const key = base32Decode((await page.locator('code#setup-key').innerText()).trim())!
      await page.getByLabel('Code', { exact: true }).fill(totpAt(key, timeStep(new Date())))
      await page.getByRole('button', { name: 'Turn on' }).click()
      await page.getByRole('heading', { level: 1, name: 'Two-factor authentication is on' }).waitFor()
      await page.goto(`${origin}/account/settings`)
      await logOut(page)
      assert.equal(await passwordLogIn(alice, origin, email), '/account/mfa/challenge')
      const usePasskey = page.getByRole('button', { name: 'Use a passkey' })
      await usePasskey.waitFor()
      await shots.shoot(page, 'mfa-challenge-use-a-passkey')
      await usePasskey.click()
      await page.waitForURL(`${origin}/account/settings`)
      const second = await session(page)
      assert.deepEqual(second.pending, [])
      assert.deepEqual(second.session?.amr, ['pwd', 'hwk'], 'password, then the passkey as the second factor')
      await shots.shoot(page, 'settings-after-second-factor')

      // Another account whose password is cleared in the database: its one passkey is its only way in.
      const bobEmail = `passkeys-b-${stamp}@example.com`
      const bob = await device(b)
      bob.page.on('dialog', (dialog) => void dialog.accept())
      await signUpAndConfirm(bob.page, origin, bobEmail)
      assert.equal(await passwordLogIn(bob, origin, bobEmail), '/account/settings')
      await passkeySection(bob.page).getByRole('button', { name: 'Add a passkey' }).click()
      await bob.page.getByRole('heading', { level: 1, name: 'Confirm it is you to add a passkey' }).waitFor()
      await bob.page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await bob.page.getByRole('button', { name: 'Confirm' }).click()
      await bob.page.getByRole('button', { name: 'Create passkey' }).click()
      await bob.page.waitForURL(/\/account\/settings#passkeys$/)
      await demo.clearPassword(bobEmail)
      t.diagnostic(`cleared the password of ${bobEmail} in ${demo.where}`)
      await bob.page.goto(`${origin}/account/settings`)
      await bob.page.getByRole('heading', { level: 2, name: 'Set a password' }).waitFor()
      const [refusal] = await Promise.all([
        bob.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/account/passkeys/remove'),
        passkeySection(bob.page).getByRole('button', { name: /^Remove / }).click(),
      ])
      assert.equal(refusal.status(), 409)
      await passkeySection(bob.page).getByRole('alert').waitFor()
      assert.match(await passkeySection(bob.page).getByRole('alert').innerText(), /only way you can sign in/)
      assert.equal((await bob.credentials()).length, 1)
      await passkeySection(bob.page).scrollIntoViewIfNeeded()
      await shots.shoot(bob.page, 'b-last-method-refused')

      // Alice (who has a password) removes hers: the password prompt if sudo has lapsed, then gone.
      await page.goto(`${origin}/account/settings`)
      await passkeySection(page).getByRole('button', { name: /^Remove / }).click()
      const removePrompt = page.getByRole('heading', { level: 1, name: 'Confirm it is you to remove a passkey' })
      await Promise.race([removePrompt.waitFor(), page.waitForURL(/\/account\/settings#passkeys$/)])
      if (await removePrompt.isVisible()) {
        await shots.shoot(page, 'remove-passkey-sudo-prompt')
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
        await page.getByRole('button', { name: 'Confirm' }).click()
      }
      await page.waitForURL(/\/account\/settings#passkeys$/)
      assert.ok((await passkeySection(page).innerText()).includes('No passkey yet.'))
      await shots.shoot(page, 'settings-passkey-removed')
      const removed = await openMail(page, origin, email, `A passkey was removed from your ${APP} account`)
      assert.ok((await removed.innerText()).includes('Chromium on the test runner'))

      // A removed passkey no longer signs in (the device still holds it; the server refuses it).
      await page.goto(`${origin}/account/settings`)
      await logOut(page)
      await alice.autofill(false)
      await page.goto(`${origin}/account/log-in`)
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await page.locator('[data-passkey-status]').filter({ hasText: 'That passkey was not accepted' }).waitFor()
      assert.equal(where(page), '/account/log-in')
      await shots.shoot(page, 'log-in-removed-passkey-refused')

      assert.deepEqual(scriptErrors, [], 'the pages\' scripts ran without errors')
      assert.deepEqual(csp, [], 'no Content-Security-Policy violation')
      assert.ok(shots.taken.length >= 10, `${shots.taken.length} screenshots`)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
