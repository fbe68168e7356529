/**
 * `npm run bench [-- --write]`: sessions.validate throughput against a raw primary-key SELECT, and
 * auth.logIn latency against a bare Argon2id verify, on PGlite and (when reachable) PostgreSQL.
 * Prints a table; with --write also rewrites the generated section of BENCHMARKS.md.
 * Bounded: fixed counts per phase, and a watchdog ends the process if it ever runs past 170 s.
 */
import os from 'node:os'
import { readFileSync } from 'node:fs'
import { ARGON2_OWASP, argon2idHasher } from '../src/kernel/crypto/password-hasher.ts'
import { BENCH_IP, BENCH_LOGIN_LIMIT, BENCH_PASSWORD, BENCH_USER_AGENT, findPostgres, redactUrl, setUp } from './backends.ts'
import { renderText, writeMarkdown, type BackendFigures, type BenchReport, type ValidateFigure } from './report.ts'
import { pairedLatency, pairedThroughput } from './stats.ts'

const VALIDATE = { rounds: 9, roundSeconds: 0.4, warmup: 300, minN: 200, maxN: 20_000, blocks: 8 } as const
const LOGIN = { count: 60, warmup: 5 } as const
const WATCHDOG_SECONDS = 170

const args = process.argv.slice(2)
const unknown = args.filter((a) => a !== '--write')
if (unknown.length) {
  console.error(`usage: npm run bench [-- --write]   (unknown: ${unknown.join(' ')})`)
  process.exit(64)
}
const write = args.includes('--write')

const watchdog = setTimeout(() => {
  console.error(`bench: still running after ${WATCHDOG_SECONDS} s; giving up (a bench schema may be left behind)`)
  process.exit(2)
}, WATCHDOG_SECONDS * 1000)
watchdog.unref()

/** Read from node_modules directly: not every package exports its package.json. */
const versionOf = (pkg: string): string =>
  (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version
const t0 = performance.now()
const log = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}`)
const startedAt = new Date()
const loadStart = os.loadavg()
const expectedHashPrefix = `$argon2id$v=19$m=${ARGON2_OWASP.memoryCost},t=${ARGON2_OWASP.timeCost},p=${ARGON2_OWASP.parallelism}$`

async function benchBackend(name: string, detail: string, backend: { kind: 'pglite' } | { kind: 'postgres'; url: string }): Promise<BackendFigures> {
  log(`${name}: setting up (${detail})`)
  const setup = await setUp(backend)
  try {
    const { sigra, token, sessionId, email, hash } = setup
    if (!hash.startsWith(expectedHashPrefix)) throw new Error(`expected a production Argon2id hash (${expectedHashPrefix}…), got ${hash.slice(0, 40)}…`)
    log(`${name}: schema ${setup.schema}, user registered, confirmed and logged in`)

    const lastActive = async () =>
      (await sigra.db.selectFrom('sessions').select('last_active_at').where('id', '=', sessionId).executeTakeFirstOrThrow()).last_active_at.getTime()
    const rawSelect = async (): Promise<void> => {
      const row = await sigra.db.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirst()
      if (!row) throw new Error('raw SELECT found no session')
    }
    const validate = async (): Promise<void> => {
      if (!(await sigra.sessions.validate(token))) throw new Error('validate refused the bench session')
    }

    const before = await lastActive()
    const validateFigures: ValidateFigure[] = []
    for (const concurrency of backend.kind === 'postgres' ? [1, 8] : [1]) {
      const mode = concurrency === 1 ? 'sequential' : `concurrency ${concurrency}`
      const result = await pairedThroughput({ baseline: rawSelect, subject: validate, concurrency, ...VALIDATE })
      validateFigures.push({ mode, result, wrote: false })
      log(`${name}: validate ${mode}: ${Math.round(result.subjectMedian)} ops/s vs raw SELECT ${Math.round(result.baselineMedian)} ops/s (ratio ${result.ratio.toFixed(2)})`)
    }
    const wrote = (await lastActive()) !== before
    for (const figure of validateFigures) figure.wrote = wrote

    const hasher = argon2idHasher()
    const logIn = await pairedLatency({
      ...LOGIN,
      baseline: async () => {
        if (!(await hasher.verify(hash, BENCH_PASSWORD))) throw new Error('bare verify refused the password')
      },
      subject: async () => {
        const result = await sigra.auth.logIn({ login: email, password: BENCH_PASSWORD, ip: BENCH_IP, userAgent: BENCH_USER_AGENT })
        if (!result.ok) throw new Error(`logIn failed: ${JSON.stringify(result)}`)
      },
    })
    log(`${name}: logIn median ${logIn.subjectMedian.toFixed(1)} ms vs verify ${logIn.baselineMedian.toFixed(1)} ms (ratio ${logIn.ratio.toFixed(2)})`)
    return { name, detail, validate: validateFigures, logIn }
  } finally {
    await setup.teardown()
    log(`${name}: closed${backend.kind === 'postgres' ? `, schema ${setup.schema} dropped` : ''}`)
  }
}

// Probed first, so a SIGRA_BENCH_DATABASE_URL that does not answer fails before any measuring.
const probe = await findPostgres()
const backends: BackendFigures[] = []
backends.push(await benchBackend('PGlite', `in memory, PGlite ${versionOf('@electric-sql/pglite')}`, { kind: 'pglite' }))

let postgresSkipped: string | null = null
if (probe.found) {
  const { url, source, serverVersion } = probe.target
  const detail = `server ${serverVersion} at \`${redactUrl(url)}\` (${source}) through pg ${versionOf('pg')}, pool of 10, loopback`
  backends.push(await benchBackend('PostgreSQL', detail, { kind: 'postgres', url }))
} else {
  postgresSkipped = probe.reason
  log(`PostgreSQL: skipped — ${probe.reason}`)
}

const cpus = os.cpus()
const report: BenchReport = {
  command: `npm run bench${write ? ' -- --write' : ''}`,
  startedAt,
  seconds: (performance.now() - t0) / 1000,
  machine: {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: os.totalmem() / 2 ** 30,
    os: `${os.type()} ${os.release()} ${process.arch}`,
    node: process.version,
    loadStart,
    loadEnd: os.loadavg(),
  },
  versions: { kysely: versionOf('kysely'), '@node-rs/argon2': versionOf('@node-rs/argon2') },
  hasher: `the production default, \`argon2idHasher()\`: Argon2id m=${ARGON2_OWASP.memoryCost} KiB, t=${ARGON2_OWASP.timeCost}, p=${ARGON2_OWASP.parallelism} (checked on the stored hash)`,
  rateLimits: `\`loginAccount\` and \`loginIp\` raised to ${BENCH_LOGIN_LIMIT.points.toLocaleString('en-US')} points per ${BENCH_LOGIN_LIMIT.duration} s (defaults: 10 and 30) so the repeated logins of one account are not refused; memory store; other rules at their defaults`,
  postgresSkipped,
  backends,
}

console.log(renderText(report))
console.log(`Rate limits: ${report.rateLimits.replaceAll('`', '')}.`)
if (write) {
  const file = new URL('../BENCHMARKS.md', import.meta.url)
  await writeMarkdown(file, report)
  console.log(`Wrote ${file.pathname}`)
}
clearTimeout(watchdog)
