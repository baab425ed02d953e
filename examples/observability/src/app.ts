/**
 * The orders service: a plain node:http server on a Tusk pool.
 *
 * - `GET /healthz`: the pool's readiness probe (`pool.health()`), 200 or 503, for an orchestrator.
 * - `POST /orders` with `{ "item": "…", "qty": n, "note": "…" }`: one transaction that takes the
 *   stock and records the order (409 when the stock is short, from a CheckViolation).
 * - `GET /orders`: every order as JSON lines, read through a cursor in batches.
 * - `GET /report`: a slow statement, to show the slow-query log.
 *
 * Each request runs in its own span; the driver's spans become its children.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { SpanStatusCode, trace } from '@opentelemetry/api'
import { errors, type Pool } from '@tusk/core'

/** The schema the service needs (idempotent). */
export const SCHEMA = `
create table if not exists stock (item text primary key, qty int not null check (qty >= 0));
create table if not exists orders (
  id bigint generated always as identity primary key,
  item text not null references stock,
  qty int not null,
  note text
);
insert into stock values ('tea', 100), ('coffee', 5) on conflict do nothing;
`

async function body(req: IncomingMessage): Promise<unknown> {
  let text = ''
  for await (const chunk of req) text += chunk
  return text === '' ? {} : JSON.parse(text)
}

/** JSON with bigint ids (PostgreSQL's bigint) as strings. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v))
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const text = stringify(value)
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(text)
}

/** The service's routes on `pool`. */
export function createApp(pool: Pool): Server {
  const tracer = trace.getTracer('orders-service')
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'GET /healthz': async (_req, res) => {
      const health = await pool.health({ timeout: 500 })
      json(res, health.ok ? 200 : 503, {
        ok: health.ok,
        roundTripMs: health.roundTripMs,
        error: health.error?.name,
        stats: health.stats,
      })
    },
    'POST /orders': async (req, res) => {
      const { item, qty, note } = (await body(req)) as { item: string; qty: number; note?: string }
      try {
        const order = await pool.transaction(async (tx) => {
          await tx.query('update stock set qty = qty - $1 where item = $2', [qty, item])
          return tx.queryOne<{ id: string }>(
            'insert into orders (item, qty, note) values ($1, $2, $3) returning id',
            [item, qty, note ?? null],
          )
        })
        json(res, 201, order)
      } catch (err) {
        if (err instanceof errors.CheckViolation) json(res, 409, { error: 'not enough stock' })
        else throw err
      }
    },
    'GET /orders': async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      const cursor = pool.cursor('select id, item, qty from orders order by id', [], {
        batchSize: 100,
      })
      for await (const batch of cursor) {
        for (const row of batch) res.write(`${stringify(row)}\n`)
      }
      res.end()
    },
    'GET /report': async (_req, res) => {
      const row = await pool.queryOne<{ orders: number }>(
        'select count(*)::int as orders, pg_sleep(0.15) from orders',
      )
      json(res, 200, { orders: row?.orders })
    },
  }
  return createServer((req, res) => {
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`
    const handler = routes[route]
    if (handler === undefined) {
      json(res, 404, { error: 'not found' })
      return
    }
    void tracer.startActiveSpan(route, async (span) => {
      try {
        await handler(req, res)
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).name })
        if (!res.headersSent) json(res, 500, { error: (err as Error).name })
        else res.destroy()
      } finally {
        span.setAttribute('http.response.status_code', res.statusCode)
        span.end()
      }
    })
  })
}
