import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createSigra, SigraError } from 'sigra'
import { defineFeature, definePage, pagePath, seeOther, sudoPrompt, type Page } from 'sigra/feature-kit'
import { pglite } from 'sigra/pglite'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { notes } from './support/features/notes-feature.ts'
import { terms, termsReport } from './support/features/terms-feature.ts'
import { describeEachBackend, SECRET } from './support/harness.ts'
import { call, json } from './support/http-client.ts'
import { browser, inputValue, page } from './support/web-browser.ts'

/** Asserts a promise rejects with a SigraError of this code; returns its message. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<string> {
  let caught: unknown
  await assert.rejects(promise, (error: unknown) => ((caught = error), true))
  assert.ok(caught instanceof SigraError, `expected a SigraError, got ${String(caught)}`)
  assert.equal(caught.code, code, caught.message)
  return caught.message
}

const base = { secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' }

describeEachBackend('feature modules', (env) => {
  test('a listed feature adds its facade, and sigra.features names what is enabled, in order', async () => {
    const { sigra } = await env().makeSigra({ features: [notes(), terms({ version: '1' })] })
    assert.deepEqual(sigra.features, ['notes', 'terms'])
    assert.deepEqual(env().sigra.features, [], 'an instance without features has none')
    assert.equal(typeof sigra.notes.add, 'function')
    assert.equal(typeof sigra.terms.accept, 'function')
    assert.equal((env().sigra as unknown as Record<string, unknown>).notes, undefined, 'no facade for a feature that is not listed')

    const { user } = await createConfirmedUser(sigra)
    const added = await sigra.notes.add(user, 'first')
    assert.ok(added.ok)
    assert.deepEqual((await sigra.notes.list(user)).map((n) => n.body), ['first'])
    assert.deepEqual(await sigra.notes.add(user, 'x'.repeat(201)), { ok: false, error: 'note_too_long' })
    const audit = await allAuditEvents(sigra, { userId: user.id, action: 'notes.add' })
    assert.equal(audit.length, 1, 'the feature writes its own audit actions')
    assert.equal(audit[0]!.metadata.note_id, added.note.id)
  })

  test("a feature's routes are served under basePath with their OpenAPI entries and error statuses", async () => {
    const { sigra } = await env().makeSigra({ features: [notes(), terms({ version: '1' })] })
    const fixture = await createConfirmedUser(sigra)
    // With the terms feature on, a new sign-in is held at its step until the terms are accepted.
    const accepted = await sigra.terms.accept(fixture.token)
    assert.ok(accepted.ok)
    const token = accepted.token
    const doc = await json(await call(sigra, 'GET', '/auth/openapi.json'))
    const paths = doc.paths as Record<string, Record<string, { tags: string[]; responses: Record<string, unknown> }>>
    assert.deepEqual(paths['/auth/notes']?.get?.tags, ['notes'])
    assert.ok(paths['/auth/notes']?.post?.responses['422'], 'the feature documents its own status')
    assert.ok(paths['/auth/terms/accept']?.post, "the step's route is documented")
    const failureSchema = (doc.components as { schemas: { Failure: { properties: { error: { enum: string[] } } } } }).schemas.Failure
    for (const code of ['note_too_long', 'terms_required', 'unauthenticated']) assert.ok(failureSchema.properties.error.enum.includes(code), code)

    const list = await call(sigra, 'GET', '/auth/notes', { token })
    assert.equal(list.status, 200)
    assert.deepEqual((await json(list)).notes, [])
    const created = await call(sigra, 'POST', '/auth/notes', { token, body: { body: 'from http' } })
    assert.equal(created.status, 201)
    const tooLong = await call(sigra, 'POST', '/auth/notes', { token, body: { body: 'y'.repeat(500) } })
    assert.equal(tooLong.status, 422, 'the status comes from the feature')
    assert.equal((await json(tooLong)).error, 'note_too_long')
    assert.equal((await call(sigra, 'GET', '/auth/notes')).status, 401, 'auth applies to feature routes')
    assert.equal((await call(sigra, 'GET', '/auth/notes', { token })).status, 200)
    const without = await env().makeSigra()
    assert.equal((await call(without.sigra, 'GET', '/auth/notes', { token })).status, 404, 'not served where the feature is not listed')
  })

  test('a feature page that declares `sudo` gets the in-place password prompt, and is resumed with its declared fields after it', async () => {
    const made: Array<{ name: string; sudo: boolean }> = []
    const keyPage: Page = definePage({
      path: '/vault/keys',
      auth: true,
      sudo: { label: 'create a vault key', fields: ['name'] },
      post(c, deps, form, current) {
        if (!deps.sigra.sessions.isSudo(current.session)) return sudoPrompt(c, deps, keyPage, form)
        made.push({ name: form.get('name'), sudo: deps.sigra.sessions.isSudo(current.session) })
        return seeOther(c, `${pagePath(deps.config, 'settings')}#vault`)
      },
    })
    const vault = defineFeature({ name: 'vault', setup: () => ({ pages: [keyPage] }) })
    const { sigra } = await env().makeSigra({ features: [vault] })
    const fixture = await createConfirmedUser(sigra)
    const b = browser(sigra, { token: fixture.token })
    const asked = await b.post('/account/vault/keys', { name: 'laptop', secret: 'never carried' })
    assert.equal(asked.status, 403)
    const prompt = (await page(asked)).main
    assert.ok(prompt.includes('<h1>Confirm it is you to create a vault key</h1>'))
    assert.equal(inputValue(prompt, 'resume'), '/vault/keys')
    assert.equal(inputValue(prompt, 'resume.name'), 'laptop')
    assert.ok(!prompt.includes('never carried'), 'an undeclared field stays behind')
    assert.deepEqual(made, [])
    const done = await b.post('/account/sudo', { password: fixture.password!, resume: '/vault/keys', 'resume.name': 'laptop' })
    assert.equal(done.headers.get('location'), '/account/settings#vault')
    assert.deepEqual(made, [{ name: 'laptop', sudo: true }], "the feature's own POST ran, with the renewed sudo session")

    const open = defineFeature({ name: 'open', setup: () => ({ pages: [definePage({ path: '/open', sudo: { label: 'do it' }, post: (c) => c.body(null, 204) })] }) })
    await rejectsWith(env().makeSigra({ features: [open] }), 'invalid_feature')
  })

  test("a feature's page and settings section render inside the reference app", async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    const { token } = await createConfirmedUser(sigra)
    const b = browser(sigra, { token })
    const settings = (await page(await b.get('/account/settings'))).main
    assert.ok(settings.includes('id="notes"'), 'the section is on the settings page')
    assert.ok(settings.indexOf('id="data"') < settings.indexOf('id="notes"'), "after core's sections")
    assert.ok(settings.includes('You have 0 notes.'))
    const posted = await b.post('/account/notes', { body: 'via the page' })
    assert.equal(posted.status, 303)
    assert.equal(posted.headers.get('location'), '/account/settings#notes')
    const notesPage = (await page(await b.get('/account/notes'))).main
    assert.ok(notesPage.includes('<li>via the page</li>'))
    assert.ok((await page(await b.get('/account/settings'))).main.includes('You have 1 note.'))
    assert.equal((await browser(sigra).get('/account/notes')).status, 303, 'an auth page sends visitors to log in')
  })

  test('lifecycle subscribers, sweeps and the data export reach the feature', async () => {
    const { sigra, clock } = await env().makeSigra({ features: [notes({ retentionDays: 10 })] })
    const fixture = await createConfirmedUser(sigra, { sudo: true })
    assert.ok((await sigra.notes.add(fixture.user, 'keep me')).ok)

    const exported = await sigra.account.exportUserData(fixture.user, { session: fixture.session })
    assert.ok(exported.ok)
    assert.deepEqual((exported.data.features.notes as { count: number }).count, 1)
    assert.deepEqual(exported.data.identities, [])

    clock.advance(11 * 86_400)
    const report = await sigra.jobs.runDue()
    assert.equal(report.features['notes.purge'], 1, "the feature's sweep runs and reports under its name")
    assert.deepEqual(await sigra.notes.list(fixture.user), [])

    const leaving = await createConfirmedUser(sigra, { sudo: true })
    assert.ok((await sigra.notes.add(leaving.user, 'goes with the account')).ok)
    assert.ok((await sigra.account.scheduleDeletion(leaving.user, { session: leaving.session })).ok)
    assert.ok((await sigra.account.executeDeletion(leaving.user)).ok)
    const removed = await allAuditEvents(sigra, { userId: leaving.user.id, action: 'notes.remove_all' })
    assert.equal(removed.length, 1, 'userDeleting reached the feature inside the deletion')
    assert.equal(removed[0]!.metadata.count, 1)
    assert.deepEqual(await sigra.notes.list(leaving.user), [])
  })

  test("a feature's authenticator answers sessions.fromHeaders, and a password change revokes its keys", async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    const fixture = await createConfirmedUser(sigra)
    const { key } = await sigra.notes.issueKey(fixture.user)
    const principal = await sigra.sessions.fromHeaders({ 'X-Notes-Key': key })
    assert.equal(principal?.via, 'notes_key')
    assert.equal(principal?.user.id, fixture.user.id)
    assert.equal(principal?.session, null)
    assert.equal(await sigra.sessions.fromHeaders({ 'x-notes-key': `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}` }), null, 'a wrong secret is refused')
    const viaCookie = await sigra.sessions.fromHeaders({ cookie: `sigra_session=${fixture.token}`, 'x-notes-key': key })
    assert.equal(viaCookie?.via, 'cookie', 'the cookie comes first')

    assert.ok((await sigra.account.changePassword(fixture.user, fixture.password!, { password: 'a brand new passphrase 42' }, { session: fixture.session })).ok)
    assert.equal(await sigra.sessions.fromHeaders({ 'x-notes-key': key }), null, 'passwordChanged reached the subscriber in the same transaction')
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'notes.keys_revoked' })).length, 1)
  })

  test("a feature's rate limit has its default, can be overridden by name, or turned off", async () => {
    const limited = await env().makeSigra({ features: [notes()], rateLimit: { rules: { notesAdd: { points: 2, duration: 60 } } } })
    const a = await createConfirmedUser(limited.sigra)
    assert.ok((await limited.sigra.notes.add(a.user, '1')).ok)
    assert.ok((await limited.sigra.notes.add(a.user, '2')).ok)
    const third = await limited.sigra.notes.add(a.user, '3')
    assert.equal(third.ok ? 'ok' : third.error, 'rate_limited')

    const open = await env().makeSigra({ features: [notes()], rateLimit: { rules: { notesAdd: false } } })
    const b = await createConfirmedUser(open.sigra)
    for (let i = 0; i < 25; i++) assert.ok((await open.sigra.notes.add(b.user, `n${i}`)).ok, `note ${i}`)
  })

  test("audit actions under an enabled feature's prefix are reserved for it", async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    const refused = await sigra.audit.log({ action: 'notes.forged' })
    assert.equal(refused.ok ? 'ok' : refused.error, 'invalid')
    assert.ok((await env().sigra.audit.log({ action: 'notes.forged' })).ok, 'a host may use the prefix while no feature owns it')
    assert.ok((await sigra.audit.log({ action: 'billing.plan_change' })).ok)
  })
})

describe('feature start-up checks', () => {
  test('a missing dependency, a duplicate, a shadowed facade key or a factory passed uncalled fail at start-up with what to change', async () => {
    const missing = await rejectsWith(createSigra({ ...base, database: pglite(), features: [termsReport()] }), 'invalid_config')
    assert.match(missing, /terms-report needs terms: add terms\(\) to features/)
    const twice = await rejectsWith(createSigra({ ...base, database: pglite(), features: [notes(), notes()] }), 'invalid_config')
    assert.match(twice, /notes is listed twice/)
    const shadow = defineFeature({ name: 'auth', setup: () => ({}) })
    assert.match(await rejectsWith(createSigra({ ...base, database: pglite(), features: [shadow] }), 'invalid_config'), /would replace sigra\.auth/)
    assert.match(await rejectsWith(createSigra({ ...base, database: pglite(), features: [notes as never] }), 'invalid_config'), /mfa\(\) rather than mfa/)
    const recoded = defineFeature({ name: 'recoded', errors: { not_found: 400 }, setup: () => ({}) })
    assert.match(await rejectsWith(createSigra({ ...base, database: pglite(), features: [recoded] }), 'invalid_feature'), /not_found is already 404/)
    const ruleClash = defineFeature({ name: 'clash', rateLimits: { loginIp: { points: 1, duration: 1 } }, setup: () => ({}) })
    assert.match(await rejectsWith(createSigra({ ...base, database: pglite(), features: [ruleClash] }), 'invalid_feature'), /loginIp is already core's/)
    const prefixClash = defineFeature({ name: 'sneaky', auditActions: ['auth.fake'], setup: () => ({}) })
    assert.match(await rejectsWith(createSigra({ ...base, database: pglite(), features: [prefixClash] }), 'invalid_feature'), /auth\. are core's/)
    // With its dependency listed, the dependent feature starts.
    const ok = await createSigra({ ...base, database: pglite(), features: [terms({ version: '1' }), termsReport()] })
    assert.equal(ok.termsReport.enabled(), true)
    await ok.close()
  })

  test('a bad declaration or bad options throw when the factory is called', () => {
    assert.throws(() => defineFeature({ name: 'Bad Name', setup: () => ({}) }), (e: unknown) => e instanceof SigraError && e.code === 'invalid_feature')
    assert.throws(() => defineFeature({ name: 'x', migrations: [{ name: 'create', up: async () => {} }], setup: () => ({}) }), /0001_create_things/)
    assert.throws(() => defineFeature({ name: 'x', errors: { oops: 200 }, setup: () => ({}) }), /4xx\/5xx/)
    assert.throws(() => notes({ maxLength: 0 }), (e: unknown) => e instanceof SigraError && e.code === 'invalid_config' && /notes\(\).*maxLength/.test(e.message))
  })
})
