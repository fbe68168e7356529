import assert from 'node:assert/strict'
import { test } from 'node:test'
import { organizations } from 'sigra/organizations'
import { createConfirmedUser, latestMail } from 'sigra/testing'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'
import { browser, page } from './support/web-browser.ts'

// The organization pages through `sigra.handler` with a cookie-keeping page client: the list and
// the header switcher, create (PRG), an organization's page (members and roles, invitations, the
// danger zone) for each role, the invitation page for a visitor, the wrong account and the right
// one, and refusals shown in place (the last owner, a reserved slug, tenant isolation).

/** A page answer: its status, strict page headers, no inline style or handler, every field labelled. */
async function rendered(res: Response, status: number, what: string): Promise<{ html: string; main: string }> {
  assert.equal(res.status, status, what)
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8', what)
  assert.equal(res.headers.get('cache-control'), 'no-store', what)
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/, what)
  const body = await page(res)
  assert.doesNotMatch(body.html, /\sstyle="/, `${what}: no inline style`)
  assert.doesNotMatch(body.html, /\son[a-z]+="/, `${what}: no inline handler`)
  for (const match of body.html.matchAll(/<(input|select|textarea)([^>]*)>/g)) {
    const attrs = match[2]!
    if (/type="(hidden|checkbox)"/.test(attrs)) continue
    const id = /id="([^"]+)"/.exec(attrs)?.[1]
    assert.ok(id && new RegExp(`<label for="${id}"[ >]`).test(body.html), `${what}: ${match[0]} has a label`)
  }
  return body
}

function assertSeeOther(res: Response, location: string | RegExp, what: string): void {
  assert.equal(res.status, 303, what)
  const got = res.headers.get('location') ?? ''
  if (typeof location === 'string') assert.equal(got, location, what)
  else assert.match(got, location, what)
}

describeEachBackend('organization pages', (env) => {
  const withOrgs = () => env().makeSigra({ features: [organizations()] })

  /** An organization made through its page by an owner, with an admin and a member who joined by invitation. */
  async function site() {
    const made = await withOrgs()
    const { sigra } = made
    const owner = await createConfirmedUser(sigra, { sudo: true })
    const admin = await createConfirmedUser(sigra)
    const member = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Acme & Sons', slug: 'acme' })
    assert.ok(created.ok)
    for (const [who, role] of [[admin, 'admin'], [member, 'member']] as const) {
      const invited = await sigra.orgs.invite(owner.user, created.org.id, { email: who.email, role })
      assert.ok(invited.ok)
      assert.ok((await sigra.orgs.acceptInvitation(who.user, invited.token)).ok)
    }
    return { ...made, org: created.org, owner, admin, member }
  }

  test('create: a form with labelled fields; errors in place (reserved, taken); success goes to the new organization, now active', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: ada.token })
    const form = await rendered(await b.get('/account/orgs/new'), 200, 'the create page')
    assert.ok(form.main.includes('<h1>Create an organization</h1>'))
    assert.match(form.main, /<input id="org-name" name="name" type="text" autocomplete="organization" value="" required[^>]* autofocus/)
    const reserved = await rendered(await b.post('/account/orgs/new', { name: 'Settings', slug: 'settings' }), 400, 'a reserved slug')
    assert.ok(reserved.main.includes('<p class="issue" id="org-slug-issue">This address is reserved. Choose another.</p>'), 'said at the field')
    assert.ok(reserved.main.includes('value="Settings"'), 'the name stays')
    const created = await b.post('/account/orgs/new', { name: 'Page Org', slug: '' })
    assertSeeOther(created, '/account/orgs/page-org?done=created', 'PRG to the organization')
    const view = await rendered(await b.get('/account/orgs/page-org?done=created'), 200, 'the new organization')
    assert.ok(view.main.includes('<h1>Page Org</h1>'))
    assert.ok(view.main.includes('The organization was created. You are its owner.'))
    assert.ok(view.main.includes('<span class="tag">active</span>'), 'it became the active one')
    const taken = await rendered(await b.post('/account/orgs/new', { name: 'Again', slug: 'PAGE-ORG' }), 409, 'a taken slug')
    assert.ok(taken.main.includes('This address is taken. Choose another.'))
  })

  test('the organizations page and the header switcher: my organizations with roles, the active one selected; switching returns to the page', async () => {
    const { sigra, org, member } = await site()
    const second = await sigra.orgs.create(member.user, { name: 'Side Project' })
    assert.ok(second.ok)
    const b = browser(sigra, { token: member.token })
    const list = await rendered(await b.get('/account/orgs'), 200, 'the list')
    assert.ok(list.main.includes('Acme &amp; Sons') && list.main.includes('Side Project'))
    assert.ok(list.main.includes('acme · member') && list.main.includes(`${second.org.slug} · owner`))
    const header = list.html.slice(list.html.indexOf('<header'), list.html.indexOf('</header>'))
    assert.ok(header.includes('<a href="/account/orgs">Organizations</a>'), 'a link in the header')
    assert.ok(header.includes('<label for="org-switcher" class="sr-only">Active organization</label>'), 'a labelled switcher')
    assert.ok(header.includes('<option value="" selected>No organization</option>'), 'none active yet')
    const switched = await b.post('/account/orgs/switch', { organization: org.id, return_to: '/account/settings' })
    assertSeeOther(switched, '/account/settings', 'back where the user was')
    const settings = await rendered(await b.get('/account/settings'), 200, 'settings')
    assert.ok(settings.html.includes(`<option value="${org.id}" selected>Acme &amp; Sons</option>`), 'the header shows the active one')
    assert.ok(settings.main.includes('<h2 id="organizations-title">Organizations</h2>'), 'a settings section')
    // Another organization's id in the switcher's form: refused, and nothing changes.
    const rival = await createConfirmedUser(sigra)
    const theirs = await sigra.orgs.create(rival.user, { name: 'Theirs' })
    assert.ok(theirs.ok)
    const refused = await rendered(await b.post('/account/orgs/switch', { organization: theirs.org.id, return_to: '/account/orgs' }), 404, 'a foreign id')
    assert.ok(refused.main.includes('not found, or you are not a member'))
    assert.equal((await sigra.sessions.validate(member.token))?.session.activeOrganizationId, org.id)
    assertSeeOther(await b.post('/account/orgs/switch', { organization: org.id, return_to: 'https://evil.example/' }), '/account/orgs', 'an outside return_to is ignored')
  })

  test("an organization's page by role: an owner manages everything, an admin manages members below, a member sees the members only", async () => {
    const { sigra, org, owner, admin, member } = await site()
    const asOwner = await rendered(await browser(sigra, { token: owner.token }).get('/account/orgs/acme'), 200, 'as owner')
    assert.ok(asOwner.main.includes('<h1>Acme &amp; Sons</h1>'))
    assert.ok(asOwner.main.includes('id="details-title"'), 'details form')
    assert.ok(asOwner.main.includes('id="invitations-title"'), 'invitations')
    assert.ok(asOwner.main.includes('Delete this organization'), 'the danger zone')
    assert.ok(asOwner.main.includes(`<label for="role-${admin.user.id}" class="sr-only">Role of ${admin.email}</label>`), 'a labelled role select per member')
    assert.ok(asOwner.main.includes('<option value="owner">Owner</option>'), 'an owner may grant owner')
    assert.ok(asOwner.main.includes(`aria-label="Remove ${member.email}"`))

    const asAdmin = await rendered(await browser(sigra, { token: admin.token }).get('/account/orgs/acme'), 200, 'as admin')
    assert.ok(!asAdmin.main.includes('<option value="owner">'), 'an admin is never offered owner')
    assert.ok(!asAdmin.main.includes(`aria-label="Remove ${owner.email}"`), 'nor the owner to remove')
    assert.ok(asAdmin.main.includes(`aria-label="Remove ${member.email}"`))
    assert.ok(!asAdmin.main.includes('Delete this organization'))

    const asMember = await rendered(await browser(sigra, { token: member.token }).get('/account/orgs/acme'), 200, 'as member')
    assert.ok(asMember.main.includes(owner.email) && asMember.main.includes(admin.email), 'members are listed')
    for (const absent of ['id="details-title"', 'id="invitations-title"', 'Delete this organization', '<select id="role-', 'aria-label="Remove']) assert.ok(!asMember.main.includes(absent), absent)
    assert.ok(asMember.main.includes(`aria-label="Leave ${'Acme &amp; Sons'}"`), 'a member may leave')

    const stranger = await createConfirmedUser(sigra)
    const foreign = await rendered(await browser(sigra, { token: stranger.token }).get('/account/orgs/acme'), 404, 'a non-member')
    assert.ok(!foreign.main.includes('Acme'), 'nothing of the organization is shown')
    await rendered(await browser(sigra, { token: stranger.token }).get('/account/orgs/no-such-org'), 404, 'the same for a slug nobody has')
    assertSeeOther(await browser(sigra).get('/account/orgs/acme'), /^\/account\/log-in\?notice=log_in_first&return_to=/, 'a visitor logs in first')
    // Forms naming another organization are refused as not found, whatever the page offered.
    const posted = await rendered(await browser(sigra, { token: stranger.token }).post('/account/orgs/members/remove', { organization: org.id, user: member.user.id }), 404, 'a foreign form')
    assert.ok(posted.main.includes('<h1>Not found</h1>'))
    assert.ok((await sigra.orgs.get(member.user, org.id)).ok, 'the member stays')
  })

  test('members: a role changed and a member removed from the page (PRG with a notice); escalation and the last owner refused in place', async () => {
    const { sigra, org, owner, admin, member } = await site()
    const asAdmin = browser(sigra, { token: admin.token })
    const escalate = await rendered(await asAdmin.post('/account/orgs/members/role', { organization: org.id, user: admin.user.id, role: ' OWNER' }), 403, 'an admin making themselves owner')
    assert.ok(escalate.main.includes('Your role in this organization does not allow that.'))
    assertSeeOther(await asAdmin.post('/account/orgs/members/role', { organization: org.id, user: member.user.id, role: 'admin' }), '/account/orgs/acme?done=role_changed', 'a role change')
    const after = await rendered(await asAdmin.get('/account/orgs/acme?done=role_changed'), 200, 'after')
    assert.ok(after.main.includes('The role was changed.'))
    const asOwner = browser(sigra, { token: owner.token })
    assertSeeOther(await asOwner.post('/account/orgs/members/remove', { organization: org.id, user: member.user.id }), '/account/orgs/acme?done=removed', 'a removal')
    assert.equal(errorOrRole(await sigra.orgs.members(owner.user, org.id), member.user.id), null)
    const last = await rendered(await asOwner.post('/account/orgs/leave', { organization: org.id }), 409, 'the last owner leaving')
    assert.ok(last.main.includes('You are the last owner'))
    const lastDemote = await rendered(await asOwner.post('/account/orgs/members/role', { organization: org.id, user: owner.user.id, role: 'admin' }), 409, 'the last owner stepping down')
    assert.ok(lastDemote.main.includes('You are the last owner'))
    assertSeeOther(await asAdmin.post('/account/orgs/leave', { organization: org.id }), '/account/orgs?done=left', 'an admin leaves')
  })

  test('invitations from the page: invite (the mail links to the invitation page), resend, revoke', async () => {
    const { sigra, org, owner } = await site()
    const b = browser(sigra, { token: owner.token })
    const email = uniqueEmail('page-guest')
    const bad = await rendered(await b.post('/account/orgs/invitations', { organization: org.id, email: 'nope', role: 'member' }), 400, 'a bad address')
    assert.ok(bad.main.includes('id="invite-email-issue"'))
    assertSeeOther(await b.post('/account/orgs/invitations', { organization: org.id, email, role: 'admin' }), '/account/orgs/acme?done=invited', 'invited')
    const mail = await latestMail(sigra, email)
    assert.match(mail.link ?? '', /^http:\/\/localhost:3000\/account\/orgs\/invitation\?token=[A-Za-z0-9_-]{43}$/)
    const view = await rendered(await b.get('/account/orgs/acme?done=invited'), 200, 'the pending invitation')
    assert.ok(view.main.includes(email) && view.main.includes('The invitation was sent.'))
    const pending = await sigra.orgs.invitations(owner.user, org.id)
    assert.ok(pending.ok)
    const invitation = pending.invitations.find((i) => i.email === email)!
    assertSeeOther(await b.post('/account/orgs/invitations/resend', { organization: org.id, invitation: invitation.id }), '/account/orgs/acme?done=resent', 'resent')
    assert.notEqual((await latestMail(sigra, email)).token, mail.token, 'a new link')
    assertSeeOther(await b.post('/account/orgs/invitations/revoke', { organization: org.id, invitation: invitation.id }), '/account/orgs/acme?done=revoked', 'revoked')
    const gone = await rendered(await b.get('/account/orgs/acme'), 200, 'after revoking')
    assert.ok(!gone.main.includes(email))
  })

  test('the invitation page: a visitor is sent to log in and back; another account cannot accept; the invited one joins', async () => {
    const { sigra, org, owner } = await site()
    const guest = await createConfirmedUser(sigra)
    const invited = await sigra.orgs.invite(owner.user, org.id, { email: guest.email, role: 'member' })
    assert.ok(invited.ok)
    const url = `/account/orgs/invitation?token=${invited.token}`
    const visitor = await rendered(await browser(sigra).get(url), 200, 'a visitor')
    assert.equal((await browser(sigra).get(url)).headers.get('referrer-policy'), 'no-referrer', 'the token never leaves in a Referer')
    assert.ok(visitor.main.includes('<h1>Join Acme &amp; Sons</h1>') && visitor.main.includes(guest.email))
    assert.ok(visitor.main.includes(`href="/account/log-in?return_to=${encodeURIComponent(url)}"`), 'log in, then back here')
    assert.ok(!visitor.main.includes('Accept and join'))
    const other = await createConfirmedUser(sigra)
    const wrong = await rendered(await browser(sigra, { token: other.token }).get(url), 200, 'another account')
    assert.ok(wrong.main.includes(`This invitation is for <strong>${guest.email}</strong>`) && !wrong.main.includes('Accept and join'))
    const forced = await rendered(await browser(sigra, { token: other.token }).post('/account/orgs/invitation', { token: invited.token }), 403, 'another account posting anyway')
    assert.ok(forced.main.includes('This invitation was sent to another address.'))
    const b = browser(sigra, { token: guest.token })
    const right = await rendered(await b.get(url), 200, 'the invited account')
    assert.ok(right.main.includes('<button type="submit">Accept and join Acme &amp; Sons</button>'))
    assertSeeOther(await b.post('/account/orgs/invitation', { token: invited.token }), '/account/orgs/acme?done=joined', 'joined')
    const joined = await rendered(await b.get('/account/orgs/acme?done=joined'), 200, 'welcome')
    assert.ok(joined.main.includes('Welcome! You joined the organization.') && joined.main.includes('<span class="tag">active</span>'))
    const used = await rendered(await b.get(url), 400, 'a used link')
    assert.ok(used.main.includes('This invitation link is invalid, has expired, was revoked or was already used.'))
  })

  test('deleting from the page: the slug typed to confirm, then the password prompt, then gone', async () => {
    const { sigra, clock, org, owner } = await site()
    const b = browser(sigra, { token: owner.token })
    const wrong = await rendered(await b.post('/account/orgs/delete', { organization: org.id, confirm: 'nope' }), 400, 'not confirmed')
    assert.ok(wrong.main.includes('<p class="issue" id="delete-confirm-issue">Type acme to confirm.</p>'))
    clock.advance(16 * 60)
    const prompt = await rendered(await b.post('/account/orgs/delete', { organization: org.id, confirm: 'acme' }), 403, 'sudo first')
    assert.ok(prompt.main.includes('delete the organization'), 'the prompt names the action')
    const fields = Object.fromEntries([...prompt.main.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, '&')]))
    assert.deepEqual([fields.resume, fields['resume.organization'], fields['resume.confirm']], ['/orgs/delete', org.id, 'acme'], 'the prompt carries the action')
    assertSeeOther(await b.post('/account/sudo', { ...fields, password: owner.password! }), '/account/orgs?done=deleted', 'deleted after the password')
    assert.equal((await sigra.orgs.get(owner.user, org.id)).ok, false)
  })
})

function errorOrRole(result: { ok: boolean; members?: Array<{ userId: string; role: string }> }, userId: string): string | null {
  return result.ok ? (result.members!.find((m) => m.userId === userId)?.role ?? null) : 'error'
}
