// A Worker that runs the driver's checks on workerd and answers with one JSON entry per check:
// { name: { ok, detail } }. It imports the Workers bundle as `./tusk.js` (dist/workerd.js).
// Bindings: TLS_URL (SCRAM user, sslmode=verify-full), MD5_URL, PLAIN_URL (sslmode=disable),
// PIPE_URL (sslmode=disable, through the test's answer-holding proxy).
import {
  ConfigError,
  connect,
  createPool,
  errors,
  IntegrityError,
  OperationalError,
  ProgrammingError,
  TlsError,
} from './tusk.js'

function assert(condition, message) {
  if (!condition) throw new Error(message)
}

function same(actual, expected, what) {
  const a = JSON.stringify(actual, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
  const e = JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))
  assert(a === e, `${what}: expected ${e}, got ${a}`)
}

/** Runs `fn` and returns the error it throws (or rejects with). */
async function failure(fn) {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('expected an error')
}

/** Polls `check` every 10 ms until it holds; fails after `ms` (no fixed sleep decides anything). */
async function waitFor(check, what, ms = 10_000) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function namesWorkerd(err, klass) {
  assert(err instanceof klass, `expected ${klass.name}, got ${err?.constructor?.name}: ${err}`)
  assert(/workerd/.test(err.message), `the message names the runtime: ${err.message}`)
}

const checks = {
  async 'TLS (SSLRequest, startTls) and SCRAM-SHA-256 over WebCrypto'(env) {
    const s = await connect(env.TLS_URL)
    try {
      same(s.details.authMethod, 'scram-sha-256', 'auth method')
      assert(s.details.tls?.verified === true, 'TLS session verified')
      const { rows } = await s.query('select ssl from pg_stat_ssl where pid = pg_backend_pid()')
      same(rows, [{ ssl: true }], 'pg_stat_ssl')
    } finally {
      await s.close()
    }
  },

  async 'md5 authentication (MD5 computed without node:crypto)'(env) {
    const s = await connect(env.MD5_URL)
    try {
      same(s.details.authMethod, 'md5', 'auth method')
      same((await s.query('select 1 as one')).rows, [{ one: 1 }], 'rows')
    } finally {
      await s.close()
    }
  },

  async 'queries, parameters and types'(env) {
    const s = await connect(env.TLS_URL)
    try {
      const { rows, fields } = await s.query(
        `select $1::int4 as i, $2::int8 as big, $3::numeric as n, $4::text as t, $5::bytea as b,
                $6::jsonb as j, $7::int4[] as a, null::text as z, true as yes,
                '2024-02-29T12:34:56.789Z'::timestamptz as ts`,
        [
          42,
          9007199254740993n,
          '12345678901234567890.0123',
          'héllo ✓',
          new Uint8Array([0, 1, 255]),
          { k: [1, 'x'] },
          [1, null, 3],
        ],
      )
      same(fields.length, 10, 'field count')
      const r = rows[0]
      same(r.i, 42, 'int4')
      same(r.big, 9007199254740993n, 'int8 without precision loss')
      same(r.n, '12345678901234567890.0123', 'numeric as text')
      same(r.t, 'héllo ✓', 'text')
      same([...r.b], [0, 1, 255], 'bytea')
      same(r.j, { k: [1, 'x'] }, 'jsonb')
      same(r.a, [1, null, 3], 'int4[]')
      same(r.z, null, 'null')
      same(r.yes, true, 'bool')
      same(r.ts.toISOString(), '2024-02-29T12:34:56.789Z', 'timestamptz')
    } finally {
      await s.close()
    }
  },

  async 'transactions: commit, rollback and a savepoint'(env) {
    const s = await connect(env.TLS_URL)
    try {
      await s.query('create temp table t (v int)')
      await s.transaction(async (tx) => {
        await tx.query('insert into t values (1)')
        await tx
          .savepoint(async (sp) => {
            await sp.query('insert into t values (2)')
            throw new Error('undo the savepoint')
          })
          .catch(() => {})
      })
      await s
        .transaction(async (tx) => {
          await tx.query('insert into t values (3)')
          throw new Error('roll back')
        })
        .catch(() => {})
      same((await s.query('select array_agg(v order by v) as vs from t')).rows[0].vs, [1], 'rows')
    } finally {
      await s.close()
    }
  },

  async 'a server-side cursor in batches'(env) {
    const s = await connect(env.TLS_URL)
    try {
      let count = 0
      let sum = 0
      let batches = 0
      for await (const batch of s.cursor('select i from generate_series(1, 2500) as i', [], {
        batchSize: 1000,
      })) {
        batches++
        for (const row of batch) {
          count++
          sum += row.i
        }
      }
      same([count, sum, batches], [2500, 3126250, 3], 'count, sum, batches')
    } finally {
      await s.close()
    }
  },

  async 'COPY FROM STDIN from an async iterable'(env) {
    const s = await connect(env.TLS_URL)
    try {
      await s.query('create temp table c (id int, name text)')
      async function* rows() {
        for (let i = 1; i <= 500; i++) yield [i, `name ${i}`]
      }
      const result = await s.copyFrom('copy c (id, name) from stdin', rows())
      same(result.rowCount, 500, 'copied rows')
      same(
        (await s.query('select count(*)::int as n, sum(id)::int as s from c')).rows,
        [{ n: 500, s: 125250 }],
        'table',
      )
    } finally {
      await s.close()
    }
  },

  async 'COPY TO STDOUT as an async iterable: backpressure, early break, server error'(env) {
    // A generous cancelGrace: the session must come back from the cancel even on a loaded machine.
    const s = await connect(env.TLS_URL, { cancelGrace: 30_000 })
    try {
      const text = new TextDecoder()
      const out = s.copyToIterable(
        'copy (select i, repeat($$x$$, 90) from generate_series(1, 20000) as i) to stdout',
      )
      let lines = 0
      let chunks = 0
      let sum = 0
      let tail = ''
      for await (const chunk of out) {
        assert(chunk instanceof Uint8Array, `a chunk is a Uint8Array, got ${chunk}`)
        chunks++
        const all = tail + text.decode(chunk, { stream: true })
        const cut = all.lastIndexOf('\n')
        for (const line of all.slice(0, cut).split('\n')) {
          if (cut < 0) break
          lines++
          sum += Number(line.split('\t')[0])
        }
        tail = all.slice(cut + 1)
      }
      same([lines, sum, out.rowCount, tail], [20000, 200010000, 20000, ''], 'lines, sum, rowCount')
      assert(chunks > 1 && chunks < 20000, `chunks joined but not all in one: ${chunks}`)

      const rows = []
      for await (const row of s.copyToIterable('copy (select 1, null::text) to stdout', {
        output: 'rows',
      }))
        rows.push(row)
      same(rows, [['1', null]], 'rows')

      // A consumer that stops reading stops the socket: the server blocks writing (about 20 MB,
      // far over what the driver and the socket buffer). Then breaking out cancels the COPY.
      const big = s.copyToIterable(
        'copy (select i, repeat($$x$$, 90) from generate_series(1, 200000) as i) to stdout',
      )
      const admin = await connect(env.TLS_URL)
      try {
        for await (const _chunk of big) {
          await waitFor(
            async () =>
              (
                await admin.query('select wait_event from pg_stat_activity where pid = $1', [
                  s.processId,
                ])
              ).rows[0]?.wait_event === 'ClientWrite',
            'the COPY backend blocked on ClientWrite',
          )
          break
        }
      } finally {
        await admin.close()
      }
      same([big.closed, big.rowCount, s.transactionStatus], [true, undefined, 'I'], 'after break')
      same((await s.query('select 1 as one')).rows, [{ one: 1 }], 'session usable after break')

      // A server error mid-COPY: the data before it, then the error as its class.
      let before = 0
      const err = await failure(async () => {
        for await (const chunk of s.copyToIterable(
          'copy (select case when i = 15000 then 1 / (i - i) else i end from generate_series(1, 20000) as i) to stdout',
        ))
          before += chunk.length
      })
      assert(err instanceof errors.DivisionByZero, `expected DivisionByZero, got ${err}`)
      assert(before > 0, 'data before the error')
      same((await s.query('select 2 as two')).rows, [{ two: 2 }], 'session usable after error')
    } finally {
      await s.close()
    }
  },

  async 'Node streams (copyTo, cursor.stream) refused with a ConfigError naming the runtime'(env) {
    const s = await connect(env.TLS_URL)
    try {
      const copyTo = await failure(() => s.copyTo('copy (select 1) to stdout'))
      namesWorkerd(copyTo, ConfigError)
      assert(/copyToIterable\(\)/.test(copyTo.message), `names copyToIterable: ${copyTo.message}`)
      namesWorkerd(await failure(() => s.cursor('select 1').stream()), ConfigError)
      same((await s.query('select 1 as one')).rows, [{ one: 1 }], 'session still usable')
    } finally {
      await s.close()
    }
  },

  async 'cancel: a timeout sends a CancelRequest on a second socket'(env) {
    const s = await connect(env.TLS_URL)
    try {
      const err = await failure(() => s.query('select pg_sleep(30)', [], { timeout: 300 }))
      assert(err instanceof errors.QueryCanceled, `expected QueryCanceled, got ${err}`)
      assert(err instanceof OperationalError, 'QueryCanceled is an OperationalError')
      same((await s.query('select 2 as two')).rows, [{ two: 2 }], 'session usable after cancel')
    } finally {
      await s.close()
    }
  },

  async 'server errors arrive as their classes'(env) {
    const s = await connect(env.TLS_URL)
    try {
      await s.query('create temp table u (id int primary key)')
      await s.query('insert into u values (1)')
      const dup = await failure(() => s.query('insert into u values (1)'))
      assert(dup instanceof errors.UniqueViolation, `expected UniqueViolation, got ${dup}`)
      assert(dup instanceof IntegrityError, 'UniqueViolation is an IntegrityError')
      same([dup.code, dup.table, dup.constraint], ['23505', 'u', 'u_pkey'], 'fields')
      const syntax = await failure(() => s.query('selec 1'))
      assert(syntax instanceof errors.SyntaxError, `expected SyntaxError, got ${syntax}`)
      assert(syntax instanceof ProgrammingError, 'SyntaxError is a ProgrammingError')
    } finally {
      await s.close()
    }
  },

  async 'a pool of one connection per request, ended at the end'(env) {
    const pool = createPool(env.TLS_URL, { max: 1 })
    try {
      const results = await Promise.all(
        [1, 2, 3].map((i) => pool.query('select $1::int * 2 as v', [i])),
      )
      same(
        results.map((r) => r.rows[0].v),
        [2, 4, 6],
        'results',
      )
      same(pool.stats().total, 1, 'one connection')
    } finally {
      await pool.end()
    }
  },

  async 'pipelining: queries sent together, answered in order, an error failing only its own'(env) {
    // PIPE_URL goes through a proxy of the test that holds every answer back until the five
    // queries' Syncs have all arrived: only a pipelining driver gets its answers.
    const s = await connect(env.PIPE_URL)
    try {
      const settled = await Promise.allSettled([
        s.query('select $1::int as v /* tusk-pipeline-check */', [1], { timeout: 10_000 }),
        s.query('select $1::text as v', ['two'], { timeout: 10_000 }),
        s.query('select 1 / $1::int as v', [0], { timeout: 10_000 }),
        s.query('select $1::int8 as v', [4n], { timeout: 10_000 }),
        s.query("select 'five' as v", [], { timeout: 10_000 }),
      ])
      same(
        settled.map((r) => r.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
        'statuses',
      )
      const err = settled[2].reason
      assert(err instanceof errors.DivisionByZero, `expected DivisionByZero, got ${err}`)
      same(
        [0, 1, 3, 4].map((i) => settled[i].value.rows[0].v),
        [1, 'two', 4n, 'five'],
        'values in order',
      )
      same(s.transactionStatus, 'I', 'idle after the pipeline')
    } finally {
      await s.close()
    }
  },

  async 'LISTEN reconnects after pg_terminate_backend and receives again'(env) {
    const app = `tusk_listen_${Date.now()}_${Math.floor(Math.random() * 1e6)}`
    const url = new URL(env.TLS_URL)
    url.searchParams.set('application_name', app)
    const reconnects = []
    const pool = createPool(url.toString(), {
      max: 1,
      onListenReconnect: (channels) => reconnects.push(channels),
    })
    const admin = await connect(env.TLS_URL)
    try {
      const got = []
      await pool.listen('tusk_events', (payload) => got.push(payload))
      await admin.notify('tusk_events', 'before')
      await waitFor(() => got.length === 1, 'the first notification')
      const { rows } = await admin.query(
        "select pid from pg_stat_activity where application_name = $1 and query like 'LISTEN%'",
        [app],
      )
      same(rows.length, 1, 'one listening backend')
      await admin.query('select pg_terminate_backend($1)', [rows[0].pid])
      await waitFor(() => reconnects.length === 1, 'the listener reconnected')
      same(reconnects[0], ['tusk_events'], 'channels re-listened')
      await admin.notify('tusk_events', 'after')
      await waitFor(() => got.length === 2, 'a notification after the reconnect')
      same(got, ['before', 'after'], 'payloads')
    } finally {
      await admin.close()
      await pool.end()
    }
  },

  async 'plain TCP with sslmode=disable'(env) {
    const s = await connect(env.PLAIN_URL)
    try {
      same(s.details.tls, null, 'no TLS')
      same((await s.query('select 1 as one')).rows, [{ one: 1 }], 'rows')
    } finally {
      await s.close()
    }
  },

  async 'what a Worker cannot have is a ConfigError naming the runtime'(env) {
    const url = new URL(env.TLS_URL)
    const withParam = (key, value) => {
      const u = new URL(url)
      u.searchParams.set(key, value)
      return u.toString()
    }
    namesWorkerd(
      await failure(() => connect(withParam('host', '/var/run/postgresql'))),
      ConfigError,
    )
    namesWorkerd(
      await failure(() => connect(withParam('sslrootcert', '/etc/ssl/root.crt'))),
      ConfigError,
    )
    const noPassword = new URL(url)
    noPassword.password = ''
    noPassword.searchParams.set('passfile', '/home/app/.pgpass')
    namesWorkerd(await failure(() => connect(noPassword.toString())), ConfigError)
    namesWorkerd(await failure(() => connect(withParam('service', 'app'))), ConfigError)
    namesWorkerd(await failure(() => connect(withParam('sslnegotiation', 'direct'))), ConfigError)
  },
}

export default {
  async fetch(request, env) {
    const only = new URL(request.url).searchParams.get('check')
    if (only === 'tls-untrusted') {
      // Run on an instance that does not trust the test CA: the handshake must fail.
      const err = await failure(() => connect(env.TLS_URL))
      return Response.json({
        // workerd reports the failed handshake on first use, after startTls resolved.
        ok: err instanceof TlsError && /TLS handshake failed/.test(err.message),
        detail: `${err?.constructor?.name}: ${err?.message}`,
      })
    }
    const out = {}
    for (const [name, check] of Object.entries(checks)) {
      // Time as workerd shows it (it advances across I/O), for the README's figures.
      const started = Date.now()
      try {
        await check(env)
        out[name] = { ok: true, ms: Date.now() - started }
      } catch (err) {
        out[name] = { ok: false, detail: String(err?.stack ?? err), ms: Date.now() - started }
      }
    }
    return Response.json(out)
  },
}
