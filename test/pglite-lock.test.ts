import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createSigra, SigraError } from 'sigra'
import { pglite } from 'sigra/pglite'

// Two PGlite openers on one folder each see only their own writes, silently (issue 17): a folder
// is held by one driver at a time through <dir>/sigra.lock.

const ROOT = new URL('..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')
const SECRET = 'test-secret-that-is-long-enough-0123456789'

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'sigra-lock-'))
}

/** Opens the driver's database (the first query does) through a Sigra, which it returns. */
async function openSigra(dir: string) {
  const sigra = await createSigra({ database: pglite(dir), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' })
  await sigra.migrate()
  return sigra
}

function isInUse(dir: string, pid: number) {
  return (error: unknown) => {
    assert.ok(error instanceof SigraError, String(error))
    assert.equal(error.code, 'database_in_use')
    assert.equal(
      error.message,
      `The embedded database in ${dir} is in use by process ${pid}. Stop that process (or use another --data folder); two processes on one PGlite folder would each see only their own writes.`,
    )
    return true
  }
}

test('a second pglite(dir) in the same process is refused while the first is open, and allowed after close()', { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  try {
    const first = await openSigra(dir)
    const lock = JSON.parse(await readFile(join(dir, 'sigra.lock'), 'utf8')) as { pid: number; hostname: string }
    assert.equal(lock.pid, process.pid)
    assert.equal(lock.hostname, hostname())

    const second = pglite(dir)
    await assert.rejects(createSigra({ database: second, secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' }).then((s) => s.migrate()), isInUse(dir, process.pid))
    await second.close() // nothing to close: it never opened
    assert.ok(existsSync(join(dir, 'sigra.lock')), "the refused driver leaves the holder's lock alone")

    await first.close()
    assert.equal(existsSync(join(dir, 'sigra.lock')), false, 'close() removes the lock')

    const third = await openSigra(dir) // the same data, now through the new driver
    assert.equal((await third.auth.register({ email: 'ada@example.com', password: 'correct horse battery staple' })).ok, true)
    await third.close()
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('pglite(dir) creates a missing folder (with parents) before taking the lock', { timeout: 120_000 }, async () => {
  const base = await tempDir()
  try {
    const dir = join(base, 'a', 'b')
    const sigra = await openSigra(dir)
    assert.ok(existsSync(join(dir, 'sigra.lock')))
    await sigra.close()
    assert.equal(existsSync(join(dir, 'sigra.lock')), false)
  } finally {
    await rm(base, { recursive: true, force: true })
  }
})

test('a stale lock left by a process that is gone is taken over', { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  try {
    const child = spawn(NODE, ['-e', '0'], { stdio: 'ignore' })
    const deadPid = child.pid!
    await new Promise((resolve) => child.once('exit', resolve))
    await writeFile(join(dir, 'sigra.lock'), `${JSON.stringify({ pid: deadPid, hostname: hostname() })}\n`)

    const sigra = await openSigra(dir)
    const lock = JSON.parse(await readFile(join(dir, 'sigra.lock'), 'utf8')) as { pid: number }
    assert.equal(lock.pid, process.pid)
    await sigra.close()
    assert.equal(existsSync(join(dir, 'sigra.lock')), false)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test("a lock with this process's pid that this process does not hold (a restarted container's) is taken over", { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  try {
    await writeFile(join(dir, 'sigra.lock'), `${JSON.stringify({ pid: process.pid, hostname: hostname() })}\n`)
    const sigra = await openSigra(dir)
    await sigra.close()
    assert.equal(existsSync(join(dir, 'sigra.lock')), false)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('a lock from another host is respected (its process cannot be asked), and the message says how to clear it', async () => {
  const dir = await tempDir()
  try {
    const lockPath = join(dir, 'sigra.lock')
    const other = `not-${hostname()}`
    await writeFile(lockPath, `${JSON.stringify({ pid: 4242, hostname: other })}\n`)
    const driver = pglite(dir)
    await assert.rejects(createSigra({ database: driver, secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' }).then((s) => s.migrate()), (error: unknown) => {
      assert.ok(error instanceof SigraError)
      assert.equal(error.code, 'database_in_use')
      assert.match(error.message, new RegExp(`in use by process 4242 on ${other}\\.`))
      assert.ok(error.message.endsWith(`If that process is no longer running, delete ${lockPath}.`), error.message)
      return true
    })
    await driver.close()
    assert.equal(JSON.parse(await readFile(lockPath, 'utf8')).hostname, other)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('in-memory databases take no lock', async () => {
  const sigra = await createSigra({ database: pglite(), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' })
  const other = await createSigra({ database: pglite('memory://'), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme' })
  await Promise.all([sigra.migrate(), other.migrate()])
  await Promise.all([sigra.close(), other.close()])
})

test('another process is refused the folder this process holds: sigra migrate exits non-zero with the message', { timeout: 120_000 }, async () => {
  const dir = await tempDir()
  try {
    const holder = await openSigra(dir)
    try {
      const child = spawn(NODE, ['--conditions=source', 'bin/sigra.js', 'migrate', '--data', dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
      let output = ''
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      assert.notEqual(code, 0, output)
      assert.ok(
        output.includes(`The embedded database in ${dir} is in use by process ${process.pid}. Stop that process (or use another --data folder)`),
        output,
      )
      assert.doesNotMatch(output, /applied|up to date/)
      const lock = JSON.parse(await readFile(join(dir, 'sigra.lock'), 'utf8')) as { pid: number }
      assert.equal(lock.pid, process.pid, "the refused process leaves the holder's lock alone")
    } finally {
      await holder.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
