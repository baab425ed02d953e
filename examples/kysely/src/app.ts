/**
 * The HTTP service: a to-do list over Kysely and TuskDialect, on node:http.
 *
 *   GET    /health            200 { ok: true }
 *   GET    /todos             the list (canceled on the server if the client goes away)
 *   GET    /todos/export      every todo as NDJSON, streamed through a server-side cursor
 *   POST   /todos {title}     201 the new todo; 409 when the title is taken
 *   PATCH  /todos/:id {done}  200 the todo; 404 when there is none
 *   DELETE /todos/:id         204; 404 when there is none
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { errors } from '@tusk/core'
import type { Kysely } from 'kysely'
import type { Database } from './schema.js'

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end()
    return
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      return body as Record<string, unknown>
    }
  } catch {}
  throw new HttpError(400, 'the body must be a JSON object')
}

function todoId(raw: string): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(404, 'no such todo')
  return id
}

/** Routes one request. */
async function route(db: Kysely<Database>, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const method = req.method ?? 'GET'
  const [, first, second] = url.pathname.split('/')

  if (method === 'GET' && first === 'health') return send(res, 200, { ok: true })
  if (first !== 'todos') throw new HttpError(404, 'not found')

  if (method === 'GET' && second === undefined) {
    // A client that hangs up cancels the query on the server (a real CancelRequest).
    const gone = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) gone.abort()
    })
    const todos = await db
      .selectFrom('todo')
      .selectAll()
      .orderBy('id')
      .execute({ signal: gone.signal, inflightQueryAbortStrategy: 'cancel query' })
    return send(res, 200, todos)
  }

  if (method === 'GET' && second === 'export') {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    for await (const todo of db.selectFrom('todo').selectAll().orderBy('id').stream(500)) {
      if (!res.write(`${JSON.stringify(todo)}\n`)) {
        await new Promise((resolve) => res.once('drain', resolve))
      }
    }
    res.end()
    return
  }

  if (method === 'POST' && second === undefined) {
    const { title } = await readJson(req)
    if (typeof title !== 'string' || title.trim() === '') {
      throw new HttpError(400, 'title must be a non-empty string')
    }
    try {
      const todo = await db
        .insertInto('todo')
        .values({ title: title.trim() })
        .returningAll()
        .executeTakeFirstOrThrow()
      return send(res, 201, todo)
    } catch (err) {
      if (err instanceof errors.UniqueViolation) {
        throw new HttpError(409, `a todo titled "${title.trim()}" exists`)
      }
      throw err
    }
  }

  if (method === 'PATCH' && second !== undefined) {
    const { done } = await readJson(req)
    if (typeof done !== 'boolean') throw new HttpError(400, 'done must be a boolean')
    const todo = await db
      .updateTable('todo')
      .set({ done })
      .where('id', '=', todoId(second))
      .returningAll()
      .executeTakeFirst()
    if (!todo) throw new HttpError(404, 'no such todo')
    return send(res, 200, todo)
  }

  if (method === 'DELETE' && second !== undefined) {
    const result = await db.deleteFrom('todo').where('id', '=', todoId(second)).executeTakeFirst()
    if (result.numDeletedRows === 0n) throw new HttpError(404, 'no such todo')
    return send(res, 204)
  }

  throw new HttpError(405, 'method not allowed')
}

/** An HTTP server for the service (not listening yet). */
export function createApp(db: Kysely<Database>): Server {
  return createServer((req, res) => {
    route(db, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy(err instanceof Error ? err : undefined)
        return
      }
      if (err instanceof HttpError) send(res, err.status, { error: err.message })
      else {
        console.error(err)
        send(res, 500, { error: 'internal error' })
      }
    })
  })
}
