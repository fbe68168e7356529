import { auditCommand } from './audit-command.ts'
import { demoCommand } from './demo-command.ts'
import { jobsCommand } from './jobs-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { usersCommand } from './users-command.ts'
import { walkthroughCommand } from './walkthrough-command.ts'

const USAGE = `usage: sigra <command> [options]

commands:
  demo          the reference web app on the embedded database (--port 3000, --host 127.0.0.1)
  migrate       apply pending migrations (--check: list them per feature; exit 1 if any)
  walkthrough   a scripted tour of sign-up, confirmation, login, lockout, reset and the audit log
  jobs          run one sweep of due work: deletions, mail delivery, cleanup (for cron)
  users         operators' account management (needs admin() in the config):
                  list [--search S] [--role R] [--status S] [--limit N], show <who>,
                  set-role <who> <role>, suspend <who>, unsuspend <who>,
                  set-password <who> [--must-change] (password on stdin), delete <who> --yes
                <who>: an email, a username or an id; \`sigra users --help\` for more
  audit         audit export [--since ISO] [--until ISO] [--action A] [--user ID] > audit.csv
                (needs admin() in the config; \`sigra audit --help\` for every filter)

database options (all commands):
  --data DIR            embedded PGlite in DIR (default ./.sigra)
  --database-url URL    a PostgreSQL server instead (or env DATABASE_URL)
  --schema NAME         PostgreSQL schema for Sigra's tables (default sigra)

migrate, jobs, users and audit also take --config FILE: a module exporting the app's \`features\`
(default: sigra.config.js, .mjs or .ts in the working directory, if there is one); jobs, users and
audit read SIGRA_SECRET and SIGRA_BASE_URL (the app's values) from the environment.

users and audit exit with 0 done, 1 refused by the rules (the code is printed, e.g. last_owner),
2 usage, 3 the admin feature is not enabled in the config, 4 could not run`

const commands: Record<string, (args: string[]) => Promise<number>> = {
  demo: demoCommand,
  migrate: migrateCommand,
  walkthrough: walkthroughCommand,
  jobs: jobsCommand,
  users: usersCommand,
  audit: auditCommand,
}

const [name, ...args] = process.argv.slice(2)
const command = name ? commands[name] : undefined
if (!command) {
  console.log(USAGE)
  process.exitCode = name && name !== 'help' && name !== '--help' ? 2 : 0
} else {
  try {
    process.exitCode = await command(args)
  } catch (error) {
    console.error(`sigra ${name}: ${error instanceof Error ? error.message : String(error)}`)
    process.exitCode = 1
  }
}
