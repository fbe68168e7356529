import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { sql } from 'kysely'
import { SigraError, type Sigra } from 'sigra'
import { defineFeature } from 'sigra/feature-kit'
import { createConfirmedUser } from 'sigra/testing'
import { notes } from './support/features/notes-feature.ts'
import { terms } from './support/features/terms-feature.ts'
import { describeEachBackend } from './support/harness.ts'

const ROOT = new URL('..', import.meta.url).pathname
const NODE = join(ROOT, 'node_modules/.bin/node')

/** A third test feature with one table, for "enabled later". */
function tags() {
  return defineFeature({
    name: 'tags',
    migrations: [
      {
        name: '0001_create_tags',
        async up({ db, table }) {
          await sql`CREATE TABLE ${table('tags')} (user_id uuid NOT NULL REFERENCES ${table('users')} (id) ON DELETE CASCADE, tag text NOT NULL)`.execute(db)
        },
      },
    ],
    setup: () => ({}),
  })
}

async function tableExists(sigra: Pick<Sigra, 'db' | 'config'>, name: string): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`SELECT to_regclass(${`"${sigra.config.schema}".${name}`}) IS NOT NULL AS present`.execute(sigra.db)
  return rows[0]!.present
}

async function ledger(sigra: Pick<Sigra, 'db' | 'config'>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(`${sigra.config.schema}.sigra_migrations`)} ORDER BY name`.execute(sigra.db)
  return rows.map((r) => r.name)
}

describeEachBackend('feature migrations', (env) => {
  test("migrate() applies core's migrations, then each listed feature's, recorded under the feature's name", async () => {
    const { sigra } = await env().makeSigra({ migrate: false, features: [notes(), terms({ version: '1' })] })
    const { applied } = await sigra.migrate()
    assert.deepEqual(applied, ['0001_foundation', '0002_sign_in_steps', '0003_login_throttles', '0004_suspension_and_impersonation', 'notes/0001_create_notes', 'notes/0002_note_keys', 'terms/0001_create_terms_acceptances'])
    assert.deepEqual((await sigra.migrate()).applied, [])
  })

  test('a database migrated with A and B, started with A, B and C, migrates only C; until then every call says so', async () => {
    const first = await env().makeSigra({ features: [notes(), terms({ version: '1' })] })
    const schema = first.sigra.config.schema
    const fixture = await createConfirmedUser(first.sigra)
    await first.sigra.terms.accept(fixture.token)
    assert.ok((await first.sigra.notes.add(fixture.user, 'before C')).ok)

    // Adding a feature is like a new database for that feature: start-up is allowed, calls wait for migrate().
    const second = await env().makeSigra({ schema, migrate: false, features: [notes(), terms({ version: '1' }), tags()] })
    await assert.rejects(second.sigra.notes.list(fixture.user), (e: unknown) => e instanceof SigraError && e.code === 'pending_migrations' && e.message.includes('tags/0001_create_tags'))
    const { applied } = await second.sigra.migrate()
    assert.deepEqual(applied, ['tags/0001_create_tags'], 'only the new feature migrates')
    assert.ok(await tableExists(second.sigra, 'tags'))
    assert.deepEqual((await second.sigra.notes.list(fixture.user)).map((n) => n.body), ['before C'], 'data kept')
  })

  test("started with only A, it works and keeps B's tables and ledger rows", async () => {
    const first = await env().makeSigra({ features: [notes(), terms({ version: '1' })] })
    const schema = first.sigra.config.schema
    const only = await env().makeSigra({ schema, migrate: false, features: [notes()] })
    assert.deepEqual((await only.sigra.migrate()).applied, [], 'nothing to apply, nothing dropped')
    assert.deepEqual(only.sigra.features, ['notes'])
    const fixture = await createConfirmedUser(only.sigra)
    assert.deepEqual(fixture.session.pendingSteps, [], "B's sign-in step is gone with B")
    assert.ok((await only.sigra.notes.add(fixture.user, 'still works')).ok)
    assert.ok(await tableExists(only.sigra, 'terms_acceptances'), "B's table is kept")
    assert.ok((await ledger(only.sigra)).includes('terms/0001_create_terms_acceptances'), "B's ledger row is kept")
    // Core alone on the same schema works too.
    const bare = await env().makeSigra({ schema, migrate: false })
    assert.ok(await bare.sigra.sessions.validate(fixture.token))
  })

  test("a feature whose sequence is partly applied (an older release of it) is refused at start-up, naming what's missing", async () => {
    const { sigra } = await env().makeSigra({ features: [notes()] })
    await sql`DELETE FROM ${sql.table(`${sigra.config.schema}.sigra_migrations`)} WHERE name = 'notes/0002_note_keys'`.execute(sigra.db)
    await sql`DROP TABLE ${sql.table(`${sigra.config.schema}.note_keys`)}`.execute(sigra.db)
    await assert.rejects(env().makeSigra({ schema: sigra.config.schema, migrate: false, features: [notes()] }), (e: unknown) => e instanceof SigraError && e.code === 'pending_migrations' && e.message.includes('notes/0002_note_keys'))
    const again = await env().makeSigra({ schema: sigra.config.schema, migrate: false })
    assert.ok(again.sigra, 'core alone does not care about a feature it does not enable')
  })

  test('parallel migrate() calls on one schema apply each migration once', async () => {
    const one = await env().makeSigra({ migrate: false, features: [notes()] })
    const two = await env().makeSigra({ schema: one.sigra.config.schema, migrate: false, features: [notes()] })
    const [a, b] = await Promise.all([one.sigra.migrate(), two.sigra.migrate()])
    assert.equal(a.applied.length + b.applied.length, 6, `${a.applied} / ${b.applied}`)
    assert.deepEqual(await ledger(one.sigra), ['0001_foundation', '0002_sign_in_steps', '0003_login_throttles', '0004_suspension_and_impersonation', 'notes/0001_create_notes', 'notes/0002_note_keys'])
  })

  test('npx sigra migrate --config lists pending migrations per feature, applies them, and lists disabled features as kept', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sigra-cli-'))
    try {
      const config = join(dir, 'sigra.config.ts')
      const support = join(ROOT, 'test/support/features')
      await writeFile(config, `import { notes } from '${support}/notes-feature.ts'\nexport const features = [notes()]\n`)
      const { sigra } = await env().makeSigra({ migrate: false, features: [notes(), terms({ version: '1' })] })
      await sigra.migrate()
      await sql`DELETE FROM ${sql.table(`${sigra.config.schema}.sigra_migrations`)} WHERE name LIKE 'notes/%'`.execute(sigra.db)
      await sql`DROP TABLE ${sql.table(`${sigra.config.schema}.note_keys`)}, ${sql.table(`${sigra.config.schema}.notes`)}`.execute(sigra.db)
      if (env().backend === 'pglite') return // the CLI needs a database another process can open: the real server
      const where = ['--database-url', process.env.SIGRA_TEST_DATABASE_URL!, '--schema', sigra.config.schema, '--config', config]
      const run = (args: string[]) =>
        promisify(execFile)(NODE, ['--conditions=source', 'bin/sigra.js', 'migrate', ...args, ...where], { cwd: ROOT }).then(
          (r) => ({ code: 0, out: r.stdout }),
          (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
        )
      const check = await run(['--check'])
      assert.equal(check.code, 1, check.out)
      assert.match(check.out, /^core: up to date/m)
      assert.match(check.out, /^notes: pending notes\/0001_create_notes, notes\/0002_note_keys/m)
      assert.match(check.out, /^terms: not enabled; its 1 migration\(s\) and tables are kept/m)
      const apply = await run([])
      assert.equal(apply.code, 0, apply.out)
      assert.match(apply.out, /applied notes\/0001_create_notes/)
      assert.equal((await run(['--check'])).code, 0)
      assert.ok(await tableExists(sigra, 'terms_acceptances'))
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
