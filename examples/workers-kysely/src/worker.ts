/**
 * A Cloudflare Worker serving queries through Kysely and TuskDialect. `@tusk/core` resolves to its
 * Workers bundle through the `workerd` export condition (wrangler and the test's bundler ask for
 * it): sockets from `cloudflare:sockets`, SCRAM over WebCrypto, no `nodejs_compat` needed.
 *
 *   GET /products?maxPrice=10   products under a price, cheapest first
 *   GET /health                 the server's version
 *
 * One pool of one connection per request, ended after the response (a Worker's sockets belong
 * to the request that opened them); with a Hyperdrive binding, Hyperdrive pools across requests.
 */
import { errors } from '@tusk/core'
import { TuskDialect } from '@tusk/kysely-dialect'
import { Kysely, sql } from 'kysely'

/** The tables this Worker reads. */
export interface Database {
  product: { id: number; name: string; price: string }
}

/** The Worker's bindings: a Hyperdrive binding, or a plain URL (a secret, or .dev.vars locally). */
export interface Env {
  HYPERDRIVE?: { connectionString: string }
  DATABASE_URL?: string
}

/** The part of the Workers `ExecutionContext` used here. */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

async function route(db: Kysely<Database>, url: URL): Promise<Response> {
  if (url.pathname === '/health') {
    const { rows } = await sql<{ version: string }>`select version() as version`.execute(db)
    return json({ ok: true, version: rows[0]?.version })
  }
  if (url.pathname === '/products') {
    const maxPrice = url.searchParams.get('maxPrice')
    let query = db.selectFrom('product').select(['id', 'name', 'price']).orderBy('price')
    if (maxPrice !== null) {
      if (!/^\d+(\.\d+)?$/.test(maxPrice)) return json({ error: 'maxPrice must be a number' }, 400)
      query = query.where('price', '<=', maxPrice)
    }
    return json(await query.execute())
  }
  return json({ error: 'not found' }, 404)
}

export default {
  async fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response> {
    const conninfo = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL
    if (conninfo === undefined) return json({ error: 'no HYPERDRIVE or DATABASE_URL binding' }, 500)
    const db = new Kysely<Database>({
      dialect: new TuskDialect({ conninfo, poolOptions: { max: 1 } }),
    })
    try {
      return await route(db, new URL(request.url))
    } catch (err) {
      // The error taxonomy works as on Node: a missing table is a ProgrammingError subclass.
      const status = err instanceof errors.UndefinedTable ? 503 : 500
      return json({ error: err instanceof Error ? err.message : String(err) }, status)
    } finally {
      // Close the connection once the response is on its way, within this request.
      ctx.waitUntil(db.destroy())
    }
  },
}
