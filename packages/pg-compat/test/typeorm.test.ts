/**
 * TypeORM (the lowest and the highest release of its current line) with
 * `driver: require('@tusk/pg-compat')`: the data source builds its pool from our module, then
 * schema sync, CRUD with pg's value mapping, transactions that commit and roll back, and a
 * unique violation reaching the app as TypeORM's QueryFailedError around our DatabaseError.
 */
import 'reflect-metadata'
import { createRequire } from 'node:module'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase } from './orm-database.js'

const require = createRequire(import.meta.url)
const driver = require('@tusk/pg-compat') as typeof import('@tusk/pg-compat')
type TypeOrm = typeof import('typeorm-1.1.3')

const VERSIONS = ['1.0.0', '1.1.3'] as const

interface Account {
  id: number
  owner: string
  balance: string
  tags: string[]
  meta: { tier: string } | null
  createdAt: Date
}

const servers = testServers()
const matrix = servers.flatMap((s) => VERSIONS.map((v) => [v, s.name, v, s] as const))

describe.each(matrix)('TypeORM %s on %s', (_v, _s, version, server) => {
  const typeorm = require(`typeorm-${version}`) as TypeOrm
  const AccountSchema = new typeorm.EntitySchema<Account>({
    name: 'Account',
    tableName: 'accounts',
    columns: {
      id: { type: Number, primary: true, generated: true },
      owner: { type: String, unique: true },
      balance: { type: 'numeric', precision: 12, scale: 2 },
      tags: { type: 'text', array: true, default: () => `'{}'` },
      meta: { type: 'jsonb', nullable: true },
      createdAt: { type: 'timestamptz', createDate: true },
    },
  })
  let ds: InstanceType<TypeOrm['DataSource']>
  let drop: () => Promise<void>

  beforeAll(async () => {
    const db = await freshDatabase(server.url, `compat_typeorm_${version.replaceAll('.', '_')}`)
    drop = db.drop
    ds = new typeorm.DataSource({
      type: 'postgres',
      url: db.url,
      driver,
      entities: [AccountSchema],
      synchronize: true,
      poolSize: 3,
    })
    await ds.initialize()
  })

  afterAll(async () => {
    await ds?.destroy()
    await drop?.()
  })

  it('builds its pool from the module it was given', () => {
    const d = ds.driver as unknown as { postgres: unknown; master: unknown }
    expect(d.postgres).toBe(driver)
    expect(d.master).toBeInstanceOf(driver.Pool)
  })

  it('creates, reads, updates and deletes, with pg’s value mapping', async () => {
    const repo = ds.getRepository(AccountSchema)
    const saved = await repo.save({
      owner: 'alice',
      balance: '10.50',
      tags: ['a', 'b'],
      meta: { tier: 'gold' },
    })
    expect(saved.id).toBe(1)
    const found = await repo.findOneByOrFail({ owner: 'alice' })
    expect(found).toMatchObject({
      owner: 'alice',
      balance: '10.50',
      tags: ['a', 'b'],
      meta: { tier: 'gold' },
    })
    expect(found.createdAt).toBeInstanceOf(Date)
    await repo.update({ id: found.id }, { balance: '12.00', tags: [] })
    expect(await repo.findOneByOrFail({ id: found.id })).toMatchObject({
      balance: '12.00',
      tags: [],
    })
    await repo.save({ owner: 'bob', balance: '1.00', meta: null })
    expect(await repo.count()).toBe(2)
    const rich = await repo.find({
      where: { balance: typeorm.MoreThan('5') },
      order: { id: 'ASC' },
    })
    expect(rich.map((a) => a.owner)).toEqual(['alice'])
    await repo.delete({ owner: 'bob' })
    expect(await repo.count()).toBe(1)
  })

  it('commits a transaction, and rolls one back on a throw', async () => {
    const repo = ds.getRepository(AccountSchema)
    await ds.transaction(async (m) => {
      await m.save(AccountSchema, { owner: 'carol', balance: '5.00' })
      await m.increment(AccountSchema, { owner: 'carol' }, 'balance', 1)
    })
    expect((await repo.findOneByOrFail({ owner: 'carol' })).balance).toBe('6.00')
    await expect(
      ds.transaction(async (m) => {
        await m.save(AccountSchema, { owner: 'dave', balance: '1.00' })
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await repo.findOneBy({ owner: 'dave' })).toBeNull()
    const runner = ds.createQueryRunner()
    await runner.connect()
    await runner.startTransaction('SERIALIZABLE')
    await runner.manager.save(AccountSchema, { owner: 'erin', balance: '2.00' })
    await runner.rollbackTransaction()
    await runner.release()
    expect(await repo.findOneBy({ owner: 'erin' })).toBeNull()
  })

  it('reports a unique violation as QueryFailedError around our DatabaseError', async () => {
    const repo = ds.getRepository(AccountSchema)
    await repo.save({ owner: 'frank', balance: '0.00' })
    const err = await repo.insert({ owner: 'frank', balance: '0.00' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(typeorm.QueryFailedError)
    const cause = (err as { driverError: unknown }).driverError
    expect(cause).toBeInstanceOf(driver.DatabaseError)
    expect(cause).toMatchObject({ code: '23505', constraint: expect.stringMatching(/^UQ_/) })
  })
})
