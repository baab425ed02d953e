/**
 * The JSON API: a product catalogue over Knex and TuskClient, on Express.
 *
 *   GET    /health                 200 { ok: true }
 *   GET    /products               the list (?q= filters by name)
 *   GET    /products/export.csv    every product as CSV, streamed through a server-side cursor
 *   GET    /products/:id           200 the product; 404 when there is none
 *   POST   /products {sku,name,price,stock}  201 the new product; 409 when the SKU is taken
 *   PATCH  /products/:id {stock}   200 the product; 404 when there is none
 *   DELETE /products/:id           204; 404 when there is none
 */
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { errors } from '@tusk/core'
import express, { type NextFunction, type Request, type Response } from 'express'
import type { Knex } from 'knex'
import { csvLine } from './csv.js'

const COLUMNS = ['id', 'sku', 'name', 'price', 'stock', 'created_at'] as const

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

function productId(raw: string | string[] | undefined): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1) throw new HttpError(404, 'no such product')
  return id
}

/** The Express app over `db`. */
export function createApp(db: Knex): express.Express {
  const app = express()
  app.use(express.json())

  app.get('/health', (_req, res) => {
    res.json({ ok: true })
  })

  app.get('/products', async (req, res) => {
    const query = db('products').select(COLUMNS).orderBy('id')
    if (typeof req.query.q === 'string') query.whereILike('name', `%${req.query.q}%`)
    res.json(await query)
  })

  app.get('/products/export.csv', async (_req, res) => {
    res.type('text/csv').attachment('products.csv')
    res.write(csvLine(COLUMNS))
    // A cursor feeds the response at the pace the client reads it: memory stays flat whatever
    // the table's size, and a client that hangs up closes the cursor.
    await pipeline(
      db('products').select(COLUMNS).orderBy('id').stream({ batchSize: 500 }),
      new Transform({
        writableObjectMode: true,
        transform(row: Record<string, unknown>, _encoding, done) {
          done(null, csvLine(COLUMNS.map((c) => row[c])))
        },
      }),
      res,
    )
  })

  app.get('/products/:id', async (req, res) => {
    const product = await db('products')
      .select(COLUMNS)
      .where({ id: productId(req.params.id) })
      .first()
    if (product === undefined) throw new HttpError(404, 'no such product')
    res.json(product)
  })

  app.post('/products', async (req, res) => {
    const { sku, name, price, stock = 0 } = (req.body ?? {}) as Record<string, unknown>
    if (typeof sku !== 'string' || typeof name !== 'string' || typeof price !== 'string') {
      throw new HttpError(400, 'sku, name and price (a decimal string) are required')
    }
    try {
      const [product] = await db('products').insert({ sku, name, price, stock }).returning(COLUMNS)
      res.status(201).json(product)
    } catch (err) {
      // pg's `err.code === '23505'` works too; the class says the same thing, typed.
      if (err instanceof errors.UniqueViolation) throw new HttpError(409, `SKU ${sku} exists`)
      if (err instanceof errors.DataError) throw new HttpError(400, 'a value is out of range')
      throw err
    }
  })

  app.patch('/products/:id', async (req, res) => {
    const { stock } = (req.body ?? {}) as Record<string, unknown>
    if (!Number.isSafeInteger(stock)) throw new HttpError(400, 'stock must be an integer')
    const [product] = await db('products')
      .where({ id: productId(req.params.id) })
      .update({ stock })
      .returning(COLUMNS)
    if (product === undefined) throw new HttpError(404, 'no such product')
    res.json(product)
  })

  app.delete('/products/:id', async (req, res) => {
    const deleted = await db('products')
      .where({ id: productId(req.params.id) })
      .del()
    if (deleted === 0) throw new HttpError(404, 'no such product')
    res.status(204).end()
  })

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    if (err instanceof HttpError) res.status(err.status).json({ error: err.message })
    else if ((err as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: 'the body must be JSON' })
    } else {
      console.error(err)
      res.status(500).json({ error: 'internal error' })
    }
  })
  return app
}
