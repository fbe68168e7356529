import { randomBytes } from 'node:crypto'
import { createSigra } from '../create-sigra.ts'
import { cliOptions } from './options.ts'

const step = (n: number, title: string) => console.log(`\n\x1b[1m${n}. ${title}\x1b[0m`)
const show = (label: string, value: unknown) => console.log(`   ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
const tokenOf = (text: string) => new URL(/https?:\/\/\S+/.exec(text)?.[0] ?? 'http://x').searchParams.get('token') ?? ''

/**
 * `sigra walkthrough`: a scripted tour of the foundation on the embedded database, printed to the
 * terminal — sign up, confirm, log in, keep a session, lock out, reset, and the audit log.
 * (The browser demo, `sigra demo`, arrives with the HTTP layer.)
 */
export async function walkthroughCommand(args: string[]): Promise<number> {
  const options = cliOptions(args)
  const sigra = await createSigra({
    database: options.database,
    // Fixed for the local demo database so mail sealed in one run opens in the next; never use it in production.
    secret: process.env.SIGRA_SECRET ?? 'sigra-walkthrough-local-development-secret-only',
    baseUrl: 'http://localhost:3000',
    appName: 'Sigra demo',
    autoMigrate: true,
    ...(options.schema ? { schema: options.schema } : {}),
  })
  try {
    const email = `ada.${randomBytes(3).toString('hex')}@example.com`
    const password = 'correct horse battery staple'
    console.log(`Sigra walkthrough on ${options.where}`)

    step(1, 'Register')
    const registered = await sigra.auth.register({ email, password, ip: '127.0.0.1' })
    if (!registered.ok) throw new Error(`register: ${registered.error}`)
    show('user', { id: registered.user.id, email: registered.user.email, confirmedAt: registered.user.confirmedAt })
    const weak = await sigra.auth.register({ email: `x${email}`, password: 'password123' })
    show('a weak password is refused', weak.ok ? 'accepted?!' : weak.issues?.map((i) => i.code))
    const again = await sigra.auth.register({ email: email.toUpperCase(), password })
    show('the same address again', again.ok ? 'accepted?!' : `${again.error} (its owner gets a notice without any link)`)

    step(2, 'Confirm the email (the link from the outbox)')
    const confirmMail = (await sigra.mail.outbox({ to: email })).find((m) => m.template === 'confirmEmail')
    show('mail', confirmMail?.subject)
    show('link', /https?:\/\/\S+/.exec(confirmMail?.text ?? '')?.[0])
    const confirmed = await sigra.auth.confirmEmail(tokenOf(confirmMail?.text ?? ''))
    show('confirmed', confirmed.ok ? confirmed.user.confirmedAt : confirmed.error)
    show('the same link twice', (await sigra.auth.confirmEmail(tokenOf(confirmMail?.text ?? ''))).ok ? 'accepted?!' : 'invalid_token (single use)')

    step(3, 'Log in and keep a session')
    const login = await sigra.auth.logIn({ login: email, password, ip: '127.0.0.1', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' })
    if (!login.ok) throw new Error(`login: ${login.error}`)
    show('session', { id: login.session.id, device: login.session.deviceLabel, idleExpiresAt: login.session.idleExpiresAt, expiresAt: login.session.expiresAt })
    show('token (shown once; only a SHA-256 of its secret is stored)', `${login.token.slice(0, 44)}…`)
    const current = await sigra.sessions.validate(login.token)
    show('validate(token)', current ? `user ${current.user.email}` : null)

    step(4, 'Wrong passwords lock the account')
    for (let i = 1; i <= 5; i++) {
      const attempt = await sigra.auth.logIn({ login: email, password: `wrong guess number ${i}`, ip: '127.0.0.1' })
      show(`attempt ${i}`, attempt.ok ? 'ok?!' : attempt.error)
    }
    show('right password while locked', ((r) => (r.ok ? 'ok' : r.error))(await sigra.auth.logIn({ login: email, password, ip: '127.0.0.1' })))

    step(5, 'Reset the password by email')
    show('request (same answer for any address)', await sigra.auth.requestPasswordReset(email))
    const resetMail = (await sigra.mail.outbox({ to: email })).findLast((m) => m.template === 'resetPassword')
    const reset = await sigra.auth.resetPassword(tokenOf(resetMail?.text ?? ''), { password: 'a brand new passphrase' })
    show('reset', reset.ok ? 'ok: every session revoked, lock cleared, owner notified' : reset.error)
    show('old session', (await sigra.sessions.validate(login.token)) ? 'still valid?!' : 'revoked')
    const back = await sigra.auth.logIn({ login: email, password: 'a brand new passphrase', ip: '127.0.0.1' })
    show('log in with the new password', back.ok ? 'ok' : back.error)

    step(6, 'Deliver the mail (one sweep of due work)')
    show('runDue()', await sigra.jobs.runDue())
    for (const m of await sigra.mail.outbox({ to: email })) show(`outbox ${m.status}`, m.subject)

    step(7, 'The audit log (newest first)')
    const { events } = await sigra.audit.list({ userId: registered.user.id, limit: 30 })
    for (const e of events) show(`${e.occurredAt.toISOString()} ${e.outcome.padEnd(7)}`, `${e.action} ${JSON.stringify(e.metadata)}`)
    console.log('\nDone. Run it again: each run registers a new address in the same database.')
    return 0
  } finally {
    await sigra.close()
  }
}
