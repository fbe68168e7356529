// Sigra in a Hono app on Node.   SIGRA_SECRET=$(openssl rand -hex 32) node examples/hono.ts
// (from this repository add --conditions=source; in your app: npm i sigra hono @hono/node-server)
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createSigra } from 'sigra'
import { sigraRoutes } from 'sigra/hono'
import { sigraHono, type SigraHonoEnv } from 'sigra/middleware'
import { pglite } from 'sigra/pglite'

const port = Number(process.env.PORT ?? 3000)
const sigra = await createSigra({
  database: pglite('./.sigra'),
  secret: process.env.SIGRA_SECRET ?? '',
  baseUrl: process.env.BASE_URL ?? `http://localhost:${port}`, // links, cookies and CSRF all follow it
  appName: 'Example',
  autoMigrate: true,
  http: { devMailbox: true }, // the /dev/mailbox page linked below; never mounted when NODE_ENV=production
})
setInterval(() => void sigra.jobs.runDue(), 30_000).unref() // mail delivery, deletions due, cleanup

const app = new Hono<SigraHonoEnv>()
app.route('/', sigraRoutes(sigra)) // /auth/* (JSON API), /account/* (pages), /dev/mailbox
app.get('/', (c) => c.html('<a href="/account/sign-up">Sign up</a> · <a href="/dashboard">Dashboard</a> · <a href="/dev/mailbox">Mailbox</a>'))
app.get('/dashboard', sigraHono(sigra).requireAuth(), (c) => c.text(`Hello ${c.get('sigra').user.email}`))

serve({ fetch: app.fetch, port }, () => console.log(`listening on http://localhost:${port}`))
