import assert from 'node:assert/strict'
import { it } from 'node:test'
import { VetoError, type Sigra } from 'sigra'
import { describeEachBackend, GOOD_PASSWORD, uniqueEmail } from './support/harness.ts'
import { loopbackSmtp, startSmtpPeer, unusedPort, type SmtpPeer, type SmtpPeerOptions } from './support/smtp-peer.ts'

const FROM_ADDRESS = 'accounts@acme.test'
const CONFIRM_LINK = /http:\/\/localhost:3000\/account\/confirm\?token=[^\s"<&]+/
const NOTHING = { sent: 0, retrying: 0, failed: 0 }

/** Starts a loopback SMTP server for one test and always closes it. */
async function withPeer(options: SmtpPeerOptions, body: (peer: SmtpPeer) => Promise<void>): Promise<void> {
  const peer = await startSmtpPeer(options)
  try {
    await body(peer)
  } finally {
    await peer.close()
  }
}

async function register(sigra: Sigra, email = uniqueEmail()): Promise<string> {
  const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
  assert.equal(result.ok, true)
  return email
}

/** The outbox row itself, with the columns `outbox()` does not show. */
async function outboxRow(sigra: Sigra, to: string) {
  return sigra.db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).executeTakeFirstOrThrow()
}

describeEachBackend('mail delivery over SMTP', (env) => {
  it('registering queues the confirmation mail, and the sweep delivers it to the SMTP server', async () => {
    await withPeer({}, async (peer) => {
      const { sigra } = await env().makeSigra({ mailer: loopbackSmtp(peer.port), mailFrom: `Acme Accounts <${FROM_ADDRESS}>` })
      const email = await register(sigra)

      const queued = await sigra.mail.outbox({ to: email })
      assert.equal(queued.length, 1)
      assert.equal(queued[0]!.status, 'pending')
      assert.equal(queued[0]!.template, 'confirmEmail')
      assert.equal(peer.received.length, 0)

      const report = await sigra.jobs.runDue()
      assert.deepEqual(report.mail, { sent: 1, retrying: 0, failed: 0 })
      assert.equal(peer.received.length, 1)
      const mail = peer.received[0]!
      assert.equal(mail.mailFrom, FROM_ADDRESS)
      assert.deepEqual(mail.rcptTo, [email])
      assert.ok(mail.headers.get('from')?.includes(`<${FROM_ADDRESS}>`))
      assert.ok(mail.headers.get('to')?.includes(email))
      assert.equal(mail.headers.get('subject'), queued[0]!.subject)
      assert.equal(mail.text, queued[0]!.text)
      const link = CONFIRM_LINK.exec(mail.text ?? '')?.[0]
      assert.ok(link, 'the text part carries the confirmation link')
      assert.ok(mail.html?.includes(`href="${link}"`), 'the HTML part links to the same URL')

      // The link that went over the wire is the one that confirms the account.
      const confirmed = await sigra.auth.confirmEmail(new URL(link).searchParams.get('token')!)
      assert.equal(confirmed.ok, true)
    })
  })

  it('seals the body at rest and drops it once an SMTP delivery succeeded', async () => {
    await withPeer({}, async (peer) => {
      const { sigra } = await env().makeSigra({ mailer: loopbackSmtp(peer.port) })
      const email = await register(sigra)
      const [queued] = await sigra.mail.outbox({ to: email })
      const link = CONFIRM_LINK.exec(queued!.text)?.[0]
      assert.ok(link)
      const token = new URL(link).searchParams.get('token')!

      const atRest = await outboxRow(sigra, email)
      assert.ok(atRest.sealed_body && atRest.sealed_body.length > 0)
      const sealed = Buffer.from(atRest.sealed_body)
      for (const secret of [token, encodeURIComponent(token), link, 'confirm?token=']) {
        assert.equal(sealed.includes(Buffer.from(secret)), false, `sealed body must not contain ${secret} in clear`)
      }

      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 1, retrying: 0, failed: 0 })
      const [sent] = await sigra.mail.outbox({ to: email })
      assert.equal(sent!.status, 'sent')
      assert.equal(sent!.text, '')
      assert.equal(sent!.html, '')
      assert.ok(sent!.sentAt)
      assert.equal((await outboxRow(sigra, email)).sealed_body, null)
    })
  })

  it('retries a refused delivery after the first backoff, and delivers exactly one copy', async () => {
    await withPeer({ refuseRcpt: (attempt) => attempt === 1 }, async (peer) => {
      const { sigra, clock } = await env().makeSigra({ mailer: loopbackSmtp(peer.port) })
      const email = await register(sigra)

      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 1, failed: 0 })
      const refused = await outboxRow(sigra, email)
      assert.equal(refused.status, 'pending')
      assert.equal(refused.attempts, 1)
      assert.ok(refused.last_error && refused.last_error.length > 0)
      assert.ok(refused.sealed_body, 'the body is kept for the retry')
      assert.equal(peer.received.length, 0)

      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      clock.advance(59)
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      assert.equal(peer.rcptAttempts, 1, 'no attempt before the backoff ran out')

      clock.advance(1)
      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 1, retrying: 0, failed: 0 })
      assert.equal(peer.received.length, 1)
      assert.deepEqual(peer.received[0]!.rcptTo, [email])
      assert.match(peer.received[0]!.text ?? '', CONFIRM_LINK)
      const delivered = await outboxRow(sigra, email)
      assert.equal(delivered.status, 'sent')
      assert.equal(delivered.attempts, 2)
      assert.equal(delivered.last_error, null)

      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      assert.equal(peer.received.length, 1)
    })
  })

  it('gives up after maxAttempts and never tries a failed message again', async () => {
    await withPeer({ refuseRcpt: () => true }, async (peer) => {
      const { sigra, clock } = await env().makeSigra({ mailer: loopbackSmtp(peer.port), mail: { maxAttempts: 3, backoff: [10, 20] } })
      const email = await register(sigra)

      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 1, failed: 0 })
      clock.advance(9)
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      clock.advance(1)
      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 1, failed: 0 })
      clock.advance(19)
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      clock.advance(1)
      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 0, failed: 1 })

      const failed = await outboxRow(sigra, email)
      assert.equal(failed.status, 'failed')
      assert.equal(failed.attempts, 3)
      assert.ok(failed.last_error)
      assert.equal((await sigra.mail.outbox({ to: email }))[0]!.status, 'failed')
      assert.equal(peer.rcptAttempts, 3)

      // Well inside the retention window (30 days by default), so the failed row is still there to check.
      for (const days of [1, 7]) {
        clock.advance(days * 86400)
        assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      }
      assert.equal(peer.rcptAttempts, 3)
      assert.equal(peer.received.length, 0)
      assert.equal((await outboxRow(sigra, email)).attempts, 3)
    })
  })

  it('gives up at once on a permanent refusal (550) instead of retrying for hours', async () => {
    await withPeer({ refuseRcpt: () => true, refuseCode: 550 }, async (peer) => {
      const { sigra, clock } = await env().makeSigra({ mailer: loopbackSmtp(peer.port) })
      const email = await register(sigra)

      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 0, failed: 1 })
      const failed = await outboxRow(sigra, email)
      assert.equal(failed.status, 'failed')
      assert.equal(failed.attempts, 1)
      clock.advance(3600)
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      assert.equal(peer.rcptAttempts, 1)
    })
  })

  it('forgets delivered mail after the retention period, keeps it until then', async () => {
    const { sigra, clock } = await env().makeSigra({ mail: { retentionDays: 30 } })
    const email = await register(sigra)
    assert.equal((await sigra.jobs.runDue()).mail.sent, 1)
    clock.advance(30 * 86400 - 1)
    assert.equal((await sigra.jobs.runDue()).cleanup.mail, 0)
    assert.equal((await sigra.mail.outbox({ to: email })).length, 1)
    clock.advance(1)
    assert.equal((await sigra.jobs.runDue()).cleanup.mail, 1)
    assert.equal((await sigra.mail.outbox({ to: email })).length, 0)
  })

  it('counts an unreachable server as a failure and retries until it answers', async () => {
    const port = await unusedPort()
    const { sigra, clock } = await env().makeSigra({ mailer: loopbackSmtp(port) })
    const email = await register(sigra)

    assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 1, failed: 0 })
    const first = await outboxRow(sigra, email)
    assert.equal(first.status, 'pending')
    assert.equal(first.attempts, 1)
    assert.ok(first.last_error)

    clock.advance(60)
    assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 0, retrying: 1, failed: 0 })
    assert.equal((await outboxRow(sigra, email)).attempts, 2)

    // The server comes up on that port; the next attempt (after the second backoff) gets through.
    await withPeer({ port }, async (peer) => {
      clock.advance(299)
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      clock.advance(1)
      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 1, retrying: 0, failed: 0 })
      assert.equal(peer.received.length, 1)
      assert.deepEqual(peer.received[0]!.rcptTo, [email])
      assert.equal((await outboxRow(sigra, email)).status, 'sent')
    })
  })

  it('two sweeps running in parallel deliver every message exactly once', async () => {
    await withPeer({}, async (peer) => {
      const { sigra } = await env().makeSigra({ mailer: loopbackSmtp(peer.port) })
      const emails: string[] = []
      for (let i = 0; i < 8; i++) emails.push(await register(sigra, uniqueEmail('parallel')))

      const reports = await Promise.all([sigra.jobs.runDue(), sigra.jobs.runDue()])
      assert.equal(reports[0].mail.sent + reports[1].mail.sent, emails.length)
      assert.equal(reports[0].mail.retrying + reports[1].mail.retrying + reports[0].mail.failed + reports[1].mail.failed, 0)

      const recipients = peer.received.flatMap((mail) => mail.rcptTo)
      assert.deepEqual([...recipients].sort(), [...emails].sort())
      assert.equal(peer.received.length, emails.length)

      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      const rows = await sigra.db.selectFrom('mail_outbox').select(['status', 'attempts']).execute()
      assert.deepEqual(rows.map((row) => [row.status, row.attempts]), emails.map(() => ['sent', 1]))
    })
  })

  it('a mail written in a transaction that rolls back is never sent', async () => {
    await withPeer({}, async (peer) => {
      const { sigra } = await env().makeSigra({
        mailer: loopbackSmtp(peer.port),
        hooks: {
          onRegister: () => {
            throw new VetoError('registrations are closed')
          },
        },
      })
      const email = uniqueEmail()
      const result = await sigra.auth.register({ email, password: GOOD_PASSWORD })
      assert.equal(result.ok, false)
      assert.equal(result.ok ? null : result.error, 'vetoed')

      assert.deepEqual(await sigra.mail.outbox({ to: email }), [])
      assert.deepEqual(await sigra.db.selectFrom('mail_outbox').select('id').execute(), [])
      assert.deepEqual((await sigra.jobs.runDue()).mail, NOTHING)
      assert.equal(peer.rcptAttempts, 0)
      assert.equal(peer.received.length, 0)
    })
  })

  it('delivers a replaced template', async () => {
    await withPeer({}, async (peer) => {
      const { sigra } = await env().makeSigra({
        mailer: loopbackSmtp(peer.port),
        templates: { confirmEmail: (d) => ({ subject: 'Custom ' + d.appName, text: 'T ' + d.url, html: '<p>' + d.url + '</p>' }) },
      })
      const email = await register(sigra)
      assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 1, retrying: 0, failed: 0 })

      const mail = peer.received[0]!
      assert.equal(mail.headers.get('subject'), 'Custom Acme')
      const url = CONFIRM_LINK.exec(mail.text ?? '')?.[0]
      assert.ok(url)
      assert.equal(mail.text?.trimEnd(), `T ${url}`)
      assert.equal(mail.html?.trimEnd(), `<p>${url}</p>`)
      assert.deepEqual(mail.rcptTo, [email])
    })
  })

  it('the dev transport (the default) keeps the body readable after the sweep', async () => {
    const { sigra } = env()
    const email = await register(sigra)
    assert.equal((await sigra.mail.outbox({ to: email }))[0]!.status, 'pending')

    assert.deepEqual((await sigra.jobs.runDue()).mail, { sent: 1, retrying: 0, failed: 0 })
    const [kept] = await sigra.mail.outbox({ to: email })
    assert.equal(kept!.status, 'sent')
    assert.match(kept!.text, CONFIRM_LINK)
    assert.ok(kept!.html.length > 0)
    assert.ok((await outboxRow(sigra, email)).sealed_body)
  })
})
