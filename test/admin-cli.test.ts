import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { createSigra, type Sigra } from 'sigra'
import { admin, SYSTEM_ACTOR } from 'sigra/admin'
import { pglite } from 'sigra/pglite'
import { createConfirmedUser, fastPasswordHasher } from 'sigra/testing'
import { runAuditCommand } from '../src/cli/audit-command.ts'
import type { CliIo } from '../src/cli/cli-io.ts'
import { runUsersCommand } from '../src/cli/users-command.ts'
import { describeEachBackend, GOOD_PASSWORD, SECRET } from './support/harness.ts'

// `sigra users …` and `sigra audit export`: the commands on an open `sigra.admin` (PGlite, and
// PostgreSQL when configured), then the real binary as a child process against a PGlite folder
// (config loading, environment, exit codes).

type AdminSigra = Sigra<[ReturnType<typeof admin>]>

/** Streams a command writes to and reads from, captured. `tty`: stderr claims to be a terminal. */
function fakeIo(options: { stdin?: string; tty?: boolean } = {}) {
  const out: string[] = []
  const err: string[] = []
  const sink = (into: string[]) => new Writable({ write(chunk, _encoding, done) { into.push(String(chunk)); done() } })
  const stderr = Object.assign(sink(err), { isTTY: options.tty === true })
  const io: CliIo = { stdout: sink(out), stderr, stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]), env: {} }
  return { io, out: () => out.join(''), err: () => err.join('') }
}

describeEachBackend('sigra users / sigra audit (in process)', (env) => {
  const site = async () => {
    const { sigra } = await env().makeSigra({ features: [admin()] })
    const owner = await createConfirmedUser(sigra)
    const ada = await createConfirmedUser(sigra, { username: `ada${Date.now().toString(36)}` })
    const bob = await createConfirmedUser(sigra)
    return { sigra: sigra as AdminSigra, owner, ada, bob }
  }
  const users = (sigra: AdminSigra, args: string[], options?: Parameters<typeof fakeIo>[0]) => {
    const io = fakeIo(options)
    return runUsersCommand(sigra.admin, args, io.io).then((code) => ({ code, out: io.out(), err: io.err() }))
  }

  test('users list: a table with a header; --search, --role and --status filter; --limit cuts and says more match', async () => {
    const { sigra, owner, ada, bob } = await site()
    const all = await users(sigra, ['list'])
    assert.equal(all.code, 0, all.err)
    const lines = all.out.trimEnd().split('\n')
    assert.match(lines[0]!, /^ID\s+EMAIL\s+ROLES\s+STATUS\s+CONFIRMED\s+CREATED\s+LAST LOGIN$/)
    assert.equal(lines.length, 4, 'the header and three accounts')
    const ownerLine = lines.find((l) => l.includes(owner.email))!
    assert.match(ownerLine, new RegExp(`^${owner.user.id}\\s+${owner.email.replace(/[.]/g, '\\.')}\\s+owner\\s+active\\s+yes\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`))
    assert.equal(all.err, '3 users\n')

    const search = await users(sigra, ['list', '--search', ada.user.username!])
    assert.equal(search.code, 0)
    assert.ok(search.out.includes(ada.email) && !search.out.includes(bob.email))
    assert.ok((await sigra.admin.setStatus(SYSTEM_ACTOR, bob.user, 'suspended')).ok)
    const suspended = await users(sigra, ['list', '--status', 'suspended'])
    assert.ok(suspended.out.includes(bob.email) && !suspended.out.includes(ada.email))
    const owners = await users(sigra, ['list', '--role', 'owner'])
    assert.ok(owners.out.includes(owner.email) && !owners.out.includes(ada.email))
    const cut = await users(sigra, ['list', '--limit', '2'])
    assert.equal(cut.out.trimEnd().split('\n').length, 3, 'two accounts')
    assert.equal(cut.err, '2 users (more match: raise --limit)\n')
    const unknown = await users(sigra, ['list', '--role', 'wizard'])
    assert.equal(unknown.code, 1)
    assert.equal(unknown.err, 'sigra users list: refused: invalid (role: No such role.)\n')
  })

  test('users list --limit beyond one page (100) follows the cursor: every match once', async () => {
    const { sigra } = await site()
    const tag = `many${Date.now().toString(36)}`
    const emails = new Set<string>()
    for (let i = 0; i < 102; i++) {
      const email = `${tag}-${i}@example.com`
      assert.ok((await sigra.auth.register({ email, password: GOOD_PASSWORD, ip: `198.51.100.${i + 1}` })).ok)
      emails.add(email)
    }
    const all = await users(sigra, ['list', '--search', tag, '--limit', '500'])
    assert.equal(all.code, 0, all.err)
    const listed = all.out.trimEnd().split('\n').slice(1).map((line) => line.split(/\s+/)[1]!)
    assert.equal(listed.length, 102)
    assert.deepEqual(new Set(listed), emails, 'each match, none twice')
    assert.equal(all.err, '102 users\n')
    const cut = await users(sigra, ['list', '--search', tag, '--limit', '101'])
    assert.equal(cut.out.trimEnd().split('\n').length, 102, 'the header and 101')
    assert.equal(cut.err, '101 users (more match: raise --limit)\n')
  })

  test('users show: by email, username or id; roles, status, profile, fields, notes; no such account is refused (1, not_found)', async () => {
    const { sigra, owner, ada } = await site()
    assert.ok((await sigra.admin.setProfile(SYSTEM_ACTOR, ada.user, { firstName: 'Ada', lastName: 'Lovelace', locale: 'en-GB' })).ok)
    assert.ok((await sigra.admin.addNote(owner.user, ada.user, 'VIP customer\nbe nice')).ok)
    for (const who of [ada.email, ada.user.username!, ada.user.id]) {
      const shown = await users(sigra, ['show', who])
      assert.equal(shown.code, 0, who)
      const line = (key: string, value: string) => assert.match(shown.out, new RegExp(`^${key}: +${value.replace(/[.+]/g, '\\$&')}$`, 'm'), `${who}: ${key}`)
      line('id', ada.user.id)
      line('email', ada.email)
      line('name', 'Ada Lovelace')
      line('locale', 'en-GB')
      line('roles', 'user')
      line('status', 'active')
      assert.match(shown.out, /notes \(1, newest first\):\n {2}\d{4}-\d\d-\d\d \d\d:\d\d UTC by [0-9a-f-]{36}: VIP customer be nice\n/)
    }
    const missing = await users(sigra, ['show', 'nobody@example.com'])
    assert.equal(missing.code, 1)
    assert.equal(missing.err, 'sigra users show: refused: not_found (who: no live account nobody@example.com)\n')
    assert.equal(missing.out, '')
  })

  test('users set-role, suspend and unsuspend act as the system; the last Owner keeps the role (1, last_owner)', async () => {
    const { sigra, owner, ada, bob } = await site()
    const promoted = await users(sigra, ['set-role', ada.email, 'admin'])
    assert.equal(promoted.code, 0, promoted.err)
    assert.equal(promoted.out, `${ada.email}: admin\n`)
    assert.deepEqual(await sigra.admin.roles(ada.user), ['admin'])
    const lastOwner = await users(sigra, ['set-role', owner.email, 'user'])
    assert.equal(lastOwner.code, 1)
    assert.equal(lastOwner.err, 'sigra users set-role: refused: last_owner\n')
    assert.deepEqual(await sigra.admin.roles(owner.user), ['owner'])
    const lastOwnerSuspended = await users(sigra, ['suspend', owner.email])
    assert.equal(lastOwnerSuspended.code, 1)
    assert.equal(lastOwnerSuspended.err, 'sigra users suspend: refused: last_owner\n')

    const suspended = await users(sigra, ['suspend', bob.user.id])
    assert.equal(suspended.code, 0)
    assert.equal(suspended.out, `${bob.email}: suspended; every session ended\n`)
    assert.equal(await sigra.sessions.validate(bob.token), null, "bob's session ended")
    assert.ok(!(await sigra.auth.logIn({ login: bob.email, password: bob.password! })).ok)
    const active = await users(sigra, ['unsuspend', bob.email])
    assert.equal(active.code, 0)
    assert.ok((await sigra.auth.logIn({ login: bob.email, password: bob.password! })).ok, 'bob signs in again')
    const audit = await sigra.admin.listAudit(SYSTEM_ACTOR, { userId: bob.user.id, action: 'admin.status_change' })
    assert.ok(audit.ok && audit.events.length === 2 && audit.events.every((e) => e.actorType === 'system' && e.actorId === null), 'recorded as the system')
  })

  test('users set-password reads the password from stdin (its final newline dropped), ends every session, and with --must-change requires a new one', async () => {
    const { sigra, ada } = await site()
    const set = await users(sigra, ['set-password', ada.email, '--must-change'], { stdin: 'a fresh long passphrase here\n' })
    assert.equal(set.code, 0, set.err)
    assert.equal(set.out, `${ada.email}: password set; every session ended; a new one is required at the next sign-in\n`)
    assert.equal(await sigra.sessions.validate(ada.token), null)
    const login = await sigra.auth.logIn({ login: ada.email, password: 'a fresh long passphrase here' })
    assert.ok(login.ok && login.pending.includes('password_change'))

    const empty = await users(sigra, ['set-password', ada.email], { stdin: '' })
    assert.equal(empty.code, 2)
    assert.match(empty.err, /^sigra users: users set-password: no password on stdin/)
    const weak = await users(sigra, ['set-password', ada.email], { stdin: 'short' })
    assert.equal(weak.code, 1)
    assert.match(weak.err, /^sigra users set-password: refused: invalid \(password: /)
    const asArgument = await users(sigra, ['set-password', ada.email, 'a fresh long passphrase here'])
    assert.equal(asArgument.code, 2, 'a password on the command line is a usage error')
  })

  test('users delete needs --yes; then the account is gone', async () => {
    const { sigra, bob } = await site()
    const unsure = await users(sigra, ['delete', bob.email])
    assert.equal(unsure.code, 2)
    assert.match(unsure.err, /^sigra users: users delete deletes at once and for good: add --yes\n/)
    assert.ok((await sigra.admin.getUser(SYSTEM_ACTOR, { id: bob.user.id })).ok, 'still there')
    const deleted = await users(sigra, ['delete', bob.email, '--yes'])
    assert.equal(deleted.code, 0, deleted.err)
    assert.match(deleted.out, new RegExp(`^${bob.email.replace(/[.]/g, '\\.')}: deleted \\(\\w+\\)\n$`))
    const gone = await sigra.admin.getUser(SYSTEM_ACTOR, { id: bob.user.id })
    assert.ok(!gone.ok && gone.error === 'not_found')
  })

  test('usage errors exit 2 with the synopsis, before anything runs', async () => {
    const { sigra, ada } = await site()
    for (const args of [[], ['frobnicate'], ['list', 'extra'], ['show'], ['list', '--bogus'], ['list', '--yes'], ['list', '--limit', '0'], ['list', '--limit', 'many'], ['set-role', ada.email]]) {
      const result = await users(sigra, args)
      assert.equal(result.code, 2, args.join(' '))
      assert.match(result.err, /\n\nusage: sigra users <command> \[options\]\n/, args.join(' '))
      assert.equal(result.out, '')
    }
    assert.deepEqual(await sigra.admin.roles(ada.user), ['user'])
  })

  test('audit export: CSV on stdout (header first), filtered; the count on stderr; a running count only on a terminal; bad dates and ids are usage errors', async () => {
    const { sigra, owner, ada, bob } = await site()
    for (let i = 0; i < 3; i++) assert.ok((await sigra.admin.addNote(owner.user, ada.user, `n${i}`)).ok)
    assert.ok((await sigra.admin.addNote(owner.user, bob.user, 'other')).ok)
    const audit = async (args: string[], tty = false) => {
      const io = fakeIo({ tty })
      const code = await runAuditCommand(sigra.admin, args, io.io, 0)
      return { code, out: io.out(), err: io.err() }
    }
    const filtered = await audit(['export', '--action', 'admin.note_create', '--user', ada.user.id])
    assert.equal(filtered.code, 0, filtered.err)
    const rows = filtered.out.split('\r\n').filter(Boolean)
    assert.equal(rows[0], 'id,occurred_at,action,outcome,actor_id,actor_type,user_id,ip,user_agent,metadata')
    assert.equal(rows.length, 4, 'the header and three rows')
    for (const row of rows.slice(1)) assert.ok(row.includes(`,admin.note_create,success,${owner.user.id},admin,${ada.user.id},`), row)
    assert.equal(filtered.err, 'sigra audit export: 3 rows\n', 'one final count, no running count off a terminal')

    const onTty = await audit(['export', '--action-prefix', 'admin.note'], true)
    assert.equal(onTty.code, 0)
    assert.ok(onTty.err.includes('\r1 rows') && onTty.err.includes('\r4 rows'), JSON.stringify(onTty.err))
    assert.ok(onTty.err.endsWith('\rsigra audit export: 4 rows\n'), JSON.stringify(onTty.err))

    const future = await audit(['export', '--since', '2999-01-01'])
    assert.equal(future.out, 'id,occurred_at,action,outcome,actor_id,actor_type,user_id,ip,user_agent,metadata\r\n')
    assert.equal(future.err, 'sigra audit export: 0 rows\n')
    const exports = await sigra.admin.listAudit(SYSTEM_ACTOR, { action: 'admin.audit_export' })
    assert.ok(exports.ok && exports.events.length === 3, 'each export is on record')

    for (const args of [['export', '--since', 'last tuesday'], ['export', '--user', 'ada'], ['nothing'], ['export', '--bogus', 'x']]) {
      const bad = await audit(args)
      assert.equal(bad.code, 2, args.join(' '))
      assert.equal(bad.out, '', args.join(' '))
      assert.match(bad.err, /usage: sigra audit export/, args.join(' '))
    }
  })
})

describe('the sigra binary: users and audit against a PGlite folder', () => {
  const ROOT = new URL('..', import.meta.url).pathname
  const CONFIG = join(ROOT, 'test/support/admin-cli-config.ts')
  let dir = ''
  let ownerEmail = ''
  let adaEmail = ''

  /** `sigra <args>` as a child process; stdin as given; resolves with its exit code and output. */
  const sigraCli = (args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string } = {}) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
      const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/sigra.js'), ...args], {
        cwd: options.cwd ?? ROOT,
        env: { PATH: process.env.PATH, SIGRA_SECRET: SECRET, SIGRA_BASE_URL: 'http://localhost:3000', ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      let out = ''
      let err = ''
      child.stdout.on('data', (c: Buffer) => (out += c.toString()))
      child.stderr.on('data', (c: Buffer) => (err += c.toString()))
      child.on('error', reject)
      child.on('close', (code) => resolve({ code, out, err }))
      child.stdin.end(options.stdin ?? '')
    })

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sigra-cli-'))
    const sigra = await createSigra({ database: pglite(join(dir, 'db')), secret: SECRET, baseUrl: 'http://localhost:3000', appName: 'Acme', passwordHasher: fastPasswordHasher(), allowWeakPasswordHashing: true, features: [admin()] })
    try {
      await sigra.migrate()
      ownerEmail = (await createConfirmedUser(sigra)).email
      adaEmail = (await createConfirmedUser(sigra)).email
    } finally {
      await sigra.close()
    }
  }, { timeout: 120_000 })
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('without admin() in the config: exit 3, naming what to add; without SIGRA_SECRET: exit 2', { timeout: 120_000 }, async () => {
    const noConfig = await sigraCli(['users', 'list', '--data', join(dir, 'db')], { cwd: dir })
    assert.equal(noConfig.code, 3, noConfig.err)
    assert.equal(noConfig.err, 'sigra users list: the admin feature is not enabled in the config (no sigra.config.js here; pass --config FILE): add admin() to its features\n')
    const noSecret = await sigraCli(['audit', 'export', '--config', CONFIG, '--data', join(dir, 'db')], { env: { SIGRA_SECRET: '' } })
    assert.equal(noSecret.code, 2, noSecret.err)
    assert.match(noSecret.err, /needs SIGRA_SECRET and SIGRA_BASE_URL/)
  })

  test('users list, set-role and set-password (stdin), then audit export > csv: the config and the folder of the app', { timeout: 120_000 }, async () => {
    const db = ['--config', CONFIG, '--data', join(dir, 'db')]
    const list = await sigraCli(['users', 'list', ...db])
    assert.equal(list.code, 0, list.err)
    assert.ok(list.out.includes(ownerEmail) && list.out.includes(adaEmail), list.out)
    assert.equal(list.err, '2 users\n')
    const role = await sigraCli(['users', 'set-role', adaEmail, 'support', ...db])
    assert.equal(role.code, 0, role.err)
    assert.equal(role.out, `${adaEmail}: support\n`, 'a role the config declares')
    const password = await sigraCli(['users', 'set-password', adaEmail, ...db], { stdin: 'typed into a pipe, not argv\n' })
    assert.equal(password.code, 0, password.err)
    const csv = await sigraCli(['audit', 'export', '--action-prefix', 'admin.', ...db])
    assert.equal(csv.code, 0, csv.err)
    const lines = csv.out.split('\r\n').filter(Boolean)
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[2]), ['admin.owner_assign', 'admin.role_change', 'admin.password_set', 'admin.audit_export'], 'oldest first, the export itself last')
    assert.equal(csv.err, 'sigra audit export: 4 rows\n')
    const lastOwner = await sigraCli(['users', 'suspend', ownerEmail, ...db])
    assert.equal(lastOwner.code, 1)
    assert.equal(lastOwner.err, 'sigra users suspend: refused: last_owner\n')
  })
})
