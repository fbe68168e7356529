import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { AnyFeature } from '../features/feature.ts'
import { SigraError } from '../kernel/errors.ts'

const DEFAULT_FILES = ['sigra.config.js', 'sigra.config.mjs', 'sigra.config.ts']

/**
 * The features the app enables, for commands that run without the app (`migrate`, `jobs`): read
 * from `--config FILE`, or `sigra.config.{js,mjs,ts}` in the working directory when present. The
 * module exports `features` (an array of features), or a default export that is that array or an
 * object with `features`. No file: core only.
 *
 * @example
 * // sigra.config.js
 * import { mfa } from 'sigra/mfa'
 * export const features = [mfa({ issuer: 'Acme' })]
 */
export async function loadFeatures(configPath: string | undefined): Promise<{ features: readonly AnyFeature[]; from: string | null }> {
  const file = configPath ?? DEFAULT_FILES.find((name) => existsSync(resolve(name)))
  if (!file) return { features: [], from: null }
  const path = resolve(file)
  if (!existsSync(path)) throw new SigraError('invalid_config', `--config ${file}: no such file`)
  const module = (await import(pathToFileURL(path).href)) as { features?: unknown; default?: unknown }
  const fromDefault = Array.isArray(module.default) ? module.default : (module.default as { features?: unknown } | undefined)?.features
  const features = module.features ?? fromDefault ?? []
  if (!Array.isArray(features)) throw new SigraError('invalid_config', `${file}: export \`features\` as an array of features (e.g. export const features = [mfa()])`)
  return { features: features as AnyFeature[], from: file }
}
