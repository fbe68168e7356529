import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { createSigra } from 'sigra'
import { magicLink } from 'sigra/magic-link'
import { toNodeHandler } from 'sigra/node'
import { github, oauth, oidc } from 'sigra/oauth'
import { pglite } from 'sigra/pglite'
import { postgres } from 'sigra/postgres'
import { fastPasswordHasher } from '../../src/testing/fast-hasher.ts'
import { startGitHubPeer, type GitHubPeer } from './github-peer.ts'
import { startOidcPeer, type OidcPeer } from './oidc-peer.ts'

export interface OAuthDemo {
  /** `http://localhost:<port>`: Sigra's pages, API and dev mailbox. */
  origin: string
  /** The real OpenID provider (panva's oidc-provider), on 127.0.0.1. */
  op: OidcPeer
  /** The GitHub-like provider, on 127.0.0.1. */
  gh: GitHubPeer
  where: string
  stop(): Promise<void>
}

const OP = { clientId: 'sigra-demo', clientSecret: 'demo-client-secret-0123456789' }
const GH = { clientId: 'Iv1.demo', clientSecret: 'demo-gh-secret-0123456789' }

/**
 * A reference app for the OAuth journey, in this process: Sigra with `oauth()` (the loopback OpenID
 * provider as "Loopback ID", the GitHub-like peer as "GitHub") and `magicLink()`, its pages and dev
 * mailbox served by node:http on localhost, on PostgreSQL (a fresh schema) when
 * SIGRA_TEST_DATABASE_URL is set, else on an in-memory PGlite. The providers run on 127.0.0.1, so
 * their cookies and Sigra's never mix. (`sigra demo` is the CLI's; its feature list is not this one.)
 */
export async function startOAuthDemo(): Promise<OAuthDemo> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://localhost:${port}`
  const op = await startOidcPeer([{ client_id: OP.clientId, client_secret: OP.clientSecret, redirect_uris: [`${origin}/auth/oauth/loopback/callback`] }])
  const gh = await startGitHubPeer({ [GH.clientId]: GH.clientSecret })
  const url = process.env.SIGRA_TEST_DATABASE_URL
  const schema = `t_oauth_demo_${randomBytes(5).toString('hex')}`
  const pool = url ? new pg.Pool({ connectionString: url, max: 4 }) : null
  const sigra = await createSigra({
    database: pool ? postgres(pool) : pglite(),
    ...(pool ? { schema } : {}),
    secret: randomBytes(32).toString('base64url'),
    baseUrl: origin,
    appName: 'Acme',
    passwordHasher: fastPasswordHasher(),
    allowWeakPasswordHashing: true,
    http: { devMailbox: true },
    features: [
      oauth({ providers: [oidc({ id: 'loopback', name: 'Loopback ID', issuer: op.issuer, ...OP }), github({ ...GH, endpoints: gh.endpoints })] }),
      magicLink(),
    ],
  })
  await sigra.migrate()
  const handle = toNodeHandler(sigra)
  server.on('request', (req, res) => {
    if (req.url === '/') {
      res.writeHead(302, { location: '/account/log-in' })
      res.end()
      return
    }
    handle(req, res)
  })
  return {
    origin,
    op,
    gh,
    where: pool ? `PostgreSQL schema ${schema}` : 'PGlite in memory',
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sigra.close()
      if (pool) {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
        await pool.end()
      }
      await op.stop()
      await gh.stop()
    },
  }
}
