// The quickstart tour: starts a throwaway PostgreSQL through the testkit and shows what it is.
import { startPostgres } from '@tusk/testkit'

const server = await startPostgres()
try {
  console.log(`PostgreSQL ${server.version} (${server.source}) is listening on ${server.host}:${server.port}`)
} finally {
  await server.stop()
}
