/** Success notices, by the code a redirect puts in `?notice=`. Unknown codes show nothing. */
const NOTICES: Readonly<Record<string, string>> = {
  check_email: 'Thanks! Check your inbox: we sent a link to confirm your address. You can log in now.',
  logged_in: 'You are logged in.',
  logged_out: 'You are logged out.',
  log_in_first: 'Please log in to continue.',
  email_confirmed: 'Your email address is confirmed.',
  confirmation_sent: 'We sent a new confirmation link. Earlier links no longer work.',
  reset_sent: 'If an account uses that address, we sent it a link to choose a new password. The link expires soon.',
  password_reset: 'Your password was changed and every device was signed out. Log in with your new password.',
  password_changed: 'Your password was changed. Your other devices were signed out.',
  password_set: 'Your password was set. Your other devices were signed out.',
  email_change_requested: 'Almost done: open the link we sent to your new address. Until then your current address stays.',
  email_change_cancelled: 'The email change was cancelled.',
  email_changed: 'Your email address was changed. Other devices were signed out.',
  session_revoked: 'That device was signed out.',
  other_sessions_revoked: 'Every other device was signed out.',
  sudo_confirmed: 'Thanks, your password is confirmed for the next few minutes.',
  deletion_cancelled: 'Welcome back! Your account will not be deleted.',
  deletion_scheduled: 'Your account is scheduled for deletion and you were logged out. Changed your mind? Log in before the date and choose “Keep my account”.',
}

export function noticeMessage(code: string | undefined): string | null {
  return code !== undefined && Object.hasOwn(NOTICES, code) ? NOTICES[code]! : null
}
