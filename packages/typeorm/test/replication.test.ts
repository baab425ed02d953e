/**
 * TypeORM's replication (`replication: { master, slaves }`) on a real primary and streaming
 * standby: one Tusk pool per host; writes, raw queries and transactions on the master; query
 * builder and repository reads outside a transaction on the replica — on the highest release of
 * each TypeORM line.
 */
import 'reflect-metadata'
import { type Lab, type LabNode, startLab } from '@tusk/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataSourceOptions } from '../src/index.js'
import { TYPEORM_RELEASES } from './typeorm-versions.js'

let lab: Lab

beforeAll(async () => {
  lab = await startLab()
  await lab.nodes[0].sql('CREATE TABLE repl_items (id int PRIMARY KEY, label text NOT NULL)')
  await lab.waitForReplay(lab.nodes[0], lab.nodes[1])
}, 90_000)

afterAll(async () => {
  await lab?.stop()
})

function url(node: LabNode): string {
  const u = new URL(`postgres://${node.host}:${node.port}/${lab.database}`)
  u.username = lab.user
  u.password = lab.password
  return u.toString()
}

const highest = ['0.3.31', '1.1.3']

describe.each(
  TYPEORM_RELEASES.filter((r) => highest.includes(r.version)).map((r) => [r.version, r] as const),
)('typeorm %s replication', (version, release) => {
  const typeorm = release.load()
  const Item = new typeorm.EntitySchema<{ id: number; label: string }>({
    name: `ReplItem_${version.replaceAll('.', '_')}`,
    tableName: 'repl_items',
    columns: { id: { type: 'int', primary: true }, label: { type: 'text' } },
  })

  it('sends writes, raw queries and transactions to the master, reads to the replica', async () => {
    const [primary, standby] = lab.nodes
    const ds = new typeorm.DataSource(
      dataSourceOptions({
        replication: { master: { url: url(primary) }, slaves: [{ url: url(standby) }] },
        entities: [Item],
        poolSize: 2,
      }),
    )
    await ds.initialize()
    try {
      const id = Number(version.replaceAll('.', ''))
      const repo = ds.getRepository(Item)
      await repo.save({ id, label: `from ${version}` })
      await lab.waitForReplay(primary, standby)
      // Repository and query-builder reads outside a transaction: the replica.
      const onReplica = await ds
        .getRepository(Item)
        .createQueryBuilder('i')
        .select('pg_is_in_recovery()', 'recovery')
        .addSelect('inet_server_port()', 'port')
        .where('i.id = :id', { id })
        .getRawOne<{ recovery: boolean; port: number }>()
      expect(onReplica).toEqual({ recovery: true, port: standby.port })
      expect(await repo.findOneBy({ id })).toEqual({ id, label: `from ${version}` })
      // Raw queries and transactions: the master.
      expect(await ds.query('select pg_is_in_recovery() as recovery')).toEqual([
        { recovery: false },
      ])
      await ds.transaction(async (m) => {
        const [row] = await m.query('select inet_server_port() as port')
        expect(row).toEqual({ port: primary.port })
        await m.update(Item, { id }, { label: 'updated' })
      })
      // A write through a replica's runner fails with the server's read-only error.
      const replica = ds.createQueryRunner('slave')
      try {
        const err = await replica
          .query('insert into repl_items values ($1, $2)', [id + 1, 'nope'])
          .catch((e: unknown) => e)
        expect(err).toBeInstanceOf(typeorm.QueryFailedError)
        expect((err as { code?: string }).code).toBe('25006')
      } finally {
        await replica.release()
      }
    } finally {
      await ds.destroy()
    }
  })
})
