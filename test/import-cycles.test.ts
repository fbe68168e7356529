import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { findImportCycles, importGraph, importSpecifiers } from '../scripts/check-import-cycles.ts'

const SRC = path.join(import.meta.dirname, '..', 'src')

test('src/ has no import cycles', () => {
  const cycles = findImportCycles(SRC)
  assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.map((c) => `  ${c.join(' -> ')}`).join('\n')}`)
})

describe('the import-cycle checker', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sigra-cycles-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text)

  // a -> b -> a (type-only) is the one real cycle. a -> c -> d has no way back: the template
  // literal, the comment and the dynamic import that mention a.ts must not count as edges.
  write('a.ts', "import { b } from './b.ts'\nimport { page } from './c.ts'\nexport const a = b + page\n")
  write('b.ts', "import type { A } from './a.ts'\nexport const b = 'b'\nexport type B = A\n")
  write(
    'c.ts',
    [
      'import {',
      '  d,',
      '  type D, // not from here',
      "} from './d.ts'",
      "import { readFileSync } from 'node:fs'",
      'export const page = `',
      "import x from './a.ts'",
      '<p>${d}</p>',
      '`',
      "// import y from './a.ts'",
      'export type C = D',
      'export const read = readFileSync',
      '',
    ].join('\n'),
  )
  write('d.ts', "export const d = 'd'\nexport type D = string\nexport const later = () => import('./a.ts')\n")

  test('finds a cycle made with import type', () => {
    assert.deepEqual(findImportCycles(dir), [['a.ts', 'b.ts', 'a.ts']])
  })

  test('reads multi-line import lists and ignores templates, comments and dynamic imports', () => {
    assert.deepEqual(Object.fromEntries(importGraph(dir)), {
      'a.ts': ['b.ts', 'c.ts'],
      'b.ts': ['a.ts'],
      'c.ts': ['d.ts'],
      'd.ts': [],
    })
  })

  test('finds none once the edge is removed', () => {
    write('b.ts', "export const b = 'b'\n")
    assert.deepEqual(findImportCycles(dir), [])
  })
})

test('collects re-exports, side-effect and namespace imports, and packages as specifiers', () => {
  const source = [
    "import def, * as ns from './one.ts'",
    "import './two.ts'",
    "export * from './three.ts'",
    "export * as four from './four.ts'",
    "export type { Five } from './five.ts'",
    'export {',
    '  six,',
    "} from './six.ts'",
    "import pg from 'pg'",
    'const ratio = a / b / c',
    "const html = `<script type=module>import x from './no.ts'</script>`",
    "  import seven from './seven.ts'",
  ].join('\n')
  assert.deepEqual(importSpecifiers(source), ['./one.ts', './two.ts', './three.ts', './four.ts', './five.ts', './six.ts', 'pg', './seven.ts'])
})
