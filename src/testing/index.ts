/**
 * Helpers for a host application's own tests (like Sigra.Testing): fixtures, a frozen clock,
 * a fast hasher, assertions and a mailbox reader. Not for production code.
 *
 * @example
 * const clock = testClock()
 * const sigra = await createSigra({ database: pglite(), clock, passwordHasher: fastPasswordHasher(), allowWeakPasswordHashing: true, ... })
 * await sigra.migrate()
 * const { user, session, token } = await authenticatedFixture(sigra)
 */
export { testClock, type TestClock } from './test-clock.ts'
export { fastPasswordHasher } from './fast-hasher.ts'
export { authenticatedFixture, createConfirmedUser, grantSudo, type Fixture } from './fixtures.ts'
export { assertAuditEvent, assertDeletionScheduled, assertSessionRevoked } from './assertions.ts'
export { latestMail, type MailWithLink } from './mailbox.ts'
