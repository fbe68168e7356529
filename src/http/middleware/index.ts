/**
 * Guards for the host application's own routes (`sigra/middleware`): a fetch-standard core and
 * Hono and Express/connect forms of it.
 */
export { guard, refusalPage, type GuardedSigra, type GuardRefusal, type GuardResult, type GuardRule } from './guard.ts'
export { sigraHono, type SigraHonoEnv, type SigraLocals } from './hono.ts'
export { sigraNode, type NodeMiddleware, type SigraNodeRequest } from './node.ts'
export { prefersHtml } from './prefers-html.ts'
export { safeReturnTo } from './safe-return-to.ts'
