/**
 * The TypeORM CLI on a data source built with @tusk/typeorm, on each release tested: generate a
 * migration from the entity (as JavaScript), run it, show it, revert it, and sync the schema —
 * each command a real CLI process against a database of its own.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { connect } from '@tusk/core'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TYPEORM_RELEASES } from './typeorm-versions.js'

const run = promisify(execFile)
const server = testServers()[0]!
const dataSource = path.join(import.meta.dirname, 'cli-app', 'data-source.cjs')

describe.each(TYPEORM_RELEASES.map((r) => [r.version, r] as const))(
  'typeorm %s CLI',
  (version, release) => {
    const database = `typeorm_cli_${version.replaceAll('.', '_')}_${process.pid}`
    let dir: string
    let env: NodeJS.ProcessEnv

    beforeAll(async () => {
      const admin = await connect(server.url)
      await admin.exec(`drop database if exists ${database}`)
      await admin.exec(`create database ${database}`)
      await admin.close()
      dir = await mkdtemp(path.join(tmpdir(), 'tusk-typeorm-cli-'))
      const url = new URL(server.url)
      url.pathname = `/${database}`
      env = {
        ...process.env,
        DATABASE_URL: url.toString(),
        TUSK_TYPEORM: `typeorm-${version}`,
        TUSK_MIGRATIONS_DIR: dir,
        NODE_NO_WARNINGS: '1',
      }
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
      const admin = await connect(server.url)
      await admin.exec(`drop database if exists ${database} with (force)`)
      await admin.close()
    })

    const cli = (...args: string[]) =>
      run(process.execPath, [release.cli, ...args, '-d', dataSource], {
        cwd: import.meta.dirname,
        env,
      })
    const tables = async (): Promise<string[]> => {
      const url = env.DATABASE_URL!
      const s = await connect(url)
      try {
        const r = await s.query<{ t: string }>(
          "select tablename as t from pg_tables where schemaname = 'public' order by 1",
        )
        return r.rows.map((x) => x.t)
      } finally {
        await s.close()
      }
    }

    it('generates, runs, shows and reverts a migration, and syncs the schema', async () => {
      await cli('migration:generate', path.join(dir, 'Init'), '-o')
      const files = await readdir(dir)
      expect(files).toHaveLength(1)
      expect(files[0]).toMatch(/^\d+-Init\.js$/)

      const ran = await cli('migration:run')
      expect(ran.stdout).toMatch(/Migration Init\d+ has been +executed successfully/)
      expect(await tables()).toEqual(expect.arrayContaining(['cli_notes', 'migrations']))

      const shown = await cli('migration:show')
      expect(shown.stdout).toMatch(/\[X\].*Init\d+/)

      const reverted = await cli('migration:revert')
      expect(reverted.stdout).toMatch(/Migration Init\d+ has been +reverted successfully/)
      expect(await tables()).not.toContain('cli_notes')

      const synced = await cli('schema:sync')
      expect(synced.stdout).toMatch(/Schema synchronization finished successfully/)
      expect(await tables()).toEqual(expect.arrayContaining(['cli_notes', 'migrations']))
    })
  },
)
