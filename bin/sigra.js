#!/usr/bin/env node
// An installed copy (under node_modules, where Node will not strip types) runs the compiled CLI;
// a checkout runs the TypeScript source directly (Node >= 22.18 strips types), so it is never stale.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const source = new URL('../src/cli/main.ts', import.meta.url)
const built = new URL('../dist/cli/main.js', import.meta.url)
const installed = fileURLToPath(import.meta.url).split(/[\\/]/).includes('node_modules')
const entry = !installed && existsSync(source) ? source : built
await import(entry.href)
