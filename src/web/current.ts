import type { Session } from '../sessions/session.ts'
import type { User } from '../users/user.ts'

/** The signed-in user and session a page renders for. */
export type Current = { user: User; session: Session }
