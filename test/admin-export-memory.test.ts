import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from 'node:test'
import { backends } from './support/harness.ts'

const run = promisify(execFile)
const CHILD = fileURLToPath(new URL('./support/audit-export-child.ts', import.meta.url))

for (const backend of backends()) {
  test(`a 100,000-event CSV export streams in bounded memory [${backend}]`, async () => {
    // A 96 MB old-space heap for a ~60 MB export: buffering the file (as strings, twice over) would not fit.
    const { stdout } = await run(process.execPath, ['--conditions=source', '--expose-gc', '--max-old-space-size=96', CHILD, backend], {
      env: process.env,
      maxBuffer: 1024 * 1024,
    })
    const measured = JSON.parse(stdout.trim().split('\n').at(-1)!) as { lines: number; bytes: number; peakHeapGrowth: number }
    assert.equal(measured.lines, 100_001, 'the header and every event')
    assert.ok(measured.bytes > 50_000_000, `the export is large (${measured.bytes} bytes)`)
    // After collection, what the export holds at any moment is a batch (1,000 rows), not the file.
    assert.ok(measured.peakHeapGrowth < measured.bytes / 4, `heap grew ${measured.peakHeapGrowth} bytes for a ${measured.bytes}-byte export`)
  })
}
