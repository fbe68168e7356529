import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Sigra } from 'sigra'
import { assertAuditEvent, latestMail } from 'sigra/testing'
import { GOOD_PASSWORD, uniqueEmail } from './harness.ts'

/** Listens on an ephemeral loopback port; resolves to the server's origin. */
export async function listenLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Closes a server and its kept-alive client connections. */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeAllConnections()
  await closed
}

/** A JSON request as a page on `origin` would send it (Origin set, as browsers do on POST). */
export function jsonPost(origin: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(origin + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  })
}

/** `name=value` of the session cookie in a response, or throws. */
export function sessionCookieOf(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('sigra_session='))
  assert.ok(cookie, `no session cookie in ${JSON.stringify(response.headers.getSetCookie())}`)
  return cookie.split(';')[0]!
}

/**
 * The account flow a client runs over a real socket: register (202), confirm with the mailed
 * token, log in (200 + Set-Cookie), read the session with the cookie. Asserts the login's audit
 * row carries the socket's address. Returns the cookie and the user.
 */
export async function runAccountFlow(origin: string, sigra: Sigra): Promise<{ cookie: string; userId: string; email: string }> {
  const email = uniqueEmail('adapter')
  const registered = await jsonPost(origin, '/auth/register', { email, password: GOOD_PASSWORD })
  assert.equal(registered.status, 202, await registered.clone().text())
  assert.deepEqual(await registered.json(), { ok: true, status: 'check_email' })

  const { token } = await latestMail(sigra, email)
  assert.ok(token, 'the confirmation mail carries a token')
  const confirmed = await jsonPost(origin, '/auth/confirm', { token })
  assert.equal(confirmed.status, 200, await confirmed.clone().text())

  const login = await jsonPost(origin, '/auth/login', { login: email, password: GOOD_PASSWORD })
  assert.equal(login.status, 200, await login.clone().text())
  const cookie = sessionCookieOf(login)
  const { user } = (await login.json()) as { user: { id: string; email: string } }
  assert.equal(user.email, email)

  const session = await fetch(`${origin}/auth/session`, { headers: { cookie } })
  assert.equal(session.status, 200)
  const current = (await session.json()) as { user: { id: string } }
  assert.equal(current.user.id, user.id)

  const audit = await assertAuditEvent(sigra, { action: 'auth.login.success', userId: user.id })
  assert.equal(audit.ip, '127.0.0.1')
  return { cookie, userId: user.id, email }
}
