import { errorMessage } from '../../../web/error-messages.ts'

/** This feature's failure codes, as sentences for people (others: core's wording). */
const MESSAGES: Readonly<Record<string, string>> = {
  forbidden: 'Your role in this organization does not allow that. Members change only members who rank below them, and grant no role above their own.',
  not_found: 'That organization, member or invitation was not found, or you are not a member of it.',
  last_owner: 'You are the last owner: the organization must always have one. Make another member owner first (or delete the organization).',
  slug_taken: 'This address is taken. Choose another.',
  email_mismatch: 'This invitation was sent to another address. Log in with the account for that address to accept it.',
  unconfirmed: 'Confirm your email address first (open the link we sent you), then accept the invitation.',
  already_member: 'That person is already a member.',
  already_invited: 'That address was just invited. Reload the page to see the invitation.',
  personal_org: 'A personal organization is yours alone: it cannot take other members and goes with your account.',
  org_required: 'Choose an organization first.',
  org_mfa_required: 'This organization requires two-factor authentication: log in with your second factor to use it.',
  invalid_token: 'This invitation link is invalid, has expired, was revoked or was already used. Ask for a new invitation.',
  vetoed: 'This change is not allowed by the application.',
}

export function orgMessage(code: string, retryAfter?: number): string {
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code]! : errorMessage(code, retryAfter)
}

/** Success notices of this feature's pages, by the `done` code a redirect carries. Unknown codes show nothing. */
const DONE: Readonly<Record<string, string>> = {
  created: 'The organization was created. You are its owner.',
  joined: 'Welcome! You joined the organization.',
  updated: 'The organization was updated.',
  role_changed: 'The role was changed.',
  removed: 'The member was removed.',
  invited: 'The invitation was sent.',
  resent: 'The invitation was sent again with a new link. The old link no longer works.',
  revoked: 'The invitation was revoked: its link no longer works.',
  switched: 'You switched organization.',
  left: 'You left the organization.',
  deleted: 'The organization was deleted.',
}

export function doneMessage(code: string | undefined): string | null {
  return code !== undefined && Object.hasOwn(DONE, code) ? DONE[code]! : null
}
