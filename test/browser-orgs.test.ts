import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core'
import { createSigra } from 'sigra'
import { toNodeHandler } from 'sigra/node'
import { organizations } from 'sigra/organizations'
import { pglite } from 'sigra/pglite'
import { fastPasswordHasher } from 'sigra/testing'
import { camera, chromiumMissing, freshArtifacts, launchChromium } from './support/browser-demo.ts'

// Organizations in Debian's Chromium, against an app with organizations() on an embedded database
// (started in this process, with the dev mailbox): Ada creates an organization, invites Bob through
// the dev mailbox, Bob signs up, accepts and switches organizations from the header, Ada makes him
// admin and is refused when she tries to leave as the last owner. By label, button and keyboard,
// on a laptop and on a phone. Skipped, saying why, when SIGRA_TEST_CHROMIUM is not set.

const APP = 'Orgs journey'
const PASSWORD = 'correct horse battery staple'
const CONTEXT: BrowserContextOptions = { locale: 'en-GB', timezoneId: 'UTC', colorScheme: 'light' }
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const ARTIFACTS = new URL('../test-artifacts/browser-orgs', import.meta.url).pathname

const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function whyNot(): string | null {
  if (!process.env.SIGRA_TEST_CHROMIUM) return 'SIGRA_TEST_CHROMIUM is not set: set it to a Chromium binary (Debian: /usr/bin/chromium) to run the browser journey'
  return chromiumMissing()
}

interface App {
  origin: string
  close(): Promise<void>
}

/** The app on a free loopback port: organizations() with the pages and the dev mailbox. */
async function startApp(): Promise<App> {
  // Listen first (port 0), then build Sigra with the origin it got: the pages' origin check and the mailed links agree.
  let handler: ((req: Parameters<ReturnType<typeof toNodeHandler>>[0], res: Parameters<ReturnType<typeof toNodeHandler>>[1]) => void) | null = null
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`
  const sigra = await createSigra({
    database: pglite(),
    secret: 'browser-orgs-journey-secret-0123456789abcdef',
    baseUrl: origin,
    appName: APP,
    autoMigrate: true,
    http: { devMailbox: true },
    passwordHasher: fastPasswordHasher(),
    allowWeakPasswordHashing: true,
    features: [organizations()],
  })
  handler = toNodeHandler(sigra)
  return {
    origin,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await sigra.close()
    },
  }
}

let app: App | null = null
let browser: Browser | null = null
const shots = camera(1, ARTIFACTS)

describe('organizations in a real browser', () => {
  before(async () => {
    if (whyNot()) return
    await freshArtifacts(ARTIFACTS)
    app = await startApp()
    browser = await launchChromium()
  }, { timeout: 240_000 })

  after(async () => {
    await browser?.close().catch(() => undefined)
    await app?.close()
  }, { timeout: 60_000 })

  const scriptErrors: string[] = []

  const newPage = async (context: BrowserContext): Promise<Page> => {
    const page = await context.newPage()
    page.on('pageerror', (error) => scriptErrors.push(`${new URL(page.url()).pathname}: ${error.message}`))
    // Forms that ask first (data-confirm) are answered yes.
    page.on('dialog', (dialog) => void dialog.accept())
    page.setDefaultTimeout(30_000)
    page.setDefaultNavigationTimeout(60_000)
    return page
  }

  const where = (page: Page) => {
    const url = new URL(page.url())
    return `${url.pathname}${url.search}`
  }

  async function assertFocused(locator: Locator, message: string): Promise<void> {
    assert.equal(await locator.evaluate((el) => el === document.activeElement), true, message)
  }

  async function assertFits(page: Page, what: string): Promise<void> {
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }))
    assert.ok(scrollWidth <= clientWidth, `${what} is ${scrollWidth}px wide in a ${clientWidth}px viewport`)
  }

  /** The dev mailbox's newest mail to `to` with `subject`. */
  async function openMail(page: Page, origin: string, to: string, subject: string): Promise<Locator> {
    await page.goto(`${origin}/dev/mailbox`)
    await page.getByRole('heading', { level: 1, name: 'Dev mailbox' }).waitFor()
    const mail = page.getByRole('article').filter({ has: page.getByRole('heading', { name: subject, exact: true }) }).filter({ hasText: to }).first()
    await mail.waitFor()
    return mail
  }

  /** Signs up by keyboard, confirms through the mailbox, logs in; ends on the settings page. */
  async function signUp(page: Page, origin: string, email: string): Promise<void> {
    await page.goto(`${origin}/account/sign-up`)
    await page.getByRole('heading', { level: 1, name: 'Create your account' }).waitFor()
    await page.keyboard.type(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=check_email/)
    const mail = await openMail(page, origin, email, `Confirm your email for ${APP}`)
    await mail.getByRole('link', { name: new RegExp(`^${escape(origin)}/account/confirm\\?token=`) }).click()
    await page.getByRole('button', { name: 'Confirm my email' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=email_confirmed$/)
    await logIn(page, origin, email)
  }

  async function logIn(page: Page, origin: string, email: string): Promise<void> {
    if (new URL(page.url()).pathname !== '/account/log-in') await page.goto(`${origin}/account/log-in`)
    const field = page.getByLabel('Email address or username')
    if ((await field.inputValue()) === '') await field.fill(email)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await Promise.all([page.waitForURL((url) => url.pathname !== '/account/log-in'), page.keyboard.press('Enter')])
    await page.locator('h1').waitFor()
  }

  async function logOut(page: Page): Promise<void> {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Log out' }).click()
    await page.waitForURL(/\/account\/log-in\?notice=logged_out$/)
  }

  /** The header's switcher. */
  const switcher = (page: Page) => page.getByRole('navigation', { name: 'Account' }).getByLabel('Active organization')

  test('create an organization, invite through the mailbox, accept, switch, change a role, and the last owner cannot leave', { timeout: 300_000 }, async (t) => {
    const missing = whyNot()
    if (missing) return t.skip(missing)
    assert.ok(app && browser, 'the app and Chromium were started in before()')
    const { origin } = app
    scriptErrors.length = 0
    const ada = `ada-${stamp}@example.com`
    const bob = `bob-${stamp}@example.com`
    const adaContext = await browser.newContext({ ...CONTEXT, viewport: DESKTOP })
    const bobContext = await browser.newContext({ ...CONTEXT, viewport: PHONE, isMobile: true, hasTouch: true })
    try {
      // Ada signs up and creates an organization from the header's link.
      const page = await newPage(adaContext)
      await signUp(page, origin, ada)
      await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Organizations' }).click()
      await page.getByRole('heading', { level: 1, name: 'Organizations' }).waitFor()
      assert.ok((await page.locator('main').innerText()).includes('You are not in any organization yet.'))
      await page.getByRole('link', { name: 'Create organization' }).click()
      await page.getByRole('heading', { level: 1, name: 'Create an organization' }).waitFor()
      await assertFocused(page.getByLabel('Name', { exact: true }), 'the name field is focused on arrival')
      await page.keyboard.type('Journey Co')
      await shots.shoot(page, 'create-organization')
      await Promise.all([page.waitForURL(/\/account\/orgs\/journey-co\?done=created$/), page.keyboard.press('Enter')])
      await page.getByRole('heading', { level: 1, name: 'Journey Co' }).waitFor()
      assert.ok((await page.getByRole('status').first().innerText()).includes('The organization was created. You are its owner.'))
      assert.equal(await switcher(page).locator('option:checked').innerText(), 'Journey Co', 'the header shows it active')

      // She invites Bob as a member, by keyboard.
      const invitations = page.getByRole('region', { name: 'Invitations' })
      await invitations.getByLabel('Email address').fill(bob)
      assert.equal(await invitations.getByLabel('Role').locator('option:checked').innerText(), 'Member', 'member is the default role')
      await invitations.getByLabel('Email address').focus()
      await Promise.all([page.waitForURL(/done=invited$/), page.keyboard.press('Enter')])
      assert.ok((await page.getByRole('region', { name: 'Invitations' }).innerText()).includes(bob), 'the pending invitation is listed')
      await shots.shoot(page, 'organization-invited')
      await logOut(page)

      // Bob, on a phone: signs up, finds the invitation in the mailbox, accepts.
      const phone = await newPage(bobContext)
      await signUp(phone, origin, bob)
      const mail = await openMail(phone, origin, bob, `You are invited to join Journey Co on ${APP}`)
      assert.ok((await mail.innerText()).includes(`${ada} invited ${bob} to join Journey Co as Member.`))
      await mail.getByRole('link', { name: new RegExp(`^${escape(origin)}/account/orgs/invitation\\?token=`) }).click()
      await phone.getByRole('heading', { level: 1, name: 'Join Journey Co' }).waitFor()
      await assertFits(phone, 'the invitation page')
      await shots.shoot(phone, 'invitation-phone')
      await Promise.all([phone.waitForURL(/\/account\/orgs\/journey-co\?done=joined$/), phone.getByRole('button', { name: 'Accept and join Journey Co' }).click()])
      assert.ok((await phone.getByRole('status').first().innerText()).includes('Welcome! You joined the organization.'))
      assert.ok((await phone.getByRole('region', { name: 'Members' }).innerText()).includes(ada))
      await assertFits(phone, 'the organization page on a phone')
      await shots.shoot(phone, 'organization-phone-member')

      // Bob makes his own organization (it becomes active), then switches back from the header by keyboard.
      await phone.goto(`${origin}/account/orgs/new`)
      await phone.keyboard.type('Bob Side')
      await Promise.all([phone.waitForURL(/\/account\/orgs\/bob-side\?done=created$/), phone.keyboard.press('Enter')])
      assert.equal(await switcher(phone).locator('option:checked').innerText(), 'Bob Side')
      await switcher(phone).focus()
      await switcher(phone).selectOption({ label: 'Journey Co' })
      await phone.keyboard.press('Tab')
      await assertFocused(phone.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: 'Switch' }), 'Tab moves from the switcher to its button')
      await Promise.all([phone.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/account/orgs/switch'), phone.keyboard.press('Enter')])
      await phone.waitForURL(/\/account\/orgs\/bob-side$/)
      assert.equal(where(phone), '/account/orgs/bob-side', 'back on the page he was on')
      assert.equal(await switcher(phone).locator('option:checked').innerText(), 'Journey Co', 'Journey Co is active now')
      await assertFits(phone, 'the header with the switcher on a phone')
      await shots.shoot(phone, 'switched-phone')

      // Ada makes Bob admin.
      await logIn(page, origin, ada)
      await page.goto(`${origin}/account/orgs/journey-co`)
      const members = page.getByRole('region', { name: 'Members' })
      await members.getByLabel(`Role of ${bob}`, { exact: true }).selectOption({ label: 'Admin' })
      await Promise.all([page.waitForURL(/done=role_changed$/), members.getByRole('button', { name: `Change the role of ${bob}` }).click()])
      assert.ok((await page.getByRole('status').first().innerText()).includes('The role was changed.'))
      assert.equal(await page.getByRole('region', { name: 'Members' }).getByLabel(`Role of ${bob}`, { exact: true }).locator('option:checked').innerText(), 'Admin')
      await shots.shoot(page, 'role-changed')

      // The last owner cannot leave, nor step down: refused in place, with what to do.
      const danger = page.getByRole('region', { name: 'Danger zone' })
      await danger.getByRole('button', { name: 'Leave Journey Co' }).click()
      await page.getByRole('heading', { level: 1, name: 'Journey Co' }).waitFor()
      const refusal = page.getByRole('region', { name: 'Danger zone' }).getByRole('alert')
      assert.ok((await refusal.innerText()).includes('You are the last owner: the organization must always have one.'))
      await assertFocused(refusal, 'the refusal is focused, so it is read and scrolled into view')
      await shots.shoot(page, 'last-owner-refused')
      await page.getByRole('region', { name: 'Members' }).getByLabel(`Role of ${ada}`, { exact: true }).selectOption({ label: 'Member' })
      await page.getByRole('region', { name: 'Members' }).getByRole('button', { name: `Change the role of ${ada}` }).click()
      await page.getByRole('heading', { level: 1, name: 'Journey Co' }).waitFor()
      assert.ok((await page.getByRole('region', { name: 'Members' }).getByRole('alert').innerText()).includes('You are the last owner'))
      assert.equal(await page.getByRole('region', { name: 'Members' }).getByLabel(`Role of ${ada}`, { exact: true }).locator('option:checked').innerText(), 'Owner', 'she is still the owner')
      await page.setViewportSize(PHONE)
      await assertFits(page, 'the organization page of an owner on a phone')
      await shots.shoot(page, 'owner-phone')
      assert.deepEqual(scriptErrors, [], 'the page script ran without errors')
      assert.equal(shots.taken.length, 8, 'every step was photographed')
    } finally {
      await adaContext.close()
      await bobContext.close()
    }
  })
})
