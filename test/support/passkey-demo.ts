import assert from 'node:assert/strict'
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

const ROOT = new URL('../..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

export interface PasskeyDemo {
  origin: string
  output: () => string
  /** Where the demo keeps its data: 'PostgreSQL schema …' or 'PGlite in …'. */
  where: string
  /**
   * Clears an account's password straight in the database (`UPDATE users SET hashed_password =
   * NULL`), to make a passkey its only way in. On PostgreSQL: one statement while the demo runs. On
   * PGlite (one process at a time): the demo is stopped, the folder opened here, the row updated,
   * and the demo started again on the same port and folder (sessions are rows: browsers stay signed in).
   */
  clearPassword(email: string): Promise<void>
  stop(): Promise<void>
}

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

/**
 * `sigra demo` for the passkey journey: on PostgreSQL (a fresh schema) when SIGRA_TEST_DATABASE_URL
 * is set, else on PGlite in a fresh folder. Same start-up check as browser-demo.ts (it prints that
 * it listens and answers GET /).
 */
export async function startPasskeyDemo(startupMs = 200_000): Promise<PasskeyDemo> {
  const port = await freePort()
  const url = process.env.SIGRA_TEST_DATABASE_URL
  const schema = `t_passkeys_${randomBytes(5).toString('hex')}`
  const data = url ? null : await mkdtemp(join(tmpdir(), 'sigra-passkeys-'))
  const args = ['bin/sigra.js', 'demo', '--port', String(port), '--host', '127.0.0.1', ...(url ? ['--database-url', url, '--schema', schema] : ['--data', data!])]
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.NODE_ENV
  delete env.DATABASE_URL
  let output = ''
  let child: ChildProcessByStdio<null, Readable, Readable> | null = null
  let exited: Promise<void> = Promise.resolve()

  const launch = async () => {
    const started = Date.now()
    const proc = spawn(NODE, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    let mine = ''
    proc.stdout.on('data', (chunk: Buffer) => ((output += chunk.toString()), (mine += chunk.toString())))
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
    for (;;) {
      if (proc.exitCode !== null) assert.fail(`demo exited early (${proc.exitCode}): ${output}`)
      if (Date.now() - started > startupMs) assert.fail(`demo did not start within ${startupMs} ms: ${output}`)
      if (mine.includes('listening on')) {
        const home = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) }).catch(() => null)
        if (home?.status === 200) {
          await home.body?.cancel()
          return
        }
      }
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  const halt = async () => {
    const proc = child
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM')
      const killer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(killer)
    }
    child = null
  }

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await halt()
    if (url) {
      const pool = new pg.Pool({ connectionString: url, max: 1 })
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).finally(() => pool.end())
    } else await rm(data!, { recursive: true, force: true })
  }

  try {
    await launch()
  } catch (error) {
    await stop()
    throw error
  }

  return {
    origin: `http://localhost:${port}`,
    output: () => output,
    where: url ? `PostgreSQL schema ${schema}` : `PGlite in ${data}`,
    async clearPassword(email) {
      if (url) {
        const pool = new pg.Pool({ connectionString: url, max: 1 })
        try {
          const result = await pool.query(`UPDATE "${schema}".users SET hashed_password = NULL WHERE email = $1`, [email])
          assert.equal(result.rowCount, 1, `no account ${email}`)
        } finally {
          await pool.end()
        }
        return
      }
      await halt()
      const db = await PGlite.create(data!)
      try {
        const result = await db.query('UPDATE sigra.users SET hashed_password = NULL WHERE email = $1', [email])
        assert.equal(result.affectedRows, 1, `no account ${email}`)
      } finally {
        await db.close()
      }
      await launch()
    },
    stop,
  }
}
