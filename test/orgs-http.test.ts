import assert from 'node:assert/strict'
import { test } from 'node:test'
import { organizations } from 'sigra/organizations'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend, latestMail, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'

// The organizations JSON API through `sigra.handler`: tenant isolation on every route, the
// OpenAPI entries, a whole flow over HTTP (the invitation token travels by mail only), and role
// escalation attempts answered 403.

describeEachBackend('organizations over HTTP', (env) => {
  const withOrgs = () => env().makeSigra({ features: [organizations({ domains: true, resolveTxt: async () => [] })] })

  /** Every route of the feature that names an organization, as [method, path template, body]. */
  const ORG_ROUTES: Array<[string, string, Record<string, unknown> | undefined]> = [
    ['GET', '/auth/orgs/:id', undefined],
    ['POST', '/auth/orgs/:id/settings', { name: 'Taken over' }],
    ['DELETE', '/auth/orgs/:id', undefined],
    ['GET', '/auth/orgs/:id/members', undefined],
    ['POST', '/auth/orgs/:id/members/:userId/role', { role: 'member' }],
    ['DELETE', '/auth/orgs/:id/members/:userId', undefined],
    ['POST', '/auth/orgs/:id/leave', undefined],
    ['POST', '/auth/orgs/:id/transfer', { userId: ':userId' }],
    ['GET', '/auth/orgs/:id/invitations', undefined],
    ['POST', '/auth/orgs/:id/invitations', { email: 'someone@example.com', role: 'member' }],
    ['DELETE', '/auth/orgs/:id/invitations/:invitationId', undefined],
    ['POST', '/auth/orgs/:id/invitations/:invitationId/resend', undefined],
    ['GET', '/auth/orgs/:id/audit', undefined],
    ['GET', '/auth/orgs/:id/domains', undefined],
    ['POST', '/auth/orgs/:id/domains', { domain: 'rival.example' }],
    ['POST', '/auth/orgs/:id/domains/verify', { domain: 'rival.example' }],
    ['DELETE', '/auth/orgs/:id/domains/rival.example', undefined],
    ['POST', '/auth/orgs/:id/api-tokens', { name: 'x', scopes: [] }],
  ]

  test("tenant isolation: every organization route given another organization's ids answers 404 not_found, and changes nothing", async () => {
    const { sigra } = await withOrgs()
    const me = await createConfirmedUser(sigra, { sudo: true })
    const rival = await createConfirmedUser(sigra)
    const mine = await sigra.orgs.create(me.user, { name: 'Mine' })
    const theirs = await sigra.orgs.create(rival.user, { name: 'Theirs' })
    assert.ok(mine.ok && theirs.ok)
    const theirInvitation = await sigra.orgs.invite(rival.user, theirs.org.id, { email: uniqueEmail('their'), role: 'member' })
    assert.ok(theirInvitation.ok)
    const fill = (template: string, ids: { id: string; userId: string; invitationId: string }) =>
      template.replace(':id', ids.id).replace(':userId', ids.userId).replace(':invitationId', ids.invitationId)
    const cases = [
      { what: 'their organization', ids: { id: theirs.org.id, userId: rival.user.id, invitationId: theirInvitation.invitation.id } },
      { what: 'my organization, their member and invitation', ids: { id: mine.org.id, userId: rival.user.id, invitationId: theirInvitation.invitation.id } },
      { what: 'an organization that does not exist', ids: { id: '5d0e3d6c-1a8e-4c38-9d0f-6b8f8b0a2f11', userId: rival.user.id, invitationId: theirInvitation.invitation.id } },
    ]
    for (const { what, ids } of cases) {
      for (const [method, template, body] of ORG_ROUTES) {
        // In my own organization, routes that name no other member or invitation are mine to use.
        if (ids.id === mine.org.id && !template.includes(':userId') && !template.includes(':invitationId') && !(body && JSON.stringify(body).includes(':userId'))) continue
        const filled = body ? JSON.parse(fill(JSON.stringify(body), ids)) : undefined
        const res = await call(sigra, method, fill(template, ids), { token: me.token, ...(filled ? { body: filled } : {}) })
        const answer = await json(res)
        assert.equal(res.status, 404, `${what}: ${method} ${template} → ${res.status} ${JSON.stringify(answer)}`)
        assert.equal(answer.error, 'not_found', `${what}: ${method} ${template}`)
      }
    }
    const setActive = await call(sigra, 'POST', '/auth/orgs/active', { token: me.token, body: { organizationId: theirs.org.id } })
    assert.equal(setActive.status, 404)
    const after = await sigra.orgs.get(rival.user, theirs.org.id)
    assert.ok(after.ok)
    assert.equal(after.org.name, 'Theirs')
    assert.deepEqual((await sigra.orgs.members(rival.user, theirs.org.id)).ok && (await sigra.orgs.members(rival.user, theirs.org.id) as { members: Array<{ userId: string }> }).members.map((m) => m.userId), [rival.user.id])
  })

  test('the OpenAPI document has an entry, under the organizations tag, for every route of the feature', async () => {
    const { sigra } = await withOrgs()
    const doc = (await (await call(sigra, 'GET', '/auth/openapi.json')).json()) as { paths: Record<string, Record<string, { tags: string[]; summary: string; responses: Record<string, unknown> }>> }
    const expected: Array<[string, string]> = [
      ['get', '/auth/orgs'], ['post', '/auth/orgs'], ['post', '/auth/orgs/active'], ['post', '/auth/org-invitations/preview'], ['post', '/auth/org-invitations/accept'],
      ...ORG_ROUTES.map(([m, p]) => [m.toLowerCase(), p.replace(/:([A-Za-z]+)/g, '{$1}').replace('rival.example', '{domain}')] as [string, string]),
    ]
    for (const [method, path] of expected) {
      const entry = doc.paths[path]?.[method]
      assert.ok(entry, `${method} ${path} is documented`)
      assert.deepEqual(entry.tags, ['organizations'])
      assert.ok(entry.summary.length > 10)
    }
    assert.ok(doc.paths['/auth/orgs/{id}']?.get?.responses['404'], 'not_found is documented')
  })

  test('a flow over HTTP: create, invite (the token only by mail), preview, accept, switch, members, role change, last owner', async () => {
    const { sigra } = await withOrgs()
    const owner = await createConfirmedUser(sigra)
    const guest = await createConfirmedUser(sigra)
    const created = await call(sigra, 'POST', '/auth/orgs', { token: owner.token, body: { name: 'Over HTTP' } })
    assert.equal(created.status, 201)
    const org = (await json(created)).org as { id: string; slug: string }
    assert.equal(org.slug, 'over-http')
    const invited = await call(sigra, 'POST', `/auth/orgs/${org.id}/invitations`, { token: owner.token, body: { email: guest.email, role: 'admin' } })
    assert.equal(invited.status, 201)
    const invitedBody = await json(invited)
    assert.equal(invitedBody.token, undefined, 'the token is never in an API answer')
    const { token } = await latestMail(sigra, guest.email)
    assert.ok(token)
    assert.ok(!JSON.stringify(invitedBody).includes(token))
    const preview = await json(await call(sigra, 'POST', '/auth/org-invitations/preview', { body: { token } }))
    assert.equal((preview.invitation as { email: string }).email, guest.email)
    const stranger = await createConfirmedUser(sigra)
    const wrong = await call(sigra, 'POST', '/auth/org-invitations/accept', { token: stranger.token, body: { token } })
    assert.equal(wrong.status, 403)
    assert.equal((await json(wrong)).error, 'email_mismatch')
    assert.equal((await call(sigra, 'POST', '/auth/org-invitations/accept', { body: { token } })).status, 401)
    const accepted = await call(sigra, 'POST', '/auth/org-invitations/accept', { token: guest.token, body: { token } })
    assert.equal(accepted.status, 200)
    assert.equal(((await json(accepted)).membership as { role: string }).role, 'admin')
    const again = await call(sigra, 'POST', '/auth/org-invitations/accept', { token: guest.token, body: { token } })
    assert.equal(again.status, 400)
    assert.equal((await json(again)).error, 'invalid_token')
    const active = await call(sigra, 'POST', '/auth/orgs/active', { token: guest.token, body: { organizationId: org.id } })
    assert.equal(active.status, 200)
    assert.equal(((await json(active)).session as { activeOrganizationId: string }).activeOrganizationId, org.id)
    const mine = await json(await call(sigra, 'GET', '/auth/orgs', { token: guest.token }))
    assert.deepEqual((mine.organizations as Array<{ slug: string; role: string }>).map((o) => [o.slug, o.role]), [['over-http', 'admin']])
    const members = await json(await call(sigra, 'GET', `/auth/orgs/${org.id}/members`, { token: guest.token }))
    assert.equal((members.members as unknown[]).length, 2)
    // Escalation over HTTP: the admin cannot make themselves owner, however it is spelt.
    for (const role of [' owner', 'OWNER', 'Owner\u00a0']) {
      const res = await call(sigra, 'POST', `/auth/orgs/${org.id}/members/${guest.user.id}/role`, { token: guest.token, body: { role } })
      assert.equal(res.status, 403, JSON.stringify(role))
      assert.equal((await json(res)).error, 'forbidden')
    }
    const unknown = await call(sigra, 'POST', `/auth/orgs/${org.id}/members/${guest.user.id}/role`, { token: owner.token, body: { role: 'root' } })
    assert.equal(unknown.status, 400)
    const leave = await call(sigra, 'POST', `/auth/orgs/${org.id}/leave`, { token: owner.token })
    assert.equal(leave.status, 409)
    assert.equal((await json(leave)).error, 'last_owner')
    const removeSelf = await call(sigra, 'DELETE', `/auth/orgs/${org.id}/members/${owner.user.id}`, { token: owner.token })
    assert.equal(removeSelf.status, 409)
    const unauth = await call(sigra, 'GET', '/auth/orgs')
    assert.equal(unauth.status, 401)
  })

  test('deleting over HTTP needs sudo; the slug is slug_taken (409) when another organization has it', async () => {
    const { sigra, clock } = await withOrgs()
    const owner = await createConfirmedUser(sigra)
    const created = await sigra.orgs.create(owner.user, { name: 'Doomed', slug: 'doomed' })
    assert.ok(created.ok)
    const taken = await call(sigra, 'POST', '/auth/orgs', { token: owner.token, body: { name: 'Copy', slug: 'DOOMED' } })
    assert.equal(taken.status, 409)
    assert.equal((await json(taken)).error, 'slug_taken')
    clock.advance(16 * 60)
    const refused = await call(sigra, 'DELETE', `/auth/orgs/${created.org.id}`, { token: owner.token })
    assert.equal(refused.status, 403)
    assert.equal((await json(refused)).error, 'sudo_required')
    await grantSudo(sigra, owner.session)
    const deleted = await call(sigra, 'DELETE', `/auth/orgs/${created.org.id}`, { token: owner.token })
    assert.equal(deleted.status, 200)
    assert.equal((await call(sigra, 'GET', `/auth/orgs/${created.org.id}`, { token: owner.token })).status, 404)
  })
})
