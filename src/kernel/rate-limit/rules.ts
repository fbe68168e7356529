/** A budget: `points` attempts per `duration` seconds for one key. */
export interface RateLimitRule {
  points: number
  duration: number
}

export interface RateLimitRules {
  /** Every login attempt from one IP, counted before the account is looked up. */
  loginIp: RateLimitRule
  /** Every login attempt naming one account (email or username), known or not. */
  loginAccount: RateLimitRule
  /**
   * Valid sign-ups from one IP (refused input costs nothing). 50 an hour: a class or an office
   * behind one address signs up together; scripted account creation is slowed all the same.
   */
  registerIp: RateLimitRule
  /** Valid sign-ups naming one address (each mails it). */
  registerEmail: RateLimitRule
  resetIp: RateLimitRule
  resetEmail: RateLimitRule
  /** Confirmation mails per account. */
  confirmResend: RateLimitRule
  /** Email change requests per account (each mails a stranger's address). */
  emailChange: RateLimitRule
  /** Sudo re-confirmations per session (wrong passwords also count toward lockout). */
  sudo: RateLimitRule
  /**
   * Failed redemptions of emailed tokens (confirm, reset, email change, and every feature's token
   * kinds) per IP, checked before the lookup. Tokens are 256-bit: defence in depth against guessing.
   */
  tokenFailuresIp: RateLimitRule
  /** Audit rows for refused actions (`authz.denied`) per actor: a flood of refusals cannot fill the log. */
  deniedAudit: RateLimitRule
}

export type RateLimitName = keyof RateLimitRules

export const DEFAULT_RATE_LIMITS: RateLimitRules = {
  loginIp: { points: 30, duration: 60 },
  loginAccount: { points: 10, duration: 60 },
  registerIp: { points: 50, duration: 3600 },
  registerEmail: { points: 3, duration: 3600 },
  resetIp: { points: 10, duration: 900 },
  resetEmail: { points: 3, duration: 900 },
  confirmResend: { points: 3, duration: 900 },
  emailChange: { points: 5, duration: 3600 },
  sudo: { points: 10, duration: 300 },
  tokenFailuresIp: { points: 20, duration: 900 },
  deniedAudit: { points: 30, duration: 600 },
}

/**
 * What `rateLimit.rules` accepts: a new budget, or `false` to turn a rule off, for core's rules
 * and for the rules enabled features declare (by their names, e.g. `mfaVerify`).
 */
export type RateLimitOverrides = Partial<Record<RateLimitName, RateLimitRule | false>> & Record<string, RateLimitRule | false | undefined>
