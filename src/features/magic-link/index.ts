/**
 * `sigra/magic-link`: sign-in (and optional sign-up) by a link mailed to the address.
 *
 * @example
 * import { magicLink } from 'sigra/magic-link'
 */
export { magicLink } from './magic-link.ts'
export type { MagicLinkApi } from './api.ts'
export type { MagicLinkOptions } from './options.ts'
export type { ConsumeOptions, ConsumeResult, CheckResult } from './flow.ts'
import './augment.ts'
