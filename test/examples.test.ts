import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

// Every example type-checks and runs as written (issue 17): each app is started the way its header
// says (Node 24, --conditions=source from this repository), and its page, dev mailbox, JSON API and
// guarded route answer.

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const NODE = join(ROOT, 'node_modules/.bin/node')
const TSC = join(ROOT, 'node_modules/.bin/tsc')

test('the examples type-check (examples/tsconfig.json: the repository settings, the examples alone)', { timeout: 60_000 }, () => {
  const result = spawnSync(NODE, [TSC, '-p', 'examples/tsconfig.json'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`)
})

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

for (const example of ['node-http', 'express', 'fastify', 'hono']) {
  test(`examples/${example}.ts serves its page, the dev mailbox, the JSON API and its guarded /dashboard`, { timeout: 120_000 }, async () => {
    const port = await freePort()
    const cwd = await mkdtemp(join(tmpdir(), `sigra-example-${example}-`)) // its ./.sigra goes here
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SIGRA_SECRET: 'example-secret-that-is-long-enough-0123456789' }
    delete env.NODE_ENV
    delete env.BASE_URL
    delete env.NODE_TEST_CONTEXT
    const child = spawn(NODE, ['--conditions=source', join(ROOT, 'examples', `${example}.ts`)], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      // Ready when it says so (PGlite creates its folder and migrates first: seconds).
      const started = Date.now()
      while (!output.includes(`listening on http://localhost:${port}`)) {
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`${example} exited early (${child.exitCode}): ${output}`)
        if (Date.now() - started > 90_000) assert.fail(`${example} did not start: ${output}`)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      const origin = `http://localhost:${port}`

      const home = await fetch(`${origin}/`)
      assert.equal(home.status, 200, output)
      const homeHtml = await home.text()
      assert.ok(homeHtml.includes('href="/account/sign-up"'), homeHtml)
      assert.ok(homeHtml.includes('href="/dev/mailbox"'), homeHtml)

      // Every link on the page leads somewhere.
      const signUp = await fetch(`${origin}/account/sign-up`)
      assert.equal(signUp.status, 200)
      await signUp.body?.cancel()
      const mailbox = await fetch(`${origin}/dev/mailbox`)
      assert.equal(mailbox.status, 200, 'the page links /dev/mailbox: it must be enabled')
      assert.ok((await mailbox.text()).includes('<h1>Dev mailbox</h1>'))
      const anonymous = await fetch(`${origin}/dashboard`, { headers: { accept: 'text/html' }, redirect: 'manual' })
      assert.equal(anonymous.status, 303)
      await anonymous.body?.cancel()

      // The JSON API, as a page on the app's origin calls it.
      const email = `ada-${example}@example.com`
      const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) })
      const registered = await fetch(`${origin}/auth/register`, json({ email, password: 'correct horse battery staple' }))
      assert.equal(registered.status, 202, await registered.clone().text())
      assert.deepEqual(await registered.json(), { ok: true, status: 'check_email' })
      const login = await fetch(`${origin}/auth/login`, json({ login: email, password: 'correct horse battery staple' }))
      assert.equal(login.status, 200, await login.clone().text())
      const cookie = login.headers.getSetCookie().find((c) => c.startsWith('sigra_session='))?.split(';')[0]
      assert.ok(cookie, 'login sets the session cookie')
      await login.body?.cancel()
      const session = await fetch(`${origin}/auth/session`, { headers: { cookie } })
      assert.equal(session.status, 200)
      assert.equal(((await session.json()) as { user: { email: string } }).user.email, email)

      // The host's own guarded route sees the user.
      const dashboard = await fetch(`${origin}/dashboard`, { headers: { cookie } })
      assert.equal(dashboard.status, 200)
      assert.equal(await dashboard.text(), `Hello ${email}`)
    } finally {
      child.kill('SIGTERM')
      await exited
      await rm(cwd, { recursive: true, force: true })
    }
  })
}
