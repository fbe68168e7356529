import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, test } from 'node:test'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { jwt } from 'sigra/jwt'
import { mfa } from 'sigra/mfa'
import { toNodeHandler } from 'sigra/node'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { call, json, ORIGIN } from './support/http-client.ts'
import { errorOf, parts, withPayload } from './support/jwt-helpers.ts'
import { codeFor, enrolledUser } from './support/mfa-helpers.ts'

const servers: Server[] = []
after(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))))

/** A mobile app: JSON, no Origin, no cookie. */
const app = (body: unknown) => ({ body, noOrigin: true })
const bearer = (token: string) => new Request(`${ORIGIN}/api/me`, { headers: { authorization: `Bearer ${token}` } })

describeEachBackend('jwt over HTTP', (env) => {
  const withJwt = () => env().makeSigra({ features: [jwt()] })
  const withMfaAndJwt = () => env().makeSigra({ features: [mfa({ issuer: 'Acme' }), jwt()] })

  test('POST /token/session exchanges the session cookie for tokens; sessions.fromRequest resolves the Bearer JWT', async () => {
    const { sigra } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    assert.equal((await call(sigra, 'POST', '/auth/token/session')).status, 401)
    const res = await call(sigra, 'POST', '/auth/token/session', { token: fixture.token })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('cache-control'), 'no-store')
    const body = await json(res)
    assert.equal(body.tokenType, 'Bearer')
    assert.equal(body.expiresIn, 900)
    const accessToken = String(body.accessToken)

    const principal = await sigra.sessions.fromRequest(bearer(accessToken))
    assert.ok(principal)
    assert.equal(principal.via, 'jwt')
    assert.equal(principal.session, null)
    assert.equal(principal.user.id, fixture.user.id)
    assert.equal(principal.claims?.sid, fixture.session.id)
    assert.deepEqual(principal.claims?.amr, ['pwd'])
    assert.equal((await sigra.sessions.fromHeaders({ authorization: `bearer ${accessToken}` }))?.via, 'jwt')
    // Other bearer values pass by (another feature's tokens), and bad ones resolve to nobody.
    assert.equal(await sigra.sessions.fromRequest(bearer('sigra_pat_abc_def')), null)
    assert.equal(await sigra.sessions.fromRequest(bearer(`${accessToken.split('.').slice(0, 2).join('.')}.`)), null)
    assert.equal(await sigra.sessions.fromRequest(bearer(withPayload(accessToken, { ...parts(accessToken).claims, sub: '00000000-0000-4000-8000-000000000000' }))), null)
    // The cookie comes first when both are sent.
    const both = await sigra.sessions.fromRequest(new Request(`${ORIGIN}/x`, { headers: { authorization: `Bearer ${accessToken}`, cookie: `sigra_session=${fixture.token}` } }))
    assert.equal(both?.via, 'cookie')
    // Revocation is checked: after logout the bearer resolves to nobody, on this and every instance.
    await sigra.auth.logOut(fixture.token)
    assert.equal(await sigra.sessions.fromRequest(bearer(accessToken)), null)
  })

  test('POST /token/refresh rotates; reuse answers 401 reuse_detected; POST /token/revoke always 200', async () => {
    const { sigra, clock } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const first = await json(await call(sigra, 'POST', '/auth/token/session', { token: fixture.token }))
    const refreshed = await call(sigra, 'POST', '/auth/token/refresh', app({ refreshToken: first.refreshToken }))
    assert.equal(refreshed.status, 200)
    const second = await json(refreshed)
    assert.notEqual(second.refreshToken, first.refreshToken)
    clock.advance(30)
    const reused = await call(sigra, 'POST', '/auth/token/refresh', app({ refreshToken: first.refreshToken }))
    assert.equal(reused.status, 401)
    assert.equal((await json(reused)).error, 'reuse_detected')
    const invalid = await call(sigra, 'POST', '/auth/token/refresh', app({ refreshToken: 'nope' }))
    assert.equal(invalid.status, 400)
    assert.equal((await json(invalid)).error, 'invalid_token')
    assert.equal((await call(sigra, 'POST', '/auth/token/refresh', app({}))).status, 400)
    const revoked = await call(sigra, 'POST', '/auth/token/revoke', app({ refreshToken: second.refreshToken }))
    assert.equal(revoked.status, 200)
    assert.equal((await call(sigra, 'POST', '/auth/token/revoke', app({ refreshToken: 'whatever' }))).status, 200)
    // A cross-site page cannot use them (CSRF), a same-origin page can.
    assert.equal((await call(sigra, 'POST', '/auth/token/refresh', { body: { refreshToken: 'x' }, headers: { origin: 'https://evil.example' } })).status, 403)
    const [event] = await allAuditEvents(sigra, { userId: fixture.user.id, action: 'token.refresh_reuse' })
    assert.ok(event?.ip, 'the refusal is on record with where it came from')
  })

  test('POST /token/login answers tokens for an account without MFA; the session exists for the app alone, and revoke ends it', async () => {
    const { sigra } = await withJwt()
    const fixture = await createConfirmedUser(sigra)
    const wrong = await call(sigra, 'POST', '/auth/token/login', app({ login: fixture.email, password: 'not the password at all' }))
    assert.equal(wrong.status, 401)
    assert.equal((await json(wrong)).error, 'invalid_credentials')
    const res = await call(sigra, 'POST', '/auth/token/login', { ...app({ login: fixture.email, password: fixture.password }), headers: { 'user-agent': 'AcmeApp/1.0 (iPhone; iOS 17.0)' } })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('set-cookie'), null, 'no cookie for an app')
    const body = await json(res)
    assert.deepEqual(body.pending, [])
    assert.equal((body.user as { id: string }).id, fixture.user.id)
    const claims = parts(String(body.accessToken)).claims
    const sessions = await sigra.sessions.list(fixture.user.id)
    const appSession = sessions.find((s) => s.id === claims.sid)
    assert.ok(appSession, 'listed among the user\'s sessions, so the user can end it')
    assert.equal(appSession.rememberMe, true, 'no idle timeout: the app\'s sign-in lasts refreshTtl')
    assert.equal(appSession.userAgent, 'AcmeApp/1.0 (iPhone; iOS 17.0)')
    assert.equal((await allAuditEvents(sigra, { userId: fixture.user.id, action: 'auth.login.success' })).length, 2, 'the one sign-in pipeline')
    await call(sigra, 'POST', '/auth/token/revoke', app({ refreshToken: body.refreshToken }))
    assert.equal((await sigra.sessions.list(fixture.user.id)).some((s) => s.id === claims.sid), false, 'revoking the app ended its session')
    assert.equal(errorOf(await sigra.jwt.verify(String(body.accessToken), { checkRevocation: true })), 'revoked')
    assert.equal((await call(sigra, 'POST', '/auth/token/mfa', app({ stepToken: 'x', code: '123456' }))).status, 404, 'no MFA route without mfa()')
  })

  test('with MFA: issue() on a pending session answers mfa_required; /token/login gives only { pending, stepToken }; /token/mfa gives tokens after the second factor', async () => {
    const { sigra, clock } = await withMfaAndJwt()
    const user = await enrolledUser(sigra, clock)
    const held = await sigra.auth.logIn({ login: user.email, password: user.password! })
    assert.ok(held.ok && held.mfaRequired)
    assert.equal(errorOf(await sigra.jwt.issue(held.token)), 'mfa_required')
    const viaCookie = await call(sigra, 'POST', '/auth/token/session', { token: held.token })
    assert.equal(viaCookie.status, 403)
    assert.equal((await json(viaCookie)).error, 'mfa_required')

    const login = await call(sigra, 'POST', '/auth/token/login', app({ login: user.email, password: user.password }))
    assert.equal(login.status, 200)
    const pending = await json(login)
    assert.deepEqual(pending.pending, ['mfa'])
    assert.equal(pending.accessToken, undefined)
    assert.equal(pending.refreshToken, undefined)
    const stepToken = String(pending.stepToken)
    assert.equal(errorOf(await sigra.jwt.issue(stepToken)), 'mfa_required', 'the step token gets nothing but the step')
    assert.equal(await sigra.sessions.validate(stepToken), null)
    assert.equal((await sigra.jwt.verifyMfa(stepToken, { code: '000000' })).ok, false)

    const wrong = await call(sigra, 'POST', '/auth/token/mfa', app({ stepToken, code: codeFor(user.key, clock, 4) }))
    assert.equal(wrong.status, 400)
    assert.equal((await json(wrong)).error, 'invalid_code')
    const passed = await call(sigra, 'POST', '/auth/token/mfa', app({ stepToken, code: codeFor(user.key, clock) }))
    assert.equal(passed.status, 200)
    const tokens = await json(passed)
    assert.deepEqual(tokens.pending, [])
    const claims = parts(String(tokens.accessToken)).claims
    assert.deepEqual(claims.amr, ['pwd', 'otp'])
    assert.equal((await sigra.sessions.fromRequest(bearer(String(tokens.accessToken))))?.user.id, user.user.id)
    const again = await call(sigra, 'POST', '/auth/token/mfa', app({ stepToken, code: codeFor(user.key, clock, 1) }))
    assert.equal(again.status, 401, 'the step token died when the step passed')
    assert.equal((await json(again)).error, 'invalid_session')
    assert.equal((await allAuditEvents(sigra, { userId: user.user.id, action: 'mfa.verify' })).length, 1, 'MFA\'s own challenge ran')

    // A backup code works too; the refreshed tokens keep the second factor in amr.
    const second = await json(await call(sigra, 'POST', '/auth/token/login', app({ login: user.email, password: user.password })))
    const byBackup = await json(await call(sigra, 'POST', '/auth/token/mfa', app({ stepToken: second.stepToken, backupCode: user.backupCodes[0] })))
    assert.ok(byBackup.accessToken)
    const refreshed = await sigra.jwt.refresh(String(byBackup.refreshToken))
    assert.ok(refreshed.ok)
    assert.deepEqual(parts(refreshed.accessToken).claims.amr, ['pwd', 'otp'])
  })

  test('the JWKS is served cacheable, and an independent verifier (jose over real HTTP) checks a token with it', async () => {
    const { sigra, clock } = await withJwt()
    const direct = await call(sigra, 'GET', '/auth/.well-known/jwks.json')
    assert.equal(direct.status, 200)
    assert.equal(direct.headers.get('cache-control'), 'public, max-age=300')
    assert.match(direct.headers.get('content-type') ?? '', /application\/json/)
    const set = (await direct.json()) as { keys: Array<Record<string, unknown>> }
    assert.equal(set.keys.length, 1, 'a key exists before the first token, so verifiers can fetch it')

    const server = createServer(toNodeHandler(sigra))
    servers.push(server)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const remote = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/auth/.well-known/jwks.json`), { cooldownDuration: 0 })
    const options = { issuer: ORIGIN, audience: ORIGIN, typ: 'at+jwt', currentDate: clock() }

    const fixture = await createConfirmedUser(sigra)
    const issued = await sigra.jwt.issue(fixture.token)
    assert.ok(issued.ok)
    const verified = await jwtVerify(issued.accessToken, remote, options)
    assert.equal(verified.payload.sub, fixture.user.id)
    assert.equal(verified.protectedHeader.alg, 'EdDSA')
    await assert.rejects(jwtVerify(withPayload(issued.accessToken, { ...verified.payload, sub: 'someone-else' }), remote, options))

    // After a rotation the verifier finds the new key by its kid, and still verifies the old token.
    await sigra.jwt.rotateKeys()
    const next = await sigra.jwt.issue(fixture.token)
    assert.ok(next.ok)
    assert.equal((await jwtVerify(next.accessToken, remote, options)).payload.sub, fixture.user.id)
    assert.equal((await jwtVerify(issued.accessToken, remote, options)).payload.sub, fixture.user.id)
  })

  test('the OpenAPI document describes the token routes', async () => {
    const { sigra } = await withMfaAndJwt()
    const doc = (await json(await call(sigra, 'GET', '/auth/openapi.json'))) as unknown as { paths: Record<string, Record<string, { summary: string; tags: string[] }>> }
    for (const [path, method] of [['/auth/token/session', 'post'], ['/auth/token/login', 'post'], ['/auth/token/mfa', 'post'], ['/auth/token/refresh', 'post'], ['/auth/token/revoke', 'post'], ['/auth/.well-known/jwks.json', 'get']] as const) {
      assert.ok(doc.paths[path]?.[method]?.summary, `${method} ${path}`)
      assert.deepEqual(doc.paths[path]![method]!.tags, ['jwt'])
    }
  })
})
