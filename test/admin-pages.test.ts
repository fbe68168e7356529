import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { admin, SYSTEM_ACTOR } from 'sigra/admin'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'
import { browser, page } from './support/web-browser.ts'

// The admin pages through `sigra.handler` with a cookie-keeping page client: who may open them,
// the users list (search, filters, pages), a user's page and its forms (PRG with a notice, refusals
// in place), impersonation and deletion behind the password prompt, and the audit explorer.

type AdminSigra = Sigra<[ReturnType<typeof admin>]>

const FORBIDDEN = 'Not allowed. Operators change only accounts that rank below their own (an Admin cannot change the Owner or another Admin), never their own account here, and only with the permission for it.'
const LAST_OWNER = 'This is the last active Owner: the site must always have one. Make someone else Owner first.'

/** A page answer: its status and strict page headers; no inline style or handler; its markup. */
async function rendered(res: Response, status: number, what: string): Promise<{ html: string; main: string }> {
  assert.equal(res.status, status, what)
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', what)
  assert.equal(res.headers.get('cache-control'), 'no-store', what)
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/, what)
  const body = await page(res)
  assert.doesNotMatch(body.html, /\sstyle="/, `${what}: no inline style`)
  assert.doesNotMatch(body.html, /\son[a-z]+="/, `${what}: no inline handler`)
  for (const match of body.main.matchAll(/<(input|select|textarea)([^>]*)>/g)) {
    const attrs = match[2]!
    if (/type="(hidden|checkbox)"/.test(attrs)) continue
    const id = /id="([^"]+)"/.exec(attrs)?.[1]
    assert.ok(id && body.main.includes(`<label for="${id}">`), `${what}: ${match[0]} has a label`)
  }
  return body
}

/** A 303 to `location` (a string: exactly; a RegExp: matching). */
function assertSeeOther(res: Response, location: string | RegExp, what: string): void {
  assert.equal(res.status, 303, what)
  const got = res.headers.get('location') ?? ''
  if (typeof location === 'string') assert.equal(got, location, what)
  else assert.match(got, location, what)
}

/** The hidden inputs of a form in the markup, by name. */
function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) out[m[1]!] = m[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"')
  return out
}

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')

describeEachBackend('admin pages', (env) => {
  /** A site whose first account is the Owner, then an Admin and two Users, each signed in. */
  const site = async () => {
    const { sigra, clock } = await env().makeSigra({
      features: [admin({ roles: { support: { label: 'Support', rank: 50, permissions: ['users:read'] } }, customFields: { plan: { type: 'select', label: 'Plan', options: { free: 'Free', gold: 'Gold <VIP>' } } } })],
    })
    const owner = await createConfirmedUser(sigra)
    const operator = await createConfirmedUser(sigra)
    const promoted = await sigra.admin.setRole(SYSTEM_ACTOR, operator.user, 'admin')
    assert.ok(promoted.ok)
    const alice = await createConfirmedUser(sigra, { username: `alice${Date.now().toString(36)}` })
    const bob = await createConfirmedUser(sigra)
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'], 'the first account is the Owner')
    return { sigra: sigra as AdminSigra, clock, owner, operator, alice, bob }
  }

  test('a User gets 403 “Operators only” on every admin page and form, and no Administration section in settings', async () => {
    const { sigra, owner, alice, bob } = await site()
    const b = browser(sigra, { token: alice.token })
    for (const path of ['/account/admin/users', `/account/admin/users/${bob.user.id}`, '/account/admin/audit', '/account/admin/users?search=a&status=active']) {
      const { main } = await rendered(await b.get(path), 403, `GET ${path}`)
      assert.ok(main.includes('<h1>Operators only</h1>'), path)
      assert.ok(!main.includes(bob.email), `${path} shows nothing of the accounts`)
    }
    const forms: Array<[string, Record<string, string>]> = [
      ['profile', { first_name: 'X' }], ['role', { role: 'admin' }], ['status', { status: 'suspended' }], ['confirm', {}], ['unconfirm', {}],
      ['password', { password: 'a brand new long passphrase' }], ['force-password-change', {}], ['revoke-sessions', {}], ['custom-field', { key: 'plan', value: 'gold' }],
      ['notes', { text: 'hello' }], ['mfa-reset', {}], ['notes/edit', { note_id: bob.user.id, text: 'x' }], ['notes/delete', { note_id: bob.user.id }],
    ]
    for (const [action, form] of forms) {
      const { main } = await rendered(await b.post(`/account/admin/users/${bob.user.id}/${action}`, form), 403, `POST ${action}`)
      assert.ok(main.includes('<h1>Operators only</h1>'), action)
    }
    await rendered(await b.post('/account/admin/users/impersonate', { user_id: bob.user.id, reason: 'curious' }), 403, 'POST impersonate')
    await rendered(await b.post('/account/admin/users/delete', { user_id: bob.user.id }), 403, 'POST delete')
    const after = await sigra.admin.getUser(SYSTEM_ACTOR, { id: bob.user.id })
    assert.ok(after.ok && after.user.status === 'active' && after.user.confirmedAt, 'nothing changed')
    assert.ok(await sigra.sessions.validate(bob.token), "bob's session lives")

    const settings = await rendered(await b.get('/account/settings'), 200, 'settings as a User')
    assert.ok(!settings.main.includes('id="admin"'), 'no Administration section for a User')
    const ownerSettings = await rendered(await browser(sigra, { token: owner.token }).get('/account/settings'), 200, 'settings as the Owner')
    assert.ok(ownerSettings.main.includes('<h2 id="admin-title">Administration</h2>'))
    assert.ok(ownerSettings.main.includes('href="/account/admin/users"') && ownerSettings.main.includes('href="/account/admin/audit"'))
  })

  test('an Admin lists users, searches by address, username and name, filters by role and status, and pages with Next', async () => {
    const { sigra, operator, alice, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const all = await rendered(await b.get('/account/admin/users'), 200, 'the list')
    for (const who of [operator, alice, bob]) assert.ok(all.main.includes(`<a href="/account/admin/users/${who.user.id}">${who.email}</a>`), who.email)
    assert.ok(all.main.includes('<form class="card filters" method="get" action="/account/admin/users" role="search" aria-label="Find users">'))

    const byEmail = await rendered(await b.get(`/account/admin/users?search=${encodeURIComponent(bob.email.slice(0, 12).toUpperCase())}`), 200, 'search by address')
    assert.ok(byEmail.main.includes(bob.email) && !byEmail.main.includes(alice.email), 'only bob matches')
    assert.match(byEmail.main, /<input id="search" name="search" type="search"[^>]* value="[^"]+"/, 'the search stays in its box')
    const byUsername = await rendered(await b.get(`/account/admin/users?search=${alice.user.username}`), 200, 'search by username')
    assert.ok(byUsername.main.includes(alice.email) && !byUsername.main.includes(bob.email))
    assert.ok(byUsername.main.includes(`@${alice.user.username}`), 'the username is shown under the address')
    assert.ok((await sigra.admin.setProfile(SYSTEM_ACTOR, bob.user, { firstName: 'Roberta', lastName: 'Quux' })).ok)
    const byName = await rendered(await b.get('/account/admin/users?search=roberta'), 200, 'search by name')
    assert.ok(byName.main.includes(bob.email) && byName.main.includes('Roberta Quux'))

    const admins = await rendered(await b.get('/account/admin/users?role=admin'), 200, 'role filter')
    assert.ok(admins.main.includes(operator.email) && !admins.main.includes(alice.email), 'only the Admin')
    assert.ok(admins.main.includes('<option value="admin" selected>Admin</option>'), 'the chosen role stays selected')
    assert.ok((await sigra.admin.setStatus(SYSTEM_ACTOR, alice.user, 'suspended')).ok)
    const suspended = await rendered(await b.get('/account/admin/users?status=suspended'), 200, 'status filter')
    assert.ok(suspended.main.includes(alice.email) && !suspended.main.includes(bob.email))
    const bad = await rendered(await b.get('/account/admin/users?role=wizard'), 400, 'an unknown role')
    assert.ok(bad.main.includes('<p class="issue" id="role-issue">No such role.</p>'), 'said at the role filter')

    // 27 accounts matching one search: 25, then Next (the sealed cursor, the filter kept) with the other 2.
    const tag = `pg${Date.now().toString(36)}`
    const batch: string[] = []
    for (let i = 0; i < 27; i++) batch.push((await createConfirmedUser(sigra, { email: `${tag}-${i}@example.com` })).email)
    const first = await rendered(await b.get(`/account/admin/users?search=${tag}&sort=email&direction=asc`), 200, 'page 1')
    const shown = (html: string) => batch.filter((email) => html.includes(`>${email}</a>`))
    assert.equal(shown(first.main).length, 25)
    const next = /<a class="button secondary" href="([^"]+)" rel="next">Next<\/a>/.exec(first.main)
    assert.ok(next, 'a Next link')
    const href = unescape(next[1]!)
    const params = new URL(href, 'http://x').searchParams
    assert.equal(params.get('search'), tag, 'Next keeps the search')
    assert.equal(params.get('sort'), 'email')
    assert.ok(params.get('cursor'), 'and carries the cursor')
    const second = await rendered(await b.get(href), 200, 'page 2')
    assert.deepEqual(shown(second.main), batch.filter((e) => !shown(first.main).includes(e)), 'the other two, none twice')
    assert.ok(!second.main.includes('rel="next"'), 'the last page has no Next')
    const tampered = await rendered(await b.get(`/account/admin/users?search=other&cursor=${params.get('cursor')}`), 400, 'a cursor under another filter')
    assert.ok(tampered.main.includes('This cursor does not belong to this query.'))
  })

  test('an Admin opens a user, adds a note (PRG with a notice; escaped; author and time shown), edits and deletes it; an empty note is said at its field', async () => {
    const { sigra, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const detail = await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, "bob's page")
    assert.ok(detail.main.includes(`<h1>${bob.email}</h1>`))
    for (const card of ['profile', 'role', 'status', 'email', 'password', 'sessions', 'custom-fields', 'notes', 'activity', 'impersonate', 'delete']) {
      assert.ok(detail.main.includes(`<section class="card" id="${card}" aria-labelledby="${card}-title">`), `the ${card} card`)
    }
    assert.ok(detail.main.includes('<option value="gold">Gold &lt;VIP&gt;</option>'), 'a select custom field offers its labels, escaped')

    const empty = await rendered(await b.post(`/account/admin/users/${bob.user.id}/notes`, { text: '   ' }), 400, 'an empty note')
    assert.ok(empty.main.includes('<p class="issue" id="note-new-issue">Write the note.</p>'), 'the message at the field')
    assert.ok(empty.main.includes('One field needs attention: see the message next to it.'))

    const text = 'Called about <b>billing</b> & "refund"'
    const added = await b.post(`/account/admin/users/${bob.user.id}/notes`, { text })
    assertSeeOther(added, `/account/admin/users/${bob.user.id}?notice=admin_note_added#notes`, 'a note is added, then back')
    const shown = await rendered(await b.get(added.headers.get('location')!), 200, 'after adding')
    assert.ok(shown.main.includes('<div class="flash ok" role="status"><p>The note was added.</p></div>'), 'the notice')
    assert.ok(shown.main.includes('<p class="note-body">Called about &lt;b&gt;billing&lt;/b&gt; &amp; &quot;refund&quot;</p>'), 'the body, escaped')
    assert.match(shown.main, /<p class="muted">you · <time datetime="[^"]+">/, 'its author (the operator: “you”) and time')
    const notes = await sigra.admin.listNotes(SYSTEM_ACTOR, bob.user)
    assert.ok(notes.ok && notes.notes.length === 1)
    const noteId = notes.notes[0]!.id

    assertSeeOther(await b.post(`/account/admin/users/${bob.user.id}/notes/edit`, { note_id: noteId, text: 'Refund sent.' }), `/account/admin/users/${bob.user.id}?notice=admin_note_saved#note-${noteId}`, 'edited')
    const edited = await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, 'after editing')
    assert.ok(edited.main.includes('<p class="note-body">Refund sent.</p>'))
    const emptyEdit = await rendered(await b.post(`/account/admin/users/${bob.user.id}/notes/edit`, { note_id: noteId, text: '' }), 400, 'an empty edit')
    assert.ok(emptyEdit.main.includes(`<p class="issue" id="note-${noteId}-text-issue">Write the note.</p>`), "said at that note's field")
    assert.ok(emptyEdit.main.includes('<details open><summary>Edit or delete</summary>'), 'its edit form is open')

    assertSeeOther(await b.post(`/account/admin/users/${bob.user.id}/notes/delete`, { note_id: noteId }), `/account/admin/users/${bob.user.id}?notice=admin_note_deleted#notes`, 'deleted')
    const gone = await sigra.admin.listNotes(SYSTEM_ACTOR, bob.user)
    assert.ok(gone.ok && gone.notes.length === 0)
  })

  test('an Admin suspends a user: every session of theirs ends at once; reactivating lets them sign in again', async () => {
    const { sigra, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const before = await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, "bob's page")
    const sessionsCard = before.main.slice(before.main.indexOf('id="sessions"'), before.main.indexOf('id="custom-fields"'))
    assert.ok(sessionsCard.includes('<ul class="sessions">') && sessionsCard.includes('Sign out everywhere'), "bob's session is listed")

    assertSeeOther(await b.post(`/account/admin/users/${bob.user.id}/status`, { status: 'suspended' }), `/account/admin/users/${bob.user.id}?notice=admin_status_changed#status`, 'suspended')
    assert.equal(await sigra.sessions.validate(bob.token), null, "bob's session ended")
    const bobBrowser = browser(sigra, { token: bob.token })
    assertSeeOther(await bobBrowser.get('/account/settings'), /^\/account\/log-in\?/, 'bob is sent to log in')
    const login = await sigra.auth.logIn({ login: bob.email, password: bob.password! })
    assert.ok(!login.ok, 'a suspended account cannot sign in')
    const after = await rendered(await b.get(`/account/admin/users/${bob.user.id}?notice=admin_status_changed`), 200, 'after')
    assert.ok(after.main.includes('<div class="flash ok" role="status"><p>The status was changed.</p></div>'))
    assert.ok(after.main.includes('<dt>Status</dt><dd>Suspended</dd>'))
    assert.ok(after.main.includes('<option value="suspended" selected>Suspended</option>'))
    assert.ok(after.main.includes('Not signed in anywhere.'))

    assertSeeOther(await b.post(`/account/admin/users/${bob.user.id}/status`, { status: 'active' }), `/account/admin/users/${bob.user.id}?notice=admin_status_changed#status`, 'reactivated')
    assert.ok((await sigra.auth.logIn({ login: bob.email, password: bob.password! })).ok, 'bob signs in again')
  })

  test('an Admin cannot act on the Owner: the page is read-only, and a forced post is refused (403) with the rank rule said plainly', async () => {
    const { sigra, owner, operator } = await site()
    const b = browser(sigra, { token: operator.token })
    const view = await rendered(await b.get(`/account/admin/users/${owner.user.id}`), 200, "the Owner's page")
    assert.ok(view.main.includes('You can view this account but not change it: it ranks equal to or above yours.'))
    assert.ok(!view.main.includes(`action="/account/admin/users/${owner.user.id}/status"`), 'no status form')
    assert.ok(!view.main.includes('id="impersonate"') && !view.main.includes('id="delete"'), 'no impersonation or deletion')
    for (const [action, form] of [['status', { status: 'suspended' }], ['role', { role: 'user' }], ['notes', { text: 'x' }]] as const) {
      const refused = await rendered(await b.post(`/account/admin/users/${owner.user.id}/${action}`, form), 403, `${action} on the Owner`)
      assert.ok(refused.main.includes(`<div class="flash error" role="alert" tabindex="-1" autofocus><p>${FORBIDDEN}</p></div>`), action)
    }
    const prompt = await rendered(await b.post('/account/admin/users/impersonate', { user_id: owner.user.id, reason: 'curious' }), 403, 'impersonating the Owner')
    assert.ok(prompt.main.includes(FORBIDDEN), 'refused by rank before any password prompt')
    assert.ok(await sigra.sessions.validate(owner.token), "the Owner's session lives")
    const roles = await sigra.admin.roles(owner.user)
    assert.deepEqual(roles, ['owner'])
  })

  test('the Owner demoting themself while the only Owner: 409 with the last-Owner sentence', async () => {
    const { sigra, owner } = await site()
    const b = browser(sigra, { token: owner.token })
    const own = await rendered(await b.get(`/account/admin/users/${owner.user.id}`), 200, 'own page')
    assert.ok(own.main.includes('This is your own account'))
    const refused = await rendered(await b.post(`/account/admin/users/${owner.user.id}/role`, { role: 'admin' }), 409, 'last owner')
    assert.ok(refused.main.includes(`<p>${LAST_OWNER}</p>`), refused.main)
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'])
  })

  test('a host role with users:read only: reads users and their pages, no audit log link; a change is refused (403) with the reason', async () => {
    const { sigra, alice, bob } = await site()
    assert.ok((await sigra.admin.setRole(SYSTEM_ACTOR, alice.user, 'support')).ok)
    const b = browser(sigra, { token: alice.token })
    const list = await rendered(await b.get('/account/admin/users'), 200, 'the list')
    assert.ok(list.main.includes(bob.email))
    assert.ok(!list.main.includes('href="/account/admin/audit"'), 'no audit log link')
    await rendered(await b.get('/account/admin/audit'), 403, 'the audit log')
    const detail = await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, "bob's page")
    assert.ok(detail.main.includes('Your role does not include reading the audit log.'))
    const refused = await rendered(await b.post(`/account/admin/users/${bob.user.id}/status`, { status: 'banned' }), 403, 'a change')
    assert.ok(refused.main.includes(FORBIDDEN))
    const settings = await rendered(await b.get('/account/settings'), 200, 'settings')
    assert.ok(settings.main.includes('<h2 id="admin-title">Administration</h2>') && !settings.main.includes('Audit log'), 'Users only')
    assert.ok(await sigra.sessions.validate(bob.token), 'bob untouched')
  })

  test("acting as an Admin lends none of the Admin's operator powers: the admin pages and forms refuse, and settings has no Administration", async () => {
    const { sigra, owner, operator, bob } = await site()
    await grantSudo(sigra, owner.session)
    const b = browser(sigra, { token: owner.token })
    assertSeeOther(await b.post('/account/admin/users/impersonate', { user_id: operator.user.id, reason: 'What does an Admin see?' }), '/account/settings', 'acting as the Admin')
    const acting = await sigra.sessions.validate(b.token())
    assert.ok(acting && acting.user.id === operator.user.id && acting.session.impersonatorId === owner.user.id)
    const settings = await rendered(await b.get('/account/settings'), 200, 'settings')
    assert.ok(settings.main.includes(`You are acting as ${operator.email}.`))
    assert.ok(!settings.main.includes('id="admin"'), 'no Administration section')
    await rendered(await b.get('/account/admin/users'), 403, 'the list')
    await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 403, "bob's page")
    await rendered(await b.post(`/account/admin/users/${bob.user.id}/status`, { status: 'suspended' }), 403, 'suspending bob')
    assert.ok(await sigra.sessions.validate(bob.token), 'bob untouched')
  })

  test('a form post without the same-origin proof is refused (403 csrf) before anything runs', async () => {
    const { sigra, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const res = await b.post(`/account/admin/users/${bob.user.id}/status`, { status: 'suspended' }, { origin: 'https://evil.example' })
    const { main } = await rendered(res, 403, 'cross-site post')
    assert.ok(main.includes('This form was sent from another site or an old page, so it was refused.'))
    assert.ok(await sigra.sessions.validate(bob.token), 'bob was not suspended')
  })

  test('the other forms: profile, role, confirmation, password (with must-change), custom field, forced change, sign out everywhere; refusals in place', async () => {
    const { sigra, owner, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const at = (action: string) => `/account/admin/users/${bob.user.id}/${action}`
    const back = (notice: string, card: string) => `/account/admin/users/${bob.user.id}?notice=${notice}#${card}`

    assertSeeOther(await b.post(at('profile'), { first_name: 'Bob', last_name: 'Builder', locale: 'pt-BR' }), back('admin_profile_saved', 'profile'), 'profile')
    const badLocale = await rendered(await b.post(at('profile'), { first_name: 'Bob', last_name: '', locale: 'not a tag' }), 400, 'a bad locale')
    assert.ok(badLocale.main.includes('<p class="issue" id="locale-issue">A language tag like en or pt-BR.</p>'))
    assert.match(badLocale.main, /<input id="locale" name="locale" type="text" autocomplete="off" value="not a tag"/, 'the value is shown again')
    const role = await rendered(await b.post(at('role'), { role: 'admin' }), 403, 'an Admin cannot make another Admin')
    assert.ok(role.main.includes(FORBIDDEN))
    assert.ok(role.main.includes('<option value="admin" selected>Admin</option>'), 'the choice is shown again')
    assertSeeOther(await browser(sigra, { token: owner.token }).post(at('role'), { role: 'admin' }), back('admin_role_changed', 'role'), 'the Owner can')
    assert.deepEqual(await sigra.admin.roles(bob.user), ['admin'])
    assert.ok((await sigra.admin.setRole(SYSTEM_ACTOR, bob.user, 'user')).ok)
    assertSeeOther(await b.post(at('unconfirm')), back('admin_unconfirmed', 'email'), 'unconfirm')
    assert.ok((await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, 'unconfirmed')).main.includes('<dt>Email confirmed</dt><dd>No</dd>'))
    assertSeeOther(await b.post(at('confirm')), back('admin_confirmed', 'email'), 'confirm')

    const weak = await rendered(await b.post(at('password'), { password: 'short', must_change: 'on' }), 400, 'a short password')
    assert.match(weak.main, /<p class="issue" id="new-password-issue">Use at least \d+ characters\.<\/p>/, 'the policy, said at the field')
    assert.ok(weak.main.includes('<input type="checkbox" name="must_change" value="on" checked>'), 'the box stays ticked')
    assertSeeOther(await b.post(at('password'), { password: 'a brand new long passphrase', must_change: 'on' }), back('admin_password_set', 'password'), 'password set')
    assert.equal(await sigra.sessions.validate(bob.token), null, 'every session of bob ended')
    const relog = await sigra.auth.logIn({ login: bob.email, password: 'a brand new long passphrase' })
    assert.ok(relog.ok && relog.pending.includes('password_change'), 'the new password works, and a change is required')

    assertSeeOther(await b.post(at('custom-field'), { key: 'plan', value: 'gold' }), back('admin_field_saved', 'custom-fields'), 'custom field')
    assert.equal(await sigra.admin.getCustomField(bob.user, 'plan'), 'gold', 'stored by key')
    const withPlan = await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 200, 'with a plan')
    assert.ok(withPlan.main.includes('<span class="hint" id="cf-plan-hint">Now: Gold &lt;VIP&gt;</span>'), 'shown by label')
    assert.ok(withPlan.main.includes('<option value="gold" selected>Gold &lt;VIP&gt;</option>'))
    const badPlan = await rendered(await b.post(at('custom-field'), { key: 'plan', value: 'platinum' }), 400, 'not an option')
    assert.ok(badPlan.main.includes('<p class="issue" id="cf-plan-issue">Plan must be one of its options.</p>'))

    const carol = await createConfirmedUser(sigra)
    assertSeeOther(await b.post(`/account/admin/users/${carol.user.id}/force-password-change`), `/account/admin/users/${carol.user.id}?notice=admin_password_change_required#password`, 'force a change')
    assert.equal(await sigra.sessions.validate(carol.token), null, "carol's sessions are held at the change")
    assertSeeOther(await b.post(`/account/admin/users/${carol.user.id}/revoke-sessions`), `/account/admin/users/${carol.user.id}?notice=admin_sessions_revoked#sessions`, 'sign out everywhere')
    assert.equal(await sigra.sessions.resolve(carol.token), null, "carol's session is gone")
  })
  test('impersonation: a reason is required; then the password prompt in place; after it the cookie is a session of the user, the banner shows, and stopping gives the operator their own session back', async () => {
    const { sigra, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const noReason = await rendered(await b.post('/account/admin/users/impersonate', { user_id: bob.user.id, reason: ' ' }), 400, 'no reason')
    assert.ok(noReason.main.includes('<p class="issue" id="impersonate-reason-issue">Say why (at most 500 characters): it is recorded.</p>'))

    const prompt = await rendered(await b.post('/account/admin/users/impersonate', { user_id: bob.user.id, reason: 'Ticket #42: cannot see invoices' }), 403, 'the password prompt')
    assert.ok(prompt.main.includes('<h1>Confirm it is you to act as this user</h1>'), 'the prompt names the action')
    const carried = hiddenFields(prompt.main)
    assert.equal(carried['resume.user_id'], bob.user.id)
    assert.equal(carried['resume.reason'], 'Ticket #42: cannot see invoices')
    const started = await b.post('/account/sudo', { ...carried, password: operator.password! })
    assertSeeOther(started, '/account/settings', 'after the password: to the settings page')
    const acting = await sigra.sessions.validate(b.token())
    assert.ok(acting, 'the cookie holds a live session')
    assert.equal(acting.user.id, bob.user.id, "it is bob's")
    assert.equal(acting.session.impersonatorId, operator.user.id, 'marked with the operator')

    for (const path of ['/account/settings', `/account/admin/users/${bob.user.id}`]) {
      const shown = await b.get(path)
      const { main } = await page(shown)
      assert.ok(main.includes(`<strong>You are acting as ${bob.email}.</strong>`), `the banner on ${path}`)
    }
    const events = await sigra.admin.listAudit(SYSTEM_ACTOR, { userId: bob.user.id, action: 'admin.impersonation_start' })
    assert.ok(events.ok && events.events[0]?.metadata.reason === 'Ticket #42: cannot see invoices', 'the reason is on record')

    assertSeeOther(await b.post('/account/impersonation/stop'), '/account/settings', 'stop')
    const back = await sigra.sessions.validate(b.token())
    assert.ok(back && back.user.id === operator.user.id && back.session.impersonatorId === null, 'the operator is themself again')
    const settings = await page(await b.get('/account/settings'))
    assert.ok(!settings.main.includes('You are acting as'), 'no banner')
  })

  test('deleting a user: the password prompt in place, then the account is gone and the list says so', async () => {
    const { sigra, operator, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const prompt = await rendered(await b.post('/account/admin/users/delete', { user_id: bob.user.id }), 403, 'the password prompt')
    assert.ok(prompt.main.includes("<h1>Confirm it is you to delete this user&#39;s account</h1>"), prompt.main)
    const wrong = await rendered(await b.post('/account/sudo', { ...hiddenFields(prompt.main), password: 'not the password at all' }), 401, 'a wrong password')
    assert.ok((await sigra.admin.getUser(SYSTEM_ACTOR, { id: bob.user.id })).ok, 'bob is still there')
    const done = await b.post('/account/sudo', { ...hiddenFields(wrong.main), password: operator.password! })
    assertSeeOther(done, '/account/admin/users?notice=admin_user_deleted', 'deleted, then the list')
    const list = await rendered(await b.get(done.headers.get('location')!), 200, 'the list')
    assert.ok(list.main.includes('<p>The account was deleted.</p>'))
    assert.ok(!list.main.includes(bob.email), 'bob is not listed')
    const gone = await sigra.admin.getUser(SYSTEM_ACTOR, { id: bob.user.id })
    assert.ok(!gone.ok && gone.error === 'not_found')
    await rendered(await b.get(`/account/admin/users/${bob.user.id}`), 404, "bob's page is gone")
  })

  test('the audit explorer: filters (newest first), a bad date said at its field, Next, and Export CSV with the same filters', async () => {
    const { sigra, operator, alice, bob } = await site()
    const b = browser(sigra, { token: operator.token })
    const created: string[] = []
    for (let i = 0; i < 3; i++) {
      const added = await sigra.admin.addNote(operator.user, bob.user, `note ${i}`)
      assert.ok(added.ok)
      created.push(added.note.id)
    }
    assert.ok((await sigra.admin.addNote(operator.user, alice.user, 'about alice')).ok)

    const all = await rendered(await b.get('/account/admin/audit'), 200, 'the explorer')
    assert.ok(all.main.includes('<h1>Audit log</h1>'))
    const filtered = await rendered(await b.get(`/account/admin/audit?userId=${bob.user.id}&action=admin.note_create`), 200, 'filtered')
    const rows = [...filtered.main.matchAll(/<td data-label="Action"><code>([^<]+)<\/code>/g)].map((m) => m[1])
    assert.deepEqual(rows, ['admin.note_create', 'admin.note_create', 'admin.note_create'], "only bob's three notes")
    assert.ok(filtered.main.includes(`>${operator.email}</a> <span class="muted">(operator)</span>`), 'the actor by address')
    const ids = [...filtered.main.matchAll(/<span class="kv"><span class="muted">note_id<\/span> ([0-9a-f-]+)<\/span>/g)].map((m) => m[1])
    assert.deepEqual(ids, created.toReversed(), 'newest first')
    const csvHref = /<a class="button secondary" href="([^"]+)" download>Export CSV<\/a>/.exec(filtered.main)
    assert.ok(csvHref)
    assert.equal(unescape(csvHref[1]!), `/auth/admin/audit.csv?userId=${bob.user.id}&action=admin.note_create`, 'the same filters')
    const csv = await b.get(unescape(csvHref[1]!))
    assert.equal(csv.status, 200)
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8')
    const lines = (await csv.text()).trim().split('\r\n')
    assert.equal(lines.length, 4, 'the header and three rows')

    const badDate = await rendered(await b.get('/account/admin/audit?from=yesterday'), 400, 'a bad date')
    assert.ok(badDate.main.includes('<p class="issue" id="f-from-issue">A date, like 2026-01-31.</p>'))
    const badId = await rendered(await b.get('/account/admin/audit?actorId=nope'), 400, 'a bad id')
    assert.ok(badId.main.includes('<p class="issue" id="f-actor-issue">This filter is not valid.</p>'))

    // More than a page (50) of one action: Next keeps the filter.
    for (let i = 0; i < 50; i++) assert.ok((await sigra.admin.addNote(operator.user, alice.user, `more ${i}`)).ok)
    const first = await rendered(await b.get(`/account/admin/audit?userId=${alice.user.id}&actionPrefix=admin.note`), 200, 'page 1')
    assert.equal([...first.main.matchAll(/<td data-label="Action">/g)].length, 50)
    const next = /<a class="button secondary" href="([^"]+)" rel="next">Next \(older\)<\/a>/.exec(first.main)
    assert.ok(next)
    const second = await rendered(await b.get(unescape(next[1]!)), 200, 'page 2')
    assert.equal([...second.main.matchAll(/<td data-label="Action">/g)].length, 1, 'the 51st, the oldest')
    assert.ok(second.main.includes('<span class="muted">note_id</span>'), 'a note event')
  })
})
