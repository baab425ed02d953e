/**
 * A vitest reporter that prints the conformance matrix at the end of a run: one line per adapter
 * × server, with the cases passed, failed and skipped. Add it next to the default reporter.
 */
import type { Reporter, TestModule } from 'vitest/node'

const PREFIX = 'conformance:'

interface Cell {
  passed: number
  failed: number
  skipped: number
  /** Cases the stock driver is known to fail (run as expected failures). */
  known: number
}

/** The title mark of a case the stock driver is known to fail (see cases-v2.ts). */
const KNOWN_FAILURE_MARK = '[stock driver fails: '

/** Prints `adapter × PostgreSQL version: n passed, n failed, n skipped` for every run. */
export default class ConformanceMatrixReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const cells = new Map<string, Cell>()
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        let suite = test.parent
        while (suite.type === 'suite' && !suite.name.startsWith(PREFIX)) suite = suite.parent
        if (suite.type !== 'suite') continue
        const key = suite.name.slice(PREFIX.length).trim()
        const cell = cells.get(key) ?? { passed: 0, failed: 0, skipped: 0, known: 0 }
        const state = test.result().state
        if (state === 'passed' && test.name.includes(KNOWN_FAILURE_MARK)) cell.known++
        else if (state === 'passed') cell.passed++
        else if (state === 'failed') cell.failed++
        else cell.skipped++
        cells.set(key, cell)
      }
    }
    if (cells.size === 0) return
    const width = Math.max(...[...cells.keys()].map((k) => k.length))
    const lines = [...cells.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, c]) => {
        const verdict = c.failed > 0 ? 'FAIL' : c.passed + c.known > 0 ? 'pass' : 'skip'
        const known = c.known > 0 ? `, ${c.known} known to fail on the stock driver` : ''
        return `  ${verdict}  ${key.padEnd(width)}  ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped${known}`
      })
    console.log(`\nConformance matrix (adapter (ORM) × server):\n${lines.join('\n')}\n`)
  }
}
