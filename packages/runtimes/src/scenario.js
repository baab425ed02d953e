// @ts-check
// One scenario through @tusk/core's public API (its built dist), run unchanged by Node, Bun and
// Deno. Plain JavaScript so that every runtime loads this very file with no build step.
//
// Input: the server to use, as JSON in the TUSK_SCENARIO environment variable (see
// `ScenarioInput` in ./checks.js). Output: one JSON line per check on stdout,
// `{"name": ..., "ok": true}` or `{"name": ..., "ok": false, "error": "..."}`, in the order of
// CHECKS; then the process exits 0. A check that throws is reported and the next one runs.

import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { CHANNELS, connect, createPool, errors, runtimeEntry } from '@tusk/core'
import { CHECKS } from './checks.js'

/** @typedef {import('./checks.js').ScenarioInput} ScenarioInput */

const CHECK_TIMEOUT_MS = 30_000

/** @type {ScenarioInput} */
const input = JSON.parse(process.env.TUSK_SCENARIO ?? 'null')
if (!input) throw new Error('TUSK_SCENARIO is not set')

const su = input.roles.superuser
const scram = input.roles.scram
// A name unique to this run: runtimes may run side by side against one server.
const tag = `tusk_rt_${input.runtime}_${process.pid}`
const base = `host=127.0.0.1 port=${input.port} dbname=postgres application_name=${tag}`
const superuser = `${base} user=${su.user} password=${su.password}`
const rootcert = `sslrootcert=${input.certs.caCertFile}`

/** @type {Array<{ close(): Promise<unknown> } | { end(): Promise<unknown> }>} */
const opened = []

/**
 * @param {string} conninfo
 * @param {import('@tusk/core').ConnectOptions} [options]
 */
async function open(conninfo, options) {
  const c = await connect(conninfo, options)
  opened.push(c)
  return c
}

/**
 * Resolves when `cond()` holds, polling; rejects past `ms`.
 * @param {() => boolean} cond
 * @param {string} what
 */
async function until(cond, what, ms = 15_000) {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/**
 * The rejection of `p`, which must reject.
 * @param {Promise<unknown>} p
 * @returns {Promise<any>}
 */
async function rejection(p) {
  try {
    await p
  } catch (e) {
    return e
  }
  throw new Error('expected a rejection, got a result')
}

/**
 * @param {unknown} err
 * @param {Function} cls
 */
function assertClass(err, cls) {
  if (!(err instanceof cls)) {
    const got = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err)
    throw new Error(`expected ${cls.name}, got ${got}`)
  }
}

/**
 * The first column of the first row.
 * @param {import('@tusk/core').Queryable} c
 * @param {string} text
 * @param {unknown[]} [params]
 * @returns {Promise<any>}
 */
async function scalar(c, text, params = []) {
  const r = await c.query(text, params, { rowMode: 'array' })
  return r.rows[0]?.[0]
}

/**
 * A value sent as a parameter comes back equal, through the text results of a fresh statement
 * and through the binary results of a prepared one.
 * @param {string} type
 * @param {unknown} value
 * @param {(got: any) => unknown} [view]
 */
async function roundTrip(type, value, view = (v) => v) {
  const text = await open(superuser)
  const prepared = await open(superuser, { prepareThreshold: 0 })
  for (const c of [text, prepared]) {
    for (let i = 0; i < 2; i++) {
      const got = await scalar(c, `select $1::${type}`, [value])
      assert.deepEqual(view(got), view(value), `${type} through ${c === text ? 'text' : 'binary'}`)
    }
  }
}

/** @type {Record<import('./checks.js').CheckName, () => Promise<void>>} */
const run = {
  async 'resolves its own entry'() {
    // Each runtime matches its own export condition first: Node's is `node` (dist/index.js).
    assert.equal(runtimeEntry, input.runtime)
    const file = input.runtime === 'node' ? 'index.js' : `${input.runtime}.js`
    assert.equal(new URL(import.meta.resolve('@tusk/core')).pathname.split('/').pop(), file)
  },
  async 'default entry refuses to connect'() {
    // The `default` condition's file, for runtimes with no entry: it loads here too (no `node:`
    // import) and refuses with a ConfigError naming the runtime it detected, even though the
    // server is up.
    /** @type {typeof import('@tusk/core')} */
    const fallback = await import(new URL('./default.js', import.meta.resolve('@tusk/core')).href)
    assert.equal(fallback.runtimeEntry, 'default')
    const err = await rejection(fallback.connect(superuser))
    assertClass(err, errors.ConfigError)
    assert.match(err.message, new RegExp(`default entry on ${input.runtime},`))
    assert.match(err.message, /node, bun, deno and workerd/)
    const pool = fallback.createPool(superuser, { max: 1 })
    assertClass(await rejection(pool.query('select 1')), errors.ConfigError)
    await pool.end()
  },
  async 'tusk:connect names the runtime'() {
    /** @type {unknown[]} */
    const events = []
    /** @param {unknown} e */
    const onConnect = (e) => events.push(e)
    subscribe(CHANNELS.connect, onConnect)
    try {
      const pool = createPool(superuser, { max: 1 })
      opened.push(pool)
      assert.equal(await scalar(pool, 'select 1'), 1)
    } finally {
      unsubscribe(CHANNELS.connect, onConnect)
    }
    assert.equal(events.length, 1)
    assert.equal(/** @type {{ runtime?: string }} */ (events[0]).runtime, input.runtime)
  },
  async 'sslmode=disable'() {
    const c = await open(`${superuser} sslmode=disable`)
    assert.equal(c.details.tls, null)
    assert.equal(await scalar(c, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'), false)
  },
  async 'sslmode=allow'() {
    const c = await open(`${superuser} sslmode=allow`)
    assert.equal(c.details.tls, null)
  },
  async 'sslmode=prefer'() {
    const c = await open(`${superuser} sslmode=prefer`)
    assert.match(String(c.details.tls?.protocol), /^TLSv1\.[23]$/)
    assert.equal(await scalar(c, 'select ssl from pg_stat_ssl where pid = pg_backend_pid()'), true)
  },
  async 'sslmode=require'() {
    const c = await open(`${superuser} sslmode=require`)
    assert.notEqual(c.details.tls, null)
    assert.equal(c.details.tls?.verified, false)
  },
  async 'sslmode=verify-ca'() {
    const c = await open(`${superuser} sslmode=verify-ca ${rootcert}`)
    assert.equal(c.details.tls?.verified, true)
  },
  async 'sslmode=verify-full'() {
    const c = await open(`${superuser} host=localhost sslmode=verify-full ${rootcert}`)
    assert.equal(c.details.tls?.verified, true)
  },
  async 'verify-full refuses a wrong host name'() {
    const err = await rejection(
      connect(`${superuser} host=evil.test hostaddr=127.0.0.1 sslmode=verify-full ${rootcert}`),
    )
    assertClass(err, errors.TlsError)
    assert.match(err.message, /"evil\.test"/)
  },
  async 'verify-ca refuses an unknown CA'() {
    // The server's certificate is not a CA: trusting it alone must not verify the chain.
    const err = await rejection(
      connect(`${superuser} sslmode=verify-ca sslrootcert=${input.certs.clientCertFile}`),
    )
    assertClass(err, errors.TlsError)
  },
  async 'TLS client certificate'() {
    const c = await open(
      `${base} host=localhost user=tusk_cert sslmode=verify-full ${rootcert} sslcert=${input.certs.clientCertFile} sslkey=${input.certs.clientKeyFile}`,
    )
    assert.equal(c.details.authMethod, 'cert')
    assert.equal(await scalar(c, 'select current_user'), 'tusk_cert')
  },
  async 'SCRAM-SHA-256'() {
    const c = await open(`${base} user=${scram.user} password=${scram.password} sslmode=disable`)
    assert.equal(c.details.authMethod, 'scram-sha-256')
    assert.equal(await scalar(c, 'select current_user'), scram.user)
  },
  async 'SCRAM-SHA-256-PLUS'() {
    const c = await open(
      `${base} user=${scram.user} password=${scram.password} sslmode=verify-full host=localhost ${rootcert} channel_binding=require`,
    )
    assert.equal(c.details.authMethod, 'scram-sha-256-plus')
  },
  async 'wrong password is InvalidPassword'() {
    const err = await rejection(
      connect(`${base} user=${scram.user} password=not-it sslmode=disable`),
    )
    assertClass(err, errors.InvalidPassword)
    assert.equal(err.code, '28P01')
    assert.doesNotMatch(String(err.message), /not-it/)
  },
  async 'refused connection is ConnectionError'() {
    // Port 1 on loopback: nothing listens there.
    const err = await rejection(connect(`host=127.0.0.1 port=1 user=x password=x sslmode=disable`))
    assertClass(err, errors.ConnectionError)
    assert.equal(err.errno, 'ECONNREFUSED')
  },
  async 'type int8'() {
    await roundTrip('int8', 9007199254740993n)
    await roundTrip('int8', -9223372036854775808n)
  },
  async 'type numeric'() {
    await roundTrip('numeric', '123456789012345678901234567890.000000001')
    await roundTrip('numeric', 'NaN')
  },
  async 'type timestamptz'() {
    await roundTrip('timestamptz', new Date('2024-02-29T23:59:58.123Z'), (d) => d.getTime())
    const c = await open(superuser)
    const t = await scalar(c, "select '2024-02-29 12:34:56.123456+00'::timestamptz")
    assert.ok(t instanceof Date)
    assert.equal(t.toISOString(), '2024-02-29T12:34:56.123Z')
  },
  async 'type bytea'() {
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 255, 92, 39])
    await roundTrip('bytea', bytes, (b) => {
      assert.ok(b instanceof Uint8Array)
      return Array.from(b)
    })
  },
  async 'type json and jsonb'() {
    const value = { a: [1, 'x', null, 2.5], b: { c: true, 'd é': '☃' } }
    await roundTrip('json', value)
    await roundTrip('jsonb', value)
  },
  async 'type arrays'() {
    await roundTrip('int4[]', [1, 2, null, -4])
    await roundTrip('text[]', ['a', 'b c', '"q"', null, '{}', ''])
    await roundTrip('int8[]', [1n, null, 9223372036854775807n])
    await roundTrip('int4[][]', [
      [1, 2],
      [3, 4],
    ])
  },
  async pipelining() {
    const c = await open(superuser)
    const settled = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        i === 7 ? c.query('select 1/0') : scalar(c, 'select $1::int4 * 2', [i]),
      ),
    )
    settled.forEach((s, i) => {
      if (i === 7) {
        assert.equal(s.status, 'rejected')
        assertClass(/** @type {PromiseRejectedResult} */ (s).reason, errors.DivisionByZero)
      } else {
        assert.deepEqual(s, { status: 'fulfilled', value: i * 2 })
      }
    })
    assert.equal(c.state, 'idle')
  },
  async pool() {
    const pool = createPool(superuser, { max: 4 })
    opened.push(pool)
    const got = await Promise.all(
      Array.from({ length: 60 }, (_, i) => pool.queryOne('select $1::int4 as n', [i])),
    )
    assert.deepEqual(
      got.map((r) => r?.n),
      Array.from({ length: 60 }, (_, i) => i),
    )
    const total = await pool.transaction(async (tx) => {
      await tx.query('create temp table t (n int8) on commit drop')
      await tx.query('insert into t select generate_series(1, 100)')
      return scalar(tx, 'select sum(n) from t')
    })
    assert.equal(total, '5050')
    const stats = pool.stats()
    assert.ok(stats.total <= 4 && stats.busy === 0, JSON.stringify(stats))
    await pool.end()
  },
  async cursor() {
    const c = await open(superuser)
    let rows = 0
    let batches = 0
    let sum = 0n
    for await (const batch of c.cursor('select n::int8 from generate_series(1, 25000) n', [], {
      batchSize: 1000,
    })) {
      batches++
      rows += batch.length
      for (const r of batch) sum += /** @type {bigint} */ (r.n)
    }
    assert.equal(rows, 25000)
    assert.equal(batches, 25)
    assert.equal(sum, 312512500n)
    assert.equal(c.state, 'idle')
  },
  async 'COPY in and out'() {
    const c = await open(superuser)
    await c.exec('create temp table copied (id int4, label text, data bytea)')
    const rows = Array.from({ length: 5000 }, (_, i) => [
      i,
      `row ${i}\t"é"`,
      new Uint8Array([i % 256]),
    ])
    const inText = await c.copyFrom('copy copied (id, label, data) from stdin', rows)
    assert.equal(inText.rowCount, 5000)
    const inCsv = await c.copyFrom('copy copied (id, label) from stdin (format csv)', [
      '5000,"a,b"\n',
      '5001,plain\n',
    ])
    assert.equal(inCsv.rowCount, 2)
    const chunks = []
    for await (const chunk of c.copyTo('copy (select id, label from copied order by id) to stdout'))
      chunks.push(chunk)
    const out = new TextDecoder().decode(
      Uint8Array.from(chunks.flatMap((ch) => Array.from(/** @type {Uint8Array} */ (ch)))),
    )
    const lines = out.split('\n')
    assert.equal(lines.length, 5003)
    assert.equal(lines[1], '1\trow 1\\t"é"')
    assert.equal(lines[5000], '5000\ta,b')
    assert.equal(await scalar(c, 'select sum(get_byte(data, 0))::int8 from copied'), 629340n)
  },
  async 'LISTEN with reconnect'() {
    /** @type {string[][]} */
    const reconnects = []
    const pool = createPool(superuser, { max: 2, onListenReconnect: (ch) => reconnects.push(ch) })
    opened.push(pool)
    /** @type {string[]} */
    const got = []
    const channel = `${tag}_events`
    const stop = await pool.listen(channel, (payload) => got.push(payload))
    await pool.notify(channel, 'one')
    await until(() => got.length === 1, 'the first notification')
    const admin = await open(superuser)
    const killed = await admin.query(
      "select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and query like 'LISTEN%' and pid <> pg_backend_pid()",
      [tag],
    )
    assert.equal(killed.rowCount, 1)
    await until(() => reconnects.length === 1, 'the listener to reconnect')
    await pool.notify(channel, 'two')
    await until(() => got.length === 2, 'the notification after the reconnect')
    assert.deepEqual(got, ['one', 'two'])
    assert.deepEqual(reconnects, [[channel]])
    await stop()
    await pool.end()
  },
  async 'cancel by timeout and by AbortSignal'() {
    const c = await open(superuser)
    const started = Date.now()
    const timedOut = await rejection(c.query('select pg_sleep(30)', [], { timeout: 200 }))
    assertClass(timedOut, errors.QueryCanceled)
    assert.equal(timedOut.code, '57014')
    assert.equal(timedOut.reason, 'timeout')
    assert.ok(Date.now() - started < 15_000)
    const ac = new AbortController()
    const pending = c.query('select pg_sleep(30)', [], { signal: ac.signal })
    setTimeout(() => ac.abort(), 100)
    const aborted = await rejection(pending)
    assertClass(aborted, errors.QueryCanceled)
    assert.equal(aborted.reason, 'abort')
    assert.equal(await scalar(c, 'select 42'), 42)
  },
  async 'error classes'() {
    const c = await open(superuser)
    await c.exec('create temp table uniq (id int4 constraint uniq_pk primary key)')
    await c.query('insert into uniq values (1)')
    const dup = await rejection(c.query('insert into uniq values ($1)', [1]))
    assertClass(dup, errors.UniqueViolation)
    assertClass(dup, errors.IntegrityError)
    assertClass(dup, errors.DatabaseError)
    assert.equal(dup.code, '23505')
    assert.equal(dup.constraint, 'uniq_pk')
    const syntax = await rejection(c.query('selec 1'))
    assertClass(syntax, errors.SyntaxError)
    assert.equal(syntax.position, '1')
    const undefinedTable = await rejection(c.query('select * from no_such_table'))
    assertClass(undefinedTable, errors.UndefinedTable)
    assert.equal(await scalar(c, 'select 1'), 1)
  },
}

for (const name of CHECKS) {
  /** @type {{ name: string, ok: boolean, error?: string }} */
  let line
  let timer
  try {
    await Promise.race([
      run[name](),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        )
      }),
    ])
    line = { name, ok: true }
  } catch (e) {
    const err = /** @type {Error} */ (e)
    line = { name, ok: false, error: `${err?.constructor?.name}: ${err?.message ?? String(e)}` }
  } finally {
    clearTimeout(timer)
  }
  await Promise.all(opened.splice(0).map((h) => ('end' in h ? h.end() : h.close()).catch(() => {})))
  process.stdout.write(`${JSON.stringify(line)}\n`)
}
process.exit(0)
