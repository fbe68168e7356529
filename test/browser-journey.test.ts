import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Dialog, Page } from 'playwright-core'
import { camera, chromiumMissing, freshArtifacts, launchChromium, startDemo, type DemoServer } from './support/browser-demo.ts'

// A whole account's life in Debian's Chromium, against `sigra demo` on loopback, driven through the
// pages as a person would: labels, buttons, the keyboard, the dev mailbox's links.

const APP = 'Sigra demo'
const FIRST_PASSWORD = 'correct horse battery staple'
const SECOND_PASSWORD = 'violet lantern under quiet snow'
const THIRD_PASSWORD = 'maple ferry drifts past seven piers'
const GRACE_DAYS = 14
const DAY_MS = 86_400_000
const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' }

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let demo: DemoServer | null = null
let browser: Browser | null = null
const shots = camera()

describe('the account journey in a real browser', () => {
  before(async () => {
    if (chromiumMissing()) return
    await freshArtifacts()
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

  const newPage = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage()
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    return page
  }

  /** The page's URL as path + query (+ hash), to compare with where the app should have sent us. */
  const where = (page: Page) => {
    const url = new URL(page.url())
    return `${url.pathname}${url.search}${url.hash}`
  }

  /** Opens the dev mailbox and clicks the link in the newest mail to `to` with `subject`. */
  async function openMailedLink(page: Page, origin: string, to: string, subject: string, linkPath: string, shot: string, check?: () => Promise<void>): Promise<void> {
    await page.goto(`${origin}/dev/mailbox`)
    await page.getByRole('heading', { level: 1, name: 'Dev mailbox' }).waitFor()
    const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: subject, exact: true }) }).filter({ hasText: to }).first()
    await mail.waitFor()
    await shots.shoot(page, shot)
    await check?.()
    const link = mail.getByRole('link', { name: new RegExp(`^${escape(origin)}${escape(linkPath)}\\?token=`) })
    assert.equal(await link.count(), 1, `one ${linkPath} link in “${subject}”`)
    await link.click()
    await page.waitForURL(new RegExp(`${escape(linkPath)}\\?token=`))
  }

  /** Logs in through the form by keyboard: the login field has focus on arrival. */
  async function logIn(page: Page, origin: string, login: string, password: string, shot: string | null): Promise<void> {
    if (!new URL(page.url()).pathname.endsWith('/account/log-in')) await page.goto(`${origin}/account/log-in`)
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    const field = page.getByLabel('Email address or username')
    await assertFocused(field, 'the login field is focused on arrival')
    await page.keyboard.type(login)
    await page.keyboard.press('Tab')
    await assertFocused(page.getByLabel('Password', { exact: true }), 'Tab goes from the login field to the password')
    await page.keyboard.type(password)
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
  }

  async function assertFocused(locator: ReturnType<Page['getByLabel']>, message: string): Promise<void> {
    assert.equal(await locator.evaluate((el) => el === document.activeElement), true, message)
  }

  /** A field's message sits next to it: after the label, before the input and the script's “Show password”. */
  async function assertMessageBeforeReveal(page: Page, id: string): Promise<void> {
    const order = await page.evaluate((id) => {
      const issue = document.getElementById(`${id}-issue`)
      const input = document.getElementById(id)
      const reveal = input?.parentElement?.querySelector('button.reveal')
      if (!issue || !input || !reveal) return 'missing'
      const before = (a: Node, b: Node) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0
      return before(issue, input) && before(input, reveal) && issue.parentElement === input.parentElement ? 'ok' : 'out of order'
    }, id)
    assert.equal(order, 'ok', `#${id}: message, input, then Show password`)
  }

  /** Opens settings again in a context whose session should be gone: it lands on the login page, signed out. */
  async function assertSignedOut(page: Page, origin: string, shot: string): Promise<void> {
    await page.goto(`${origin}/account/settings`)
    await page.waitForURL(/\/account\/log-in\?/)
    assert.equal(where(page), `/account/log-in?notice=log_in_first&return_to=${encodeURIComponent('/account/settings')}`)
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    const nav = page.getByRole('navigation', { name: 'Account' })
    assert.equal(await nav.getByRole('link', { name: 'Log in' }).count(), 1, 'the header offers to log in')
    assert.equal(await nav.getByRole('button', { name: 'Log out' }).count(), 0, 'no log-out button: signed out')
    await shots.shoot(page, shot)
  }

  /** Accepts the page script's confirm() question, remembering what it asked. */
  function acceptConfirms(page: Page): string[] {
    const asked: string[] = []
    page.on('dialog', (dialog: Dialog) => {
      asked.push(dialog.message())
      void dialog.accept()
    })
    return asked
  }

  test('sign up → confirm → log in → change email (sudo) → change password → reset password → schedule deletion → keep the account', { timeout: 240_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    const email = `ada-${stamp}@example.com`
    const newEmail = `ada.new-${stamp}@example.com`

    const a = await browser.newContext({ ...CONTEXT, viewport: { width: 1280, height: 800 } })
    const b = await browser.newContext({ ...CONTEXT, viewport: { width: 1024, height: 768 } })
    try {
      const page = await newPage(a)
      const asked = acceptConfirms(page)

      // The start page, then sign up by keyboard: the email field has focus, Tab walks the form.
      await page.goto(`${origin}/`)
      await page.getByRole('heading', { level: 1, name: APP }).waitFor()
      assert.ok((await page.locator('main').innerText()).includes('You are not signed in.'))
      await shots.shoot(page, 'home')
      await page.getByRole('main').getByRole('link', { name: 'Sign up' }).first().click()
      await page.waitForURL(`${origin}/account/sign-up`)
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor()
      await assertFocused(page.getByLabel('Email address'), 'the email field is focused on arrival')
      await page.keyboard.type(email)
      await page.keyboard.press('Tab')
      await assertFocused(page.getByLabel('Username (optional)'), 'Tab: username next')
      await page.keyboard.press('Tab')
      await assertFocused(page.getByLabel('Password', { exact: true }), 'Tab: then the password')
      await page.keyboard.type(FIRST_PASSWORD)
      await shots.shoot(page, 'sign-up-filled')
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/account\/log-in\?notice=check_email&login=[^&]+$/)
      await page.getByRole('status').filter({ hasText: 'Check your inbox' }).waitFor()
      assert.equal(await page.getByLabel('Email address or username').inputValue(), email, 'the log-in form holds the address just used')
      await assertFocused(page.getByLabel('Password', { exact: true }), 'so the password field has the focus')
      await shots.shoot(page, 'log-in-check-email')

      // The confirmation link: the GET shows a page that asks for the click and changes nothing.
      await openMailedLink(page, origin, email, `Confirm your email for ${APP}`, '/account/confirm', 'mailbox-confirmation')
      await page.getByRole('heading', { level: 1, name: 'Confirm your email' }).waitFor()
      assert.ok((await page.locator('main').innerText()).includes('Confirm that this address is yours'))
      const confirmLink = page.url()
      const confirmButton = page.getByRole('button', { name: 'Confirm my email' })
      assert.equal(await confirmButton.count(), 1, 'the link page asks for a click')
      await shots.shoot(page, 'confirm-email-asks')

      // Browser B logs in now: the address is still unconfirmed, so opening the link confirmed nothing.
      const pageB = await newPage(b)
      await logIn(pageB, origin, email, FIRST_PASSWORD, 'b-log-in')
      assert.equal(where(pageB), '/account/settings')
      await pageB.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      assert.ok((await pageB.locator('main').innerText()).includes(`${email} (not confirmed yet)`), 'the GET of the link did not confirm')
      await shots.shoot(pageB, 'b-settings-unconfirmed')

      await confirmButton.click()
      await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
      await page.getByRole('status').filter({ hasText: 'Your email address is confirmed.' }).waitFor()
      await shots.shoot(page, 'log-in-email-confirmed')
      // The used link again: no dead button, but what to do next.
      await page.goto(confirmLink)
      await page.getByRole('alert').filter({ hasText: 'This link is invalid, has expired or was already used.' }).waitFor()
      assert.equal(await page.getByRole('button', { name: 'Confirm my email' }).count(), 0, 'no button with a used token')
      assert.equal(await page.getByRole('main').getByRole('link', { name: 'Log in' }).count(), 1, 'signed out: log in to ask for a new link')
      await shots.shoot(page, 'confirm-email-used-link')
      // Proving the address ended every session the account had before (a pre-registrant's too): B logs in again.
      await pageB.reload()
      assert.equal(new URL(pageB.url()).pathname, '/account/log-in', "B's earlier session ended with the confirmation")
      await logIn(pageB, origin, email, FIRST_PASSWORD, null)
      assert.ok((await pageB.locator('main').innerText()).includes(`${email} (confirmed)`), 'the button confirmed it')
      await shots.shoot(pageB, 'b-settings-confirmed')

      // Log in (A), then settings.
      await logIn(page, origin, email, FIRST_PASSWORD, 'log-in-filled')
      assert.equal(where(page), '/account/settings')
      const main = page.locator('main')
      assert.ok((await main.innerText()).includes(`${email} (confirmed)`))
      const sessions = page.getByRole('region', { name: 'Signed-in devices' }).getByRole('listitem')
      assert.equal(await sessions.count(), 2, 'both browsers are listed as devices')
      await shots.shoot(page, 'settings')

      // Change email: one submit, the password (this login is not sudo-fresh), done: the link is sent.
      await page.getByLabel('New email address').fill(newEmail)
      await page.getByRole('button', { name: 'Send confirmation link' }).click()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to change your email address' }).waitFor()
      assert.equal(where(page), '/account/settings/email', 'the prompt answers the form in place: nothing typed is in the URL')
      await assertFocused(page.getByLabel('Password', { exact: true }), 'the sudo password field is focused')
      await shots.shoot(page, 'sudo-prompt-email-change')
      await page.keyboard.type('not my password at all')
      await page.keyboard.press('Enter')
      await page.getByText('That password is not correct.', { exact: true }).waitFor()
      assert.equal(where(page), '/account/sudo', 'a wrong password stays on the prompt')
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to change your email address' }).waitFor()
      assert.equal(await page.locator('input[type=hidden][name="resume.email"]').inputValue(), newEmail, 'the typed address is still carried')
      await assertMessageBeforeReveal(page, 'password')
      await shots.shoot(page, 'sudo-wrong-password')
      await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD)
      await page.getByRole('button', { name: 'Confirm', exact: true }).click()
      await page.waitForURL(/\/account\/settings\?notice=email_change_requested$/)
      const pending = await main.innerText()
      assert.ok(pending.includes(`Waiting for confirmation of your new address ${newEmail}`), pending)
      assert.ok(pending.includes(`${email} (confirmed)`), 'the old address stays until the link is opened')
      await shots.shoot(page, 'settings-email-change-pending')

      await openMailedLink(page, origin, newEmail, `Confirm your new email for ${APP}`, '/account/confirm-email-change', 'mailbox-email-change')
      await page.getByRole('heading', { level: 1, name: 'Confirm your new email' }).waitFor()
      await shots.shoot(page, 'confirm-email-change-asks')
      await page.getByRole('button', { name: 'Use this address' }).click()
      await page.waitForURL(/\/account\/settings\?notice=email_changed$/)
      const changed = await main.innerText()
      assert.ok(changed.includes(`${newEmail} (confirmed)`), changed)
      assert.equal(await sessions.count(), 1, 'only this device is left')
      await shots.shoot(page, 'settings-email-changed')

      // Browser B was signed in before the change: it is signed out now.
      await assertSignedOut(pageB, origin, 'b-signed-out-after-email-change')

      // B logs in again (new address); then A changes the password, and B is signed out again.
      await logIn(pageB, origin, newEmail, FIRST_PASSWORD, null)
      assert.equal(where(pageB), '/account/settings')
      await shots.shoot(pageB, 'b-settings-again')
      await page.reload()
      assert.equal(await sessions.count(), 2)
      await page.getByLabel('Current password').fill(FIRST_PASSWORD)
      await page.getByLabel('New password').fill(SECOND_PASSWORD)
      await shots.shoot(page, 'settings-password-filled')
      await page.getByRole('button', { name: 'Change password' }).click()
      await page.waitForURL(/\/account\/settings\?notice=password_changed$/)
      await page.getByRole('status').filter({ hasText: 'Your password was changed.' }).waitFor()
      assert.equal(await sessions.count(), 1, 'the other device was signed out')
      await shots.shoot(page, 'settings-password-changed')
      await assertSignedOut(pageB, origin, 'b-signed-out-after-password-change')

      // Log out, forget the password, reset it through the mailed link.
      await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click()
      await page.waitForURL(/\/account\/log-in\?notice=logged_out$/)
      await shots.shoot(page, 'logged-out')
      await page.getByRole('link', { name: 'Forgot your password?' }).click()
      await page.waitForURL(`${origin}/account/forgot-password`)
      await assertFocused(page.getByLabel('Email address'), 'the email field is focused')
      await page.keyboard.type(newEmail)
      await shots.shoot(page, 'forgot-password')
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/account\/forgot-password\?notice=reset_sent$/)
      await shots.shoot(page, 'forgot-password-sent')
      await openMailedLink(page, origin, newEmail, `Reset your ${APP} password`, '/account/reset-password', 'mailbox-reset')
      await page.getByRole('heading', { level: 1, name: 'Choose a new password' }).waitFor()
      const resetLink = page.url()
      await assertFocused(page.getByLabel('New password'), 'the new password field is focused')
      await page.keyboard.type(THIRD_PASSWORD)
      await shots.shoot(page, 'reset-password')
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/account\/log-in\?notice=password_reset$/)
      await page.getByRole('status').filter({ hasText: 'Log in with your new password.' }).waitFor()
      await shots.shoot(page, 'log-in-after-reset')
      // The used reset link again: no password form, but the way to a new link.
      await page.goto(resetLink)
      await page.getByRole('alert').filter({ hasText: 'This link is invalid, has expired or was already used.' }).waitFor()
      assert.equal(await page.getByLabel('New password').count(), 0, 'no password form for a used link')
      assert.equal(await page.getByRole('link', { name: 'Ask for a new link' }).count(), 1)
      await shots.shoot(page, 'reset-password-used-link')
      await logIn(page, origin, newEmail, THIRD_PASSWORD, null)
      assert.equal(where(page), '/account/settings')
      await shots.shoot(page, 'settings-after-reset')

      // Delete, from its own section (last on the page): the page explains, the script asks once, the
      // password is asked in place (this login is new), and the deletion is scheduled: logged out, with the date.
      const deleteSection = page.getByRole('region', { name: 'Delete account' })
      assert.equal(await page.locator('main section.card').last().getAttribute('id'), 'delete', 'the last section')
      await deleteSection.getByRole('link', { name: 'Delete my account…' }).click()
      await page.waitForURL(`${origin}/account/delete`)
      await page.getByRole('heading', { level: 1, name: 'Delete your account' }).waitFor()
      await shots.shoot(page, 'delete-account')
      await page.getByRole('button', { name: 'Delete my account' }).click()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to delete your account' }).waitFor()
      assert.equal(where(page), '/account/delete')
      await page.getByLabel('Password', { exact: true }).fill(THIRD_PASSWORD)
      await shots.shoot(page, 'sudo-for-deletion')
      const scheduledFrom = Date.now()
      await page.getByRole('button', { name: 'Confirm', exact: true }).click()
      await page.waitForURL(/\/account\/log-in\?notice=deletion_scheduled&on=\d{4}-\d{2}-\d{2}$/)
      const scheduledTo = Date.now()
      assert.deepEqual(asked, ['Schedule your account for deletion and log out everywhere?'], 'asked once')
      const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', dateStyle: 'long' })
      const dates = new Set([day.format(scheduledFrom + GRACE_DAYS * DAY_MS), day.format(scheduledTo + GRACE_DAYS * DAY_MS)])
      const shown = await page.locator('main').innerText()
      assert.ok([...dates].some((d) => shown.includes(`Your account will be deleted on ${d}.`)), `${shown} (expected one of ${[...dates].join(', ')})`)
      assert.ok(shown.includes('Your account is scheduled for deletion and you were logged out.'))
      assert.equal(await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Log in' }).count(), 1, 'logged out')
      await shots.shoot(page, 'log-in-deletion-scheduled')

      // Log in again during the grace period: the banner offers to keep the account.
      await logIn(page, origin, newEmail, THIRD_PASSWORD, null)
      assert.equal(where(page), '/account/settings')
      const banner = page.getByRole('status').filter({ hasText: 'Your account is scheduled for deletion on' })
      await banner.waitFor()
      const deleteAt = Date.parse((await banner.locator('time').getAttribute('datetime')) ?? '')
      assert.ok(deleteAt >= scheduledFrom + GRACE_DAYS * DAY_MS - 1_000 && deleteAt <= scheduledTo + GRACE_DAYS * DAY_MS + 1_000, `deletion ${GRACE_DAYS} days out: ${new Date(deleteAt).toISOString()}`)
      await shots.shoot(page, 'settings-deletion-banner')
      await banner.getByRole('button', { name: 'Keep my account' }).click()
      await page.waitForURL(/\/account\/settings\?notice=deletion_cancelled$/)
      await page.getByRole('status').filter({ hasText: 'Welcome back! Your account will not be deleted.' }).waitFor()
      const kept = await page.locator('main').innerText()
      assert.ok(!kept.includes('scheduled for deletion'), 'the banner is gone')
      assert.equal(await page.getByRole('button', { name: 'Keep my account' }).count(), 0)
      assert.equal(await page.getByRole('link', { name: 'Delete my account…' }).count(), 1, 'deletion can be asked for again')
      await shots.shoot(page, 'settings-deletion-cancelled')
    } finally {
      await a.close()
      await b.close()
    }
  })

  test('at a phone viewport (390×844): the sign-up, mailbox, confirmation, log-in and settings pages fit the screen', { timeout: 240_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    const email = `phone-${stamp}@example.com`
    const phone = await browser.newContext({ ...CONTEXT, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    try {
      const page = await newPage(phone)
      /** No sideways scrolling: nothing is wider than the screen. */
      const assertFits = async (what: string) => {
        const width = await page.evaluate(() => document.documentElement.scrollWidth)
        assert.ok(width <= 390, `${what} is ${width}px wide on a 390px screen`)
      }

      await page.goto(`${origin}/account/sign-up`)
      await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor()
      await page.getByLabel('Email address').fill(email)
      await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD)
      await assertFits('the sign-up page')
      await shots.shoot(page, 'phone-sign-up')
      await page.getByRole('button', { name: 'Create account' }).tap()
      await page.waitForURL(/\/account\/log-in\?notice=check_email&login=[^&]+$/)

      await openMailedLink(page, origin, email, `Confirm your email for ${APP}`, '/account/confirm', 'phone-mailbox', () => assertFits('the dev mailbox'))
      await assertFits('the confirmation page')
      const confirmLink = page.url()
      await page.getByRole('button', { name: 'Confirm my email' }).tap()
      await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
      await page.getByLabel('Email address or username').fill(email)
      await page.getByLabel('Password', { exact: true }).fill(FIRST_PASSWORD)
      await page.getByRole('button', { name: 'Show password' }).tap()
      await assertFits('the log-in page')
      await shots.shoot(page, 'phone-log-in')
      await page.getByRole('button', { name: 'Log in' }).tap()
      await page.waitForURL(`${origin}/account/settings`)
      await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
      assert.ok((await page.locator('main').innerText()).includes(`${email} (confirmed)`))
      await assertFits('the settings page')
      await shots.shoot(page, 'phone-settings')

      // The email change's password prompt, with a wrong password: message, field, Show password.
      await page.getByLabel('New email address').fill(`phone.new-${stamp}@example.com`)
      await page.getByRole('button', { name: 'Send confirmation link' }).tap()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to change your email address' }).waitFor()
      await page.getByLabel('Password', { exact: true }).fill('not my password at all')
      await page.getByRole('button', { name: 'Confirm', exact: true }).tap()
      await page.getByText('That password is not correct.', { exact: true }).waitFor()
      await assertMessageBeforeReveal(page, 'password')
      await assertFits('the sudo prompt')
      await shots.shoot(page, 'phone-sudo-wrong-password')

      // The used confirmation link, signed in: nothing left to do.
      await page.goto(confirmLink)
      await page.getByRole('alert').filter({ hasText: 'This link is invalid' }).waitFor()
      assert.ok((await page.locator('main').innerText()).includes('Your email address is already confirmed.'))
      await assertFits('the used confirmation link')
      await shots.shoot(page, 'phone-confirm-used-link')
    } finally {
      await phone.close()
    }
  })
})
