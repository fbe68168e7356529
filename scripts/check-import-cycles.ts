/**
 * Finds import cycles among the `.ts` files under a directory, with no dependency beyond Node.
 *
 *   node scripts/check-import-cycles.ts [dir]     (default: src)
 *
 * Prints each cycle as `a.ts -> b.ts -> a.ts` and exits 1, or prints `no import cycles in N files`.
 *
 * Edges are the static relative imports and re-exports of each file:
 *   import ... from './x.ts'        import type ... from '../y.ts'   (type-only imports count, as in madge)
 *   export ... from './z.ts'        export * from './z.ts'           import './w.ts' (side effect)
 * Only specifiers starting with `.` are edges; packages are ignored. Dynamic `import('./x.ts')` is
 * NOT an edge: it runs later, so it cannot take part in a load-order cycle.
 *
 * Comments, template literals and regular expressions are blanked out before matching, and a
 * statement must begin a line (after optional whitespace), so an HTML template or a comment that
 * merely contains `import x from './a.ts'` is not taken for an import.
 */
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Every `.ts` file under `rootDir`, recursively, as absolute paths, sorted. Skips node_modules and dot-folders. */
export function listTsFiles(rootDir: string): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(full)
      } else if (entry.isFile() && entry.name.endsWith('.ts')) {
        files.push(full)
      }
    }
  }
  walk(path.resolve(rootDir))
  return files.sort()
}

const REGEX_PRECEDERS = new Set('(,=:[!&|?{};+-*%<>~^'.split(''))
const REGEX_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await'])

/**
 * The source with the insides of comments, template literals (including their `${}` parts) and
 * regular expression literals replaced by spaces. Newlines are kept, so line starts stay line
 * starts; ordinary '...' and "..." strings are kept, since import specifiers are such strings.
 */
export function maskNonCode(source: string): string {
  const out = source.split('')
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n') out[k] = ' '
  }
  const n = source.length
  // Brace depths at which an open template `${` expression resumes its template.
  const templateResume: number[] = []
  let depth = 0
  let prev = '' // last significant code token: a punctuation char or a word
  let i = 0

  /** Skips template text from i (just after a backtick or a closing `}`); returns true if it stopped at `${`. */
  const skipTemplate = (): boolean => {
    const start = i
    while (i < n) {
      const ch = source[i]
      if (ch === '\\') {
        i += 2
      } else if (ch === '`') {
        i++
        blank(start, i)
        return false
      } else if (ch === '$' && source[i + 1] === '{') {
        i += 2
        blank(start, i)
        return true
      } else {
        i++
      }
    }
    blank(start, i)
    return false
  }

  while (i < n) {
    const ch = source[i]!
    // Code inside a template's `${}` is still inside the template literal: blank it as it goes.
    const inTemplate = templateResume.length > 0
    const tokenStart = i
    const next = source[i + 1]
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i)
      const stop = end === -1 ? n : end
      blank(i, stop)
      i = stop
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2)
      const stop = end === -1 ? n : end + 2
      blank(i, stop)
      i = stop
    } else if (ch === "'" || ch === '"') {
      i++
      while (i < n && source[i] !== ch && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1
      i++
      prev = 'string'
    } else if (ch === '`') {
      blank(i, i + 1)
      i++
      if (skipTemplate()) {
        templateResume.push(depth)
        depth++
      }
      prev = 'string'
    } else if (ch === '{') {
      depth++
      i++
      prev = ch
    } else if (ch === '}') {
      depth--
      if (templateResume.length > 0 && templateResume.at(-1) === depth) {
        // The end of a `${}` expression: back into the template it belongs to.
        templateResume.pop()
        i++
        if (skipTemplate()) {
          templateResume.push(depth)
          depth++
        }
        prev = 'string'
      } else {
        i++
        prev = ch
      }
    } else if (ch === '/') {
      // A regular expression literal if one may start here; it never spans lines.
      let end = -1
      if (prev === '' || REGEX_PRECEDERS.has(prev) || REGEX_KEYWORDS.has(prev)) {
        let k = i + 1
        let inClass = false
        while (k < n && source[k] !== '\n') {
          const c = source[k]
          if (c === '\\') k++
          else if (c === '[') inClass = true
          else if (c === ']') inClass = false
          else if (c === '/' && !inClass) {
            end = k
            break
          }
          k++
        }
      }
      if (end === -1) {
        i++
        prev = ch
      } else {
        blank(i, end + 1)
        i = end + 1
        prev = 'regex'
      }
    } else if (/[\w$]/.test(ch)) {
      let k = i + 1
      while (k < n && /[\w$]/.test(source[k]!)) k++
      prev = source.slice(i, k)
      i = k
    } else {
      if (!/\s/.test(ch)) prev = ch
      i++
    }
    if (inTemplate) blank(tokenStart, i)
  }
  return out.join('')
}

// `import` + clause + `from '...'`. The clause holds only names, `type`, `* as x`, braces and
// commas (comments are blanked already), so the match cannot run on into other statements.
const IMPORT_FROM = /^[ \t]*import\s+([\w$\s{},*]*?)\bfrom\s*(['"])([^'"\n]+)\2/gm
// Side-effect import: `import './x.ts'`.
const IMPORT_BARE = /^[ \t]*import\s*(['"])([^'"\n]+)\1/gm
// Re-exports: `export * from`, `export * as ns from`, `export { a, b as c } from`, with optional `type`.
const EXPORT_FROM = /^[ \t]*export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[\w$\s,]*\})\s*from\s*(['"])([^'"\n]+)\1/gm

/** The static import and re-export specifiers of one module's source, in order of appearance. */
export function importSpecifiers(source: string): string[] {
  const code = maskNonCode(source)
  const found: { at: number; spec: string }[] = []
  for (const m of code.matchAll(IMPORT_FROM)) found.push({ at: m.index, spec: m[3]! })
  for (const m of code.matchAll(IMPORT_BARE)) found.push({ at: m.index, spec: m[2]! })
  for (const m of code.matchAll(EXPORT_FROM)) found.push({ at: m.index, spec: m[2]! })
  return found.sort((a, b) => a.at - b.at).map((f) => f.spec)
}

/**
 * The import graph of the `.ts` files under `rootDir`: each file (relative to the root, with `/`
 * separators) to the files it imports, sorted. Edges to files outside the scanned set are dropped.
 */
export function importGraph(rootDir: string): Map<string, string[]> {
  const root = path.resolve(rootDir)
  const files = listTsFiles(root)
  const known = new Set(files)
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/')
  const graph = new Map<string, string[]>()
  for (const file of files) {
    const targets = new Set<string>()
    for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue
      let target = path.resolve(path.dirname(file), spec)
      if (!known.has(target) && target.endsWith('.js')) target = target.slice(0, -3) + '.ts'
      if (known.has(target)) targets.add(rel(target))
    }
    graph.set(rel(file), [...targets].sort())
  }
  return graph
}

/**
 * One example cycle per strongly connected component of more than one file (Tarjan), and one per
 * file that imports itself. Each cycle starts and ends at its alphabetically first file and is a
 * shortest way round from it; the list is sorted.
 */
export function cyclesOf(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const components: string[][] = []
  let counter = 0

  const strongConnect = (v: string) => {
    index.set(v, counter)
    low.set(v, counter)
    counter++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strongConnect(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!))
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      components.push(component)
    }
  }
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strongConnect(v)

  const cycles: string[][] = []
  for (const component of components) {
    const members = new Set(component)
    const start = [...component].sort()[0]!
    if (component.length === 1) {
      if ((graph.get(start) ?? []).includes(start)) cycles.push([start, start])
      continue
    }
    // Breadth-first inside the component, from start back to start.
    const parent = new Map<string, string>()
    const queue = [start]
    let closing: string | undefined
    search: while (queue.length > 0) {
      const v = queue.shift()!
      for (const w of graph.get(v) ?? []) {
        if (!members.has(w) || (v === start && w === start)) continue
        if (w === start) {
          closing = v
          break search
        }
        if (!parent.has(w)) {
          parent.set(w, v)
          queue.push(w)
        }
      }
    }
    // Walk back from the file that closes the cycle to start, then put it in import order.
    const back: string[] = []
    for (let v = closing; v !== undefined && v !== start; v = parent.get(v)) back.push(v)
    cycles.push([start, ...back.reverse(), start])
  }
  return cycles.sort((a, b) => a.join(' -> ').localeCompare(b.join(' -> ')))
}

/** The import cycles among the `.ts` files under `rootDir`, as paths relative to it; empty if none. */
export function findImportCycles(rootDir: string): string[][] {
  return cyclesOf(importGraph(rootDir))
}

if (import.meta.main) {
  const dir = process.argv[2] ?? 'src'
  const graph = importGraph(dir)
  const cycles = cyclesOf(graph)
  if (cycles.length > 0) {
    for (const cycle of cycles) console.log(cycle.join(' -> '))
    console.error(`${cycles.length} import cycle${cycles.length === 1 ? '' : 's'} in ${dir}`)
    process.exitCode = 1
  } else {
    console.log(`no import cycles in ${graph.size} files`)
  }
}
