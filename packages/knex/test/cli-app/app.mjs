// An app as published: `import` of the built package with the Knex release beside it.
import { errors } from '@tusk/core'
import { TuskClient } from '@tusk/knex'
import knex from 'knex'

const db = knex({ client: TuskClient, connection: process.env.TUSK_TEST_URL })
try {
  const rows = await db('knex_cli_items').orderBy('id').select('label', 'qty')
  let streamed = 0
  for await (const _ of db('knex_cli_items').stream()) streamed++
  const dup = await db('knex_cli_items')
    .insert({ label: 'alpha' })
    .catch((e) => e)
  console.log(
    JSON.stringify({
      rows,
      streamed,
      unique: dup instanceof errors.UniqueViolation && dup.code === '23505',
      version: typeof db.client.version,
    }),
  )
} finally {
  await db.destroy()
}
