/**
 * The starter end to end: drizzle-kit finds the committed migrations current with the schema; the
 * one command (`server.ts`) builds the app with `next build`, migrates and seeds a database of its
 * own and serves it, and the pages, route handlers and typed errors answer over HTTP with rows
 * from the database; then the same command again on an embedded PostgreSQL of its own, reusing
 * the build.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const server = testServers()[0]!
const root = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const tsx = require.resolve('tsx/cli')
// drizzle-kit exports no package.json: its bin, as `pnpm generate` runs it.
const drizzleKit = path.join(root, 'node_modules', 'drizzle-kit', 'bin.cjs')

/** `server.ts` as a child process, its output collected. */
class App {
  readonly process: ChildProcess
  readonly exited: Promise<number | null>
  output = ''

  constructor(env: NodeJS.ProcessEnv) {
    this.process = spawn(process.execPath, [tsx, 'server.ts'], {
      cwd: root,
      env: { ...env, PORT: '0', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      stream.on('data', (chunk: Buffer) => {
        this.output += chunk.toString()
      })
    }
    this.exited = new Promise((resolve) => this.process.on('exit', resolve))
  }

  /** The base URL once the app listens; throws with the output when it exits or takes too long. */
  async listening(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const port = /listening on http:\/\/localhost:(\d+)/.exec(this.output)?.[1]
      if (port !== undefined) return `http://127.0.0.1:${port}`
      if (Date.now() > deadline || this.process.exitCode !== null) {
        throw new Error(`the app did not start:\n${this.output}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.process.exitCode === null) this.process.kill('SIGTERM')
    return this.exited
  }
}

/** The env of a child: this process's, in production mode (vitest sets `test`), no DATABASE_URL. */
function childEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _runnerDatabase, ...env } = process.env
  return { ...env, NODE_ENV: 'production' }
}

/** A page's HTML with React's text separators (`<!-- -->`) taken out. */
async function page(url: string): Promise<{ status: number; html: string }> {
  const res = await fetch(url)
  return { status: res.status, html: (await res.text()).replaceAll('<!-- -->', '') }
}

/** The titles of the list's items and the `?after=` of its next-page link. */
function list(html: string): { ids: number[]; titles: string[]; next: string | undefined } {
  const items = /<ol data-testid="books">(.*?)<\/ol>/s.exec(html)?.[1] ?? ''
  const links = [...items.matchAll(/<a href="\/books\/(\d+)">([^<]*)<\/a>/g)]
  return {
    ids: links.map((m) => Number(m[1])),
    titles: links.map((m) => m[2]!),
    next: /<a [^>]*\bhref="\/\?after=(\d+)"[^>]*>Next page<\/a>/.exec(html)?.[1],
  }
}

describe('drizzle-kit', () => {
  it('finds the committed migrations current with the schema', async () => {
    const { stdout } = await run(process.execPath, [drizzleKit, 'generate'], {
      cwd: root,
      env: { ...childEnv(), NODE_NO_WARNINGS: '1' },
    })
    expect(stdout).toContain('No schema changes, nothing to migrate')
  })
})

describe('the app, started by the one command', () => {
  const database = `example_nextjs_${process.pid}`
  let url: string
  let app: App
  let base: string

  beforeAll(async () => {
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const u = new URL(server.url)
    u.pathname = `/${database}`
    url = u.toString()
    // A fresh checkout has no build: the command must make one.
    await rm(path.join(root, '.next'), { recursive: true, force: true })
    app = new App({ ...childEnv(), DATABASE_URL: url })
    base = await app.listening(200_000)
  })

  afterAll(async () => {
    await app?.stop()
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database} with (force)`)
    await admin.close()
  })

  it('builds the app, applies both migrations and seeds the database', async () => {
    expect(app.output).toContain('building the app (next build)')
    expect(app.output).toContain('migrations: 2 applied')
    expect(app.output).toContain('seed: 25 books inserted')
    const db = await connect(url)
    try {
      const index = await db.query(
        `select indexname from pg_indexes where tablename = 'books' and indexname = 'books_author_id_idx'`,
      )
      expect(index.rowCount).toBe(1)
      expect((await db.queryOne<{ n: number }>('select count(*)::int as n from books'))?.n).toBe(25)
    } finally {
      await db.close()
    }
  })

  it('renders the list from the database, ten books a page', async () => {
    const first = await page(`${base}/`)
    expect(first.status).toBe(200)
    expect(first.html).toContain('25 books in the database')
    const one = list(first.html)
    expect(one.ids).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(one.titles.slice(0, 2)).toEqual(['Sense and Sensibility', 'Pride and Prejudice'])
    expect(first.html).toContain('Frankenstein</a> by Mary Shelley (1818)')
    expect(one.next).toBe('10')

    const two = list((await page(`${base}/?after=${one.next}`)).html)
    expect(two.ids).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    expect(two.next).toBe('20')
    const three = list((await page(`${base}/?after=${two.next}`)).html)
    expect(three.titles).toEqual([
      'Daniel Deronda',
      'War and Peace',
      'Anna Karenina',
      'The Death of Ivan Ilyich',
      'Resurrection',
    ])
    expect(three.next).toBeUndefined()
  })

  it("renders a book with its author's other books, and a 404 for a missing one", async () => {
    const typee = await page(`${base}/books/14`)
    expect(typee.status).toBe(200)
    expect(typee.html).toContain('<h1>Typee</h1>')
    expect(typee.html).toContain('by Herman Melville, 1846')
    expect(typee.html).toContain('<h2>Also by Herman Melville</h2>')
    expect(typee.html).toContain('<a href="/books/15">Moby-Dick</a>')
    expect((await page(`${base}/books/999`)).status).toBe(404)
    expect((await page(`${base}/books/abc`)).status).toBe(404)
  })

  it('serves a page of books as JSON', async () => {
    const res = await fetch(`${base}/api/books?after=20&limit=3`)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(await res.json()).toEqual({
      books: [
        {
          id: 21,
          isbn: '978-0-00-000021-0',
          title: 'Daniel Deronda',
          year: 1876,
          author: 'George Eliot',
        },
        {
          id: 22,
          isbn: '978-0-00-000022-0',
          title: 'War and Peace',
          year: 1869,
          author: 'Leo Tolstoy',
        },
        {
          id: 23,
          isbn: '978-0-00-000023-0',
          title: 'Anna Karenina',
          year: 1878,
          author: 'Leo Tolstoy',
        },
      ],
      next: 23,
    })
    const last = (await (await fetch(`${base}/api/books?after=23`)).json()) as {
      books: { id: number }[]
      next: number | null
    }
    expect(last.books.map((b) => b.id)).toEqual([24, 25])
    expect(last.next).toBeNull()
  })

  it("adds a book, and answers a constraint's violation with its SQLSTATE", async () => {
    const post = (body: unknown) =>
      fetch(`${base}/api/books`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const created = await post({ isbn: '978-0-00-000026-0', title: 'Romola', authorId: 5 })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({
      id: 26,
      title: 'Romola',
      authorId: 5,
      year: null,
    })
    expect((await page(`${base}/`)).html).toContain('26 books in the database')

    const taken = await post({ isbn: '978-0-00-000026-0', title: 'Again', authorId: 5 })
    expect(taken.status).toBe(409)
    expect(await taken.json()).toEqual({
      error: 'a book with ISBN 978-0-00-000026-0 exists',
      code: '23505',
      kind: 'UniqueViolation',
      constraint: 'books_isbn_unique',
    })
    const orphan = await post({ isbn: '978-0-00-999999-9', title: 'Nobody', authorId: 99 })
    expect(orphan.status).toBe(422)
    expect(await orphan.json()).toMatchObject({
      code: '23503',
      kind: 'ForeignKeyViolation',
      constraint: 'books_author_id_authors_id_fk',
    })
    const huge = await post({ isbn: '978-0-00-999999-8', title: 'Far', authorId: 1, year: 40000 })
    expect(huge.status).toBe(400)
    expect(await huge.json()).toMatchObject({ code: '22003', kind: 'NumericValueOutOfRange' })
    expect((await post({ title: 'No ISBN' })).status).toBe(400)
  })

  it('streams every book as NDJSON from a cursor', async () => {
    const db = await connect(url)
    try {
      await db.query(
        `insert into books (isbn, title, author_id)
         select 'bulk-' || n, 'Bulk ' || n, 1 + n % 6 from generate_series(1, 3000) as n`,
      )
    } finally {
      await db.close()
    }
    const res = await fetch(`${base}/api/books/export`)
    expect(res.headers.get('content-type')).toBe('application/x-ndjson')
    const rows = (await res.text())
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: number; title: string })
    expect(rows).toHaveLength(26 + 3000)
    expect(rows[0]).toEqual({
      id: 1,
      isbn: '978-0-00-000001-0',
      title: 'Sense and Sensibility',
      year: 1811,
      author: 'Jane Austen',
    })
    expect(rows.at(-1)?.title).toBe('Bulk 3000')
    expect(rows.every((row, i) => i === 0 || row.id > rows[i - 1]!.id)).toBe(true)
  })

  it('reports the database in its health check', async () => {
    const health = (await (await fetch(`${base}/api/health`)).json()) as {
      ok: boolean
      server: string
      pool: { max: number }
    }
    expect(health.ok).toBe(true)
    expect(health.server).toMatch(/^\d+\.\d+/)
    expect(health.pool.max).toBe(10)
  })

  it('stops on SIGTERM', async () => {
    expect(await app.stop()).toBe(0)
    expect(app.output).toContain('stopped')
  })
})

describe('the one command on an embedded PostgreSQL of its own', () => {
  let app: App | undefined
  afterAll(async () => {
    await app?.stop()
  })

  it('reuses the current build, starts PostgreSQL and serves the seeded list', async () => {
    app = new App(childEnv())
    const base = await app.listening(90_000)
    expect(app.output).not.toContain('building the app')
    expect(app.output).toMatch(/PostgreSQL \d+\.\d+ \(embedded\)/)
    const first = list((await page(`${base}/`)).html)
    expect(first.titles[0]).toBe('Sense and Sensibility')
    expect(first.next).toBe('10')
    expect(await app.stop()).toBe(0)
    expect(app.output).toContain('stopped')
  })
})
