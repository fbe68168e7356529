import assert from 'node:assert/strict'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

// How the package behaves once installed (issue 17): which files the `sigra` command runs, which
// Node versions `engines` claims and whether they really run the built package, and whether a
// host's strict type-check (skipLibCheck: false) of the published declarations passes.
//
// These tests use dist/. `npm run build` is run first when dist/cli/main.js is missing or older
// than any file in src/ (so a run after editing the sources tests what the sources build to).

const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)))
const NODE = join(ROOT, 'node_modules/.bin/node')
const TSC = join(ROOT, 'node_modules/.bin/tsc')
const BUILT_CLI = join(ROOT, 'dist/cli/main.js')
const SOURCE_CLI = join(ROOT, 'src/cli/main.ts')
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  engines: { node: string }
  dependencies: Record<string, string>
  devDependencies: Record<string, string>
}

// ── Versions and ranges (the subset of semver that engines fields use) ────────────────────────

type Version = [number, number, number]

function parseVersion(text: string): Version {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text.trim())
  assert.ok(match, `not a version: ${text}`)
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

function compare(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}

/** One comparator set as predicates; throws on syntax this does not know (so a test fails loudly). */
function comparators(set: string): Array<(v: Version) => boolean> {
  const tests: Array<(v: Version) => boolean> = []
  const pattern = /(<=|>=|<|>|=|\^|~)?\s*v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?\s*/y
  let rest = set.trim()
  while (rest) {
    pattern.lastIndex = 0
    const m = pattern.exec(rest)
    if (!m) throw new Error(`unparseable range: ${set}`)
    rest = rest.slice(m[0].length)
    const op = m[1] ?? '='
    const parts = [m[2], m[3], m[4]].map((p) => (p === undefined || /^[xX*]$/.test(p) ? undefined : Number(p)))
    const [major, minor, patch] = parts
    if (major === undefined) continue // *: anything
    const floor: Version = [major, minor ?? 0, patch ?? 0]
    // The first version above the partial one: 20 -> 21.0.0, 20.5 -> 20.6.0.
    const next: Version = minor === undefined ? [major + 1, 0, 0] : patch === undefined ? [major, minor + 1, 0] : [major, minor, patch + 1]
    const ge = (b: Version) => (v: Version) => compare(v, b) >= 0
    const lt = (b: Version) => (v: Version) => compare(v, b) < 0
    if (op === '>=') tests.push(ge(floor))
    else if (op === '>') tests.push(ge(next))
    else if (op === '<') tests.push(lt(floor))
    else if (op === '<=') tests.push(lt(next))
    else if (op === '=') tests.push(ge(floor), lt(next))
    else if (op === '~') tests.push(ge(floor), lt(minor === undefined ? [major + 1, 0, 0] : [major, minor + 1, 0]))
    else if (op === '^' && major > 0) tests.push(ge(floor), lt([major + 1, 0, 0]))
    else throw new Error(`range syntax not handled here: ${set}`)
  }
  return tests
}

function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version)
  return range.split('||').some((set) => comparators(set).every((ok) => ok(v)))
}

// ── The Node binaries on this machine ──────────────────────────────────────────────────────────

interface NodeBinary {
  bin: string
  version: string
}

function versionOf(bin: string): string | undefined {
  const result = spawnSync(bin, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 20_000 })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/** Every `node` on PATH (as `which -a node` lists them) plus the usual system places, one per real file. */
function machineNodes(): NodeBinary[] {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'node')), '/usr/bin/node', '/usr/local/bin/node']
  const seen = new Set<string>()
  const found: NodeBinary[] = []
  for (const bin of candidates) {
    let real: string
    try {
      real = realpathSync(bin)
    } catch {
      continue
    }
    if (seen.has(real)) continue
    seen.add(real)
    const version = versionOf(bin)
    if (version) found.push({ bin, version })
  }
  return found
}

/** The oldest Node here that cannot strip types (below 22.18), if there is one: Node 20 on the reference machine. */
const OLD_NODE: NodeBinary | undefined = machineNodes()
  .filter((n) => compare(parseVersion(n.version), [22, 18, 0]) < 0)
  .sort((a, b) => compare(parseVersion(a.version), parseVersion(b.version)))[0]
const NO_OLD_NODE = 'no Node below 22.18 on this machine (looked on PATH, /usr/bin, /usr/local/bin)'

/** The environment for a child Node: without this runner's test context or options an older Node may not know. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  delete env.NODE_TEST_CONTEXT
  delete env.NODE_OPTIONS
  return env
}

function run(bin: string, args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), encoding: 'utf8', timeout: 120_000 })
}

function describeRun(result: SpawnSyncReturns<string>): string {
  return `exit ${result.status}${result.error ? ` (${result.error.message})` : ''}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`
}

// ── dist/ ──────────────────────────────────────────────────────────────────────────────────────

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs)
  }
  return newest
}

/** Builds dist/ (`npm run build`) when dist/cli/main.js is missing or older than a source file. */
function ensureBuilt(): void {
  if (existsSync(BUILT_CLI) && statSync(BUILT_CLI).mtimeMs >= newestMtime(join(ROOT, 'src'))) return
  const result = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 })
  assert.equal(result.status, 0, `npm run build failed: ${describeRun(result)}`)
}

/** A host app folder whose node_modules/sigra links to this repository, as `npm install ../sigra` makes it. */
function linkedApp(): string {
  const app = mkdtempSync(join(tmpdir(), 'sigra-app-'))
  mkdirSync(join(app, 'node_modules/.bin'), { recursive: true })
  symlinkSync(ROOT, join(app, 'node_modules/sigra'), 'dir')
  symlinkSync('../sigra/bin/sigra.js', join(app, 'node_modules/.bin/sigra'))
  writeFileSync(join(app, 'package.json'), '{ "name": "host-app", "private": true, "type": "module" }\n')
  return app
}

const temps: string[] = []
before(() => ensureBuilt())
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** `--help` through `bin`, asserting the usage, exit 0, and which entry bin/sigra.js chose. */
function assertHelpRuns(node: string, bin: string, cwd: string, expectedEntry: string): void {
  const result = run(node, [bin, '--help'], { cwd, env: { SIGRA_DEBUG_ENTRY: '1' } })
  assert.equal(result.status, 0, describeRun(result))
  assert.match(result.stdout, /^usage: sigra <command> \[options\]/, describeRun(result))
  assert.ok(result.stderr.includes(`sigra: running ${expectedEntry}\n`), `expected ${expectedEntry}; ${describeRun(result)}`)
}

// ── 1. The sigra command ──────────────────────────────────────────────────────────────────────

describe('the sigra command', () => {
  test('installed by a folder link (node_modules/.bin/sigra -> ../sigra/bin/sigra.js), it runs dist/ on Node 24', () => {
    const app = linkedApp()
    temps.push(app)
    assertHelpRuns(NODE, join(app, 'node_modules/.bin/sigra'), app, BUILT_CLI)
    // The package's own path inside node_modules, as npm's Windows shims call it.
    assertHelpRuns(NODE, join(app, 'node_modules/sigra/bin/sigra.js'), app, BUILT_CLI)
  })

  test('installed by a folder link, it runs dist/ on a Node that cannot strip types', (t) => {
    if (!OLD_NODE) return t.skip(NO_OLD_NODE)
    t.diagnostic(`old Node: ${OLD_NODE.bin} (${OLD_NODE.version})`)
    const app = linkedApp()
    temps.push(app)
    assertHelpRuns(OLD_NODE.bin, join(app, 'node_modules/.bin/sigra'), app, BUILT_CLI)
  })

  test('a checkout runs src/ on a Node that strips types, and dist/ on one that cannot', (t) => {
    assertHelpRuns(NODE, 'bin/sigra.js', ROOT, SOURCE_CLI)
    if (!OLD_NODE) return t.skip(`${NO_OLD_NODE}: only the Node 24 half ran`)
    assertHelpRuns(OLD_NODE.bin, 'bin/sigra.js', ROOT, BUILT_CLI)
  })
})

// ── 2. engines ─────────────────────────────────────────────────────────────────────────────────

describe('engines.node', () => {
  const range = pkg.engines.node
  const floor = /^>=\s*(\d+\.\d+\.\d+)$/.exec(range)?.[1]

  test('is a ">=x.y.z" range that includes this Node, the `node` devDependency and the old Node the smoke test runs on', () => {
    assert.ok(floor, `engines.node is ${JSON.stringify(range)}: expected the form ">=x.y.z"`)
    assert.ok(satisfies(process.versions.node, range), `this Node ${process.versions.node} is outside ${range}`)
    const devNode = JSON.parse(readFileSync(join(ROOT, 'node_modules/node/package.json'), 'utf8')) as { version: string }
    assert.ok(satisfies(devNode.version, range), `the installed node devDependency ${devNode.version} is outside ${range}`)
    const devFloor = pkg.devDependencies.node!.replace(/^[\^~>=\s]+/, '')
    assert.ok(satisfies(devFloor, range), `the node devDependency's lowest version ${devFloor} is outside ${range}`)
    if (OLD_NODE && satisfies(OLD_NODE.version, range)) assert.ok(compare(parseVersion(floor), parseVersion(OLD_NODE.version)) <= 0)
    // The parser itself, on the shapes dependencies use.
    assert.equal(satisfies('20.0.0', '>= 10.x'), true)
    assert.equal(satisfies('20.0.0', '>=20.5'), false)
    assert.equal(satisfies('22.18.0', '^20.19.0 || >=22.12.0'), true)
    assert.equal(satisfies('21.0.0', '^20.19.0 || >=22.12.0'), false)
  })

  test('every production dependency accepts the lowest version claimed (installing prints no engine warning)', () => {
    assert.ok(floor)
    const problems: string[] = []
    const seen = new Set<string>()
    const visit = (name: string, from: string, optional: boolean) => {
      let dir = from
      let found: string | undefined
      for (;;) {
        const candidate = join(dir, 'node_modules', name)
        if (existsSync(join(candidate, 'package.json'))) {
          found = realpathSync(candidate)
          break
        }
        if (dirname(dir) === dir) break
        dir = dirname(dir)
      }
      if (!found) {
        if (!optional) problems.push(`${name} (needed from ${from}) is not installed`)
        return
      }
      if (seen.has(found)) return
      seen.add(found)
      const dep = JSON.parse(readFileSync(join(found, 'package.json'), 'utf8')) as {
        version: string
        engines?: { node?: string }
        dependencies?: Record<string, string>
        optionalDependencies?: Record<string, string>
      }
      const wants = dep.engines?.node
      if (wants && !(satisfies(floor, wants) && satisfies(process.versions.node, wants))) problems.push(`${name}@${dep.version} wants node ${wants}`)
      for (const child of Object.keys(dep.dependencies ?? {})) visit(child, found, false)
      for (const child of Object.keys(dep.optionalDependencies ?? {})) visit(child, found, true)
    }
    // The optional peer too: hosts on the embedded database install it.
    for (const name of [...Object.keys(pkg.dependencies), '@electric-sql/pglite']) visit(name, ROOT, false)
    assert.deepEqual(problems, [], `engines.node is ${range}`)
    assert.ok(seen.size > 10, `walked ${seen.size} packages`)
  })

  test('the built package runs on the old Node: the CLI --help, and createSigra on PGlite (migrate, register)', (t) => {
    if (!OLD_NODE) return t.skip(NO_OLD_NODE)
    if (!satisfies(OLD_NODE.version, pkg.engines.node)) return t.skip(`engines.node ${pkg.engines.node} excludes the old Node here (${OLD_NODE.version})`)
    t.diagnostic(`old Node: ${OLD_NODE.bin} (${OLD_NODE.version})`)

    const help = run(OLD_NODE.bin, [BUILT_CLI, '--help'])
    assert.equal(help.status, 0, describeRun(help))
    assert.match(help.stdout, /^usage: sigra <command>/)

    const script = `
      import { createSigra } from ${JSON.stringify(join(ROOT, 'dist/index.js'))}
      import { pglite } from ${JSON.stringify(join(ROOT, 'dist/pglite.js'))}
      const sigra = await createSigra({ database: pglite(), secret: 'test-secret-that-is-long-enough-0123456789', baseUrl: 'http://localhost:3000', appName: 'Acme' })
      await sigra.migrate()
      const registered = await sigra.auth.register({ email: 'ada@example.com', password: 'correct horse battery staple' })
      const session = await sigra.handler(new Request('http://localhost:3000/auth/session'), { ip: null })
      console.log(JSON.stringify({ ok: registered.ok, email: registered.ok ? registered.user.email : null, session: session.status }))
      await sigra.close()
    `
    const smoke = run(OLD_NODE.bin, ['--input-type=module', '-e', script])
    assert.equal(smoke.status, 0, describeRun(smoke))
    assert.deepEqual(JSON.parse(smoke.stdout.trim().split('\n').at(-1)!), { ok: true, email: 'ada@example.com', session: 401 })
  })
})

// ── 5. A host's type-check of the published declarations ──────────────────────────────────────

test("a host's strict type-check (skipLibCheck: false, module nodenext) of the public entry points and of examples/ passes", () => {
  const app = linkedApp()
  temps.push(app)
  // A host has @types/node of its own, and the frameworks the examples use.
  for (const name of ['@types/node', '@types/express', 'express', 'fastify', 'hono', '@hono/node-server']) {
    mkdirSync(dirname(join(app, 'node_modules', name)), { recursive: true })
    symlinkSync(join(ROOT, 'node_modules', name), join(app, 'node_modules', name), 'dir')
  }
  // The examples as a host's own files: they import 'sigra', which resolves to dist/ here.
  for (const file of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'))) {
    writeFileSync(join(app, `example-${file}`), readFileSync(join(ROOT, 'examples', file)))
  }
  writeFileSync(
    join(app, 'host.ts'),
    `import { createSigra, type Sigra, type User } from 'sigra'
import { postgres } from 'sigra/postgres'
import { pglite } from 'sigra/pglite'
import { guard, sigraHono, sigraNode } from 'sigra/middleware'
import { toNodeHandler } from 'sigra/node'
import { authenticatedFixture, latestMail, testClock } from 'sigra/testing'

export async function start(): Promise<Sigra> {
  const sigra = await createSigra({ database: process.env.DATABASE_URL ? postgres(process.env.DATABASE_URL) : pglite(), secret: 'x'.repeat(32), baseUrl: 'http://localhost:3000', appName: 'Host', clock: testClock() })
  toNodeHandler(sigra)
  sigraNode(sigra).requireAuth()
  sigraHono(sigra).requireAuth()
  const result = await guard(sigra, new Request('http://localhost:3000/'))
  const user: User | null = result.ok ? result.user : null
  void user
  void latestMail
  void authenticatedFixture
  return sigra
}
`,
  )
  writeFileSync(
    join(app, 'tsconfig.json'),
    `${JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: false, noEmit: true, types: ['node'] }, include: ['*.ts'] }, null, 2)}\n`,
  )
  // The project's tsc, on the project's Node (its shebang would take whichever node is first on PATH).
  const result = run(NODE, [TSC, '-p', 'tsconfig.json'], { cwd: app })
  assert.equal(result.status, 0, describeRun(result))
})

// ── 5. What is published, and the docs ────────────────────────────────────────────────────────

/** The files `npm pack` would put in the tarball (no build: --ignore-scripts). */
function packedFiles(): Set<string> {
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 })
  assert.equal(result.status, 0, describeRun(result))
  const [packed] = JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>
  return new Set(packed!.files.map((f) => f.path))
}

describe('the published package', () => {
  let files: Set<string>
  before(() => {
    files = packedFiles()
  })

  test('holds the built files, the command, the docs, the examples, the README and the MIT LICENSE', () => {
    for (const path of ['package.json', 'README.md', 'LICENSE', 'bin/sigra.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'docs/adapters.md', 'examples/express.ts', 'examples/node-http.ts']) {
      assert.ok(files.has(path), `${path} is not in the tarball`)
    }
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8')
    assert.match(license, /^MIT License\n\nCopyright \(c\) 2026 The Sigra for TypeScript authors\n/)
    assert.match(license, /THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND/)
  })

  test('every relative link in README.md and docs/ leads to a file in the repository and in the tarball', () => {
    const documents = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
    const problems: string[] = []
    for (const document of documents) {
      const text = readFileSync(join(ROOT, document), 'utf8')
      // Markdown links, and paths in code spans that leave the folder (`../x`).
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).concat([...text.matchAll(/`(\.\.\/[^`\s]*)`/g)].map((m) => m[1]!))
      for (const target of targets) {
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue
        const path = join(dirname(join(ROOT, document)), target.split('#')[0]!)
        const inside = path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1).replace(/\/$/, '') : undefined
        if (!inside || !existsSync(path)) problems.push(`${document}: ${target} is outside the repository or missing`)
        else if (![...files].some((f) => f === inside || f.startsWith(`${inside}/`))) problems.push(`${document}: ${target} is not published`)
      }
    }
    assert.deepEqual(problems, [])
  })

  test('README, docs and examples show the Next.js exports toNextHandler returns', async () => {
    const { toNextHandler } = await import('sigra/next')
    const config = { baseUrl: 'http://localhost:3000', basePath: '/auth', pagesPath: '/account', http: { pages: true, devMailbox: false } }
    const methods = Object.keys(toNextHandler({ handler: async () => new Response(), config }))
    assert.deepEqual(methods, ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])
    const sources = ['README.md', 'docs/adapters.md', 'examples/next-route.ts', 'src/http/adapters/next.ts']
    let shown = 0
    for (const source of sources) {
      for (const m of readFileSync(join(ROOT, source), 'utf8').matchAll(/export const \{([^}]*)\} = toNextHandler\(/g)) {
        shown++
        assert.deepEqual(m[1]!.split(',').map((s) => s.trim()), methods, `${source}: export const {${m[1]}}`)
      }
    }
    assert.ok(shown >= sources.length, `found ${shown} examples of the exports`)
  })
})
