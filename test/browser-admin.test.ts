import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { camera, chromiumMissing, freshArtifacts, launchChromium, startDemo, type DemoServer } from './support/browser-demo.ts'

// The admin pages in Debian's Chromium, against `sigra demo` (admin() enabled: the first account,
// which startDemo signs up, is the Owner): the Owner finds a user, writes a note, suspends and reactivates another
// (whose open session ends), acts as a third behind the password prompt with the banner on every
// page, and stops. On a laptop and on a phone, by label, button and keyboard.

const APP = 'Sigra demo'
const PASSWORD = 'correct horse battery staple'
const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' }
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
/** This file's own screenshot folder (the other journeys own theirs). */
const ARTIFACTS = new URL('../test-artifacts/browser-admin', import.meta.url).pathname

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

let demo: DemoServer | null = null
let browser: Browser | null = null
const shots = camera(1, ARTIFACTS)

describe('the admin pages in a real browser', () => {
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

  const running = () => {
    assert.ok(demo && browser, 'the demo and Chromium were started in before()')
    return { demo, browser }
  }

  /** Uncaught errors of the pages' script. */
  const scriptErrors: string[] = []

  const newPage = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage()
    page.on('pageerror', (error) => scriptErrors.push(`${new URL(page.url()).pathname}: ${error.message}`))
    // Forms that ask first (data-confirm) are answered yes, as the operator would.
    page.on('dialog', (dialog) => void dialog.accept())
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    return page
  }

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

  /** The impersonation banner of the layout, for `email`. */
  const banner = (page: Page, email: string) => page.getByRole('status').filter({ hasText: `You are acting as ${email}.` })

  /** Signs up; with `confirm`, then confirms by the mailed link. Ends on the log-in page. */
  async function signUp(page: Page, origin: string, email: string, confirm: boolean): Promise<void> {
    await page.goto(`${origin}/account/sign-up`)
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor()
    await page.getByLabel('Email address').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=check_email/)
    if (confirm) await confirmByMail(page, origin, email)
  }

  /** Opens the newest confirmation mail to `email` in the dev mailbox and confirms; ends on the log-in page. */
  async function confirmByMail(page: Page, origin: string, email: string): Promise<void> {
    await page.goto(`${origin}/dev/mailbox`)
    const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: `Confirm your email for ${APP}`, exact: true }) }).filter({ hasText: email }).first()
    await mail.waitFor()
    await mail.getByRole('link', { name: new RegExp(`^${escape(origin)}/account/confirm\\?token=`) }).click()
    await page.getByRole('button', { name: 'Confirm my email' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
  }

  /** Logs in through the form by keyboard; ends on the settings page. */
  async function logIn(page: Page, origin: string, email: string, password = PASSWORD): Promise<void> {
    if (new URL(page.url()).pathname !== '/account/log-in') await page.goto(`${origin}/account/log-in`)
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
    const field = page.getByLabel('Email address or username')
    await field.fill('')
    await field.focus()
    await page.keyboard.type(email)
    await page.getByLabel('Password', { exact: true }).focus()
    await page.keyboard.type(password)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${origin}/account/settings`)
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor()
  }

  test('the Owner finds a user, adds a note, suspends and reactivates another, acts as a third (password prompt, banner on every page) and stops', { timeout: 300_000 }, async (t) => {
    const missing = chromiumMissing()
    if (missing) return t.skip(missing)
    const { demo, browser } = running()
    const { origin } = demo
    scriptErrors.length = 0
    // The demo's first account (signed up by startDemo) is the Owner.
    const { email: ownerEmail, password: ownerPassword } = demo.owner
    const bobEmail = `bob-${stamp}@example.com`
    const carolEmail = `carol-${stamp}@example.com`

    const ownerContext = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    const bobContext = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    const phoneContext = await browser.newContext({ ...CONTEXT, viewport: PHONE, isMobile: true, hasTouch: true })
    try {
      // The Owner confirms their address; Bob signs up and signs in on his own device; Carol only signs up.
      const page = await newPage(ownerContext)
      await confirmByMail(page, origin, ownerEmail)
      const bob = await newPage(bobContext)
      await signUp(bob, origin, bobEmail, true)
      await logIn(bob, origin, bobEmail)
      await signUp(page, origin, carolEmail, false)

      await logIn(page, origin, ownerEmail, ownerPassword)
      const section = page.getByRole('region', { name: 'Administration' })
      await section.waitFor()
      await shots.shoot(page, 'settings-administration')
      assert.equal(await bob.getByRole('region', { name: 'Administration' }).count(), 0, 'a User has no Administration section')
      await section.getByRole('link', { name: 'Users' }).click()
      await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
      assert.equal(where(page), '/account/admin/users')
      const rows = page.getByRole('table').getByRole('row')
      assert.equal(await rows.count(), 4, 'a header row and three accounts')
      await assertFits(page, 'the users list on a laptop')
      await shots.shoot(page, 'users-list')

      // Search by keyboard: the search box, type, Enter.
      await page.getByRole('searchbox', { name: 'Search' }).focus()
      await page.keyboard.type(`bob-${stamp}`)
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/account\/admin\/users\?search=bob-/)
      assert.equal(await rows.count(), 2, 'only Bob')
      await shots.shoot(page, 'users-search')
      await page.getByRole('link', { name: bobEmail }).click()
      await page.getByRole('heading', { level: 1, name: bobEmail }).waitFor()
      await assertFits(page, "Bob's page on a laptop")
      await shots.shoot(page, 'user-detail')

      // A note: written, then shown with its author.
      const notes = page.getByRole('region', { name: 'Notes' })
      await notes.getByLabel('New note').fill('Asked about invoices on the phone.')
      await notes.getByRole('button', { name: 'Add note' }).click()
      await page.getByRole('status').filter({ hasText: 'The note was added.' }).waitFor()
      assert.match(where(page), /\?notice=admin_note_added#notes$/)
      const note = page.getByRole('region', { name: 'Notes' }).getByRole('listitem').first()
      assert.ok((await note.innerText()).includes('Asked about invoices on the phone.'))
      assert.match(await note.innerText(), /you · /, 'written by you')
      await shots.shoot(page, 'user-note-added')

      // Suspend Bob: his open session ends at once; then active again.
      const status = page.getByRole('region', { name: 'Status', exact: true })
      await status.getByLabel('Status').selectOption('suspended')
      await status.getByRole('button', { name: 'Change status' }).click()
      await page.getByRole('status').filter({ hasText: 'The status was changed.' }).waitFor()
      assert.equal(await page.getByRole('region', { name: 'Status', exact: true }).getByLabel('Status').inputValue(), 'suspended')
      await shots.shoot(page, 'user-suspended')
      await bob.reload()
      await bob.waitForURL(/\/account\/log-in\?/)
      await bob.getByRole('heading', { level: 1, name: 'Log in' }).waitFor()
      await shots.shoot(bob, 'bob-signed-out')
      await page.getByRole('region', { name: 'Status', exact: true }).getByLabel('Status').selectOption('active')
      await page.getByRole('region', { name: 'Status', exact: true }).getByRole('button', { name: 'Change status' }).click()
      await page.getByRole('status').filter({ hasText: 'The status was changed.' }).waitFor()
      await logIn(bob, origin, bobEmail)

      // The audit explorer shows what was just done.
      await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click()
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
      await page.getByLabel('Action starts with').fill('admin.')
      await page.getByRole('button', { name: 'Filter' }).click()
      await page.waitForURL(/actionPrefix=admin\./)
      const actions = await page.getByRole('table').locator('td[data-label="Action"] code').allInnerTexts()
      assert.deepEqual(actions.slice(0, 3), ['admin.status_change', 'admin.status_change', 'admin.note_create'], 'newest first')
      assert.match(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href') ?? '', /^\/auth\/admin\/audit\.csv\?actionPrefix=admin\.$/)
      await shots.shoot(page, 'audit-explorer')

      // Act as Carol: a reason, then the password prompt, then her settings with the banner.
      await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Users' }).click()
      await page.getByRole('link', { name: carolEmail }).click()
      await page.getByRole('heading', { level: 1, name: carolEmail }).waitFor()
      const act = page.getByRole('region', { name: 'Act as this user' })
      await act.getByLabel('Reason').fill('Checking the signup flow for ticket 42')
      await act.getByRole('button', { name: 'Act as this user' }).click()
      await page.getByRole('heading', { level: 1, name: 'Confirm it is you to act as this user' }).waitFor()
      await assertFocused(page.getByLabel('Password', { exact: true }), 'the password field is focused')
      await shots.shoot(page, 'impersonate-sudo')
      await page.keyboard.type(ownerPassword)
      await page.keyboard.press('Enter')
      await page.waitForURL(`${origin}/account/settings`)
      await banner(page, carolEmail).waitFor()
      assert.equal(await page.getByRole('region', { name: 'Administration' }).count(), 0, 'Carol is no operator')
      await shots.shoot(page, 'impersonating-settings')
      for (const path of ['/', '/account/admin/users', '/account/settings']) {
        await page.goto(`${origin}${path}`)
        await page.locator('h1').waitFor()
        assert.equal(await banner(page, carolEmail).count(), 1, `the banner on ${path}`)
      }

      // Stop: back as the Owner, no banner.
      await banner(page, carolEmail).getByRole('button', { name: 'Stop acting as this user' }).click()
      await page.waitForURL(`${origin}/account/settings`)
      await page.getByRole('region', { name: 'Administration' }).waitFor()
      assert.equal(await page.getByText('You are acting as').count(), 0, 'no banner')
      await shots.shoot(page, 'stopped-impersonating')

      // On a phone: the list and a user's page fit the screen.
      const phone = await newPage(phoneContext)
      await logIn(phone, origin, ownerEmail, ownerPassword)
      await phone.goto(`${origin}/account/admin/users`)
      await phone.getByRole('heading', { level: 1, name: 'Users' }).waitFor()
      await assertFits(phone, 'the users list on a phone')
      await shots.shoot(phone, 'phone-users-list')
      await phone.getByRole('link', { name: bobEmail }).click()
      await phone.getByRole('heading', { level: 1, name: bobEmail }).waitFor()
      await assertFits(phone, "Bob's page on a phone")
      await shots.shoot(phone, 'phone-user-detail')
      await phone.goto(`${origin}/account/admin/audit`)
      await phone.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor()
      await assertFits(phone, 'the audit log on a phone')
      await shots.shoot(phone, 'phone-audit-explorer')

      assert.deepEqual(scriptErrors, [], 'the page script ran without errors')
    } finally {
      await ownerContext.close()
      await bobContext.close()
      await phoneContext.close()
    }
  })
})
