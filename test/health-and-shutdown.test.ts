import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MailTransport, OutgoingMail } from 'sigra'
import { createConfirmedUser } from 'sigra/testing'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { call, json } from './support/http-client.ts'

/** A mailer whose sends wait until the test lets them go: an operation in flight, on demand. */
function heldMailer() {
  const waiting: Array<() => void> = []
  let entered: () => void = () => {}
  const sent: OutgoingMail[] = []
  let open = false
  const transport: MailTransport = {
    name: 'held',
    keepsBodies: true,
    async send(mail) {
      entered()
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve))
      sent.push(mail)
    },
  }
  return {
    transport,
    sent,
    /** Resolves when a send has started (and is now held). */
    started: () => new Promise<void>((resolve) => (entered = resolve)),
    /** Lets the held send go, and every later one straight through. */
    release: () => {
      open = true
      for (const go of waiting.splice(0)) go()
    },
  }
}
/** Lets every pending callback and I/O completion run once, so "still waiting" is a real observation. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

describeEachBackend('health, readiness and graceful shutdown', (env) => {
  test('GET /health answers while the process runs; /ready reports the database, the migrations and the mail backlog', async () => {
    const { sigra, clock } = await env().makeSigra()
    const health = await call(sigra, 'GET', '/auth/health')
    assert.equal(health.status, 200)
    assert.deepEqual(await json(health), { ok: true, status: 'alive' })
    assert.equal(health.headers.get('cache-control'), 'no-store')
    await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })
    clock.advance(90)
    const ready = await call(sigra, 'GET', '/auth/ready')
    assert.equal(ready.status, 200)
    assert.deepEqual(await json(ready), { ok: true, database: 'up', migrations: 'current', mail: { pending: 1, oldestSeconds: 90 }, closing: false })
    assert.deepEqual(await sigra.readiness(), { ok: true, database: 'up', migrations: 'current', mail: { pending: 1, oldestSeconds: 90 }, closing: false })
  })

  test('/ready is 503 with the pending migrations until the schema is migrated', async () => {
    const { sigra } = await env().makeSigra({ migrate: false })
    const ready = await call(sigra, 'GET', '/auth/ready')
    assert.equal(ready.status, 503)
    assert.equal(ready.headers.get('retry-after'), '5')
    const body = (await json(ready)) as unknown as { ok: boolean; database: string; migrations: string[] }
    assert.equal(body.ok, false)
    assert.equal(body.database, 'up')
    assert.ok(body.migrations.includes('0001_foundation'), JSON.stringify(body.migrations))
    assert.equal((await call(sigra, 'GET', '/auth/health')).status, 200)
    await sigra.migrate()
    assert.equal((await call(sigra, 'GET', '/auth/ready')).status, 200)
  })

  test('close() waits for the operation in flight, refuses new work meanwhile (503 over HTTP), then closes', async () => {
    const mail = heldMailer()
    const { sigra } = await env().makeSigra({ mailer: mail.transport })
    const user = await createConfirmedUser(sigra)
    await sigra.auth.requestPasswordReset(user.email)
    const started = mail.started()
    const sweep = sigra.jobs.runDue()
    await started
    let closed = false
    const closing = sigra.close().then(() => (closed = true))
    await settle()
    assert.equal(closed, false, 'close() is waiting for the sweep')
    await assert.rejects(sigra.auth.logIn({ login: user.email, password: user.password! }), { code: 'closed' })
    const refused = await call(sigra, 'GET', '/auth/session', { token: user.token })
    assert.equal(refused.status, 503)
    assert.equal(refused.headers.get('retry-after'), '5')
    assert.deepEqual(await json(refused), { ok: false, error: 'unavailable' })
    mail.release()
    const report = await sweep
    assert.ok(report.mail.sent >= 1, 'the sweep finished its work: delivered and marked')
    await closing
    assert.equal(closed, true)
    assert.ok(mail.sent.length >= 1)
  })

  test('close() stops waiting after shutdownTimeout and closes anyway', async () => {
    const mail = heldMailer()
    const { sigra } = await env().makeSigra({ mailer: mail.transport, shutdownTimeout: 0.05 })
    await sigra.auth.register({ email: uniqueEmail(), password: GOOD_PASSWORD })
    const started = mail.started()
    const sweep = sigra.jobs.runDue().catch((error: unknown) => error)
    await started
    const errors: string[] = []
    const original = console.error
    console.error = (message: string) => void errors.push(String(message))
    try {
      await sigra.close()
    } finally {
      console.error = original
    }
    assert.ok(errors.some((m) => /closing with 1 operation\(s\) still running after 0.05s/.test(m)), errors.join('\n'))
    mail.release()
    const outcome = await sweep
    assert.ok(outcome instanceof Error, 'the abandoned sweep fails (the pool is closed): its mail stays leased and goes again later')
  })
})
