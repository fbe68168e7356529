import { executeDueDeletions, type DeletionSweepReport } from '../account/execute-deletion.ts'
import type { SigraContext } from '../kernel/context.ts'
import { deliverDueMail, type DeliveryReport } from '../kernel/mail/deliver-due-mail.ts'
import { cleanupExpired, type CleanupReport } from './cleanup-expired.ts'

export interface SweepReport {
  deletions: DeletionSweepReport
  mail: DeliveryReport
  cleanup: CleanupReport
  /** Each enabled feature's sweep reports, by sweep name (`mfa.expiredEnrollments`); empty without features. */
  features: Record<string, unknown>
}

/**
 * One sweep of everything due. Safe on many instances at once (rows are leased with SKIP LOCKED)
 * and safe to repeat. Call it from a timer, cron (`npx sigra jobs`) or your job runner.
 */
export async function runDue(ctx: SigraContext): Promise<SweepReport> {
  // Deletions first: their final notices then go out in the same sweep.
  const deletions = await executeDueDeletions(ctx)
  const mail = await deliverDueMail(ctx)
  const cleanup = await cleanupExpired(ctx)
  const features: Record<string, unknown> = {}
  for (const sweep of ctx.sweeps) features[sweep.name] = await sweep.run()
  return { deletions, mail, cleanup, features }
}
