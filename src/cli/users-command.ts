import type { AdminApi } from '../features/admin/api.ts'
import { SYSTEM_ACTOR } from '../features/admin/authority.ts'
import type { AdminUser } from '../features/admin/users.ts'
import { parseFlags, refused, usage, withAdmin, type Parsed } from './admin-cli.ts'
import { EXIT, printable, processIo, say, table, type CliIo } from './cli-io.ts'
import { readPassword } from './read-password.ts'

export const USERS_USAGE = `usage: sigra users <command> [options]

  list [--search S] [--role R] [--status S] [--limit N]
                                  accounts, newest first, as a table (--limit: default 50)
  show <who>                      one account: roles, status, profile and custom fields, notes
  set-role <who> <role>           exactly this role (owner, admin, a role of yours; user removes every role)
  suspend <who>                   suspended: signed out everywhere, cannot sign in
  unsuspend <who>                 active again
  set-password <who> [--must-change]
                                  the password is read from stdin (typed twice at a terminal), never from
                                  the command line; every session ends; --must-change: a new one at sign-in
  delete <who> --yes              delete the account now, with the app's deletion strategy

<who> is an email address, a username or an account id. The commands act as the system (no rank
rule), with the app's --config (or sigra.config.js), --data DIR or --database-url URL, --schema NAME,
and SIGRA_SECRET and SIGRA_BASE_URL from the environment.

exit codes: 0 done, 1 refused (the error code is printed, e.g. last_owner), 2 usage,
3 the admin feature is not enabled in the config, 4 could not run (database, configuration)`

const FLAGS = {
  search: { type: 'string' },
  role: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  'must-change': { type: 'boolean' },
  yes: { type: 'boolean' },
  help: { type: 'boolean' },
} as const

/** Each command: its positional arguments after the command's name, and the flags it takes. */
const COMMANDS: Readonly<Record<string, { args: readonly string[]; flags: readonly string[] }>> = {
  list: { args: [], flags: ['search', 'role', 'status', 'limit'] },
  show: { args: ['who'], flags: [] },
  'set-role': { args: ['who', 'role'], flags: [] },
  suspend: { args: ['who'], flags: [] },
  unsuspend: { args: ['who'], flags: [] },
  'set-password': { args: ['who'], flags: ['must-change'] },
  delete: { args: ['who'], flags: ['yes'] },
}

interface Command {
  name: string
  args: string[]
  values: Record<string, string | boolean | undefined>
  limit: number
  password?: string
}

/** Checks the command line (and reads the password) before anything is opened: a Command, or what is wrong. */
async function prepare(parsed: Parsed, io: CliIo): Promise<Command | string> {
  if (!parsed.ok) return parsed.message
  const [name, ...args] = parsed.rest
  const spec = name ? COMMANDS[name] : undefined
  if (!name || !spec) return name ? `unknown command users ${name}` : 'which command?'
  if (args.length !== spec.args.length) return `users ${name} takes ${spec.args.length ? spec.args.map((a) => `<${a}>`).join(' ') : 'no arguments'}`
  for (const flag of Object.keys(FLAGS)) {
    if (flag !== 'help' && parsed.values[flag] !== undefined && !spec.flags.includes(flag)) return `--${flag} is not an option of users ${name}`
  }
  const limitText = parsed.values.limit as string | undefined
  const limit = limitText === undefined ? 50 : /^\d{1,5}$/.test(limitText) && Number(limitText) >= 1 ? Number(limitText) : NaN
  if (Number.isNaN(limit)) return '--limit takes a whole number from 1 to 99999'
  if (name === 'delete' && parsed.values.yes !== true) return 'users delete deletes at once and for good: add --yes'
  const command: Command = { name, args, values: parsed.values, limit }
  if (name === 'set-password') {
    const read = await readPassword(io)
    if (!read.ok) return `users set-password: ${read.message}`
    command.password = read.password
  }
  return command
}

/** `sigra users …`: see USERS_USAGE. */
export async function usersCommand(args: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseFlags(args, FLAGS)
  if (parsed.ok && parsed.values.help) {
    say(io.stdout, USERS_USAGE)
    return EXIT.ok
  }
  const command = await prepare(parsed, io)
  if (typeof command === 'string') return usage(io, `sigra users: ${command}`, USERS_USAGE)
  return withAdmin(`users ${command.name}`, args, FLAGS, io, (admin) => run(admin, command, io))
}

/** The same commands on an already open `sigra.admin` (a host's own tooling, the tests). */
export async function runUsersCommand(admin: AdminApi, args: string[], io: CliIo): Promise<number> {
  const command = await prepare(parseFlags(args, FLAGS), io)
  if (typeof command === 'string') return usage(io, `sigra users: ${command}`, USERS_USAGE)
  return run(admin, command, io)
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const when = (date: Date | null) => (date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '-')

async function run(admin: AdminApi, command: Command, io: CliIo): Promise<number> {
  const label = `users ${command.name}`
  if (command.name === 'list') return list(admin, command, io)
  const [who = '', role = ''] = command.args
  const found = await admin.getUser(SYSTEM_ACTOR, UUID.test(who) ? { id: who } : who.includes('@') ? { email: who } : { username: who })
  if (!found.ok) return refused(io, label, found.error === 'not_found' ? { error: 'not_found', issues: [{ field: 'who', message: `no live account ${who}` }] } : found)
  const user = found.user
  const done = (result: { ok: true } | { ok: false; error: string; issues?: ReadonlyArray<{ field: string; message: string }> }, line: string) => {
    if (!result.ok) return refused(io, label, result)
    say(io.stdout, printable(line))
    return EXIT.ok
  }
  switch (command.name) {
    case 'show':
      return show(admin, user, io)
    case 'set-role': {
      const result = await admin.setRole(SYSTEM_ACTOR, user, role)
      return done(result, result.ok ? `${user.email}: ${result.roles.join(', ')}` : '')
    }
    case 'suspend':
      return done(await admin.setStatus(SYSTEM_ACTOR, user, 'suspended'), `${user.email}: suspended; every session ended`)
    case 'unsuspend':
      return done(await admin.setStatus(SYSTEM_ACTOR, user, 'active'), `${user.email}: active`)
    case 'set-password': {
      const mustChange = command.values['must-change'] === true
      const result = await admin.setPassword(SYSTEM_ACTOR, user, { password: command.password!, mustChange })
      return done(result, `${user.email}: password set; every session ended${mustChange ? '; a new one is required at the next sign-in' : ''}`)
    }
    default: {
      const result = await admin.deleteUser(SYSTEM_ACTOR, user)
      return done(result, `${user.email}: deleted (${result.ok ? result.strategy : ''})`)
    }
  }
}

async function list(admin: AdminApi, command: Command, io: CliIo): Promise<number> {
  const v = command.values
  const filter = {
    ...(typeof v.search === 'string' ? { search: v.search } : {}),
    ...(typeof v.role === 'string' ? { role: v.role } : {}),
    ...(typeof v.status === 'string' ? { status: v.status as never } : {}),
  }
  const users: AdminUser[] = []
  let cursor: string | null = null
  let more = false
  do {
    const page = await admin.listUsers(SYSTEM_ACTOR, { ...filter, limit: Math.min(100, command.limit - users.length), ...(cursor ? { cursor } : {}) })
    if (!page.ok) return refused(io, 'users list', page)
    users.push(...page.users)
    cursor = page.nextCursor
    more = cursor !== null
  } while (more && users.length < command.limit)
  say(io.stdout, table(['ID', 'EMAIL', 'ROLES', 'STATUS', 'CONFIRMED', 'CREATED', 'LAST LOGIN'],
    users.map((u) => [u.id, u.email, u.roles.join(','), u.status, u.confirmedAt ? 'yes' : 'no', when(u.createdAt), when(u.lastLoginAt)])))
  say(io.stderr, `${users.length} user${users.length === 1 ? '' : 's'}${more ? ` (more match: raise --limit)` : ''}`)
  return EXIT.ok
}

async function show(admin: AdminApi, user: AdminUser, io: CliIo): Promise<number> {
  const fields = user.customFields
  const profile = ['first_name', 'last_name', 'locale']
  const lines: Array<[string, string]> = [
    ['id', user.id],
    ['email', user.email + (user.pendingEmail ? ` (changing to ${user.pendingEmail})` : '')],
    ['username', user.username ?? '-'],
    ['name', [fields.first_name, fields.last_name].filter((x) => typeof x === 'string').join(' ') || '-'],
    ['locale', typeof fields.locale === 'string' ? fields.locale : '-'],
    ['roles', user.roles.join(', ')],
    ['status', user.status],
    ['confirmed', when(user.confirmedAt)],
    ['password', `${user.hasPassword ? 'set' : 'none'}${user.mustChangePassword ? ' (must change at the next sign-in)' : ''}`],
    ['created', when(user.createdAt)],
    ['last login', when(user.lastLoginAt)],
    ...(user.deleteAt ? [['deletion', `scheduled for ${when(user.deleteAt)}`] as [string, string]] : []),
    ...Object.entries(fields).filter(([key]) => !profile.includes(key)).map(([key, value]): [string, string] => [`field ${key}`, typeof value === 'string' ? value : JSON.stringify(value)]),
  ]
  const width = Math.max(...lines.map(([key]) => key.length))
  for (const [key, value] of lines) say(io.stdout, `${`${key}:`.padEnd(width + 2)}${printable(value)}`)
  const notes = await admin.listNotes(SYSTEM_ACTOR, user)
  if (notes.ok && notes.notes.length) {
    say(io.stdout, `notes (${notes.notes.length}, newest first):`)
    for (const note of notes.notes) say(io.stdout, `  ${when(note.createdAt)}${note.authorId ? ` by ${note.authorId}` : ' by the system'}: ${printable(note.body.replace(/\s+/g, ' '))}`)
  }
  return EXIT.ok
}
