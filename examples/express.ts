// Sigra in an Express app.   SIGRA_SECRET=$(openssl rand -hex 32) node examples/express.ts
// (from this repository add --conditions=source; in your app: npm i sigra express)
import express from 'express'
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

const app = express()
app.use(toNodeHandler(sigra)) // first: Sigra reads its own bodies, other paths go on to your routes
app.use(express.json())
app.get('/', (_req, res) => {
  res.send('<a href="/account/sign-up">Sign up</a> · <a href="/dashboard">Dashboard</a> · <a href="/dev/mailbox">Mailbox</a>')
})
app.get('/dashboard', sigraNode(sigra).requireAuth(), (req, res) => {
  res.send(`Hello ${req.sigra!.user.email}`) // set by requireAuth(): a 303 to the log-in page (or 401 JSON) otherwise
})

app.listen(port, () => console.log(`listening on http://localhost:${port}`))
