import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { base32Decode, timeStep, totpAt } from 'sigra/mfa'
import { camera, chromiumMissing, freshArtifacts, launchChromium, startDemo, type DemoServer } from './support/browser-demo.ts'

// Two-factor authentication in Debian's Chromium, against `sigra demo` (mfa({ issuer: 'Sigra demo' }):
// trusted devices 30 days, 5 wrong codes lock for 15 minutes) on real time: enrolment behind the
// password prompt, the challenge, a trusted device, a backup code on another device, the lockout.
// The authenticator app is `totpAt` on the key the page shows.

const APP = 'Sigra demo'
const PASSWORD = 'correct horse battery staple'
const TRUST_LABEL = "Don't ask again on this device for 30 days"
const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' }
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
/** This file's own screenshot folder: the account journey empties `test-artifacts/browser/` when it starts. */
const ARTIFACTS = new URL('../test-artifacts/browser-mfa', import.meta.url).pathname

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let demo: DemoServer | null = null
let browser: Browser | null = null
const shots = camera(1, ARTIFACTS)

/**
 * The authenticator app for one key, on real time. A code is accepted once per 30-second step, so
 * each code is computed right before it is typed, for a step later than the last one used (waiting
 * for the next step when needed: the only wait in this file).
 */
function authenticator(key: Uint8Array) {
  let lastUsed: number | null = null
  return {
    /** A code the server will accept now: waits, polling, until the step is past the last one used. */
    async freshCode(): Promise<string> {
      while (lastUsed !== null && timeStep(new Date()) <= lastUsed) {
        const untilNext = 30_000 - (Date.now() % 30_000)
        await new Promise((r) => setTimeout(r, Math.min(untilNext + 20, 500)))
      }
      const step = timeStep(new Date())
      lastUsed = step
      return totpAt(key, step)
    },
    /** Six digits that are none of the codes the server accepts around now. */
    wrongCode(): string {
      const now = timeStep(new Date())
      const near = new Set([-2, -1, 0, 1, 2].map((d) => totpAt(key, now + d)))
      for (let n = 1; ; n++) {
        const code = String((n * 104_729) % 1_000_000).padStart(6, '0')
        if (!near.has(code)) return code
      }
    },
  }
}

describe('two-factor authentication in a real browser', () => {
  before(async () => {
    if (chromiumMissing()) return
    await freshArtifacts(ARTIFACTS)
    demo = await startDemo()
    browser = await launchChromium()
  }, { timeout: 240_000 })

  after(async () => {
    await browser?.close().catch(() => undefined)
    await demo?.stop()
  }, { timeout: 60_000 })

  /** The running demo and browser (the test has already skipped when Chromium is missing). */
  const running = () => {
    assert.ok(demo && browser, 'the demo and Chromium were started in before()')
    return { demo, browser }
  }

  /** Uncaught errors of the pages' script (a syntax error stops every enhancement: Copy, Show password, confirm). */
  const scriptErrors: string[] = []
  const assertScriptRan = (where: string) => assert.deepEqual(scriptErrors, [], `the page script runs without errors (${where})`)

  const newPage = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage()
    page.on('pageerror', (error) => scriptErrors.push(`${new URL(page.url()).pathname}: ${error.message}`))
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    return page
  }

  /** The page's URL as path + query (+ hash). */
  const where = (page: Page) => {
    const url = new URL(page.url())
    return `${url.pathname}${url.search}${url.hash}`
  }

  async function assertFocused(locator: Locator, message: string): Promise<void> {
    assert.equal(await locator.evaluate((el) => el === document.activeElement), true, message)
  }

  /** No sideways scrolling: the document is no wider than the viewport. */
  async function assertFits(page: Page, what: string): Promise<void> {
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }))
    assert.ok(scrollWidth <= clientWidth, `${what} is ${scrollWidth}px wide in a ${clientWidth}px viewport`)
  }

  /** The code field: labelled “Code”, focused on arrival, announced with its message when there is one. */
  const codeField = (page: Page) => page.getByLabel('Code', { exact: true })

  /** Signs up and confirms the address through the dev mailbox's link; ends on the log-in page. */
  async function signUpAndConfirm(page: Page, origin: string, email: string, prefix: string): Promise<void> {
    await page.goto(`${origin}/account/sign-up`)
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor()
    await assertFocused(page.getByLabel('Email address'), 'the email field is focused on arrival')
    await page.keyboard.type(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=check_email&login=[^&]+$/)
    const mail = await openMail(page, origin, email, `Confirm your email for ${APP}`)
    const link = mail.getByRole('link', { name: new RegExp(`^${escape(origin)}/account/confirm\\?token=`) })
    assert.equal(await link.count(), 1, 'one confirmation link')
    await link.click()
    await page.getByRole('heading', { level: 1, name: 'Confirm your email' }).waitFor()
    await page.getByRole('button', { name: 'Confirm my email' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
    await shots.shoot(page, `${prefix}log-in-email-confirmed`)
  }

  /** The dev mailbox, and the newest mail to `to` with `subject` (as an article locator). */
  async function openMail(page: Page, origin: string, to: string, subject: string): Promise<Locator> {
    await page.goto(`${origin}/dev/mailbox`)
    await page.getByRole('heading', { level: 1, name: 'Dev mailbox' }).waitFor()
    const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: subject, exact: true }) }).filter({ hasText: to }).first()
    await mail.waitFor()
    return mail
  }

  /**
   * Logs in through the form by keyboard; answers where the app sent the browser (settings, or the
   * challenge for a session held at the second factor).
   */
  async function logIn(page: Page, origin: string, login: string, shot: string | null): Promise<string> {
    if (new URL(page.url()).pathname !== '/account/log-in') await page.goto(`${origin}/account/log-in`)
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    const field = page.getByLabel('Email address or username')
    if ((await field.inputValue()) === '') {
      await assertFocused(field, 'the login field is focused on arrival')
      await page.keyboard.type(login)
      await page.keyboard.press('Tab')
    } else {
      await page.getByLabel('Password', { exact: true }).focus()
    }
    await assertFocused(page.getByLabel('Password', { exact: true }), 'then the password')
    await page.keyboard.type(PASSWORD)
    if (shot) await shots.shoot(page, shot)
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/account/log-in'),
      page.keyboard.press('Enter'),
    ])
    if (answer.status() !== 303) {
      await page.waitForLoadState()
      assert.fail(`login as ${login} refused (${answer.status()}): ${await page.locator('main').innerText()}`)
    }
    await page.waitForURL((url) => url.pathname !== '/account/log-in')
    await page.locator('h1').waitFor()
    return where(page)
  }

  /** Logs out from the header (settings); lands on the log-in page. */
  async function logOut(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=logged_out$/)
  }

  /** The challenge page as it is on arrival: the code field labelled “Code” has the focus. */
  async function assertChallenge(page: Page, shot: string): Promise<void> {
    assert.equal(where(page), '/account/mfa/challenge', 'a held session lands on the challenge')
    await page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }).waitFor()
    await assertFocused(codeField(page), 'the code field is focused on arrival')
    assert.equal(await codeField(page).getAttribute('autocomplete'), 'one-time-code')
    assert.equal(await codeField(page).getAttribute('inputmode'), 'numeric')
    assert.equal(await page.getByRole('checkbox', { name: TRUST_LABEL }).isChecked(), false, 'trust is not ticked by default')
    await shots.shoot(page, shot)
  }

  /** Types a code into the focused field and submits with Enter; answers the POST's status. */
  async function submitCode(page: Page, code: string): Promise<number> {
    await page.keyboard.type(code)
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/account/mfa/challenge'),
      page.keyboard.press('Enter'),
    ])
    await page.waitForLoadState()
    return answer.status()
  }

  /** A refused code: the message sits in the code field, before its input, which is marked invalid and described by it. */
  async function assertCodeRefused(page: Page, id: string, text: string): Promise<void> {
    assert.equal(where(page), '/account/mfa/challenge')
    const issue = page.locator(`#${id}-issue`)
    assert.equal((await issue.innerText()).trim(), text)
    const field = page.locator(`#${id}`)
    assert.equal(await field.getAttribute('aria-invalid'), 'true', `#${id} is marked invalid`)
    assert.ok((await field.getAttribute('aria-describedby'))?.split(' ').includes(`${id}-issue`), `#${id} is described by its message`)
    const order = await page.evaluate((id) => {
      const message = document.getElementById(`${id}-issue`)
      const input = document.getElementById(id)
      if (!message || !input) return 'missing'
      return message.parentElement === input.parentElement && (message.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0 ? 'ok' : 'out of order'
    }, id)
    assert.equal(order, 'ok', `#${id}: the message, then the input`)
    assert.equal(await page.getByRole('alert').count(), 1, 'one summary at the top')
    assert.equal((await page.locator('main').innerText()).split(text).length - 1, 1, `“${text}” is shown once`)
  }

  /** Settings → set up → Start → the password prompt → the QR code page; answers the key the page shows. */
  async function startEnrolment(page: Page, prefix: string, fits?: (what: string) => Promise<void>): Promise<Uint8Array> {
    const section = page.getByRole('region', { name: 'Two-factor authentication' })
    assert.ok((await section.innerText()).includes('Off.'), 'two-factor authentication starts off')
    await section.getByRole('link', { name: 'Set up two-factor authentication' }).click()
    await page.waitForURL(/\/account\/mfa\/enroll$/)
    await page.getByRole('heading', { level: 1, name: 'Set up two-factor authentication' }).waitFor()
    await fits?.('the enrolment intro')
    await shots.shoot(page, `${prefix}mfa-enroll-intro`)
    await page.getByRole('button', { name: 'Start' }).click()
    await page.getByRole('heading', { level: 1, name: 'Confirm it is you to set up two-factor authentication' }).waitFor()
    assert.equal(where(page), '/account/mfa/enroll', 'the password prompt answers in place')
    await assertFocused(page.getByLabel('Password', { exact: true }), 'the password field is focused')
    await page.keyboard.type(PASSWORD)
    await fits?.('the password prompt')
    await shots.shoot(page, `${prefix}mfa-enroll-sudo`)
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { level: 1, name: 'Scan the code' }).waitFor()
    const qr = page.getByRole('img', { name: 'QR code of the setup key' })
    assert.equal(await qr.count(), 1, 'the QR figure has an accessible name')
    const svg = qr.locator('svg')
    assert.equal(await svg.count(), 1, 'the QR code is an SVG in the page')
    const box = await svg.boundingBox()
    assert.ok(box && box.width >= 150 && box.height >= 150, `the QR code is big enough to scan: ${JSON.stringify(box)}`)
    const shown = (await page.locator('code#setup-key').innerText()).trim()
    assert.match(shown, /^[A-Z2-7]{4}( [A-Z2-7]{4})+$/, 'the key, in groups of four')
    const key = base32Decode(shown)
    assert.ok(key && key.length === 20, 'a 160-bit key')
    await assertFocused(codeField(page), 'the code field is focused on arrival')
    assert.equal(await codeField(page).getAttribute('autocomplete'), 'one-time-code')
    await fits?.('the QR code page')
    await shots.shoot(page, `${prefix}mfa-enroll-scan`)
    return key
  }

  /** Types the app's code on the QR code page; the backup codes page follows: answers the ten codes. */
  async function finishEnrolment(page: Page, app: ReturnType<typeof authenticator>, prefix: string, fits?: (what: string) => Promise<void>): Promise<string[]> {
    await page.keyboard.type(await app.freshCode())
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('heading', { level: 1, name: 'Two-factor authentication is on' }).waitFor()
    const codes = (await page.locator('ol#backup-codes > li').allInnerTexts()).map((s) => s.trim())
    assert.equal(codes.length, 10, 'ten backup codes')
    assert.equal(new Set(codes).size, 10, 'all different')
    for (const code of codes) assert.match(code, /^[a-z0-9]{5}-[a-z0-9]{5}$/, code)
    await fits?.('the backup codes page')
    await shots.shoot(page, `${prefix}mfa-backup-codes`)
    return codes
  }

  test('enrol behind the password prompt → challenge (wrong, right) → trust this device → a backup code on another → locked after five wrong codes', { timeout: 300_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    scriptErrors.length = 0
    const email = `mfa-${stamp}@example.com`

    const a = await browser.newContext({ ...CONTEXT, viewport: DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] })
    const b = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    const c = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    try {
      const page = await newPage(a)
      await signUpAndConfirm(page, origin, email, '')
      assert.equal(await logIn(page, origin, email, 'log-in'), '/account/settings', 'no second factor yet')
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      await shots.shoot(page, 'settings-mfa-off')

      // Enrol: the key from the page is the authenticator app's.
      const key = await startEnrolment(page, '')
      const app = authenticator(key)
      // Copy puts the key, as shown, on the clipboard (the script's; its errors fail the test at the end).
      if (scriptErrors.length === 0) {
        await page.locator('button[data-copy="setup-key"]').click()
        await page.locator('button[data-copy="setup-key"]', { hasText: 'Copied' }).waitFor()
        assert.equal(base32Decode(await page.evaluate(() => navigator.clipboard.readText()))?.join(), key.join(), 'the copied key is the key')
      }
      await codeField(page).focus()
      const backupCodes = await finishEnrolment(page, app, '')
      // The download holds the same ten codes.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download as a text file' }).click()])
      assert.equal(download.suggestedFilename(), 'backup-codes.txt')
      const file = await readFile(await download.path(), 'utf8')
      for (const code of backupCodes) assert.ok(file.includes(code), `the file holds ${code}`)
      await page.getByRole('link', { name: 'I have saved them: back to settings' }).click()
      await page.waitForURL(/\/account\/settings#mfa$/)
      const section = page.getByRole('region', { name: 'Two-factor authentication' })
      const on = await section.innerText()
      assert.match(on, /On since /, on)
      assert.ok(on.includes('10 backup codes left.'), on)
      assert.ok(on.includes('No device skips the code.'), on)
      await shots.shoot(page, 'settings-mfa-on')

      const enabledMail = await openMail(page, origin, email, `Two-factor authentication is on for your ${APP} account`)
      assert.ok((await enabledMail.innerText()).includes('Keep your 10 backup codes somewhere safe'))
      await shots.shoot(page, 'mailbox-mfa-on')
      await page.goto(`${origin}/account/settings`)
      await logOut(page)

      // Log in: the password alone now ends on the challenge; settings is out of reach until the code.
      assert.equal(await logIn(page, origin, email, null), '/account/mfa/challenge')
      await assertChallenge(page, 'mfa-challenge')
      await page.goto(`${origin}/account/settings`)
      await page.waitForURL(`${origin}/account/mfa/challenge`)
      await page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }).waitFor()
      assert.equal(where(page), '/account/mfa/challenge', 'settings sends a held session back to the challenge')
      assert.equal(await submitCode(page, app.wrongCode()), 400)
      await assertCodeRefused(page, 'code', 'That code is not right. Enter the code your app shows now, or a backup code you have not used.')
      await shots.shoot(page, 'mfa-challenge-wrong-code')
      await codeField(page).fill('')
      await codeField(page).focus()
      assert.equal(await submitCode(page, await app.freshCode()), 303)
      await page.waitForURL(`${origin}/account/settings`)
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      await shots.shoot(page, 'settings-after-challenge')
      await logOut(page)

      // Trust this device: ticked by keyboard, then the code; the next log-in skips the challenge.
      assert.equal(await logIn(page, origin, email, null), '/account/mfa/challenge')
      await assertChallenge(page, 'mfa-challenge-again')
      await page.keyboard.press('Tab')
      await assertFocused(page.getByRole('checkbox', { name: TRUST_LABEL }), 'Tab: the trust box follows the code')
      await page.keyboard.press('Space')
      assert.equal(await page.getByRole('checkbox', { name: TRUST_LABEL }).isChecked(), true)
      await page.keyboard.press('Shift+Tab')
      await assertFocused(codeField(page), 'Shift+Tab: back to the code')
      await shots.shoot(page, 'mfa-challenge-trust-ticked')
      assert.equal(await submitCode(page, await app.freshCode()), 303)
      await page.waitForURL(`${origin}/account/settings`)
      const trustCookies = (await a.cookies(origin)).filter((cookie) => cookie.name.endsWith('sigra_trust'))
      assert.equal(trustCookies.length, 1, 'the trust cookie is set')
      assert.equal(trustCookies[0]!.httpOnly, true, 'out of the scripts’ reach')
      const devices = page.getByRole('region', { name: 'Two-factor authentication' }).getByRole('listitem')
      assert.equal(await devices.count(), 1, 'this device is listed as trusted')
      assert.match(await devices.innerText(), /trusted until/)
      assert.equal(await devices.getByRole('button', { name: /^Forget / }).count(), 1, 'with a Forget button naming it')
      await shots.shoot(page, 'settings-trusted-device')
      await logOut(page)
      assert.equal(await logIn(page, origin, email, null), '/account/settings', 'the trusted device goes straight to settings')
      await shots.shoot(page, 'settings-trusted-log-in')

      // Another device (no trust cookie): a backup code instead.
      const pageB = await newPage(b)
      assert.equal(await logIn(pageB, origin, email, null), '/account/mfa/challenge')
      await assertChallenge(pageB, 'b-mfa-challenge')
      await pageB.getByRole('link', { name: 'Use a backup code instead' }).click()
      await pageB.waitForURL(/\/account\/mfa\/challenge\?backup=1$/)
      const backupField = pageB.getByLabel('Backup code', { exact: true })
      await assertFocused(backupField, 'the backup code field is focused on arrival')
      assert.equal(await codeField(pageB).count(), 0, 'one field at a time')
      await pageB.keyboard.type(backupCodes[0]!)
      await shots.shoot(pageB, 'b-mfa-challenge-backup-code')
      await pageB.keyboard.press('Enter')
      await pageB.waitForURL(`${origin}/account/settings`)
      const left = await pageB.getByRole('region', { name: 'Two-factor authentication' }).innerText()
      assert.ok(left.includes('9 backup codes left.'), left)
      await shots.shoot(pageB, 'b-settings-9-backup-codes')
      const usedMail = await openMail(pageB, origin, email, `A backup code was used on your ${APP} account`)
      assert.ok((await usedMail.innerText()).includes('9 remain.'))
      await shots.shoot(pageB, 'b-mailbox-backup-code-used')

      // A third device: five wrong codes lock the second factor; then even the right code is refused.
      const pageC = await newPage(c)
      assert.equal(await logIn(pageC, origin, email, null), '/account/mfa/challenge')
      await assertChallenge(pageC, 'c-mfa-challenge')
      for (let i = 1; i <= 4; i++) {
        assert.equal(await submitCode(pageC, app.wrongCode()), 400, `wrong code ${i}`)
        await assertCodeRefused(pageC, 'code', 'That code is not right. Enter the code your app shows now, or a backup code you have not used.')
        await codeField(pageC).fill('')
        await codeField(pageC).focus()
      }
      const paused = 'Too many wrong codes: two-factor sign-in is paused for this account. Try again in 15 minutes.'
      assert.equal(await submitCode(pageC, app.wrongCode()), 423, 'the fifth wrong code locks')
      await pageC.getByRole('alert').filter({ hasText: paused }).waitFor()
      await shots.shoot(pageC, 'c-mfa-challenge-locked')
      await codeField(pageC).fill('')
      await codeField(pageC).focus()
      assert.equal(await submitCode(pageC, await app.freshCode()), 423, 'the right code is refused while locked')
      assert.equal(where(pageC), '/account/mfa/challenge')
      await pageC.getByRole('alert').filter({ hasText: 'two-factor sign-in is paused' }).waitFor()
      await pageC.goto(`${origin}/account/settings`)
      await pageC.waitForURL(`${origin}/account/mfa/challenge`)
      await shots.shoot(pageC, 'c-mfa-challenge-locked-right-code')

      // Back on the trusted device: forget it; the next log-in asks for the code again.
      await page.goto(`${origin}/account/settings`)
      await page.getByRole('region', { name: 'Two-factor authentication' }).getByRole('button', { name: /^Forget / }).click()
      await page.waitForURL(/\/account\/settings#mfa$/)
      assert.ok((await page.getByRole('region', { name: 'Two-factor authentication' }).innerText()).includes('No device skips the code.'))
      await shots.shoot(page, 'settings-device-forgotten')
      await logOut(page)
      assert.equal(await logIn(page, origin, email, null), '/account/mfa/challenge', 'a forgotten device is asked again')
      assertScriptRan('the whole journey')
    } finally {
      await a.close()
      await b.close()
      await c.close()
    }
  })

  test('at a phone viewport (390×844): the enrolment pages and the challenge fit the screen', { timeout: 240_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    scriptErrors.length = 0
    const email = `mfa-phone-${stamp}@example.com`
    const phone = await browser.newContext({ ...CONTEXT, viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    try {
      const page = await newPage(phone)
      const fits = (what: string) => assertFits(page, what)
      await signUpAndConfirm(page, origin, email, 'phone-')
      assert.equal(await logIn(page, origin, email, null), '/account/settings')
      await fits('the settings page')

      const key = await startEnrolment(page, 'phone-', fits)
      const app = authenticator(key)
      const qr = await page.getByRole('img', { name: 'QR code of the setup key' }).locator('svg').boundingBox()
      assert.ok(qr && qr.x >= 0 && qr.x + qr.width <= PHONE.width, `the QR code is on the screen: ${JSON.stringify(qr)}`)
      const backupCodes = await finishEnrolment(page, app, 'phone-', fits)
      assert.equal(backupCodes.length, 10)
      await page.getByRole('link', { name: 'I have saved them: back to settings' }).tap()
      await page.waitForURL(/\/account\/settings#mfa$/)
      await fits('the settings page with two-factor authentication on')
      await shots.shoot(page, 'phone-settings-mfa-on')
      await logOut(page)

      assert.equal(await logIn(page, origin, email, null), '/account/mfa/challenge')
      await assertChallenge(page, 'phone-mfa-challenge')
      await fits('the challenge')
      assert.equal(await submitCode(page, app.wrongCode()), 400)
      await assertCodeRefused(page, 'code', 'That code is not right. Enter the code your app shows now, or a backup code you have not used.')
      await fits('the challenge with a wrong code')
      await shots.shoot(page, 'phone-mfa-challenge-wrong-code')
      await page.getByRole('link', { name: 'Use a backup code instead' }).tap()
      await page.waitForURL(/\/account\/mfa\/challenge\?backup=1$/)
      await assertFocused(page.getByLabel('Backup code', { exact: true }), 'the backup code field is focused on arrival')
      await fits('the backup code challenge')
      await shots.shoot(page, 'phone-mfa-challenge-backup-code')
      await page.getByLabel('Backup code', { exact: true }).fill(backupCodes[0]!)
      await page.getByRole('button', { name: 'Verify' }).tap()
      await page.waitForURL(`${origin}/account/settings`)
      await fits('the settings page after a backup code')
      assertScriptRan('the phone journey')
    } finally {
      await phone.close()
    }
  })
})
