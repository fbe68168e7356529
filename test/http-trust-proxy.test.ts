import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Sigra } from 'sigra'
import { createConfirmedUser } from 'sigra/testing'
import { allAuditEvents } from './support/audit-events.ts'
import { describeEachBackend } from './support/harness.ts'
import { call } from './support/http-client.ts'

/** Logs in over HTTP from `socketIp` with the given X-Forwarded-For; returns the audited and stored addresses. */
async function loginFrom(sigra: Sigra, socketIp: string, forwardedFor?: string): Promise<{ auditIp: string | null; sessionIp: string | null }> {
  const { email, password, user } = await createConfirmedUser(sigra)
  const res = await call(sigra, 'POST', '/auth/login', {
    ip: socketIp,
    body: { login: email, password },
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  })
  assert.equal(res.status, 200)
  const session = ((await res.json()) as { session: { ip: string | null } }).session
  const [event] = await allAuditEvents(sigra, { userId: user.id, action: 'auth.login.success' })
  return { auditIp: event!.ip, sessionIp: session.ip }
}

describeEachBackend('http trusted proxy', (env) => {
  test('with trustProxy 0 (the default) X-Forwarded-For is ignored: the socket address is recorded', async () => {
    const { sigra } = env()
    assert.equal(sigra.config.http.trustProxy, 0)
    const seen = await loginFrom(sigra, '192.0.2.50', '203.0.113.99, 198.51.100.7')
    assert.deepEqual(seen, { auditIp: '192.0.2.50', sessionIp: '192.0.2.50' })
  })

  test('with trustProxy 1 the last X-Forwarded-For entry (what our proxy saw) is recorded', async () => {
    const { sigra } = await env().makeSigra({ http: { trustProxy: 1 } })
    const seen = await loginFrom(sigra, '10.0.0.1', '203.0.113.99, 198.51.100.7')
    assert.deepEqual(seen, { auditIp: '198.51.100.7', sessionIp: '198.51.100.7' })
    const direct = await loginFrom(sigra, '10.0.0.1')
    assert.equal(direct.auditIp, '10.0.0.1', 'without the header, the socket address')
  })

  test('with trustProxy 2 the entry appended by the outer proxy is recorded; a spoofed prefix is not', async () => {
    const { sigra } = await env().makeSigra({ http: { trustProxy: 2 } })
    const seen = await loginFrom(sigra, '10.0.0.1', '6.6.6.6, 203.0.113.5, 10.0.0.2')
    assert.equal(seen.auditIp, '203.0.113.5')
  })

  test('an IPv4-mapped socket address is recorded in its IPv4 form', async () => {
    const { sigra } = env()
    const seen = await loginFrom(sigra, '::ffff:192.0.2.77')
    assert.equal(seen.auditIp, '192.0.2.77')
  })

  test('with trustProxy a forwarded entry that is not an IP address is not recorded: the socket address is', async () => {
    const { sigra } = await env().makeSigra({ http: { trustProxy: 1 } })
    const seen = await loginFrom(sigra, '10.0.0.1', '<script>, not-an-address')
    assert.deepEqual(seen, { auditIp: '10.0.0.1', sessionIp: '10.0.0.1' })
  })
})
