import assert from 'node:assert/strict'
import { test } from 'node:test'
import { withTables } from 'sigra/feature-kit'
import { organizations, type Organization } from 'sigra/organizations'
import { createConfirmedUser, grantSudo, type Fixture } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend, uniqueEmail } from './support/harness.ts'

/**
 * The races the organizations feature promises to win. They matter on real PostgreSQL (PGlite runs
 * one statement at a time, so there they pass trivially): run with SIGRA_TEST_DATABASE_URL, as CI does.
 */
describeEachBackend('organization races', (env) => {
  const ROUNDS = 5
  const withOrgs = () => env().makeSigra({ features: [organizations()] })
  type OrgSigra = Awaited<ReturnType<typeof withOrgs>>['sigra']
  const outcome = (r: { ok: boolean; error?: string; reason?: string }) => (r.ok ? 'ok' : r.reason ? `${r.error}:${r.reason}` : r.error!)

  interface Rows {
    organization_memberships: { organization_id: string; user_id: string; role: string }
    organization_invitations: { id: string; organization_id: string; email: string; accepted_at: Date | null; revoked_at: Date | null }
    organizations: { id: string; slug: string }
  }
  const rows = (sigra: OrgSigra) => withTables<Rows>(sigra.db)
  const owners = async (sigra: OrgSigra, orgId: string) =>
    (await rows(sigra).selectFrom('organization_memberships').select('user_id').where('organization_id', '=', orgId).where('role', '=', 'owner').execute()).length

  /** An organization with two owners (and a member, so neither owner is its only member). */
  async function twoOwners(sigra: OrgSigra): Promise<{ org: Organization; a: Fixture; b: Fixture }> {
    const a = await createConfirmedUser(sigra)
    const b = await createConfirmedUser(sigra)
    const c = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(a.user, { name: 'Race' })
    assert.ok(created.ok)
    for (const [user, role] of [[b, 'owner'], [c, 'member']] as const) {
      const invited = await sigra.orgs.invite(a.user, created.org.id, { email: user.email, role })
      assert.ok(invited.ok)
      assert.ok((await sigra.orgs.acceptInvitation(user.user, invited.token)).ok)
    }
    return { org: created.org, a, b }
  }

  test('parallel accepts of one invitation make exactly one membership', async () => {
    const { sigra } = await withOrgs()
    const owner = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Accepts' })
    assert.ok(created.ok)
    for (let round = 0; round < ROUNDS; round++) {
      const guest = await createConfirmedUser(sigra)
      const invited = await sigra.orgs.invite(owner.user, created.org.id, { email: guest.email, role: 'member' })
      assert.ok(invited.ok)
      const results = await Promise.all([...Array(6).keys()].map(() => sigra.orgs.acceptInvitation(guest.user, invited.token)))
      assert.deepEqual(results.map(outcome).sort(), ['invalid_token', 'invalid_token', 'invalid_token', 'invalid_token', 'invalid_token', 'ok'], `round ${round}`)
      const memberships = await rows(sigra).selectFrom('organization_memberships').select('role').where('organization_id', '=', created.org.id).where('user_id', '=', guest.user.id).execute()
      assert.equal(memberships.length, 1)
      const accepted = (await allAuditEvents(sigra, { action: 'organization.invitation_accept' })).filter((e) => e.userId === guest.user.id)
      assert.equal(accepted.length, 1, 'one accept on record')
    }
  })

  test('the last two owners leaving at once: exactly one leaves, the other is last_owner', async () => {
    const { sigra } = await withOrgs()
    for (let round = 0; round < ROUNDS; round++) {
      const { org, a, b } = await twoOwners(sigra)
      const results = await Promise.all([sigra.orgs.leave(a.user, org.id), sigra.orgs.leave(b.user, org.id)])
      assert.deepEqual(results.map(outcome).sort(), ['last_owner', 'ok'], `round ${round}`)
      assert.equal(await owners(sigra, org.id), 1)
    }
  })

  test('the last two owners stepping down (or removing themselves) at once: one owner always stays', async () => {
    const { sigra } = await withOrgs()
    for (let round = 0; round < ROUNDS; round++) {
      const { org, a, b } = await twoOwners(sigra)
      const results = await Promise.all([sigra.orgs.setRole(a.user, org.id, a.user.id, 'admin'), sigra.orgs.removeMember(b.user, org.id, b.user.id)])
      assert.deepEqual(results.map(outcome).sort(), ['last_owner', 'ok'], `round ${round}`)
      assert.equal(await owners(sigra, org.id), 1)
    }
  })

  test('an owner leaving while the other owner schedules their account deletion: one owner always stays', async () => {
    const { sigra } = await withOrgs()
    for (let round = 0; round < ROUNDS; round++) {
      const { org, a, b } = await twoOwners(sigra)
      const session = await grantSudo(sigra, b.session)
      const [left, scheduled] = await Promise.all([sigra.orgs.leave(a.user, org.id), sigra.account.scheduleDeletion(b.user, { session })])
      assert.deepEqual([outcome(left), outcome(scheduled)].sort(), [left.ok ? 'ok' : 'last_owner', scheduled.ok ? 'ok' : 'vetoed:org_last_owner'].sort(), `round ${round}`)
      assert.equal([left.ok, scheduled.ok].filter(Boolean).length, 1, `round ${round}: exactly one of them`)
      const keepers = await rows(sigra)
        .selectFrom('organization_memberships as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select('m.user_id')
        .where('m.organization_id', '=', org.id)
        .where('m.role', '=', 'owner')
        .where('u.delete_at', 'is', null)
        .execute()
      assert.equal(keepers.length, 1, 'an owner not on the way out remains')
    }
  })

  test('parallel creations of one slug: exactly one gets it, the others slug_taken (never a 500)', async () => {
    const { sigra } = await withOrgs()
    for (let round = 0; round < ROUNDS; round++) {
      const users = await Promise.all([...Array(5).keys()].map(() => createConfirmedUser(sigra)))
      const slug = `contested-${round}`
      const results = await Promise.all(users.map((u, i) => sigra.orgs.create(u.user, { name: `Contender ${i}`, slug: i % 2 ? slug.toUpperCase() : slug })))
      assert.deepEqual(results.map(outcome).sort(), ['ok', 'slug_taken', 'slug_taken', 'slug_taken', 'slug_taken'], `round ${round}`)
      assert.equal((await rows(sigra).selectFrom('organizations').select('id').where('slug', '=', slug).execute()).length, 1)
    }
  })

  test('parallel creations from one name all succeed, each with its own slug', async () => {
    const { sigra } = await withOrgs()
    const users = await Promise.all([...Array(6).keys()].map(() => createConfirmedUser(sigra)))
    const results = await Promise.all(users.map((u) => sigra.orgs.create(u.user, { name: 'Same Name' })))
    assert.ok(results.every((r) => r.ok))
    const slugs = results.map((r) => (r.ok ? r.org.slug : ''))
    assert.equal(new Set(slugs).size, 6)
    assert.equal(slugs.filter((s) => s === 'same-name').length, 1)
  })

  test('parallel invitations of one address leave one pending invitation', async () => {
    const { sigra } = await withOrgs()
    const owner = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Invites' })
    assert.ok(created.ok)
    for (let round = 0; round < ROUNDS; round++) {
      const email = uniqueEmail('dup')
      const results = await Promise.all([...Array(4).keys()].map(() => sigra.orgs.invite(owner.user, created.org.id, { email, role: 'member' })))
      assert.ok(results.every((r) => r.ok || r.error === 'already_invited'), JSON.stringify(results.map(outcome)))
      const pending = await rows(sigra).selectFrom('organization_invitations').select('id').where('organization_id', '=', created.org.id).where('email', '=', email).where('accepted_at', 'is', null).where('revoked_at', 'is', null).execute()
      assert.equal(pending.length, 1, `round ${round}`)
    }
  })

  test('a removal racing a switch: the removed member never ends up with the organization active', async () => {
    const { sigra } = await withOrgs()
    const owner = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Switch' })
    assert.ok(created.ok)
    for (let round = 0; round < ROUNDS; round++) {
      const member = await createConfirmedUser(sigra)
      const invited = await sigra.orgs.invite(owner.user, created.org.id, { email: member.email, role: 'member' })
      assert.ok(invited.ok)
      assert.ok((await sigra.orgs.acceptInvitation(member.user, invited.token)).ok)
      const [removed, switched] = await Promise.all([sigra.orgs.removeMember(owner.user, created.org.id, member.user.id), sigra.orgs.setActive(member.token, created.org.id)])
      assert.ok(removed.ok)
      assert.ok(switched.ok || switched.error === 'not_found')
      assert.equal((await sigra.sessions.validate(member.token))?.session.activeOrganizationId, null, `round ${round}`)
    }
  })
})
