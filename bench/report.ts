import { readFile, writeFile } from 'node:fs/promises'
import type { PairedLatency, PairedThroughput } from './stats.ts'

/** The targets. */
export const TARGETS = {
  /** sessions.validate ops/s at least this fraction of the raw primary-key SELECT. */
  validateMinRatio: 0.8,
  /** auth.logIn median latency at most this multiple of one bare Argon2id verify. */
  logInMaxRatio: 1.15,
} as const

export interface ValidateFigure {
  mode: string
  result: PairedThroughput
  /** Whether validate wrote last_active_at during the measurement (it should not: activity throttle). */
  wrote: boolean
}

export interface BackendFigures {
  name: string
  /** Which database exactly, and where it came from. */
  detail: string
  validate: ValidateFigure[]
  logIn: PairedLatency
}

export interface BenchReport {
  command: string
  startedAt: Date
  seconds: number
  machine: { nproc: number; cpu: string; memoryGiB: number; os: string; node: string; loadStart: number[]; loadEnd: number[] }
  versions: Record<string, string>
  hasher: string
  rateLimits: string
  /** Why PostgreSQL was not measured, when it was not. */
  postgresSkipped: string | null
  backends: BackendFigures[]
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US')
const fmtMs = (n: number) => n.toFixed(1)
const fmtRatio = (n: number) => n.toFixed(2)
const pct = (n: number) => `${(n * 100).toFixed(0)} %`
const validateMet = (f: ValidateFigure) => f.result.ratio >= TARGETS.validateMinRatio
const logInMet = (l: PairedLatency) => l.ratio <= TARGETS.logInMaxRatio
const yesNo = (ok: boolean) => (ok ? 'yes' : '**no**')

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)]
}

/** Fixed-width text table for the terminal. */
function textTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

function validateRows(report: BenchReport): string[][] {
  return report.backends.flatMap((b) =>
    b.validate.map((f) => [
      b.name,
      f.mode,
      `${fmtInt(f.result.n)} × ${f.result.rounds}`,
      fmtInt(f.result.baselineMedian),
      fmtInt(f.result.subjectMedian),
      fmtRatio(f.result.ratio),
      `${fmtRatio(f.result.ratioRange[0])}–${fmtRatio(f.result.ratioRange[1])}`,
      f.wrote ? 'yes' : 'no',
    ]),
  )
}
const VALIDATE_HEAD = ['Backend', 'Mode', 'Calls × rounds', 'Raw SELECT ops/s', 'validate ops/s', 'Ratio', 'Per-round ratios', 'Wrote rows']

function logInRows(report: BenchReport): string[][] {
  return report.backends.map((b) => [
    b.name,
    String(b.logIn.count),
    fmtMs(b.logIn.baselineMedian),
    fmtMs(b.logIn.baselineP95),
    fmtMs(b.logIn.subjectMedian),
    fmtMs(b.logIn.subjectP95),
    fmtRatio(b.logIn.ratio),
    fmtRatio(b.logIn.p95Ratio),
  ])
}
const LOGIN_HEAD = ['Backend', 'Calls', 'Verify median ms', 'Verify p95 ms', 'logIn median ms', 'logIn p95 ms', 'Ratio (median)', 'Ratio (p95)']

function verdicts(report: BenchReport): Array<{ what: string; figure: string; ok: boolean }> {
  return report.backends.flatMap((b) => [
    ...b.validate.map((f) => ({
      what: `${b.name} sessions.validate (${f.mode}) ≥ ${pct(TARGETS.validateMinRatio)} of raw SELECT`,
      figure: `${pct(f.result.ratio)}`,
      ok: validateMet(f),
    })),
    {
      what: `${b.name} auth.logIn median within ${pct(TARGETS.logInMaxRatio - 1)} of bare verify`,
      figure: `+${pct(b.logIn.ratio - 1)}`.replace('+-', '−'),
      ok: logInMet(b.logIn),
    },
  ])
}

export function renderText(report: BenchReport): string {
  const v = verdicts(report)
  return [
    '',
    'sessions.validate vs one raw SELECT by primary key (same Kysely instance), median of rounds:',
    textTable(VALIDATE_HEAD, validateRows(report)),
    '',
    'auth.logIn vs one bare Argon2id verify of the same hash, sequential, interleaved:',
    textTable(LOGIN_HEAD, logInRows(report)),
    '',
    'Targets:',
    ...v.map((t) => `  ${t.ok ? 'MET    ' : 'NOT MET'}  ${t.what}: ${t.figure}`),
    ...(report.postgresSkipped ? ['', `PostgreSQL skipped: ${report.postgresSkipped}`] : []),
    '',
  ].join('\n')
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine
  const date = `${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  const versions = Object.entries(report.versions).map(([k, v]) => `${k} ${v}`).join(', ')
  const blocks = [...new Set(report.backends.flatMap((b) => b.validate.map((f) => f.result.blocks)))].join(' or ')
  return [
    `## Latest run — ${date}`,
    '',
    `Command: \`${report.command}\` (whole run: ${report.seconds.toFixed(0)} s)`,
    '',
    `- Machine: ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.memoryGiB.toFixed(1)} GiB RAM, ${m.os}; load average ${m.loadStart.map((x) => x.toFixed(2)).join(' / ')} at start, ${m.loadEnd.map((x) => x.toFixed(2)).join(' / ')} at end (1 / 5 / 15 min)`,
    `- Node ${m.node}; ${versions}`,
    ...report.backends.map((b) => `- ${b.name}: ${b.detail}`),
    ...(report.postgresSkipped ? [`- PostgreSQL: not measured (${report.postgresSkipped})`] : []),
    `- Password hasher: ${report.hasher}`,
    `- Rate limits: ${report.rateLimits}`,
    '',
    '### `sessions.validate` against one raw `SELECT` by primary key',
    '',
    'Baseline: `sigra.db.selectFrom(\'sessions\').selectAll().where(\'id\', \'=\', id).executeTakeFirst()` through the same Kysely instance and driver. ' +
      `Both warmed up; then, in each round, the two alternate in ${blocks} blocks (A B B A …) and each side's ops/s is its calls over the time of its own blocks; each figure is the median over the rounds, and the ratio is validate's median over the baseline's. ` +
      '"Wrote rows" says whether validate updated `last_active_at` during the measurement (the activity throttle means it should not).',
    '',
    ...table(VALIDATE_HEAD, validateRows(report)),
    '',
    '### `auth.logIn` against one bare Argon2id verify',
    '',
    'Baseline: `argon2idHasher().verify(hash, password)` of the same user\'s stored hash. Correct-password logins of that user, one in flight, ' +
      'alternating with the baseline call by call after a warm-up; latency in milliseconds.',
    '',
    ...table(LOGIN_HEAD, logInRows(report)),
    '',
    '### Targets',
    '',
    ...table(['Target', 'Measured', 'Met'], verdicts(report).map((t) => [t.what, t.figure, yesNo(t.ok)])),
  ].join('\n')
}

const START = '<!-- bench:start (written by `npm run bench -- --write`; do not edit by hand) -->'
const END = '<!-- bench:end -->'
const START_PREFIX = '<!-- bench:start'

const PREAMBLE = [
  '# Benchmarks',
  '',
  'Measured by `npm run bench` (`bench/run.ts`), which prints the figures below; `npm run bench -- --write` also rewrites the',
  'section between the markers, so the figures are never typed by hand. PostgreSQL is measured when `SIGRA_BENCH_DATABASE_URL`',
  `is set, else when the default local URL (\`postgres://postgres@127.0.0.1:5432/sigra_test\`) answers; each run uses a fresh schema`,
  'that it drops at the end. PGlite is always measured, in memory. Every baseline runs in the same process, on the same database,',
  'interleaved with what it is compared to, so the ratios hold up on a busy machine better than the absolute numbers do.',
  '',
].join('\n')

/** Replaces the generated section of BENCHMARKS.md (creating the file when missing), keeping any text around it. */
export async function writeMarkdown(file: URL, report: BenchReport): Promise<void> {
  const section = `${START}\n${renderMarkdown(report)}\n${END}`
  let existing: string | null = null
  try {
    existing = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const start = existing?.indexOf(START_PREFIX) ?? -1
  const end = existing?.indexOf(END) ?? -1
  const next =
    existing !== null && start !== -1 && end > start
      ? existing.slice(0, start) + section + existing.slice(end + END.length)
      : `${existing ?? PREAMBLE}\n${section}\n`
  await writeFile(file, next)
}
