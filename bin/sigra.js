#!/usr/bin/env node
// Which CLI runs: the built files (dist/) or the TypeScript sources (src/).
//
// - An installed package always runs dist/: a tarball install, and equally a folder install
//   (`npm install ../sigra`), which is a symlink whose real path lies outside node_modules.
//   "Installed" is decided from the path the command was invoked through, process.argv[1]
//   (node_modules/.bin/sigra for `npx sigra` and npm scripts, node_modules/sigra/bin/sigra.js),
//   which Node does not resolve through links, and also from this file's own URL, which Node does
//   resolve to the real path (so it alone misses a link).
// - A checkout run from the repository (`node bin/sigra.js`, `npm run demo`) runs src/, so it is
//   never stale, but only when this Node strips types: process.features.typescript where Node has
//   it, else Node >= 22.18 or >= 23.6. An older Node runs dist/ (`npm run build` makes it).
//
// SIGRA_DEBUG_ENTRY=1 prints the chosen entry to stderr.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = new URL('../src/cli/main.ts', import.meta.url)
const built = new URL('../dist/cli/main.js', import.meta.url)

const inNodeModules = (path) => typeof path === 'string' && path.split(/[\\/]/).includes('node_modules')
const installed = inNodeModules(process.argv[1]) || inNodeModules(fileURLToPath(import.meta.url))

function stripsTypes() {
  const feature = process.features?.typescript
  if (feature !== undefined) return Boolean(feature)
  const [major, minor] = process.versions.node.split('.').map(Number)
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
}

const entry = !installed && stripsTypes() && existsSync(source) ? source : built
if (process.env.SIGRA_DEBUG_ENTRY === '1') console.error(`sigra: running ${fileURLToPath(entry)}`)
if (entry === built && !existsSync(built)) {
  console.error(
    `sigra: ${fileURLToPath(built)} is missing. Run \`npm run build\` in ${fileURLToPath(new URL('..', import.meta.url))}` +
      (installed ? '' : ', or use Node >= 22.18, which runs the TypeScript sources'),
  )
  process.exit(1)
}
await import(entry.href)
