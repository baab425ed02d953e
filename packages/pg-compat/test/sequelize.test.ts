/**
 * Sequelize 6 (the lowest and the highest release of the line that pnpm resolves, 6.1.0 and
 * 6.37.8) with `dialectModule: require('@tusk/pg-compat')`: sync, CRUD with Sequelize's own
 * parsers layered on ours, managed and unmanaged transactions, and a unique violation reaching
 * the app as Sequelize's UniqueConstraintError around our DatabaseError.
 */
import { createRequire } from 'node:module'
import { testServers } from '@tusk/testkit/vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDatabase } from './orm-database.js'

const require = createRequire(import.meta.url)
const driver = require('@tusk/pg-compat') as typeof import('@tusk/pg-compat')
type SequelizeModule = typeof import('sequelize-6.37.8')

const VERSIONS = ['6.1.0', '6.37.8'] as const

const servers = testServers()
const matrix = servers.flatMap((s) => VERSIONS.map((v) => [v, s.name, v, s] as const))

describe.each(matrix)('Sequelize %s on %s', (_v, _s, version, server) => {
  const { Sequelize, DataTypes, Op, UniqueConstraintError } = require(
    `sequelize-${version}`,
  ) as SequelizeModule
  let sequelize: InstanceType<SequelizeModule['Sequelize']>
  let drop: () => Promise<void>
  let Account: ReturnType<InstanceType<SequelizeModule['Sequelize']>['define']>

  beforeAll(async () => {
    const db = await freshDatabase(server.url, `compat_sequelize_${version.replaceAll('.', '_')}`)
    drop = db.drop
    sequelize = new Sequelize(db.url, {
      dialect: 'postgres',
      dialectModule: driver,
      logging: false,
      pool: { max: 3 },
    })
    Account = sequelize.define(
      'Account',
      {
        owner: { type: DataTypes.STRING, unique: true, allowNull: false },
        balance: { type: DataTypes.DECIMAL(12, 2), allowNull: false },
        tags: { type: DataTypes.ARRAY(DataTypes.TEXT), defaultValue: [] },
        meta: { type: DataTypes.JSONB },
        visits: { type: DataTypes.BIGINT, defaultValue: 0 },
      },
      { tableName: 'accounts' },
    )
    await sequelize.sync({ force: true })
  })

  afterAll(async () => {
    await sequelize?.close()
    await drop?.()
  })

  it('learns the server version from client.connection’s parameterStatus events', () => {
    const options = (sequelize as unknown as { options: { databaseVersion?: unknown } }).options
    const learned = String(options.databaseVersion)
    expect(learned.split('.')[0]).toBe(String(server.major))
  })

  it('creates, reads, updates and deletes', async () => {
    const alice = await Account.create({
      owner: 'alice',
      balance: '10.50',
      tags: ['a', 'b'],
      meta: { tier: 'gold' },
    })
    expect(alice.get('id')).toBe(1)
    const found = await Account.findByPk(1)
    expect(found?.get({ plain: true })).toMatchObject({
      owner: 'alice',
      balance: '10.50',
      tags: ['a', 'b'],
      meta: { tier: 'gold' },
      visits: '0',
    })
    expect(found?.get('createdAt')).toBeInstanceOf(Date)
    await Account.update({ balance: '12.00', tags: [] }, { where: { id: 1 } })
    expect((await Account.findByPk(1))?.get({ plain: true })).toMatchObject({
      balance: '12.00',
      tags: [],
    })
    await Account.create({ owner: 'bob', balance: '1.00' })
    expect(await Account.count()).toBe(2)
    const rich = await Account.findAll({
      where: { balance: { [Op.gt]: 5 } },
      order: [['id', 'ASC']],
    })
    expect(rich.map((a) => a.get('owner'))).toEqual(['alice'])
    await Account.destroy({ where: { owner: 'bob' } })
    expect(await Account.count()).toBe(1)
  })

  it('commits a managed transaction, and rolls one back on a throw', async () => {
    await sequelize.transaction(async (transaction) => {
      await Account.create({ owner: 'carol', balance: '5.00' }, { transaction })
      await Account.increment({ balance: 1 }, { where: { owner: 'carol' }, transaction })
    })
    expect((await Account.findOne({ where: { owner: 'carol' } }))?.get('balance')).toBe('6.00')
    await expect(
      sequelize.transaction(async (transaction) => {
        await Account.create({ owner: 'dave', balance: '1.00' }, { transaction })
        throw new Error('changed my mind')
      }),
    ).rejects.toThrow('changed my mind')
    expect(await Account.findOne({ where: { owner: 'dave' } })).toBeNull()
    const t = await sequelize.transaction()
    await Account.create({ owner: 'erin', balance: '2.00' }, { transaction: t })
    await t.rollback()
    expect(await Account.findOne({ where: { owner: 'erin' } })).toBeNull()
  })

  it('reports a unique violation as UniqueConstraintError around our DatabaseError', async () => {
    await Account.create({ owner: 'frank', balance: '0.00' })
    const err = await Account.create({ owner: 'frank', balance: '0.00' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UniqueConstraintError)
    const parent = (err as { parent: unknown }).parent
    expect(parent).toBeInstanceOf(driver.DatabaseError)
    expect(parent).toMatchObject({ code: '23505', constraint: 'accounts_owner_key' })
  })
})
