// Sigra on plain node:http.   SIGRA_SECRET=$(openssl rand -hex 32) node examples/node-http.ts
// (from this repository add --conditions=source; in your app: npm i sigra)
import { createServer } from 'node:http'
import { createSigra } from 'sigra'
import { sigraNode } from 'sigra/middleware'
import { toNodeHandler } from 'sigra/node'
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

const handleSigra = toNodeHandler(sigra)
const requireAuth = sigraNode(sigra).requireAuth()

createServer((req, res) =>
  // Sigra answers its own paths; anything else reaches the callback (your routes).
  handleSigra(req, res, () => {
    if (req.url === '/dashboard') return requireAuth(req, res, () => res.end(`Hello ${req.sigra!.user.email}`))
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html' })
    res.end('<a href="/account/sign-up">Sign up</a> · <a href="/dashboard">Dashboard</a> · <a href="/dev/mailbox">Mailbox</a>')
  }),
).listen(port, () => console.log(`listening on http://localhost:${port}`))
