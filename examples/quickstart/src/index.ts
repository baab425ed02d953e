// The quickstart tour: start a throwaway PostgreSQL, connect to it with @tusk/core, look around.
import { connect, errors } from '@tusk/core'
import { startPostgres } from '@tusk/testkit'

const server = await startPostgres()
console.log(
  `started PostgreSQL ${server.version} (${server.source}) on ${server.host}:${server.port}`,
)
try {
  // A libpq-style URL; sslmode defaults to prefer, so TLS is used when the server offers it.
  const conn = await connect(server.url)
  const { tls, authMethod, protocolVersion } = conn.details
  console.log(`connected: server_version ${conn.serverVersion}, protocol ${protocolVersion}`)
  console.log(
    `  TLS: ${tls ? `${tls.protocol} (${tls.cipher})` : 'off'}; authentication: ${authMethod}`,
  )

  const [row] = await conn.simpleQuery(
    "select current_user, current_database(), current_setting('TimeZone') as tz",
  )
  console.log(`  as ${row?.rows[0]?.join(' / ')}`)

  // Errors are typed: one class per SQLSTATE, with the server's fields and a caret under the spot.
  try {
    await conn.simpleQuery('select * from no_such_table')
  } catch (err) {
    if (err instanceof errors.UndefinedTable) {
      console.log(`  ${err.name} (${err.code}): ${err.message.split('\n').join('\n    ')}`)
    } else throw err
  }
  await conn.close()
} finally {
  await server.stop()
}
