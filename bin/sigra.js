#!/usr/bin/env node
// Runs the compiled CLI when the package is built (always, once installed from npm);
// from a checkout without a build, the TypeScript source directly (Node >= 22.18 strips types).
import { existsSync } from 'node:fs'

const built = new URL('../dist/cli/main.js', import.meta.url)
const entry = existsSync(built) ? built : new URL('../src/cli/main.ts', import.meta.url)
await import(entry.href)
