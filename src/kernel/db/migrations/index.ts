import type { MigrationSequence } from '../migration.ts'
import { foundation } from './0001-foundation.ts'
import { signInSteps } from './0002-sign-in-steps.ts'
import { loginThrottles } from './0003-login-throttles.ts'
import { suspensionAndImpersonation } from './0004-suspension-and-impersonation.ts'

/** Core's migrations, in order. Names are permanent once released; features bring their own sequences. */
export const CORE_MIGRATIONS: MigrationSequence = {
  owner: 'core',
  migrations: [foundation, signInSteps, loginThrottles, suspensionAndImpersonation],
}
