// The default result-size guard: a plain query whose result would not fit in the process fails
// with ResultTooLarge (pointing to cursor()) instead of the process being killed, in a child
// process with a small heap; results of ordinary size are untouched, and maxBytes: 0 turns it off.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { testServers } from '@tusk/testkit/vitest'
import { describe, expect, it } from 'vitest'

const [server] = testServers()

/** Runs `script` (ESM, may import the core by `CORE`) in a child with a `heapMb` heap. */
async function child(
  script: string,
  heapMb: number,
): Promise<{ code: number | null; out: string }> {
  const core = JSON.stringify(path.resolve(__dirname, '../../src/index.ts'))
  const proc = spawn(
    process.execPath,
    [
      `--max-old-space-size=${heapMb}`,
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      script.replaceAll('CORE', core),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString()
  })
  proc.stderr.on('data', (d: Buffer) => {
    out += d.toString()
  })
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      resolve(-1)
    }, 60_000)
    proc.on('exit', (c) => {
      clearTimeout(timer)
      resolve(c)
    })
  })
  return { code, out }
}

describe.runIf(server)('the default result-size guard', () => {
  it('fails a result larger than the process can hold with ResultTooLarge, before the process dies', async () => {
    const { code, out } = await child(
      `
      import { createPool, errors } from CORE
      const pool = createPool(${JSON.stringify(server!.url)}, { max: 1 })
      try {
        await pool.query("select g, repeat('x', 200) as pad from generate_series(1, 4000000) g")
        console.log('RESOLVED')
      } catch (e) {
        console.log('ERROR ' + JSON.stringify({
          cls: e instanceof errors.ResultTooLarge, limit: e.limit, message: e.message,
        }))
      }
      const r = await pool.query("select g, repeat('x', 200) as pad from generate_series(1, 20000) g")
      console.log('MODERATE ' + r.rows.length)
      await pool.end()
      `,
      256,
    )
    expect(code, out).toBe(0)
    const line = out.split('\n').find((l) => l.startsWith('ERROR '))
    expect(line, out).toBeDefined()
    const err = JSON.parse(line!.slice(6)) as { cls: boolean; limit: string; message: string }
    expect(err.cls).toBe(true)
    expect(err.limit).toBe('maxBytes')
    expect(err.message).toMatch(/use cursor\(\) to stream large results/)
    expect(out).toContain('MODERATE 20000')
  }, 90_000)

  it('lets maxBytes: 0 turn the default off, and a per-query maxBytes win', async () => {
    const { code, out } = await child(
      `
      import { createPool } from CORE
      const off = createPool(${JSON.stringify(server!.url)}, { max: 1, maxBytes: 0 })
      const r = await off.query("select repeat('x', 1000000) as big from generate_series(1, 60)")
      console.log('OFF ' + r.rows.length)
      const on = createPool(${JSON.stringify(server!.url)}, { max: 1 })
      const q = await on.query("select repeat('x', 1000000) as big from generate_series(1, 60)", [], { maxBytes: 0 })
      console.log('PER-QUERY ' + q.rows.length)
      await on.query("select repeat('x', 1000) as s", [], { maxBytes: 10 }).catch((e) => console.log('SMALL ' + e.limit))
      await off.end(); await on.end()
      `,
      // 60 MB of row data is past 1/8 of this heap, and still fits in it.
      256,
    )
    expect(code, out).toBe(0)
    expect(out).toContain('OFF 60')
    expect(out).toContain('PER-QUERY 60')
    expect(out).toContain('SMALL maxBytes')
  }, 90_000)
})
