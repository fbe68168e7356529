import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

const ROOT = new URL('..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

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

test('sigra demo serves the start page and the mailbox, and exits 0 on SIGTERM', { timeout: 240_000 }, async () => {
  const port = await freePort()
  const data = await mkdtemp(join(tmpdir(), 'sigra-demo-'))
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NODE_ENV
  const child = spawn(NODE, ['bin/sigra.js', 'demo', '--port', String(port), '--data', data], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    // PGlite creates its data folder on first start: seconds, more on a busy machine.
    const started = Date.now()
    while (!output.includes('listening on')) {
      if (child.exitCode !== null) assert.fail(`demo exited early (${child.exitCode}): ${output}`)
      if (Date.now() - started > 200_000) assert.fail(`demo did not start: ${output}`)
      await new Promise((r) => setTimeout(r, 200))
    }
    assert.ok(output.includes(`http://localhost:${port}/`), output)
    assert.ok(output.includes(`http://localhost:${port}/dev/mailbox`), output)

    const home = await fetch(`http://127.0.0.1:${port}/`)
    assert.equal(home.status, 200)
    assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'none'/)
    const homeHtml = await home.text()
    assert.ok(homeHtml.includes('You are not signed in.'))
    assert.ok(homeHtml.includes('href="/account/sign-up"'))
    const mailbox = await fetch(`http://127.0.0.1:${port}/dev/mailbox`)
    assert.equal(mailbox.status, 200)
    assert.ok((await mailbox.text()).includes('<h1>Dev mailbox</h1>'))
    const signUp = await fetch(`http://127.0.0.1:${port}/account/sign-up`)
    assert.equal(signUp.status, 200)
    await signUp.body?.cancel()

    child.kill('SIGTERM')
    assert.equal(await exited, 0, output)
    assert.ok(output.includes('SIGTERM: stopping'), output)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
    await rm(data, { recursive: true, force: true })
  }
})
