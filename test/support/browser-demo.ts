import assert from 'node:assert/strict'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { chromium, type Browser, type Page } from 'playwright-core'

const ROOT = new URL('../..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

/** Debian's Chromium (never a downloaded one); `.ci/run` installs it and sets SIGRA_TEST_CHROMIUM. */
export const CHROMIUM = process.env.SIGRA_TEST_CHROMIUM ?? '/usr/bin/chromium'

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `Chromium not found at ${CHROMIUM}: install Debian's chromium`
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  })
}

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

export interface DemoServer {
  /** `http://localhost:<port>`: the demo's baseUrl, so the pages' origin check and the mailed links agree. */
  origin: string
  /** Everything the child printed so far (for failure messages). */
  output: () => string
  /** SIGTERM, then SIGKILL if it lingers; removes the data folder. Safe to call twice. */
  stop: () => Promise<void>
  /**
   * The site's first account, signed up (not confirmed) as soon as the demo answers: with admin()
   * in the demo it is the Owner, so the journeys' own accounts are ordinary Users, as on a live site.
   */
  owner: { email: string; password: string }
}

const OWNER_PASSWORD = 'lantern orchard bicycle meadow'

/**
 * `sigra demo --port <free> --data <fresh tmp dir>` as a child process on loopback, resolved once it
 * prints that it listens and answers GET /, and its first account (`owner`) is signed up. PGlite
 * creates its data folder first: allow for a slow machine.
 */
export async function startDemo(startupMs = 200_000): Promise<DemoServer> {
  const port = await freePort()
  const data = await mkdtemp(join(tmpdir(), 'sigra-browser-'))
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NODE_ENV // the dev mailbox exists only outside production
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(NODE, ['bin/sigra.js', 'demo', '--port', String(port), '--host', '127.0.0.1', '--data', data], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stopped = false
  const stop = async () => {
    if (!stopped) {
      stopped = true
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(killer)
      }
      await rm(data, { recursive: true, force: true })
    }
  }
  const origin = `http://localhost:${port}`
  const owner = { email: `site-owner-${port}-${Date.now().toString(36)}@example.com`, password: OWNER_PASSWORD }
  try {
    const started = Date.now()
    for (;;) {
      if (child.exitCode !== null) assert.fail(`demo exited early (${child.exitCode}): ${output}`)
      if (Date.now() - started > startupMs) assert.fail(`demo did not start within ${startupMs} ms: ${output}`)
      if (output.includes('listening on')) {
        const home = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) }).catch(() => null)
        if (home?.status === 200) {
          await home.body?.cancel()
          break
        }
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    const signUp = await fetch(`http://127.0.0.1:${port}/account/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams({ email: owner.email, password: owner.password }),
      redirect: 'manual',
      signal: AbortSignal.timeout(30_000),
    })
    await signUp.body?.cancel()
    assert.equal(signUp.status, 303, `the site owner's sign-up was refused (${signUp.status}): ${output}`)
  } catch (error) {
    await stop()
    throw error
  }
  return { origin, output: () => output, stop, owner }
}

export const ARTIFACTS = join(ROOT, 'test-artifacts/browser')

/**
 * Empties (and creates) the screenshot folder: `test-artifacts/browser/` unless told. Test files run
 * two at a time, so each browser test file owns its folder (the MFA journey: `test-artifacts/browser-mfa/`).
 */
export async function freshArtifacts(dir = ARTIFACTS): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
}

/**
 * Numbered full-page screenshots, `NN-name.png` in `dir` (the folder `freshArtifacts` made); each
 * file is checked to exist and be non-empty. One camera per test file, so numbers follow the order
 * the pages were seen.
 */
export function camera(start = 1, dir = ARTIFACTS) {
  let n = start
  const taken: string[] = []
  return {
    taken,
    async shoot(page: Page, name: string): Promise<string> {
      const file = join(dir, `${String(n++).padStart(2, '0')}-${name}.png`)
      await page.screenshot({ path: file, fullPage: true })
      const info = await stat(file)
      assert.ok(info.isFile() && info.size > 0, `screenshot ${file} is empty`)
      taken.push(file)
      return file
    },
  }
}
