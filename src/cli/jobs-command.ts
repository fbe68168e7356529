import { createSigra } from '../create-sigra.ts'
import { loadFeatures } from './load-features.ts'
import { cliOptions } from './options.ts'

/**
 * `sigra jobs [--data DIR | --database-url URL] [--config FILE]`: one sweep of due work (deletions, mail, cleanup, features' sweeps),
 * for cron. Mail goes through SMTP when SIGRA_SMTP_URL is set (smtp://user:pass@host:port).
 */
export async function jobsCommand(args: string[]): Promise<number> {
  const options = cliOptions(args, { config: { type: 'string' } })
  const { features } = await loadFeatures(options.values.config as string | undefined)
  const secret = process.env.SIGRA_SECRET
  const baseUrl = process.env.SIGRA_BASE_URL
  if (!secret || !baseUrl) {
    console.error('sigra jobs needs SIGRA_SECRET and SIGRA_BASE_URL (the same values as your app) to seal mail and build links.')
    return 2
  }
  const { smtpTransport } = await import('../kernel/mail/transport.ts')
  const smtp = process.env.SIGRA_SMTP_URL
  const sigra = await createSigra({
    database: options.database,
    secret,
    baseUrl,
    appName: process.env.SIGRA_APP_NAME ?? 'Sigra',
    ...(options.schema ? { schema: options.schema } : {}),
    ...(smtp ? { mailer: smtpTransport(smtp) } : {}),
    features,
  })
  try {
    const report = await sigra.jobs.runDue()
    console.log(JSON.stringify(report))
    return 0
  } finally {
    await sigra.close()
  }
}
