'use strict'
// A small bank ledger over HTTP, written against plain `pg` and `pg-cursor`: a Pool, a
// transaction on a checked-out client, a server error mapped to an HTTP status by its SQLSTATE,
// and a CSV export read through a cursor. Nothing here knows which `pg` it runs on.
const http = require('node:http')
const pg = require('pg')
const Cursor = require('pg-cursor')

/** Creates the tables (idempotent). */
async function migrate(pool) {
  await pool.query(`
    create table if not exists accounts (
      id serial primary key,
      owner text not null unique,
      balance numeric(12, 2) not null constraint balance_not_negative check (balance >= 0)
    );
    create table if not exists transfers (
      id serial primary key,
      from_id int not null references accounts,
      to_id int not null references accounts,
      amount numeric(12, 2) not null
    )`)
}

function send(res, status, body, type = 'application/json') {
  res.writeHead(status, { 'content-type': type })
  res.end(type === 'application/json' ? JSON.stringify(body) : body)
}

async function readJson(req) {
  let text = ''
  for await (const chunk of req) text += chunk
  return text === '' ? {} : JSON.parse(text)
}

/** Moves `amount` between two accounts in one transaction; 404 when either is missing. */
async function transfer(pool, { from, to, amount }) {
  const client = await pool.connect()
  try {
    await client.query('begin')
    const debit = await client.query(
      'update accounts set balance = balance - $1 where id = $2 returning balance',
      [amount, from],
    )
    const credit = await client.query(
      'update accounts set balance = balance + $1 where id = $2 returning balance',
      [amount, to],
    )
    if (debit.rowCount === 0 || credit.rowCount === 0) {
      await client.query('rollback')
      return [404, { error: 'no such account' }]
    }
    const { rows } = await client.query(
      'insert into transfers (from_id, to_id, amount) values ($1, $2, $3) returning id',
      [from, to, amount],
    )
    await client.query('commit')
    return [200, { id: rows[0].id, from: debit.rows[0].balance, to: credit.rows[0].balance }]
  } catch (err) {
    await client.query('rollback')
    throw err
  } finally {
    client.release()
  }
}

/** The transfers as CSV, read through a cursor `batch` rows at a time. */
async function exportTransfers(pool, res, batch) {
  const client = await pool.connect()
  try {
    const cursor = client.query(
      new Cursor(
        'select t.id, a.owner as "from", b.owner as "to", t.amount from transfers t join accounts a on a.id = t.from_id join accounts b on b.id = t.to_id order by t.id',
      ),
    )
    res.writeHead(200, { 'content-type': 'text/csv' })
    res.write('id,from,to,amount\n')
    for (let rows = await cursor.read(batch); rows.length > 0; rows = await cursor.read(batch)) {
      for (const r of rows) res.write(`${r.id},${r.from},${r.to},${r.amount}\n`)
    }
    await cursor.close()
    res.end()
  } finally {
    client.release()
  }
}

/** The HTTP server of the ledger over `pool`. */
function createApp(pool) {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost')
    try {
      if (req.method === 'GET' && url.pathname === '/accounts') {
        const { rows } = await pool.query('select id, owner, balance from accounts order by id')
        return send(res, 200, rows)
      }
      if (req.method === 'GET' && url.pathname.startsWith('/accounts/')) {
        const id = url.pathname.slice('/accounts/'.length)
        const { rows } = await pool.query('select id, owner, balance from accounts where id = $1', [
          id,
        ])
        return rows.length === 0
          ? send(res, 404, { error: 'no such account' })
          : send(res, 200, rows[0])
      }
      if (req.method === 'POST' && url.pathname === '/accounts') {
        const { owner, balance } = await readJson(req)
        const { rows } = await pool.query(
          'insert into accounts (owner, balance) values ($1, $2) returning id, owner, balance',
          [owner, balance],
        )
        return send(res, 201, rows[0])
      }
      if (req.method === 'POST' && url.pathname === '/transfers') {
        const [status, body] = await transfer(pool, await readJson(req))
        return send(res, status, body)
      }
      if (req.method === 'GET' && url.pathname === '/transfers.csv') {
        return await exportTransfers(pool, res, Number(url.searchParams.get('batch') ?? 100))
      }
      if (req.method === 'GET' && url.pathname === '/report') {
        const { rows, fields } = await pool.query(
          `select count(*) as accounts, sum(balance) as total, max(balance)::float8 as richest,
                  array_agg(owner order by id) as owners, json_build_object('currency', 'EUR') as meta,
                  bool_and(balance >= 0) as solvent
             from accounts`,
        )
        return send(res, 200, { row: rows[0], types: fields.map((f) => [f.name, f.dataTypeID]) })
      }
      send(res, 404, { error: 'not found' })
    } catch (err) {
      if (!(err instanceof pg.DatabaseError)) throw err
      // SQLSTATE classes: 23 integrity (a check or unique constraint), 22 bad data.
      const status = err.code.startsWith('23') ? 409 : err.code.startsWith('22') ? 400 : 500
      send(res, status, { error: err.message, code: err.code, constraint: err.constraint })
    }
  })
}

module.exports = { createApp, migrate }
