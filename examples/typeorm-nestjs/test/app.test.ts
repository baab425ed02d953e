/**
 * The books API end to end: the TypeORM CLI runs the migration through @tusk/typeorm on a
 * database of its own, then the NestJS app answers over HTTP (a transaction that creates an
 * author on first use, a relation loaded, a 404, a 409 from a UniqueViolation); and the
 * one-command start (`src/main.ts`).
 */
import 'reflect-metadata'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { promisify } from 'node:util'
import type { INestApplication } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { connect } from '@tusk/core'
import { until } from '@tusk/testkit/until'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppModule } from '../src/app.module.js'

const run = promisify(execFile)
const server = testServers()[0]!
const root = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const tsx = require.resolve('tsx/cli')
const cli = path.join(path.dirname(require.resolve('typeorm')), 'cli.js')

describe('the books API', () => {
  const database = `example_nest_${process.pid}`
  let url: string
  let app: INestApplication
  let base: string

  beforeAll(async () => {
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database}`)
    await admin.exec(`create database ${database}`)
    await admin.close()
    const u = new URL(server.url)
    u.pathname = `/${database}`
    url = u.toString()
    const env = { ...process.env, DATABASE_URL: url, NODE_NO_WARNINGS: '1' }
    const migrated = await run(
      process.execPath,
      [tsx, cli, 'migration:run', '-d', 'src/data-source.ts'],
      { cwd: root, env },
    )
    expect(migrated.stdout).toMatch(/Migration Init1733000000000 has been +executed successfully/)
    app = await NestFactory.create(AppModule.forDatabase(url), { logger: false })
    await app.listen(0, '127.0.0.1')
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1')
  })

  afterAll(async () => {
    await app?.close()
    const admin = await connect(server.url)
    await admin.exec(`drop database if exists ${database} with (force)`)
    await admin.close()
  })

  const post = (body: unknown) =>
    fetch(`${base}/books`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  it('adds books in a transaction, creating the author once, and lists them with it', async () => {
    const first = await post({ title: 'The Dispossessed', author: 'Le Guin', year: 1974 })
    expect(first.status).toBe(201)
    const second = await post({ title: 'Lavinia', author: 'Le Guin', price: '14.99' })
    expect(second.status).toBe(201)
    const books = (await (await fetch(`${base}/books`)).json()) as {
      title: string
      price: string | null
      year: number | null
      createdAt: string
      author: { id: number; name: string }
    }[]
    expect(books.map((b) => [b.title, b.author.name, b.year, b.price])).toEqual([
      ['Lavinia', 'Le Guin', null, '14.99'],
      ['The Dispossessed', 'Le Guin', 1974, null],
    ])
    expect(books[0]!.author.id).toBe(books[1]!.author.id)
    expect(Number.isNaN(Date.parse(books[0]!.createdAt))).toBe(false)
  })

  it('answers 404 for a missing book and 409 for a taken author name', async () => {
    expect((await fetch(`${base}/books/999`)).status).toBe(404)
    expect((await post({ title: 'Kindred', author: 'Butler' })).status).toBe(201)
    const books = (await (await fetch(`${base}/books`)).json()) as {
      author: { id: number; name: string }
    }[]
    const butler = books.find((b) => b.author.name === 'Butler')!.author
    const taken = await fetch(`${base}/authors/${butler.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Le Guin' }),
    })
    expect(taken.status).toBe(409)
    const renamed = await fetch(`${base}/authors/${butler.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Octavia E. Butler' }),
    })
    expect(await renamed.json()).toEqual({ id: butler.id, name: 'Octavia E. Butler' })
  })

  it('starts with one command: migrations by the CLI, then the API', async () => {
    let child: ChildProcess | undefined
    try {
      child = spawn(process.execPath, [tsx, 'src/main.ts'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: url, PORT: '0', NODE_NO_WARNINGS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
      })
      child.stderr!.on('data', (c: Buffer) => {
        out += c.toString()
      })
      await until(() => /listening on http:\/\/\S+/.test(out), {
        timeout: 60_000,
        what: 'the app listens',
      })
      const listening = /listening on (http:\/\/\S+)/.exec(out)![1]!
      // Already migrated by the first test's CLI run: nothing left to run.
      expect(out).toMatch(/No migrations are pending/)
      const res = await fetch(`${listening.replace('[::1]', '127.0.0.1')}/books`)
      expect(res.status).toBe(200)
      expect(((await res.json()) as unknown[]).length).toBe(3)
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      child.kill('SIGINT')
      await exited
      expect(out).toMatch(/stopped/)
    } finally {
      if (child && child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
