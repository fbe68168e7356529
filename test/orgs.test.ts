import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { forRequest, VetoError, withTables } from 'sigra/feature-kit'
import { guard } from 'sigra/middleware'
import { organizations, requireOrg, type Organization } from 'sigra/organizations'
import { apiTokens } from 'sigra/api-tokens'
import { createConfirmedUser, grantSudo, type Fixture } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, latestMail, uniqueEmail, GOOD_PASSWORD } from './support/harness.ts'

// The organizations feature through its facade (`sigra.orgs`): slugs, the one authority rule and
// its escalation attempts, the last owner, invitations bound to a confirmed address, the active
// organization, tenant isolation, deletion (of an organization, of an account), personal
// organizations, verified domains, organization-bound API tokens, hooks and the data export.

const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)
const OTHER_ORG = '7c1a4c0e-5b0f-4f59-9d57-3c3c0b7d8a11'

interface OrgRows {
  organizations: { id: string; slug: string; name: string }
  organization_memberships: { organization_id: string; user_id: string; role: string }
  organization_invitations: { id: string; organization_id: string; email: string; token_digest: Uint8Array; accepted_at: Date | null; revoked_at: Date | null }
}

describeEachBackend('organizations', (env) => {
  const withOrgs = (options: Parameters<typeof organizations>[0] = {}, extra: { features?: never } & Record<string, unknown> = {}) =>
    env().makeSigra({ features: [organizations(options)], ...extra })
  type OrgSigra = Awaited<ReturnType<typeof withOrgs>>['sigra']
  const db = (sigra: OrgSigra) => withTables<OrgRows>(sigra.db)

  /** Invites and accepts: the user becomes a member with `role`. */
  async function join(sigra: OrgSigra, inviter: Fixture, org: Organization, user: Fixture, role: string): Promise<void> {
    const invited = await sigra.orgs.invite(inviter.user, org.id, { email: user.email, role })
    assert.ok(invited.ok, `invite ${role}: ${JSON.stringify(invited)}`)
    const accepted = await sigra.orgs.acceptInvitation(user.user, invited.token)
    assert.ok(accepted.ok, `accept ${role}: ${JSON.stringify(accepted)}`)
  }

  /** An organization with an owner, an admin and a member (and a stranger outside it). */
  async function team(options: Parameters<typeof organizations>[0] = {}) {
    const made = await withOrgs(options)
    const { sigra } = made
    const owner = await createConfirmedUser(made.sigra, { sudo: true })
    const admin = await createConfirmedUser(sigra)
    const member = await createConfirmedUser(sigra)
    const stranger = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Acme' })
    assert.ok(created.ok)
    await join(sigra, owner, created.org, admin, 'admin')
    await join(sigra, owner, created.org, member, 'member')
    return { ...made, org: created.org, owner, admin, member, stranger }
  }

  const roleOf = async (sigra: OrgSigra, orgId: string, userId: string) =>
    (await db(sigra).selectFrom('organization_memberships').select('role').where('organization_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst())?.role ?? null

  // ── Creation and slugs ────────────────────────────────────────────────────────────────────────

  test('create: the creator is the owner, list shows each organization with the role, the change is audited', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(ada.user, { name: '  Acme Labs  ' })
    assert.ok(created.ok)
    assert.deepEqual(await sigra.orgs.lookup(created.org.id), created.org, 'background work finds it by id')
    assert.equal(created.org.name, 'Acme Labs')
    assert.equal(created.org.slug, 'acme-labs')
    assert.equal(created.membership.role, 'owner')
    const second = await sigra.orgs.create(ada.user, { name: 'Beta' })
    assert.ok(second.ok)
    assert.deepEqual((await sigra.orgs.list(ada.user)).map((o) => [o.name, o.role]), [['Acme Labs', 'owner'], ['Beta', 'owner']])
    const rows = await allAuditEvents(sigra, { action: 'organization.create' })
    assert.deepEqual(rows.map((r) => r.metadata.organization_id).sort(), [created.org.id, second.org.id].sort())
    assert.ok(rows.every((r) => r.userId === ada.user.id))
  })

  test('create refuses bad names: empty, too long, control characters', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    for (const name of ['', '   ', 'x'.repeat(101), 'Acme\u0007', 42]) {
      const result = await sigra.orgs.create(ada.user, { name } as { name: string })
      assert.equal(errorOf(result), 'invalid', JSON.stringify(name))
    }
    assert.equal(errorOf(await sigra.orgs.create(ada.user, { name: 'NUL\u0000' })), 'invalid')
    assert.equal((await sigra.orgs.list(ada.user)).length, 0)
  })

  test('a slug made from the name: accents dropped, punctuation becomes hyphens; nothing usable or reserved gets org-<random>', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    const slug = async (name: string) => {
      const r = await sigra.orgs.create(ada.user, { name })
      assert.ok(r.ok, name)
      return r.org.slug
    }
    assert.equal(await slug('Café Zürich!'), 'cafe-zurich')
    assert.equal(await slug('  --Ünïcödé   Ｗｉｄｅ--  '), 'unicode-wide')
    assert.match(await slug('日本の会社'), /^org-[a-z0-9]{6}$/)
    assert.match(await slug('!!!'), /^org-[a-z0-9]{6}$/)
    assert.match(await slug('Admin'), /^org-[a-z0-9]{6}$/, 'a reserved word is never generated')
    assert.match(await slug('ab'), /^org-[a-z0-9]{6}$/, 'too short')
    assert.ok((await slug('A'.repeat(100))).length <= 48)
  })

  test('a given slug is canonical (NFKC, trimmed, lower case) and validated: ASCII letters, digits, inner single hyphens, 3–63, not reserved', async () => {
    const { sigra } = await withOrgs({ reservedSlugs: ['acme-internal'] })
    const ada = await createConfirmedUser(sigra)
    const withSlug = (slug: unknown) => sigra.orgs.create(ada.user, { name: 'Acme', slug })
    const ok = await withSlug(' ＡＣＭＥ-Labs ')
    assert.ok(ok.ok)
    assert.equal(ok.org.slug, 'acme-labs', 'full-width and upper case are canonicalised')
    const cases: Array<[unknown, string]> = [
      ['аcme', 'format'], // Cyrillic а: never silently transliterated
      ['acme labs', 'format'],
      ['acme_labs', 'format'],
      ['a--b', 'format'],
      ['-acme', 'format'],
      ['acme-', 'format'],
      ['acmé', 'format'],
      ['ab', 'length'],
      ['x'.repeat(64), 'length'],
      ['new', 'reserved'],
      ['Settings', 'reserved'],
      ['ADMIN', 'reserved'],
      ['acme-internal', 'reserved'],
    ]
    for (const [slug, code] of cases) {
      const result = await withSlug(slug)
      assert.equal(errorOf(result), 'invalid', String(slug))
      assert.equal(!result.ok && result.issues?.[0]?.code, code, String(slug))
    }
    assert.equal(errorOf(await withSlug(123)), 'invalid')
    assert.ok((await withSlug('x'.repeat(63))).ok, '63 characters is the most')
    assert.ok((await withSlug('a1b')).ok, '3 characters is the least')
  })

  test('collisions: a taken slug is slug_taken (case and width variants too); a generated one gets a random tail; an update to a taken slug is slug_taken', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    const bob = await createConfirmedUser(sigra)
    const first = await sigra.orgs.create(ada.user, { name: 'Acme', slug: 'acme' })
    assert.ok(first.ok)
    for (const slug of ['acme', 'ACME', 'ａｃｍｅ', ' acme ']) assert.equal(errorOf(await sigra.orgs.create(bob.user, { name: 'Other', slug })), 'slug_taken', slug)
    const generated = await sigra.orgs.create(bob.user, { name: 'ACME' })
    assert.ok(generated.ok)
    assert.match(generated.org.slug, /^acme-[a-z0-9]{6}$/)
    assert.equal(errorOf(await sigra.orgs.update(bob.user, generated.org.id, { slug: 'Acme' })), 'slug_taken')
    const renamed = await sigra.orgs.update(bob.user, generated.org.id, { name: 'Acme Two' })
    assert.ok(renamed.ok)
    assert.equal(renamed.org.slug, generated.org.slug, 'a rename keeps the slug')
    const moved = await sigra.orgs.update(bob.user, generated.org.id, { slug: 'acme-two' })
    assert.ok(moved.ok)
    assert.equal(moved.org.slug, 'acme-two')
    const updates = await allAuditEvents(sigra, { action: 'organization.update' })
    assert.equal(updates.length, 2)
    assert.ok(updates.some((u) => u.metadata.slug_from === generated.org.slug && u.metadata.slug_to === 'acme-two'))
  })

  // ── Roles and the rank rule ───────────────────────────────────────────────────────────────────

  test('role escalation: " owner", "OWNER" and "Ｏｗｎｅｒ" are Owner, which an admin can neither grant by invitation nor take', async () => {
    const { sigra, org, owner, admin, member } = await team()
    for (const role of [' owner', 'OWNER', 'Ｏｗｎｅｒ', 'owner\t', 'Owner ']) {
      assert.equal(errorOf(await sigra.orgs.invite(admin.user, org.id, { email: uniqueEmail('esc'), role })), 'forbidden', `invite ${JSON.stringify(role)}`)
      assert.equal(errorOf(await sigra.orgs.setRole(admin.user, org.id, admin.user.id, role)), 'forbidden', `self ${JSON.stringify(role)}`)
      assert.equal(errorOf(await sigra.orgs.setRole(admin.user, org.id, member.user.id, role)), 'forbidden', `member ${JSON.stringify(role)}`)
    }
    assert.equal(await roleOf(sigra, org.id, admin.user.id), 'admin')
    assert.equal(await roleOf(sigra, org.id, member.user.id), 'member')
    // An owner may grant it, written canonically.
    const padded = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('co-owner'), role: '  OWNER ' })
    assert.ok(padded.ok)
    assert.equal(padded.invitation.role, 'owner')
    const admin2 = await sigra.orgs.invite(admin.user, org.id, { email: uniqueEmail('peer'), role: 'Admin' })
    assert.ok(admin2.ok, 'an admin may invite up to their own rank')
    assert.equal(admin2.invitation.role, 'admin')
    const refused = await allAuditEvents(sigra, { action: 'authz.denied' })
    assert.ok(refused.some((r) => r.actorId === admin.user.id && r.metadata.resource === 'organization' && r.metadata.reason === 'role_above_own'))
  })

  test('during an impersonation the operator is the actor of what the member does, and the member is named', async () => {
    const { sigra, org, owner, member } = await team()
    const operator = '0b6f4c3e-9a51-4d42-8d0e-5f7c3a2b1e90'
    const scoped = forRequest(sigra.orgs, { request: { ip: '198.51.100.9', actorId: operator, actorType: 'admin' } })
    assert.ok((await scoped.setRole(owner.user, org.id, member.user.id, 'admin')).ok)
    const [row] = await allAuditEvents(sigra, { action: 'organization.role_change' })
    assert.equal(row?.actorId, operator)
    assert.equal(row?.actorType, 'admin')
    assert.equal(row?.userId, member.user.id)
    assert.equal(row?.metadata.acting_as, owner.user.id)
    assert.equal(row?.ip, '198.51.100.9')
  })

  test('unknown roles are invalid and never stored', async () => {
    const { sigra, org, owner, member } = await team()
    for (const role of ['superuser', 'root', '', 'own er', 'x'.repeat(65)]) {
      const invited = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('r'), role })
      assert.equal(errorOf(invited), 'invalid', JSON.stringify(role))
      assert.equal(errorOf(await sigra.orgs.setRole(owner.user, org.id, member.user.id, role)), 'invalid', JSON.stringify(role))
    }
    assert.equal(errorOf(await sigra.orgs.setRole(owner.user, org.id, member.user.id, 42 as unknown as string)), 'invalid')
    assert.equal(await roleOf(sigra, org.id, member.user.id), 'member')
    assert.equal((await db(sigra).selectFrom('organization_invitations').select('id').where('organization_id', '=', org.id).where('accepted_at', 'is', null).execute()).length, 0)
  })

  test('the rank rule: nobody changes an equal or higher member, members manage nothing, owners manage below them', async () => {
    const { sigra, org, owner, admin, member, stranger } = await team()
    const peer = await createConfirmedUser(sigra)
    await join(sigra, owner, org, peer, 'admin')
    const refused: Array<[string, Promise<{ ok: boolean; error?: string }>]> = [
      ['admin demotes the owner', sigra.orgs.setRole(admin.user, org.id, owner.user.id, 'member')],
      ['admin removes the owner', sigra.orgs.removeMember(admin.user, org.id, owner.user.id)],
      ['admin demotes a peer admin', sigra.orgs.setRole(admin.user, org.id, peer.user.id, 'member')],
      ['admin removes a peer admin', sigra.orgs.removeMember(admin.user, org.id, peer.user.id)],
      ['member promotes self', sigra.orgs.setRole(member.user, org.id, member.user.id, 'admin')],
      ['member removes an admin', sigra.orgs.removeMember(member.user, org.id, admin.user.id)],
      ['member invites', sigra.orgs.invite(member.user, org.id, { email: uniqueEmail('m'), role: 'member' })],
      ['member lists invitations', sigra.orgs.invitations(member.user, org.id)],
      ['member renames', sigra.orgs.update(member.user, org.id, { name: 'Mine' })],
      ['admin deletes', sigra.orgs.delete(admin.user, org.id, { session: admin.session })],
      ['admin transfers ownership', sigra.orgs.transferOwnership(admin.user, org.id, member.user.id)],
    ]
    for (const [what, call] of refused) assert.equal(errorOf(await call), 'forbidden', what)
    assert.equal(errorOf(await sigra.orgs.removeMember(owner.user, org.id, stranger.user.id)), 'not_found', 'a non-member is not found, not forbidden')
    // Within the rule: an admin changes a member, an owner changes an admin.
    assert.ok((await sigra.orgs.setRole(admin.user, org.id, member.user.id, 'admin')).ok)
    assert.ok((await sigra.orgs.setRole(owner.user, org.id, member.user.id, 'member')).ok)
    assert.ok((await sigra.orgs.removeMember(admin.user, org.id, member.user.id)).ok)
    assert.ok((await sigra.orgs.setRole(admin.user, org.id, admin.user.id, 'member')).ok, 'stepping down oneself is allowed')
    const changes = await allAuditEvents(sigra, { action: 'organization.role_change' })
    assert.equal(changes.length, 3)
    assert.ok(changes.every((r) => r.metadata.organization_id === org.id))
    assert.equal((await allAuditEvents(sigra, { action: 'organization.member_remove' })).length, 1)
  })

  test('host roles rank where declared: what they may grant and whom they may change follows their rank', async () => {
    const { sigra, org, owner, member } = await team({ roles: { recruiter: { label: 'Recruiter', rank: 150, permissions: ['members:invite'] }, billing: { rank: 120, permissions: ['billing:manage'] } } })
    const recruiter = await createConfirmedUser(sigra)
    await join(sigra, owner, org, recruiter, ' Recruiter ')
    assert.equal(await roleOf(sigra, org.id, recruiter.user.id), 'recruiter')
    assert.ok((await sigra.orgs.invite(recruiter.user, org.id, { email: uniqueEmail('x'), role: 'member' })).ok)
    assert.ok((await sigra.orgs.invite(recruiter.user, org.id, { email: uniqueEmail('x'), role: 'billing' })).ok)
    assert.ok((await sigra.orgs.invite(recruiter.user, org.id, { email: uniqueEmail('x'), role: 'recruiter' })).ok, 'its own rank')
    assert.equal(errorOf(await sigra.orgs.invite(recruiter.user, org.id, { email: uniqueEmail('x'), role: 'admin' })), 'forbidden')
    assert.equal(errorOf(await sigra.orgs.removeMember(recruiter.user, org.id, member.user.id)), 'forbidden', 'no members:manage')
    assert.deepEqual((await sigra.orgs.roles()).map((r) => r.name), ['owner', 'admin', 'recruiter', 'billing', 'member'])
    assert.throws(() => organizations({ roles: { owner: { permissions: [] } } }), /built in/)
    assert.throws(() => organizations({ roles: { boss: { permissions: ['org:delete'] } } }), /owners only/)
  })

  // ── The last owner ───────────────────────────────────────────────────────────────────────────

  test('the last owner cannot leave, be demoted or removed; once another member is owner, they can', async () => {
    const { sigra, org, owner, member } = await team()
    assert.equal(errorOf(await sigra.orgs.leave(owner.user, org.id)), 'last_owner')
    assert.equal(errorOf(await sigra.orgs.setRole(owner.user, org.id, owner.user.id, 'admin')), 'last_owner')
    assert.equal(errorOf(await sigra.orgs.removeMember(owner.user, org.id, owner.user.id)), 'last_owner')
    assert.equal(await roleOf(sigra, org.id, owner.user.id), 'owner')
    assert.ok((await sigra.orgs.setRole(owner.user, org.id, member.user.id, 'owner')).ok)
    assert.equal(errorOf(await sigra.orgs.setRole(owner.user, org.id, member.user.id, 'member')), 'forbidden', 'a fellow owner is not changed by another')
    assert.ok((await sigra.orgs.leave(owner.user, org.id)).ok)
    assert.equal(errorOf(await sigra.orgs.leave(member.user, org.id)), 'last_owner', 'the new owner is now the last one')
    assert.equal((await allAuditEvents(sigra, { action: 'organization.member_leave' })).length, 1)
  })

  test('an owner whose account deletion is scheduled does not keep the organization owned', async () => {
    const { sigra, org, owner, member } = await team()
    assert.ok((await sigra.orgs.setRole(owner.user, org.id, member.user.id, 'owner')).ok)
    const memberSudo = await grantSudo(sigra, member.session)
    assert.ok((await sigra.account.scheduleDeletion(member.user, { session: memberSudo })).ok)
    assert.equal(errorOf(await sigra.orgs.leave(owner.user, org.id)), 'last_owner')
  })

  test('transferOwnership: the member becomes owner and the owner admin, in one step', async () => {
    const { sigra, org, owner, member } = await team()
    const moved = await sigra.orgs.transferOwnership(owner.user, org.id, member.user.id)
    assert.ok(moved.ok)
    assert.equal(await roleOf(sigra, org.id, member.user.id), 'owner')
    assert.equal(await roleOf(sigra, org.id, owner.user.id), 'admin')
    assert.equal(errorOf(await sigra.orgs.transferOwnership(owner.user, org.id, member.user.id)), 'forbidden')
    assert.equal((await allAuditEvents(sigra, { action: 'organization.ownership_transfer' })).length, 1)
  })

  // ── Invitations ──────────────────────────────────────────────────────────────────────────────

  test('the invitation token is mailed and answered once, and stored only as its SHA-256', async () => {
    const { sigra, org, owner } = await team()
    const email = uniqueEmail('guest')
    const invited = await sigra.orgs.invite(owner.user, org.id, { email: email.toUpperCase(), role: 'member' })
    assert.ok(invited.ok)
    assert.equal(invited.invitation.email, email, 'the address is normalised')
    assert.match(invited.token, /^[A-Za-z0-9_-]{43}$/)
    const row = await db(sigra).selectFrom('organization_invitations').selectAll().where('id', '=', invited.invitation.id).executeTakeFirstOrThrow()
    assert.deepEqual(Buffer.from(row.token_digest), createHash('sha256').update(invited.token).digest())
    assert.ok(!JSON.stringify(row).includes(invited.token), 'no column holds the token')
    assert.ok(!('token' in invited.invitation))
    const mail = await latestMail(sigra, email)
    assert.equal(mail.subject, 'You are invited to join Acme on Acme')
    assert.equal(mail.token, invited.token)
    assert.match(mail.link ?? '', /^http:\/\/localhost:3000\/account\/orgs\/invitation\?token=/)
    assert.match(mail.text, /expires in 7 days/)
    const audit = (await allAuditEvents(sigra, { action: 'organization.invitation_create' })).filter((r) => r.metadata.invitation_id === invited.invitation.id)
    assert.equal(audit.length, 1)
    assert.ok(!JSON.stringify(audit).includes(invited.token))
  })

  test('an invitation is bound to its address: another signed-in user gets email_mismatch and nothing is written', async () => {
    const { sigra, org, owner, stranger } = await team()
    const guest = await createConfirmedUser(sigra)
    const invited = await sigra.orgs.invite(owner.user, org.id, { email: guest.email, role: 'admin' })
    assert.ok(invited.ok)
    const before = await allAuditEvents(sigra)
    assert.deepEqual(await sigra.orgs.acceptInvitation(stranger.user, invited.token), { ok: false, error: 'email_mismatch' })
    assert.equal((await allAuditEvents(sigra)).length, before.length, 'no row written')
    assert.equal(await roleOf(sigra, org.id, stranger.user.id), null)
    const row = await db(sigra).selectFrom('organization_invitations').selectAll().where('id', '=', invited.invitation.id).executeTakeFirstOrThrow()
    assert.equal(row.accepted_at, null, 'still pending')
    const accepted = await sigra.orgs.acceptInvitation(guest.user, invited.token)
    assert.ok(accepted.ok)
    assert.equal(accepted.membership.role, 'admin')
    assert.equal(accepted.org.id, org.id)
  })

  test('the invited address must be confirmed: a pending email change or an unconfirmed account cannot accept', async () => {
    const { sigra, org, owner } = await team()
    const email = uniqueEmail('unconfirmed')
    assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD })).ok)
    const login = await sigra.auth.logIn({ login: email, password: GOOD_PASSWORD })
    assert.ok(login.ok)
    const invited = await sigra.orgs.invite(owner.user, org.id, { email, role: 'member' })
    assert.ok(invited.ok)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(login.user, invited.token)), 'unconfirmed')
    // Someone whose *pending* (unconfirmed) new address is the invited one is not its holder.
    const other = await createConfirmedUser(sigra, { sudo: true })
    const target = uniqueEmail('pending')
    assert.ok((await sigra.account.requestEmailChange(other.user, target, { session: other.session })).ok)
    const second = await sigra.orgs.invite(owner.user, org.id, { email: target, role: 'member' })
    assert.ok(second.ok)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(other.user, second.token)), 'email_mismatch')
  })

  test('single use, 7 days: used, expired, revoked or malformed tokens are invalid_token', async () => {
    const { sigra, clock, org, owner } = await team()
    const a = await createConfirmedUser(sigra)
    const b = await createConfirmedUser(sigra)
    const first = await sigra.orgs.invite(owner.user, org.id, { email: a.email, role: 'member' })
    const second = await sigra.orgs.invite(owner.user, org.id, { email: b.email, role: 'member' })
    assert.ok(first.ok && second.ok)
    assert.ok((await sigra.orgs.acceptInvitation(a.user, first.token)).ok)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(a.user, first.token)), 'invalid_token', 'used')
    clock.advance(7 * 86_400 - 1)
    assert.ok((await sigra.orgs.previewInvitation(second.token)).ok, 'a second before the end it still works')
    clock.advance(1)
    assert.equal(errorOf(await sigra.orgs.previewInvitation(second.token)), 'invalid_token', 'at 7 days it has expired')
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(b.user, second.token)), 'invalid_token')
    for (const bad of ['', 'x', 'A'.repeat(43), null, 42, { token: second.token }]) assert.equal(errorOf(await sigra.orgs.acceptInvitation(b.user, bad as string)), 'invalid_token')
    // Revoked.
    const third = await sigra.orgs.invite(owner.user, org.id, { email: b.email, role: 'member' })
    assert.ok(third.ok)
    assert.ok((await sigra.orgs.revokeInvitation(owner.user, org.id, third.invitation.id)).ok)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(b.user, third.token)), 'invalid_token')
    assert.equal(errorOf(await sigra.orgs.revokeInvitation(owner.user, org.id, third.invitation.id)), 'not_found', 'revoking twice')
    assert.equal((await allAuditEvents(sigra, { action: 'organization.invitation_revoke' })).length, 1)
  })

  test('invitationTtlDays sets the lifetime', async () => {
    const { sigra, clock } = await withOrgs({ invitationTtlDays: 2 })
    const owner = await createConfirmedUser(sigra)
    const guest = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Short' })
    assert.ok(created.ok)
    const invited = await sigra.orgs.invite(owner.user, created.org.id, { email: guest.email, role: 'member' })
    assert.ok(invited.ok)
    assert.equal(invited.invitation.expiresAt.getTime() - invited.invitation.createdAt.getTime(), 2 * 86_400_000)
    clock.advance(2 * 86_400)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(guest.user, invited.token)), 'invalid_token')
    assert.throws(() => organizations({ invitationTtlDays: 31 }), /invitationTtlDays/)
  })

  test('resend mails a new link (the old one stops working), renews the expiry, and is throttled per invitation', async () => {
    const { sigra, clock, org, owner } = await team()
    const guest = await createConfirmedUser(sigra)
    const invited = await sigra.orgs.invite(owner.user, org.id, { email: guest.email, role: 'member' })
    assert.ok(invited.ok)
    clock.advance(6 * 86_400)
    const resent = await sigra.orgs.resendInvitation(owner.user, org.id, invited.invitation.id)
    assert.ok(resent.ok)
    assert.notEqual(resent.token, invited.token)
    assert.equal(resent.invitation.expiresAt.getTime(), clock().getTime() + 7 * 86_400_000)
    assert.equal((await latestMail(sigra, guest.email)).token, resent.token)
    assert.equal(errorOf(await sigra.orgs.previewInvitation(invited.token)), 'invalid_token', 'the old link')
    assert.ok((await sigra.orgs.resendInvitation(owner.user, org.id, invited.invitation.id)).ok)
    assert.ok((await sigra.orgs.resendInvitation(owner.user, org.id, invited.invitation.id)).ok)
    const throttled = await sigra.orgs.resendInvitation(owner.user, org.id, invited.invitation.id)
    assert.equal(errorOf(throttled), 'rate_limited')
    assert.ok(!throttled.ok && (throttled.retryAfter ?? 0) > 0)
    assert.equal((await allAuditEvents(sigra, { action: 'organization.invitation_resend' })).length, 3)
  })

  test('inviting an address again replaces its pending invitation; members and personal organizations are refused', async () => {
    const { sigra, org, owner, member } = await team()
    const email = uniqueEmail('twice')
    const first = await sigra.orgs.invite(owner.user, org.id, { email, role: 'member' })
    const second = await sigra.orgs.invite(owner.user, org.id, { email, role: 'admin' })
    assert.ok(first.ok && second.ok)
    assert.equal(errorOf(await sigra.orgs.previewInvitation(first.token)), 'invalid_token')
    const pending = await sigra.orgs.invitations(owner.user, org.id)
    assert.ok(pending.ok)
    assert.deepEqual(pending.invitations.filter((i) => i.email === email).map((i) => i.role), ['admin'])
    assert.equal(errorOf(await sigra.orgs.invite(owner.user, org.id, { email: member.email, role: 'member' })), 'already_member')
    assert.equal(errorOf(await sigra.orgs.invite(owner.user, org.id, { email: 'not an address', role: 'member' })), 'invalid')
  })

  test("an invitation is only as good as its inviter's standing when it is accepted", async () => {
    const { sigra, org, owner, admin } = await team()
    const guest = await createConfirmedUser(sigra)
    const invited = await sigra.orgs.invite(admin.user, org.id, { email: guest.email, role: 'admin' })
    assert.ok(invited.ok)
    assert.ok((await sigra.orgs.setRole(owner.user, org.id, admin.user.id, 'member')).ok)
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(guest.user, invited.token)), 'invalid_token')
    assert.equal(await roleOf(sigra, org.id, guest.user.id), null)
  })

  test('accepting as someone already a member keeps their role and uses the invitation up', async () => {
    const { sigra, org, owner, member } = await team()
    const invited = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('later'), role: 'admin' })
    assert.ok(invited.ok)
    // The member's address becomes the invited one (a confirmed change), then they accept.
    await db(sigra).updateTable('organization_invitations').set({ email: member.email }).where('id', '=', invited.invitation.id).execute()
    const accepted = await sigra.orgs.acceptInvitation(member.user, invited.token)
    assert.ok(accepted.ok)
    assert.equal(accepted.membership.role, 'member')
    assert.equal(errorOf(await sigra.orgs.acceptInvitation(member.user, invited.token)), 'invalid_token')
  })

  test('the invitation sweep forgets ended invitations after the retention, and keeps pending ones', async () => {
    const { sigra, clock, org, owner } = await team({ invitationRetentionDays: 30 })
    const expired = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('gone'), role: 'member' })
    assert.ok(expired.ok)
    clock.advance(8 * 86_400 + 30 * 86_400)
    const fresh = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('fresh'), role: 'member' })
    assert.ok(fresh.ok)
    const report = await sigra.jobs.runDue()
    assert.ok(Number(report.features['organizations.invitations']) >= 3, JSON.stringify(report.features))
    const left = await db(sigra).selectFrom('organization_invitations').select('id').where('organization_id', '=', org.id).execute()
    assert.deepEqual(left.map((r) => r.id), [fresh.invitation.id])
  })

  // ── The active organization ──────────────────────────────────────────────────────────────────

  test('setActive: only for a member (others: not_found, audited); null clears; fromRequest carries the organization and membership', async () => {
    const { sigra, org, member, stranger } = await team()
    const request = (token: string) => new Request('http://localhost:3000/x', { headers: { cookie: `sigra_session=${token}` } })
    assert.deepEqual(await sigra.orgs.setActive(stranger.token, org.id), { ok: false, error: 'not_found' })
    assert.deepEqual(await sigra.orgs.setActive(stranger.token, OTHER_ORG), { ok: false, error: 'not_found' })
    assert.equal(errorOf(await sigra.orgs.setActive('nonsense', org.id)), 'invalid_session')
    const set = await sigra.orgs.setActive(member.token, org.id)
    assert.ok(set.ok)
    assert.equal(set.session.activeOrganizationId, org.id)
    assert.equal((await sigra.sessions.validate(member.token))?.session.activeOrganizationId, org.id)
    const principal = await sigra.sessions.fromRequest(request(member.token))
    assert.equal(principal?.organization?.slug, 'acme')
    assert.equal(principal?.membership?.role, 'member')
    assert.deepEqual(principal?.membership?.permissions, [])
    const none = await sigra.sessions.fromRequest(request(stranger.token))
    assert.equal(none?.organization, null)
    const cleared = await sigra.orgs.setActive(member.token, null)
    assert.ok(cleared.ok)
    assert.equal(cleared.session.activeOrganizationId, null)
    const switches = await allAuditEvents(sigra, { action: 'organization.switch' })
    assert.equal(switches.length, 2)
    assert.ok((await allAuditEvents(sigra, { action: 'authz.denied' })).some((r) => r.actorId === stranger.user.id && r.metadata.operation === 'organization.switch'))
  })

  test("ending a membership clears the organization from that member's sessions; a stale pointer fails closed", async () => {
    const { sigra, org, owner, admin, member } = await team()
    assert.ok((await sigra.orgs.setActive(member.token, org.id)).ok)
    assert.ok((await sigra.orgs.setActive(admin.token, org.id)).ok)
    assert.ok((await sigra.orgs.removeMember(owner.user, org.id, member.user.id)).ok)
    assert.equal((await sigra.sessions.validate(member.token))?.session.activeOrganizationId, null)
    assert.equal((await sigra.sessions.validate(admin.token))?.session.activeOrganizationId, org.id, "others' sessions keep it")
    // A pointer to an organization the user is not in (written behind Sigra's back) grants nothing.
    await sigra.db.updateTable('sessions').set({ active_organization_id: org.id }).where('user_id', '=', member.user.id).execute()
    const principal = await sigra.sessions.fromRequest(new Request('http://localhost:3000/', { headers: { cookie: `sigra_session=${member.token}` } }))
    assert.equal(principal?.organization, null)
    assert.equal(principal?.membership, null)
    assert.equal(await sigra.orgs.active({ user: member.user, session: (await sigra.sessions.validate(member.token))!.session }), null)
  })

  test('an organization that requires MFA is not usable from a session without a second factor', async () => {
    const { sigra, org, owner, member } = await team()
    assert.ok((await sigra.orgs.setActive(member.token, org.id)).ok)
    assert.ok((await sigra.orgs.update(owner.user, org.id, { requireMfa: true })).ok)
    const request = new Request('http://localhost:3000/', { headers: { cookie: `sigra_session=${member.token}` } })
    assert.equal((await sigra.sessions.fromRequest(request))?.organization, null, 'the active pointer stays, but the gate refuses it')
    assert.equal(errorOf(await sigra.orgs.setActive(member.token, org.id)), 'org_mfa_required')
    assert.equal(errorOf(await sigra.orgs.fromRequest(request, { slug: 'acme' })), 'org_mfa_required')
    await sigra.db.updateTable('sessions').set({ amr: ['pwd', 'otp'] }).where('id', '=', member.session.id).execute()
    assert.equal((await sigra.sessions.fromRequest(request))?.organization?.id, org.id)
    assert.ok((await sigra.orgs.setActive(member.token, org.id)).ok)
  })

  test('requireOrg: an active organization, and one of the roles when named (403 org_required otherwise)', async () => {
    const { sigra, org, admin, member } = await team()
    const call = (token: string, roles?: string[]) => guard(sigra, new Request('http://localhost:3000/app', { headers: { cookie: `sigra_session=${token}`, accept: 'application/json' } }), [requireOrg(roles ? { roles } : {})])
    const none = await call(member.token)
    assert.equal(none.ok, false)
    assert.equal(!none.ok && none.response.status, 403)
    assert.equal(!none.ok && none.error, 'org_required')
    assert.ok((await sigra.orgs.setActive(member.token, org.id)).ok)
    assert.ok((await sigra.orgs.setActive(admin.token, org.id)).ok)
    assert.ok((await call(member.token)).ok)
    assert.equal((await call(member.token, [' ADMIN', 'owner'])).ok, false)
    assert.ok((await call(admin.token, [' ADMIN', 'owner'])).ok)
    const browser = await guard(sigra, new Request('http://localhost:3000/app', { headers: { cookie: `sigra_session=${member.token}`, accept: 'text/html' } }), [requireOrg({ roles: ['owner'] })])
    assert.equal(!browser.ok && browser.response.headers.get('location'), '/account/orgs')
  })

  test('the URL loader: the slug names the organization only for its members; activate makes it the active one', async () => {
    const { sigra, org, member, stranger } = await team()
    const request = (token: string | null) => new Request('http://localhost:3000/orgs/acme/projects', { headers: token ? { cookie: `sigra_session=${token}` } : {} })
    assert.equal(errorOf(await sigra.orgs.fromRequest(request(null), { slug: 'acme' })), 'unauthenticated')
    assert.equal(errorOf(await sigra.orgs.fromRequest(request(stranger.token), { slug: 'acme' })), 'not_found')
    assert.equal(errorOf(await sigra.orgs.fromRequest(request(stranger.token), { slug: 'no-such-org' })), 'not_found', 'the same for a slug nobody has')
    assert.equal(errorOf(await sigra.orgs.fromRequest(request(member.token))), 'org_required')
    const loaded = await sigra.orgs.fromRequest(request(member.token), { slug: 'ACME', activate: true })
    assert.ok(loaded.ok)
    assert.equal(loaded.org.id, org.id)
    assert.equal(loaded.session?.activeOrganizationId, org.id)
    const fromActive = await sigra.orgs.fromRequest(request(member.token))
    assert.ok(fromActive.ok)
    assert.equal(fromActive.membership.role, 'member')
  })

  test('a new sign-in starts in the only organization, or the one the last session used', async () => {
    const { sigra } = await withOrgs()
    const ada = await createConfirmedUser(sigra)
    const one = await sigra.orgs.create(ada.user, { name: 'One' })
    assert.ok(one.ok)
    const login = async () => {
      const r = await sigra.auth.logIn({ login: ada.email, password: ada.password! })
      assert.ok(r.ok)
      return r
    }
    assert.equal((await login()).session.activeOrganizationId, one.org.id)
    const two = await sigra.orgs.create(ada.user, { name: 'Two' })
    assert.ok(two.ok)
    const third = await login()
    assert.ok((await sigra.orgs.setActive(third.token, two.org.id)).ok)
    assert.equal((await login()).session.activeOrganizationId, two.org.id)
  })

  // ── Tenant isolation ─────────────────────────────────────────────────────────────────────────

  test("tenant isolation: every operation with another organization's id, member or invitation answers not_found", async () => {
    const { sigra, org, owner, admin } = await team({ domains: true, resolveTxt: async () => [] })
    const rival = await createConfirmedUser(sigra, { sudo: true })
    const theirs = await sigra.orgs.create(rival.user, { name: 'Rival' })
    assert.ok(theirs.ok)
    const theirGuest = await sigra.orgs.invite(rival.user, theirs.org.id, { email: uniqueEmail('rg'), role: 'member' })
    assert.ok(theirGuest.ok)
    const ourGuest = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('og'), role: 'member' })
    assert.ok(ourGuest.ok)
    const o = sigra.orgs
    const calls: Record<string, Promise<{ ok: boolean; error?: string }>> = {
      get: o.get(owner.user, theirs.org.id),
      getBySlug: o.getBySlug(owner.user, theirs.org.slug),
      update: o.update(owner.user, theirs.org.id, { name: 'Mine now' }),
      delete: o.delete(owner.user, theirs.org.id, { session: owner.session }),
      members: o.members(owner.user, theirs.org.id),
      setRole: o.setRole(owner.user, theirs.org.id, rival.user.id, 'member'),
      removeMember: o.removeMember(owner.user, theirs.org.id, rival.user.id),
      leave: o.leave(owner.user, theirs.org.id),
      transferOwnership: o.transferOwnership(owner.user, theirs.org.id, rival.user.id),
      invite: o.invite(owner.user, theirs.org.id, { email: uniqueEmail('x'), role: 'member' }),
      invitations: o.invitations(owner.user, theirs.org.id),
      revokeInvitation: o.revokeInvitation(owner.user, theirs.org.id, theirGuest.invitation.id),
      resendInvitation: o.resendInvitation(owner.user, theirs.org.id, theirGuest.invitation.id),
      audit: o.audit(owner.user, theirs.org.id),
      setActive: o.setActive(owner.token, theirs.org.id),
      domains: o.domains(owner.user, theirs.org.id),
      addDomain: o.addDomain(owner.user, theirs.org.id, 'rival.example'),
      verifyDomain: o.verifyDomain(owner.user, theirs.org.id, 'rival.example'),
      removeDomain: o.removeDomain(owner.user, theirs.org.id, 'rival.example'),
      // Our organization, their member or their invitation.
      'setRole(their member)': o.setRole(owner.user, org.id, rival.user.id, 'member'),
      'removeMember(their member)': o.removeMember(owner.user, org.id, rival.user.id),
      'transferOwnership(their member)': o.transferOwnership(owner.user, org.id, rival.user.id),
      'revokeInvitation(their invitation)': o.revokeInvitation(owner.user, org.id, theirGuest.invitation.id),
      'resendInvitation(their invitation)': o.resendInvitation(owner.user, org.id, theirGuest.invitation.id),
      // Their invitation revoked through our organization by its admin: still not found.
      'revokeInvitation(our id, their org)': o.revokeInvitation(rival.user, org.id, ourGuest.invitation.id),
      // An organization that does not exist answers the same.
      'get(no such)': o.get(owner.user, OTHER_ORG),
      'update(no such)': o.update(admin.user, OTHER_ORG, { name: 'x' }),
      'get(malformed)': o.get(owner.user, 'acme'),
    }
    for (const [name, call] of Object.entries(calls)) assert.equal(errorOf(await call), 'not_found', name)
    const still = await db(sigra).selectFrom('organizations').select('name').where('id', '=', theirs.org.id).executeTakeFirstOrThrow()
    assert.equal(still.name, 'Rival')
    assert.equal(await roleOf(sigra, theirs.org.id, rival.user.id), 'owner')
    assert.equal(await roleOf(sigra, theirs.org.id, owner.user.id), null)
  })

  // ── Deleting an organization ─────────────────────────────────────────────────────────────────

  test('delete: an owner with a sudo-fresh session; memberships, invitations and active pointers go; audited', async () => {
    const { sigra, clock, org, owner, member } = await team()
    const pending = await sigra.orgs.invite(owner.user, org.id, { email: uniqueEmail('p'), role: 'member' })
    assert.ok(pending.ok)
    assert.ok((await sigra.orgs.setActive(member.token, org.id)).ok)
    clock.advance(16 * 60)
    assert.equal(errorOf(await sigra.orgs.delete(owner.user, org.id, { session: owner.session })), 'sudo_required')
    const fresh = await grantSudo(sigra, owner.session)
    assert.ok((await sigra.orgs.delete(owner.user, org.id, { session: fresh })).ok)
    assert.equal((await db(sigra).selectFrom('organizations').select('id').where('id', '=', org.id).execute()).length, 0)
    assert.equal((await db(sigra).selectFrom('organization_memberships').select('user_id').where('organization_id', '=', org.id).execute()).length, 0)
    assert.equal((await db(sigra).selectFrom('organization_invitations').select('id').where('organization_id', '=', org.id).execute()).length, 0)
    assert.equal((await sigra.sessions.validate(member.token))?.session.activeOrganizationId, null)
    assert.equal(errorOf(await sigra.orgs.previewInvitation(pending.token)), 'invalid_token')
    const [row] = await allAuditEvents(sigra, { action: 'organization.delete' })
    assert.equal(row?.metadata.organization_id, org.id)
    assert.equal(row?.metadata.members, 3)
    assert.equal(errorOf(await sigra.orgs.get(member.user, org.id)), 'not_found')
    assert.equal(await sigra.orgs.lookup(org.id), null, 'a tenant-aware job finds it gone')
  })

  // ── Account deletion ─────────────────────────────────────────────────────────────────────────

  test("account deletion: the last owner of an organization with other members is vetoed (org_last_owner) until ownership moves", async () => {
    const { sigra, org, owner, member } = await team()
    const vetoed = await sigra.account.scheduleDeletion(owner.user, { session: owner.session })
    assert.deepEqual(vetoed, { ok: false, error: 'vetoed', reason: 'org_last_owner' })
    assert.equal((await sigra.account.deletionStatus(owner.user)).state, 'not_scheduled')
    assert.ok((await sigra.orgs.transferOwnership(owner.user, org.id, member.user.id)).ok)
    assert.ok((await sigra.account.scheduleDeletion(owner.user, { session: owner.session })).ok)
  })

  test('account deletion: organizations whose only member is the account go with it; other memberships end (audited)', async () => {
    const { sigra, clock, org, owner, member } = await team()
    const solo = await sigra.orgs.create(member.user, { name: 'Solo' })
    assert.ok(solo.ok)
    const memberSudo = await grantSudo(sigra, member.session)
    assert.ok((await sigra.account.scheduleDeletion(member.user, { session: memberSudo })).ok)
    clock.advance(15 * 86_400)
    const report = await sigra.jobs.runDue()
    assert.equal(report.deletions.deleted, 1)
    assert.equal((await db(sigra).selectFrom('organizations').select('id').where('id', '=', solo.org.id).execute()).length, 0, 'the solo organization is gone')
    assert.equal(await roleOf(sigra, org.id, member.user.id), null, 'the membership ended')
    assert.ok((await sigra.orgs.get(owner.user, org.id)).ok, 'the shared organization stays')
    const removed = (await allAuditEvents(sigra, { action: 'organization.member_remove' })).filter((r) => r.userId === member.user.id)
    assert.equal(removed.length, 1)
    assert.equal(removed[0]!.metadata.reason, 'account_deleted')
    assert.equal(removed[0]!.actorType, 'system')
    assert.equal((await allAuditEvents(sigra, { action: 'organization.delete' })).filter((r) => r.metadata.organization_id === solo.org.id).length, 1)
  })

  // ── Personal organizations ───────────────────────────────────────────────────────────────────

  test('personal: every new account gets its own organization, which takes no invitations and is not deleted on its own', async () => {
    const { sigra } = await withOrgs({ personal: true })
    const ada = await createConfirmedUser(sigra, { email: `ada-${Date.now()}@example.com`, sudo: true })
    const mine = await sigra.orgs.list(ada.user)
    assert.equal(mine.length, 1)
    assert.equal(mine[0]!.personal, true)
    assert.equal(mine[0]!.role, 'owner')
    assert.match(mine[0]!.slug, /^ada-\d+/)
    assert.equal(errorOf(await sigra.orgs.invite(ada.user, mine[0]!.id, { email: uniqueEmail('x'), role: 'member' })), 'personal_org')
    assert.equal(errorOf(await sigra.orgs.delete(ada.user, mine[0]!.id, { session: ada.session })), 'personal_org')
    assert.equal(ada.session.activeOrganizationId, mine[0]!.id, 'the sign-in started in it')
  })

  test('backfillPersonal gives existing accounts a personal organization, once', async () => {
    const { sigra } = await withOrgs()
    const users = [await createConfirmedUser(sigra), await createConfirmedUser(sigra), await createConfirmedUser(sigra)]
    const { sigra: later } = await env().makeSigra({ features: [organizations({ personal: true })], schema: (sigra.config as { schema: string }).schema, migrate: false })
    assert.deepEqual(await later.orgs.backfillPersonal({ batchSize: 2 }), { ok: true, created: 3 })
    assert.deepEqual(await later.orgs.backfillPersonal(), { ok: true, created: 0 })
    for (const u of users) assert.equal((await later.orgs.list(u.user)).filter((o) => o.personal).length, 1)
  })

  // ── Verified domains ─────────────────────────────────────────────────────────────────────────

  test('domains: a TXT record verifies a domain; with auto-join on, a confirmed address on it joins as member', async () => {
    const records = new Map<string, string[][]>()
    const { sigra, org, owner, member } = await team({ domains: true, resolveTxt: async (name) => records.get(name) ?? [] })
    const added = await sigra.orgs.addDomain(owner.user, org.id, 'Acme.Example.')
    assert.ok(added.ok)
    assert.equal(added.domain.domain, 'acme.example')
    assert.equal(added.domain.record.name, '_sigra-verification.acme.example')
    assert.equal(errorOf(await sigra.orgs.verifyDomain(owner.user, org.id, 'acme.example')), 'not_verified')
    assert.equal(errorOf(await sigra.orgs.addDomain(member.user, org.id, 'x.example')), 'forbidden')
    records.set(added.domain.record.name, [['unrelated'], [added.domain.record.value.slice(0, 10), added.domain.record.value.slice(10)]])
    const verified = await sigra.orgs.verifyDomain(owner.user, org.id, 'acme.example')
    assert.ok(verified.ok)
    assert.equal(verified.domain.verified, true)
    // A second organization cannot verify it too.
    const rival = await createConfirmedUser(sigra)
    const theirs = await sigra.orgs.create(rival.user, { name: 'Rival' })
    assert.ok(theirs.ok)
    const theirDomain = await sigra.orgs.addDomain(rival.user, theirs.org.id, 'acme.example')
    assert.ok(theirDomain.ok)
    records.set(theirDomain.domain.record.name, [[theirDomain.domain.record.value]])
    assert.equal(errorOf(await sigra.orgs.verifyDomain(rival.user, theirs.org.id, 'acme.example')), 'domain_taken')
    assert.ok((await sigra.orgs.update(owner.user, org.id, { autoJoin: true })).ok)
    const newcomer = await createConfirmedUser(sigra, { email: `new-${Date.now()}@acme.example` })
    assert.equal(await roleOf(sigra, org.id, newcomer.user.id), 'member')
    const outsider = await createConfirmedUser(sigra, { email: `out-${Date.now()}@elsewhere.example` })
    assert.equal(await roleOf(sigra, org.id, outsider.user.id), null)
    const joined = (await allAuditEvents(sigra, { action: 'organization.member_add' })).filter((r) => r.userId === newcomer.user.id)
    assert.equal(joined[0]?.metadata.via, 'auto_join')
    const { sigra: plain } = await withOrgs()
    const someone = await createConfirmedUser(plain)
    const o = await plain.orgs.create(someone.user, { name: 'Plain' })
    assert.ok(o.ok)
    assert.equal(errorOf(await plain.orgs.addDomain(someone.user, o.org.id, 'plain.example')), 'feature_unavailable')
  })

  // ── Organization-bound API tokens ────────────────────────────────────────────────────────────

  test('an organization-bound API token carries its organization, and is revoked when the membership ends', async () => {
    const { sigra } = await env().makeSigra({ features: [apiTokens({ scopes: { 'projects:read': 'Read projects' } }), organizations()] })
    const owner = await createConfirmedUser(sigra, { sudo: true })
    const dev = await createConfirmedUser(sigra, { sudo: true })
    const created = await sigra.orgs.create(owner.user, { name: 'Tokens' })
    assert.ok(created.ok)
    await join(sigra as unknown as OrgSigra, owner, created.org, dev, 'member')
    const stranger = await createConfirmedUser(sigra, { sudo: true })
    assert.equal(errorOf(await sigra.orgs.createApiToken(stranger.user, created.org.id, { name: 'x', scopes: ['projects:read'] }, { session: stranger.session })), 'not_found')
    const minted = await sigra.orgs.createApiToken(dev.user, created.org.id, { name: 'CI', scopes: ['projects:read'] }, { session: dev.session })
    assert.ok(minted.ok, JSON.stringify(minted))
    const bearer = new Request('http://localhost:3000/api', { headers: { authorization: `Bearer ${minted.token}` } })
    const principal = await sigra.sessions.fromRequest(bearer)
    assert.equal(principal?.via, 'api_token')
    assert.equal(principal?.organization?.id, created.org.id)
    assert.equal(principal?.membership?.role, 'member')
    assert.ok((await sigra.orgs.removeMember(owner.user, created.org.id, dev.user.id)).ok)
    assert.equal(await sigra.sessions.fromRequest(bearer), null, 'the token is revoked with the membership')
  })

  // ── Hooks, events, export ────────────────────────────────────────────────────────────────────

  test('hooks run in the transaction of the change and can veto it', async () => {
    const seen: string[] = []
    const { sigra } = await withOrgs({
      hooks: {
        organizationCreated: ({ organization }) => {
          if (organization.name === 'Forbidden') throw new VetoError('name_not_allowed')
          seen.push(`created:${organization.slug}`)
        },
        organizationMemberAdded: ({ role, via }) => void seen.push(`added:${role}:${via}`),
        organizationMemberRemoved: ({ reason }) => void seen.push(`removed:${reason}`),
        organizationRoleChanged: ({ from, to }) => void seen.push(`role:${from}->${to}`),
        organizationDeleted: ({ organization }) => void seen.push(`deleted:${organization.slug}`),
      },
    })
    const ada = await createConfirmedUser(sigra, { sudo: true })
    const bob = await createConfirmedUser(sigra)
    assert.deepEqual(await sigra.orgs.create(ada.user, { name: 'Forbidden' }), { ok: false, error: 'vetoed', reason: 'name_not_allowed' })
    assert.equal((await sigra.orgs.list(ada.user)).length, 0, 'nothing was written')
    const created = await sigra.orgs.create(ada.user, { name: 'Hooked' })
    assert.ok(created.ok)
    const invited = await sigra.orgs.invite(ada.user, created.org.id, { email: bob.email, role: 'member' })
    assert.ok(invited.ok)
    assert.ok((await sigra.orgs.acceptInvitation(bob.user, invited.token)).ok)
    assert.ok((await sigra.orgs.setRole(ada.user, created.org.id, bob.user.id, 'admin')).ok)
    assert.ok((await sigra.orgs.leave(bob.user, created.org.id)).ok)
    assert.ok((await sigra.orgs.delete(ada.user, created.org.id, { session: ada.session })).ok)
    assert.deepEqual(seen, ['created:hooked', 'added:owner:created', 'added:member:invitation', 'role:member->admin', 'removed:left', 'deleted:hooked'])
  })

  test('the data export lists memberships; the organization audit log shows its rows to owners and admins only', async () => {
    const { sigra, org, owner, admin, member } = await team()
    const exported = await sigra.account.exportUserData(member.user, { session: await grantSudo(sigra, member.session) })
    assert.ok(exported.ok)
    const part = (exported.data.features as Record<string, { memberships: Array<{ slug: string; role: string }> }>).organizations
    assert.deepEqual(part?.memberships.map((m) => [m.slug, m.role]), [['acme', 'member']])
    const log = await sigra.orgs.audit(admin.user, org.id, { limit: 3 })
    assert.ok(log.ok)
    assert.equal(log.events.length, 3)
    assert.ok(log.events.every((e) => e.metadata.organization_id === org.id))
    assert.ok(log.nextCursor)
    const next = await sigra.orgs.audit(owner.user, org.id, { cursor: log.nextCursor })
    assert.ok(next.ok)
    assert.ok(next.events.every((e) => Number(e.id) < Number(log.events.at(-1)!.id)))
    assert.equal(errorOf(await sigra.orgs.audit(member.user, org.id)), 'forbidden')
    assert.equal(errorOf(await sigra.orgs.audit(owner.user, org.id, { cursor: "1 OR 1=1" })), 'invalid')
  })
})
