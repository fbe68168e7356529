import { CORE_AUDIT_PREFIXES } from '../kernel/audit/audit-actions.ts'
import { SigraError } from '../kernel/errors.ts'
import { DEFAULT_RATE_LIMITS } from '../kernel/rate-limit/rules.ts'
import type { AnyFeature } from './feature.ts'

/** Names the core facade already uses: a feature's key cannot take them. */
const CORE_KEYS = new Set(['config', 'db', 'events', 'features', 'migrate', 'close', 'auth', 'sessions', 'account', 'mail', 'audit', 'jobs', 'handler'])

/**
 * Checks the `features` list at start-up, so a wrong list fails with a sentence that says what to
 * change: each entry must come from a feature factory; names and facade keys are unique and do not
 * shadow core's; every feature's `requires` is listed; rate-limit rules and audit prefixes are not
 * claimed twice.
 */
export function checkFeatures(list: readonly unknown[]): readonly AnyFeature[] {
  if (!Array.isArray(list)) throw new SigraError('invalid_config', 'Invalid Sigra configuration: features must be an array of features (e.g. [mfa()])')
  const features = list as AnyFeature[]
  const names = new Map<string, AnyFeature>()
  const keys = new Set<string>()
  const rules = new Map<string, string>(Object.keys(DEFAULT_RATE_LIMITS).map((name) => [name, 'core']))
  const prefixes = new Map<string, string>(CORE_AUDIT_PREFIXES.map((prefix) => [prefix, 'core']))
  features.forEach((feature, index) => {
    if (!feature || typeof feature !== 'object' || typeof feature.name !== 'string' || typeof feature.setup !== 'function') {
      throw new SigraError('invalid_config', `Invalid Sigra configuration: features[${index}] is not a feature: pass the factory's result, e.g. mfa() rather than mfa`)
    }
    if (names.has(feature.name)) throw new SigraError('invalid_config', `Invalid Sigra configuration: feature ${feature.name} is listed twice`)
    if (CORE_KEYS.has(feature.key) || keys.has(feature.key)) {
      throw new SigraError('invalid_config', `Invalid Sigra configuration: feature ${feature.name} would replace sigra.${feature.key}`)
    }
    for (const rule of Object.keys(feature.rateLimits)) {
      const owner = rules.get(rule)
      if (owner) throw new SigraError('invalid_feature', `Feature ${feature.name}: rate-limit rule ${rule} is already ${owner}'s`)
      rules.set(rule, feature.name)
    }
    for (const prefix of new Set(feature.auditActions.map((action) => action.slice(0, action.indexOf('.'))))) {
      const owner = prefixes.get(prefix)
      if (owner && owner !== feature.name) throw new SigraError('invalid_feature', `Feature ${feature.name}: audit actions under ${prefix}. are ${owner}'s`)
      prefixes.set(prefix, feature.name)
    }
    names.set(feature.name, feature)
    keys.add(feature.key)
  })
  for (const feature of features) {
    const missing = feature.requires.filter((name) => !names.has(name))
    if (missing.length) {
      throw new SigraError('invalid_config', `Invalid Sigra configuration: feature ${feature.name} needs ${missing.join(', ')}: add ${missing.map((m) => `${m}()`).join(', ')} to features`)
    }
  }
  return features
}
