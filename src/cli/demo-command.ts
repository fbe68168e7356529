import { createServer, type Server } from 'node:http'
import { createSigra } from '../create-sigra.ts'
import { admin } from '../features/admin/index.ts'
import { apiTokens } from '../features/api-tokens/index.ts'
import { jwt } from '../features/jwt/index.ts'
import { magicLink } from '../features/magic-link/index.ts'
import { mfa } from '../features/mfa/index.ts'
import { organizations } from '../features/organizations/index.ts'
import { passkeys } from '../features/passkeys/index.ts'
import type { SigraHandler } from '../http/create-handler.ts'
import { toNodeHandler } from '../http/adapters/node.ts'
import { demoHomePage } from '../web/demo-home-page.ts'
import { cliOptions } from './options.ts'

const SWEEP_EVERY_MS = 5_000

/**
 * `sigra demo [--port 3000] [--host 127.0.0.1] [--data ./.sigra]`: the reference pages on the
 * embedded database, with a start page at `/`, the dev mailbox, and due work (mail, deletions,
 * cleanup) swept in-process every few seconds. The first account signed up is the Owner (admin
 * pages from its settings). Stops cleanly on Ctrl-C / SIGTERM.
 */
export async function demoCommand(args: string[]): Promise<number> {
  const options = cliOptions(args, { port: { type: 'string' }, host: { type: 'string' } })
  const port = Number(options.values.port ?? 3000)
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error('sigra demo: --port must be a number between 1 and 65535')
    return 2
  }
  const host = (options.values.host as string | undefined) ?? '127.0.0.1'
  const baseUrl = `http://localhost:${port}`
  const sigra = await createSigra({
    database: options.database,
    // Fixed for the local demo database so mail sealed in one run opens in the next; never use it in production.
    secret: process.env.SIGRA_SECRET ?? 'sigra-walkthrough-local-development-secret-only',
    baseUrl,
    appName: 'Sigra demo',
    autoMigrate: true,
    http: { devMailbox: true },
    // The demo shows the features Sigra ships; an app lists only the ones it wants. With admin(),
    // the first account signed up is the Owner: its settings page links to the admin pages.
    features: [
      mfa({ issuer: 'Sigra demo' }),
      passkeys({ rpName: 'Sigra demo' }),
      apiTokens({ scopes: { 'profile:read': 'Read your profile', 'notes:write': 'Write notes in the demo app' } }),
      admin({ customFields: { plan: { type: 'select', label: 'Plan', options: { free: 'Free', pro: 'Pro', team: 'Team' } } } }),
      organizations(),
      magicLink({ signUp: true }),
      jwt(),
      // oauth() is not in the demo: it needs an app registered at a provider (client id and secret).
    ],
    ...(options.schema ? { schema: options.schema } : {}),
  })

  // `/` is the demo's start page; everything else is Sigra's (API, pages, mailbox) or its 404.
  const handler: SigraHandler = (request, info) => {
    const { pathname } = new URL(request.url)
    if (pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) return demoHomePage(sigra, request)
    return sigra.handler(request, info)
  }
  const server = createServer(toNodeHandler(handler, { baseUrl, paths: [''] }))

  // One sweep at a time; shutdown waits for the one in flight.
  let sweeping: Promise<void> | null = null
  const sweep = () => {
    sweeping ??= sigra.jobs
      .runDue()
      .then(() => undefined, (error: unknown) => console.error('sigra demo: sweep failed:', error instanceof Error ? error.message : error))
      .finally(() => (sweeping = null))
  }

  try {
    await listen(server, port, host)
  } catch (error) {
    await sigra.close()
    throw error
  }
  sweep()
  const timer = setInterval(sweep, SWEEP_EVERY_MS)

  console.log(`Sigra demo on ${options.where}`)
  console.log(`  open     ${baseUrl}/`)
  if (sigra.config.http.devMailbox) console.log(`  mailbox  ${baseUrl}/dev/mailbox`)
  console.log(`  (listening on ${host}:${port}; Ctrl-C to stop)`)

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  process.once(signal, () => process.exit(1)) // a second Ctrl-C does not wait
  console.log(`\n${signal}: stopping…`)
  clearInterval(timer)
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
  await sweeping
  await sigra.close()
  return 0
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
