import { demoCommand } from './demo-command.ts'
import { jobsCommand } from './jobs-command.ts'
import { migrateCommand } from './migrate-command.ts'
import { walkthroughCommand } from './walkthrough-command.ts'

const USAGE = `usage: sigra <command> [options]

commands:
  demo          the reference web app on the embedded database (--port 3000, --host 127.0.0.1)
  migrate       apply pending migrations (--check: list them per feature; exit 1 if any)
  walkthrough   a scripted tour of sign-up, confirmation, login, lockout, reset and the audit log
  jobs          run one sweep of due work: deletions, mail delivery, cleanup (for cron)

database options (all commands):
  --data DIR            embedded PGlite in DIR (default ./.sigra)
  --database-url URL    a PostgreSQL server instead (or env DATABASE_URL)
  --schema NAME         PostgreSQL schema for Sigra's tables (default sigra)

migrate and jobs also take --config FILE: a module exporting the app's \`features\`
(default: sigra.config.js, .mjs or .ts in the working directory, if there is one)`

const commands: Record<string, (args: string[]) => Promise<number>> = {
  demo: demoCommand,
  migrate: migrateCommand,
  walkthrough: walkthroughCommand,
  jobs: jobsCommand,
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
