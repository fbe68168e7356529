import assert from 'node:assert/strict'
import { test } from 'node:test'
import { admin, SYSTEM_ACTOR } from 'sigra/admin'
import { apiTokens } from 'sigra/api-tokens'
import { mfa } from 'sigra/mfa'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'

const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? 'ok' : r.error)
const ROLES = {
  support: { label: 'Support', rank: 100, permissions: ['users:read', 'audit:read'] },
  moderator: { rank: 150, permissions: ['users:read', 'users:update'] },
} as const
const FIELDS = {
  plan: { type: 'select', label: 'Plan', options: { free: 'Free', pro: 'Professional' } },
  seats: { type: 'number', label: 'Seats', min: 1, max: 500 },
  vip: { type: 'boolean', label: 'VIP' },
  renewal: { type: 'date', label: 'Renewal' },
  company: { type: 'text', label: 'Company', maxLength: 20 },
} as const

describeEachBackend('admin', (env) => {
  const withAdmin = (options: Parameters<typeof admin>[0] = {}) => env().makeSigra({ features: [admin({ roles: ROLES, customFields: FIELDS, ...options })] })
  /** Owner (first account), an Admin, a moderator, a support agent and two plain users. */
  const staffed = async (options: Parameters<typeof admin>[0] = {}) => {
    const made = await withAdmin(options)
    const { sigra } = made
    const owner = await createConfirmedUser(sigra, { sudo: true })
    const adminUser = await createConfirmedUser(sigra, { sudo: true })
    const moderator = await createConfirmedUser(sigra)
    const support = await createConfirmedUser(sigra)
    const user = await createConfirmedUser(sigra, { username: 'plainuser' })
    const other = await createConfirmedUser(sigra)
    assert.ok((await sigra.admin.setRole(owner.user, adminUser.user, 'admin')).ok)
    assert.ok((await sigra.admin.setRole(owner.user, moderator.user, 'moderator')).ok)
    assert.ok((await sigra.admin.setRole(owner.user, support.user, 'support')).ok)
    return { ...made, owner, adminUser, moderator, support, user, other }
  }

  test('the first account becomes Owner, later ones are Users; host roles come back by name', async () => {
    const { sigra, owner, adminUser, support, user } = await staffed()
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'])
    assert.deepEqual(await sigra.admin.roles(adminUser.user), ['admin'])
    assert.deepEqual(await sigra.admin.roles(support.user), ['support'])
    assert.deepEqual(await sigra.admin.roles(user.user), ['user'])
    assert.deepEqual(await sigra.admin.roles({ id: 'not-a-uuid' }), [])
    const assigned = await allAuditEvents(sigra, { action: 'admin.owner_assign' })
    assert.equal(assigned.length, 1)
    assert.equal(assigned[0]!.userId, owner.user.id)
    assert.equal(assigned[0]!.actorType, 'system')
    const stats = await sigra.admin.roleStats(owner.user)
    assert.ok(stats.ok)
    assert.deepEqual(stats.stats, { owner: 1, admin: 1, user: 2, support: 1, moderator: 1 })
  })

  test('firstUserOwner: false leaves the first account a User; the system actor assigns an Owner', async () => {
    const { sigra } = await withAdmin({ firstUserOwner: false })
    const first = await createConfirmedUser(sigra)
    assert.deepEqual(await sigra.admin.roles(first.user), ['user'])
    assert.ok((await sigra.admin.setRole(SYSTEM_ACTOR, first.user, 'owner')).ok)
    assert.deepEqual(await sigra.admin.roles(first.user), ['owner'])
  })

  test('a User is refused every admin function, and each refusal is on record', async () => {
    const { sigra, user, other } = await staffed()
    const note = await sigra.admin.addNote(SYSTEM_ACTOR, other.user, 'seeded by the system')
    assert.ok(note.ok)
    const me = user.user
    const t = other.user
    const calls: Array<[string, () => Promise<{ ok: boolean; error?: string }>]> = [
      ['listUsers', () => sigra.admin.listUsers(me)],
      ['getUser', () => sigra.admin.getUser(me, { id: t.id })],
      ['roleStats', () => sigra.admin.roleStats(me)],
      ['setRole', () => sigra.admin.setRole(me, t, 'admin')],
      ['setRole self', () => sigra.admin.setRole(me, me, 'owner')],
      ['setStatus', () => sigra.admin.setStatus(me, t, 'suspended')],
      ['setPassword', () => sigra.admin.setPassword(me, t, { password: 'a brand new passphrase 42' })],
      ['confirm', () => sigra.admin.confirm(me, t)],
      ['unconfirm', () => sigra.admin.unconfirm(me, t)],
      ['forcePasswordChange', () => sigra.admin.forcePasswordChange(me, t)],
      ['revokeSessions', () => sigra.admin.revokeSessions(me, t)],
      ['addNote', () => sigra.admin.addNote(me, t, 'hello')],
      ['listNotes', () => sigra.admin.listNotes(me, t)],
      ['updateNote', () => sigra.admin.updateNote(me, note.ok ? note.note.id : '', 'changed')],
      ['deleteNote', () => sigra.admin.deleteNote(me, note.ok ? note.note.id : '')],
      ['setCustomField', () => sigra.admin.setCustomField(me, t, 'plan', 'pro')],
      ['deleteCustomField', () => sigra.admin.deleteCustomField(me, t, 'plan')],
      ['setProfile', () => sigra.admin.setProfile(me, t, { firstName: 'Eve' })],
      ['deleteUser', () => sigra.admin.deleteUser(me, t, { session: user.session })],
      ['impersonate', () => sigra.admin.impersonate(user.token, t, { reason: 'curious' })],
      ['listAudit', () => sigra.admin.listAudit(me)],
    ]
    for (const [name, run] of calls) assert.equal(errorOf(await run()), 'forbidden', name)
    assert.equal(errorOf(await sigra.admin.bulkUpdate(me, [t], { status: 'suspended' })), 'forbidden')
    await assert.rejects(async () => {
      for await (const _line of sigra.admin.auditCsv(me, {})) break
    }, { code: 'forbidden' })
    assert.equal(await sigra.admin.authority(me, { permission: 'users:read' }), false)
    assert.equal(await sigra.admin.authority(me, { role: 'admin' }), false)
    assert.equal(await sigra.admin.authority(me, { role: 'user' }), true)

    // Nothing changed, and each refusal is on record under the user who tried.
    const row = await sigra.db.selectFrom('users').select(['status', 'confirmed_at', 'custom_fields']).where('id', '=', t.id).executeTakeFirstOrThrow()
    assert.equal(row.status, 'active')
    assert.ok(row.confirmed_at)
    assert.deepEqual(await sigra.admin.roles(t), ['user'])
    const notes = await sigra.admin.listNotes(SYSTEM_ACTOR, t)
    assert.equal(notes.ok && notes.notes.length, 1)
    const denied = await allAuditEvents(sigra, { action: 'authz.denied' })
    assert.ok(denied.length >= 1)
    assert.ok(denied.every((e) => e.actorId === me.id))
  })

  test('the rank rule: nobody acts on an equal or higher rank, in every mutation', async () => {
    const { sigra, owner, adminUser, moderator, support, user } = await staffed()
    const secondAdmin = await createConfirmedUser(sigra)
    await sigra.admin.setRole(owner.user, secondAdmin.user, 'admin')
    const attempts = (actor: { id: string }, target: { id: string }) => [
      sigra.admin.setStatus(actor, target, 'suspended'),
      sigra.admin.setRole(actor, target, 'user'),
      sigra.admin.setPassword(actor, target, { password: 'a brand new passphrase 42' }),
      sigra.admin.unconfirm(actor, target),
      sigra.admin.forcePasswordChange(actor, target),
      sigra.admin.revokeSessions(actor, target),
      sigra.admin.addNote(actor, target, 'about them'),
      sigra.admin.setCustomField(actor, target, 'plan', 'pro'),
      sigra.admin.setProfile(actor, target, { firstName: 'X' }),
    ]
    for (const [actor, target, why] of [
      [adminUser, owner, 'an Admin on the Owner'],
      [adminUser, secondAdmin, 'an Admin on another Admin'],
      [moderator, adminUser, 'a moderator (150) on an Admin'],
    ] as const) {
      const results = await Promise.all(attempts(actor.user, target.user))
      assert.deepEqual(results.map(errorOf), results.map(() => 'forbidden'), why)
    }
    assert.equal(errorOf(await sigra.admin.deleteUser(adminUser.user, owner.user, { session: adminUser.session })), 'forbidden')
    assert.equal(errorOf(await sigra.admin.impersonate(adminUser.token, secondAdmin.user, { reason: 'check' })), 'forbidden')
    // A moderator outranks a User: it may update them, but holds no roles:assign nor users:delete.
    assert.ok((await sigra.admin.setStatus(moderator.user, user.user, 'suspended')).ok)
    assert.ok((await sigra.admin.setStatus(moderator.user, user.user, 'active')).ok)
    assert.equal(errorOf(await sigra.admin.setRole(moderator.user, user.user, 'support')), 'forbidden')
    // Support reads but changes nothing.
    assert.ok((await sigra.admin.listUsers(support.user)).ok)
    assert.ok((await sigra.admin.listAudit(support.user)).ok)
    assert.equal(errorOf(await sigra.admin.setStatus(support.user, user.user, 'suspended')), 'forbidden')
    // Admins grant only roles below their own; only the Owner grants Admin and Owner.
    assert.equal(errorOf(await sigra.admin.setRole(adminUser.user, user.user, 'admin')), 'forbidden')
    assert.equal(errorOf(await sigra.admin.setRole(adminUser.user, user.user, 'owner')), 'forbidden')
    assert.deepEqual((await sigra.admin.setRole(adminUser.user, user.user, 'support')).ok && (await sigra.admin.roles(user.user)), ['support'])
    assert.ok((await sigra.admin.setRole(owner.user, user.user, 'admin')).ok)
    const denied = (await allAuditEvents(sigra, { action: 'authz.denied' })).filter((e) => e.actorId === adminUser.user.id)
    assert.ok(denied.some((e) => e.metadata.reason === 'target_is_owner'))
    assert.ok(denied.some((e) => e.metadata.reason === 'target_is_staff'))
  })

  test('role names are canonicalised before any check; unknown roles are invalid', async () => {
    const { sigra, owner, user, other } = await staffed()
    assert.deepEqual((await sigra.admin.setRole(owner.user, user.user, '  ADMIN ')).ok && (await sigra.admin.roles(user.user)), ['admin'])
    assert.deepEqual((await sigra.admin.setRole(owner.user, other.user, 'Ｓｕｐｐｏｒｔ')).ok && (await sigra.admin.roles(other.user)), ['support'])
    const unknown = await sigra.admin.setRole(owner.user, other.user, 'superuser')
    assert.equal(errorOf(unknown), 'invalid')
    assert.deepEqual(unknown.ok ? [] : unknown.issues?.map((i) => i.code), ['unknown_role'])
    assert.equal(errorOf(await sigra.admin.setRole(owner.user, other.user, 42)), 'invalid')
    assert.equal(await sigra.admin.authority(user.user, { role: ' Admin' }), true)
    assert.equal(await sigra.admin.authority(other.user, { role: 'ADMIN' }), false)
    assert.throws(() => admin({ roles: { Owner: { permissions: [] } } }), /lower-case/)
    assert.throws(() => admin({ roles: { owner: { permissions: [] } } }), /built in/)
  })

  test('the last Owner cannot be demoted, suspended or deleted; a second Owner makes it possible', async () => {
    const { sigra, owner, user } = await staffed()
    assert.equal(errorOf(await sigra.admin.setRole(owner.user, owner.user, 'admin')), 'last_owner')
    assert.equal(errorOf(await sigra.admin.setRole(SYSTEM_ACTOR, owner.user, 'user')), 'last_owner')
    assert.equal(errorOf(await sigra.admin.setStatus(SYSTEM_ACTOR, owner.user, 'suspended')), 'last_owner')
    assert.equal(errorOf(await sigra.admin.deleteUser(SYSTEM_ACTOR, owner.user)), 'last_owner')
    assert.equal(errorOf(await sigra.admin.setStatus(owner.user, owner.user, 'banned')), 'forbidden', 'never one\'s own status')
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'])
    // A second Owner: the first may now step down.
    assert.ok((await sigra.admin.setRole(owner.user, user.user, 'owner')).ok)
    assert.equal(errorOf(await sigra.admin.setStatus(user.user, owner.user, 'suspended')), 'forbidden', 'an Owner does not act on another Owner')
    assert.deepEqual((await sigra.admin.setRole(owner.user, owner.user, 'admin')).ok && (await sigra.admin.roles(owner.user)), ['admin'])
    // A suspended Owner does not count: the only active one stays.
    assert.ok((await sigra.admin.setRole(user.user, owner.user, 'owner')).ok)
    assert.ok((await sigra.admin.setStatus(SYSTEM_ACTOR, owner.user, 'suspended')).ok)
    assert.equal(errorOf(await sigra.admin.setRole(user.user, user.user, 'user')), 'last_owner')
  })

  test('suspension ends sessions and API tokens at once and refuses sign-in; lifting it does not revive them', async () => {
    const { sigra } = await env().makeSigra({ features: [admin(), apiTokens({ scopes: { 'repo:read': 'Read' } })] })
    const owner = await createConfirmedUser(sigra)
    const target = await createConfirmedUser(sigra, { sudo: true })
    const pat = await sigra.apiTokens.create(target.user, { name: 'ci', scopes: ['repo:read'] }, { session: target.session })
    assert.ok(pat.ok)
    const suspended = await sigra.admin.setStatus(owner.user, target.user, 'suspended')
    assert.ok(suspended.ok)
    assert.equal(suspended.user.status, 'suspended')
    assert.equal(await sigra.sessions.validate(target.token), null)
    assert.equal(errorOf(await sigra.apiTokens.verify(pat.token)), 'invalid_token')
    assert.equal(errorOf(await sigra.auth.logIn({ login: target.email, password: target.password!, ip: '192.0.2.77' })), 'invalid_credentials')
    assert.ok((await sigra.admin.setStatus(owner.user, target.user, 'active')).ok)
    assert.equal(errorOf(await sigra.apiTokens.verify(pat.token)), 'invalid_token', 'the token was revoked, not paused')
    assert.ok((await sigra.auth.logIn({ login: target.email, password: target.password!, ip: '192.0.2.78' })).ok)
    const changes = await allAuditEvents(sigra, { userId: target.user.id, action: 'admin.status_change' })
    assert.deepEqual(changes.map((e) => [e.metadata.from, e.metadata.to, e.actorId]).reverse(), [['active', 'suspended', owner.user.id], ['suspended', 'active', owner.user.id]])
    assert.equal(errorOf(await sigra.admin.setStatus(owner.user, target.user, 'frozen')), 'invalid')
  })

  test('set password needs no current one, applies the policy, ends sessions and can require a change', async () => {
    const { sigra, owner, user } = await staffed()
    const weak = await sigra.admin.setPassword(owner.user, user.user, { password: 'short' })
    assert.equal(errorOf(weak), 'invalid')
    const set = await sigra.admin.setPassword(owner.user, user.user, { password: 'an operator chose this 77', mustChange: true })
    assert.ok(set.ok)
    assert.equal(set.user.mustChangePassword, true)
    assert.equal(await sigra.sessions.validate(user.token), null, 'every session ended')
    const login = await sigra.auth.logIn({ login: user.email, password: 'an operator chose this 77', ip: '192.0.2.90' })
    assert.ok(login.ok)
    assert.deepEqual(login.pending, ['password_change'])
    assert.equal(errorOf(await sigra.auth.logIn({ login: user.email, password: user.password!, ip: '192.0.2.91' })), 'invalid_credentials')
    const mail = (await sigra.mail.outbox({ to: user.email })).at(-1)!
    assert.equal(mail.template, 'passwordChanged')
    assert.equal(errorOf(await sigra.admin.setPassword(owner.user, owner.user, { password: 'an operator chose this 77' })), 'forbidden', 'not for oneself')
  })

  test('confirm, unconfirm, force a password change and revoke sessions', async () => {
    const { sigra, adminUser, user } = await staffed()
    const un = await sigra.admin.unconfirm(adminUser.user, user.user)
    assert.ok(un.ok)
    assert.equal(un.user.confirmedAt, null)
    const again = await sigra.admin.confirm(adminUser.user, user.user)
    assert.ok(again.ok)
    assert.ok(again.user.confirmedAt)
    assert.ok((await sigra.admin.forcePasswordChange(adminUser.user, user.user)).ok)
    const held = await sigra.sessions.resolve(user.token)
    assert.deepEqual(held?.pending, ['password_change'])
    const revoked = await sigra.admin.revokeSessions(adminUser.user, user.user)
    assert.deepEqual(revoked, { ok: true, count: 1 })
    assert.equal(await sigra.sessions.resolve(user.token), null)
    for (const action of ['admin.confirm', 'admin.unconfirm', 'admin.password_change_required', 'admin.sessions_revoke'] as const) {
      const rows = await allAuditEvents(sigra, { action, userId: user.user.id })
      assert.equal(rows.length, 1, action)
      assert.equal(rows[0]!.actorId, adminUser.user.id)
    }
  })

  test('reset MFA goes through the MFA feature; without it the operation is not_found', async () => {
    const { sigra, clock } = await env().makeSigra({ features: [admin(), mfa()] })
    const owner = await createConfirmedUser(sigra)
    const user = await createConfirmedUser(sigra, { sudo: true })
    const started = await sigra.mfa.startEnrollment(user.user, { session: user.session })
    assert.ok(started.ok)
    const { codeFor } = await import('./support/mfa-helpers.ts')
    const { base32Decode } = await import('sigra/mfa')
    const done = await sigra.mfa.confirmEnrollment(user.user, codeFor(base32Decode(started.secret)!, clock), { session: user.session })
    assert.ok(done.ok)
    assert.equal((await sigra.mfa.status(user.user)).enabled, true)
    assert.ok((await sigra.admin.resetMfa(owner.user, user.user)).ok)
    assert.equal((await sigra.mfa.status(user.user)).enabled, false)
    const { sigra: plain, owner: o2, user: u2 } = await staffed()
    assert.equal(errorOf(await plain.admin.resetMfa(o2.user, u2.user)), 'not_found')
  })

  test('notes: operators write, edit and delete them with author and timestamps; the user never sees them', async () => {
    const { sigra, clock, owner, adminUser, support, user } = await staffed()
    const first = await sigra.admin.addNote(adminUser.user, user.user, 'Called about billing.')
    assert.ok(first.ok)
    clock.advance(60)
    const second = await sigra.admin.addNote(owner.user, user.user, '  Refund approved.  ')
    assert.ok(second.ok)
    assert.equal(second.note.body, 'Refund approved.')
    const listed = await sigra.admin.listNotes(support.user, user.user)
    assert.ok(listed.ok)
    assert.deepEqual(listed.notes.map((n) => [n.body, n.authorId]), [['Refund approved.', owner.user.id], ['Called about billing.', adminUser.user.id]])
    clock.advance(60)
    const edited = await sigra.admin.updateNote(adminUser.user, first.note.id, 'Called about billing twice.')
    assert.ok(edited.ok)
    assert.ok(edited.note.updatedAt > edited.note.createdAt)
    assert.equal(errorOf(await sigra.admin.addNote(support.user, user.user, 'support reads only')), 'forbidden')
    assert.equal(errorOf(await sigra.admin.addNote(adminUser.user, user.user, '   ')), 'invalid')
    assert.equal(errorOf(await sigra.admin.addNote(adminUser.user, user.user, 'x'.repeat(10_001))), 'invalid')
    assert.equal(errorOf(await sigra.admin.addNote(adminUser.user, user.user, 'nul \u0000 here')), 'invalid')
    assert.equal(errorOf(await sigra.admin.updateNote(adminUser.user, '00000000-0000-4000-8000-000000000000', 'x')), 'not_found')
    assert.ok((await sigra.admin.deleteNote(adminUser.user, second.note.id)).ok)
    const after = await sigra.admin.listNotes(owner.user, user.user)
    assert.deepEqual(after.ok && after.notes.map((n) => n.body), ['Called about billing twice.'])
    // The user's own data export carries no note.
    const exported = await sigra.account.exportUserData(user.user)
    assert.ok(!JSON.stringify(exported).includes('billing'))
  })

  test('custom fields: declared definitions validate, selects store the key and display the label', async () => {
    const { sigra, adminUser, user } = await staffed()
    const { displayCustomField } = await import('sigra/admin')
    assert.deepEqual(await sigra.admin.setCustomField(adminUser.user, user.user, 'plan', 'pro'), { ok: true, value: 'pro' })
    assert.equal(await sigra.admin.getCustomField(user.user, 'plan'), 'pro')
    assert.equal(displayCustomField(FIELDS.plan, 'pro'), 'Professional')
    assert.deepEqual(await sigra.admin.setCustomField(adminUser.user, user.user, 'seats', '12'), { ok: true, value: 12 })
    assert.deepEqual(await sigra.admin.setCustomField(adminUser.user, user.user, 'vip', true), { ok: true, value: true })
    assert.equal(displayCustomField(FIELDS.vip, true), 'Yes')
    assert.deepEqual(await sigra.admin.setCustomField(adminUser.user, user.user, 'renewal', '2027-02-28'), { ok: true, value: '2027-02-28' })
    for (const [key, value] of [['plan', 'Professional'], ['seats', 0], ['seats', 'many'], ['renewal', '2027-02-30'], ['company', 'x'.repeat(21)], ['vip', 'maybe']] as const) {
      const refused = await sigra.admin.setCustomField(adminUser.user, user.user, key, value)
      assert.equal(errorOf(refused), 'invalid', `${key}=${value}`)
    }
    const unknown = await sigra.admin.setCustomField(adminUser.user, user.user, 'shoe_size', 44)
    assert.deepEqual(unknown.ok ? [] : unknown.issues?.map((i) => i.code), ['unknown_field'])
    assert.ok((await sigra.admin.deleteCustomField(adminUser.user, user.user, 'plan')).ok)
    assert.equal(await sigra.admin.getCustomField(user.user, 'plan'), null)
    assert.equal(await sigra.admin.getCustomField(user.user, 'seats'), 12, 'the other fields stay')
    // Profile fields live beside them.
    assert.ok((await sigra.admin.setProfile(adminUser.user, user.user, { firstName: ' Ada ', lastName: 'Lovelace', locale: 'en-GB' })).ok)
    assert.equal(errorOf(await sigra.admin.setProfile(adminUser.user, user.user, { locale: 'not a locale' })), 'invalid')
    const got = await sigra.admin.getUser(adminUser.user, { id: user.user.id })
    assert.ok(got.ok)
    assert.equal(got.user.customFields.first_name, 'Ada')
    assert.equal(got.user.customFields.locale, 'en-GB')
    assert.equal(got.user.customFields.vip, true)
    assert.throws(() => admin({ customFields: { first_name: { type: 'text', label: 'First' } } }), /profile key/)
    assert.throws(() => admin({ customFields: { tier: { type: 'select', label: 'Tier', options: {} } } }), /needs options/)
  })

  test('listUsers: search, filters, sorting and sealed cursors bound to their filter', async () => {
    const { sigra, clock, owner, support, user } = await staffed()
    await sigra.admin.setProfile(owner.user, user.user, { firstName: 'Grace', lastName: 'Hopper' })
    for (let i = 0; i < 7; i++) {
      clock.advance(1)
      await createConfirmedUser(sigra, { email: `bulk-${i}@example.org` })
    }
    const byName = await sigra.admin.listUsers(support.user, { search: 'hopp' })
    assert.deepEqual(byName.ok && byName.users.map((u) => u.id), [user.user.id])
    const byUsername = await sigra.admin.listUsers(support.user, { search: 'PLAINUSER' })
    assert.deepEqual(byUsername.ok && byUsername.users.map((u) => u.id), [user.user.id])
    const wildcard = await sigra.admin.listUsers(support.user, { search: '%' })
    assert.deepEqual(wildcard.ok && wildcard.users, [], '% is a character, not a wildcard')
    const supports = await sigra.admin.listUsers(support.user, { role: 'Support' })
    assert.deepEqual(supports.ok && supports.users.map((u) => [u.id, u.roles]), [[support.user.id, ['support']]])
    const plain = await sigra.admin.listUsers(support.user, { role: 'user', search: 'bulk-' })
    assert.equal(plain.ok && plain.users.length, 7)

    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Awaited<ReturnType<typeof sigra.admin.listUsers>> = await sigra.admin.listUsers(support.user, { search: 'bulk-', sort: 'email', direction: 'asc', limit: 3, ...(cursor ? { cursor } : {}) })
      assert.ok(page.ok)
      seen.push(...page.users.map((u) => u.email))
      cursor = page.nextCursor
      if (cursor) {
        const elsewhere = await sigra.admin.listUsers(support.user, { search: 'other', sort: 'email', direction: 'asc', limit: 3, cursor })
        assert.equal(errorOf(elsewhere), 'invalid', 'a cursor only works for its own filter')
      }
    } while (cursor)
    assert.deepEqual(seen, [...Array(7).keys()].map((i) => `bulk-${i}@example.org`))
    const newest = await sigra.admin.listUsers(support.user, { search: 'bulk-', limit: 2 })
    assert.deepEqual(newest.ok && newest.users.map((u) => u.email), ['bulk-6@example.org', 'bulk-5@example.org'])
    assert.equal(errorOf(await sigra.admin.listUsers(support.user, { cursor: 'forged' })), 'invalid')
    assert.equal(errorOf(await sigra.admin.listUsers(support.user, { role: 'nobody' })), 'invalid')
    assert.equal(errorOf(await sigra.admin.listUsers(support.user, { limit: 1000 })), 'invalid')

    await sigra.admin.setStatus(owner.user, user.user, 'suspended')
    const suspended = await sigra.admin.listUsers(support.user, { status: 'suspended' })
    assert.deepEqual(suspended.ok && suspended.users.map((u) => u.id), [user.user.id])
    const byEmail = await sigra.admin.getUser(support.user, { email: user.email.toUpperCase() })
    assert.equal(byEmail.ok && byEmail.user.id, user.user.id)
    const byUser = await sigra.admin.getUser(support.user, { username: 'PlainUser' })
    assert.equal(byUser.ok && byUser.user.id, user.user.id)
    assert.equal(errorOf(await sigra.admin.getUser(support.user, { email: 'nobody@example.com' })), 'not_found')
  })

  test('bulk update checks every user on its own', async () => {
    const { sigra, adminUser, owner, user, other } = await staffed()
    const result = await sigra.admin.bulkUpdate(adminUser.user, [user.user, owner.user, other.user, { id: 'nope' }], { status: 'suspended' })
    assert.ok(result.ok)
    assert.deepEqual(result.results.map((r) => [r.id, r.ok, r.error]), [
      [user.user.id, true, undefined],
      [owner.user.id, false, 'forbidden'],
      [other.user.id, true, undefined],
      ['nope', false, 'not_found'],
    ])
    assert.equal(errorOf(await sigra.admin.bulkUpdate(adminUser.user, [user.user], {})), 'invalid')
  })

  test('admin delete: sudo, the lifecycle strategy, immediately; never oneself or a higher rank', async () => {
    const { sigra, owner, adminUser, user } = await staffed()
    const fresh = await createConfirmedUser(sigra)
    assert.equal(errorOf(await sigra.admin.deleteUser(adminUser.user, user.user, { session: fresh.session })), 'sudo_required', 'someone else\'s session is no sudo')
    const stale = await createConfirmedUser(sigra)
    await sigra.admin.setRole(owner.user, stale.user, 'admin')
    assert.equal(errorOf(await sigra.admin.deleteUser(stale.user, user.user, { session: stale.session })), 'sudo_required')
    assert.equal(errorOf(await sigra.admin.deleteUser(adminUser.user, adminUser.user, { session: adminUser.session })), 'forbidden')
    const deleted = await sigra.admin.deleteUser(adminUser.user, user.user, { session: adminUser.session })
    assert.deepEqual(deleted, { ok: true, strategy: 'anonymize' })
    const row = await sigra.db.selectFrom('users').select(['email', 'deleted_at', 'status']).where('id', '=', user.user.id).executeTakeFirstOrThrow()
    assert.ok(row.deleted_at)
    assert.notEqual(row.email, user.email)
    assert.equal(await sigra.sessions.validate(user.token), null)
    assert.equal(errorOf(await sigra.admin.getUser(adminUser.user, { id: user.user.id })), 'not_found')
    const audit = await allAuditEvents(sigra, { action: 'admin.user_delete' })
    assert.equal(audit[0]!.actorId, adminUser.user.id)
    assert.equal(errorOf(await sigra.admin.deleteUser(adminUser.user, user.user, { session: adminUser.session })), 'not_found')
  })

  test('audit explorer: filters, sealed cursors, and a CSV that spreadsheets cannot run', async () => {
    const { sigra, owner, support, user } = await staffed()
    await sigra.admin.addNote(owner.user, user.user, 'n1')
    await sigra.withRequest({ ip: '192.0.2.5', userAgent: '=HYPERLINK("http://evil")' }).admin.setCustomField(owner.user, user.user, 'company', '-Acme')
    const forUser = await sigra.admin.listAudit(support.user, { userId: user.user.id, actionPrefix: 'admin.' })
    assert.ok(forUser.ok)
    assert.deepEqual(forUser.events.map((e) => e.action), ['admin.custom_field_set', 'admin.note_create'])
    const page1 = await sigra.admin.listAudit(support.user, { actorId: owner.user.id, limit: 2 })
    assert.ok(page1.ok && page1.nextCursor)
    const page2 = await sigra.admin.listAudit(support.user, { actorId: owner.user.id, limit: 2, cursor: page1.nextCursor })
    assert.ok(page2.ok)
    assert.ok(page2.events.every((e) => page1.events.every((f) => f.id !== e.id)))
    assert.equal(errorOf(await sigra.admin.listAudit(support.user, { userId: user.user.id, cursor: page1.nextCursor })), 'invalid')
    assert.equal(errorOf(await sigra.admin.listAudit(support.user, { actorId: 'robert; drop table' })), 'invalid')
    const exact = await sigra.admin.listAudit(support.user, { action: 'admin.note_create' })
    assert.deepEqual(exact.ok && exact.events.map((e) => e.userId), [user.user.id])

    const { csvCell } = await import('sigra/admin')
    assert.equal(csvCell('=1+1'), "'=1+1")
    assert.equal(csvCell('+1'), "'+1")
    assert.equal(csvCell('-2'), "'-2")
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)")
    assert.equal(csvCell('\tx'), "'\tx")
    assert.equal(csvCell('\rx'), `"'\rx"`)
    assert.equal(csvCell('a,"b"'), '"a,""b"""')
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`)
    assert.equal(csvCell(null), '')
    assert.equal(csvCell('plain'), 'plain')

    const lines: string[] = []
    for await (const line of sigra.admin.auditCsv(support.user, { userId: user.user.id })) lines.push(line)
    assert.equal(lines[0], 'id,occurred_at,action,outcome,actor_id,actor_type,user_id,ip,user_agent,metadata\r\n')
    assert.ok(lines.every((l) => l.endsWith('\r\n')))
    assert.ok(lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil"")"`)), 'the user agent is kept, defused')
    const body = lines.slice(1).join('')
    assert.ok(!/(^|,)[=+\-@]/m.test(body.replaceAll(/"[^"]*(?:""[^"]*)*"/g, 'Q')), 'no unquoted cell starts a formula')
    const exported = await allAuditEvents(sigra, { action: 'admin.audit_export' })
    assert.equal(exported[0]!.actorId, support.user.id)
  })

  test('the audit retention sweep removes old rows in batches and keeps recent ones', async () => {
    const { sigra, clock } = await withAdmin({ auditRetentionDays: 30 })
    const owner = await createConfirmedUser(sigra)
    const old = (await allAuditEvents(sigra)).length
    assert.ok(old > 0)
    clock.advance(31 * 86_400)
    await sigra.admin.addNote(owner.user, owner.user, 'recent')
    const swept = await sigra.jobs.runDue()
    assert.ok(Number(swept.features['admin.auditRetention']) >= old)
    assert.deepEqual((await allAuditEvents(sigra)).map((e) => e.action), ['admin.note_create'])
  })
})
