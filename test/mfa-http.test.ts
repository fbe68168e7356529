import assert from 'node:assert/strict'
import { test } from 'node:test'
import { base32Decode, mfa, requireMfa } from 'sigra/mfa'
import { guard } from 'sigra/middleware'
import { createConfirmedUser, grantSudo } from 'sigra/testing'
import { describeEachBackend } from './support/harness.ts'
import { call, json, ORIGIN } from './support/http-client.ts'
import { codeFor, enrolledUser } from './support/mfa-helpers.ts'

/** Every Set-Cookie of a response, by name. */
function cookies(res: Response): Record<string, string> {
  const out: Record<string, string> = {}
  for (const header of res.headers.getSetCookie()) {
    const [pair = ''] = header.split(';')
    const eq = pair.indexOf('=')
    out[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return out
}

describeEachBackend('mfa over HTTP', (env) => {
  const withMfa = () => env().makeSigra({ features: [mfa({ issuer: 'Acme' })] })

  test('a pending session reaches only the challenge, its own session and log out: every other authenticated route answers 403 mfa_required', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const login = await call(sigra, 'POST', '/auth/login', { body: { login: user.email, password: user.password } })
    assert.equal(login.status, 200)
    assert.deepEqual((await json(login)).pending, ['mfa'])
    const token = cookies(login).sigra_session!
    const doc = await json(await call(sigra, 'GET', '/auth/openapi.json'))
    const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>
    let walked = 0
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.security || path === '/auth/session' || path === '/auth/mfa/verify') continue
        const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000')
        const res = await call(sigra, method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? { token } : { token, body: {} })
        assert.equal(res.status, 403, `${method} ${path}`)
        assert.equal((await json(res)).error, 'mfa_required', `${method} ${path}`)
        walked++
      }
    }
    assert.ok(walked >= 20, `walked ${walked}`)
    assert.deepEqual((await json(await call(sigra, 'GET', '/auth/session', { token }))).pending, ['mfa'])
    const denied = await guard(sigra, new Request(`${ORIGIN}/app`, { headers: { cookie: `sigra_session=${token}` } }))
    assert.equal(denied.ok ? '' : denied.error, 'mfa_required', 'host routes too')
  })

  test('the challenge renews the session cookie and, asked to, sets the device-trust cookie that the next log-in honours', async () => {
    const { sigra, clock } = await withMfa()
    const user = await enrolledUser(sigra, clock)
    const login = await call(sigra, 'POST', '/auth/login', { body: { login: user.email, password: user.password } })
    const held = cookies(login).sigra_session!
    const wrong = await call(sigra, 'POST', '/auth/mfa/verify', { token: held, body: { code: '000000' } })
    assert.equal(wrong.status, 400)
    assert.equal((await json(wrong)).error, 'invalid_code')
    const verified = await call(sigra, 'POST', '/auth/mfa/verify', { token: held, body: { code: codeFor(user.key, clock), trustDevice: true } })
    assert.equal(verified.status, 200)
    const set = cookies(verified)
    assert.ok(set.sigra_session && set.sigra_session !== held, 'renewed session cookie')
    assert.ok(set.sigra_trust, 'device-trust cookie')
    assert.ok(verified.headers.getSetCookie().some((c) => c.startsWith('sigra_trust=') && c.includes('HttpOnly') && c.includes('Expires=')))
    assert.equal((await call(sigra, 'GET', '/auth/sessions', { token: set.sigra_session })).status, 200)
    // The next log-in from this browser sends the trust cookie: no challenge.
    const next = await sigra.handler(
      new Request(`${ORIGIN}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: ORIGIN, cookie: `sigra_trust=${set.sigra_trust}` },
        body: JSON.stringify({ login: user.email, password: user.password }),
      }),
      { ip: '198.51.100.5' },
    )
    assert.deepEqual((await json(next)).pending, [])
  })

  test('enrolment over HTTP: start (sudo) returns the QR code; confirm returns the backup codes once; status and trusted devices read back', async () => {
    const { sigra, clock } = await withMfa()
    const fixture = await createConfirmedUser(sigra)
    assert.equal((await call(sigra, 'POST', '/auth/mfa/enrollment', { token: fixture.token })).status, 403, 'sudo required')
    await grantSudo(sigra, fixture.session)
    const started = await json(await call(sigra, 'POST', '/auth/mfa/enrollment', { token: fixture.token }))
    assert.ok(String(started.qrSvg).startsWith('<svg'))
    const confirm = await call(sigra, 'POST', '/auth/mfa/enrollment/confirm', { token: fixture.token, body: { code: codeFor(base32Decode(String(started.secret))!, clock) } })
    assert.equal(confirm.status, 200)
    assert.equal(((await json(confirm)).backupCodes as string[]).length, 10)
    const status = (await json(await call(sigra, 'GET', '/auth/mfa', { token: fixture.token }))).mfa as { enabled: boolean }
    assert.equal(status.enabled, true)
    assert.deepEqual((await json(await call(sigra, 'GET', '/auth/mfa/trusted-devices', { token: fixture.token }))).devices, [])
    assert.equal((await call(sigra, 'DELETE', '/auth/mfa/trusted-devices/00000000-0000-4000-8000-000000000000', { token: fixture.token })).status, 404)
  })

  test('requireMfa refuses a host route to an account without MFA, and passes one with it', async () => {
    const { sigra, clock } = await withMfa()
    const without = await createConfirmedUser(sigra)
    const refused = await guard(sigra, new Request(`${ORIGIN}/admin`, { headers: { cookie: `sigra_session=${without.token}` } }), ['requireAuth', requireMfa])
    assert.equal(refused.ok, false)
    assert.equal(refused.ok ? 0 : refused.response.status, 403)
    assert.equal(refused.ok ? '' : refused.error, 'mfa_enrollment_required')
    const html = await guard(sigra, new Request(`${ORIGIN}/admin`, { headers: { cookie: `sigra_session=${without.token}`, accept: 'text/html' } }), [requireMfa])
    assert.equal(html.ok ? '' : html.response.headers.get('location'), '/account/mfa/enroll')
    const withIt = await enrolledUser(sigra, clock)
    const login = await sigra.auth.logIn({ login: withIt.email, password: withIt.password! })
    assert.ok(login.ok)
    const passed = await sigra.mfa.verify(login.token, { code: codeFor(withIt.key, clock) })
    assert.ok(passed.ok)
    const allowed = await guard(sigra, new Request(`${ORIGIN}/admin`, { headers: { cookie: `sigra_session=${passed.token}` } }), [requireMfa])
    assert.equal(allowed.ok, true)
  })
})
