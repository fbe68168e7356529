import type { Bound } from '../../facade/bind-context.ts'
import { check, consume, request } from './flow.ts'
import type { MagicLinkContext } from './magic-link-context.ts'

/** The domain functions behind `sigra.magicLink`. */
export const MAGIC_LINK_FUNCTIONS = { request, consume, check }

export type MagicLinkApi = Bound<MagicLinkContext, typeof MAGIC_LINK_FUNCTIONS>
