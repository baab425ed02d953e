// libpq's multi-host rules, checked against psql on a real primary + hot standby: for each
// host list and target_session_attrs, Tusk must land on the server psql lands on.
import { execFile } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { freePort, type Lab, psqlPath, startLab } from '@tusk/testkit'
import { until } from '@tusk/testkit/until'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, errors } from '../../src/index.js'

const TSA = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const

let lab: Lab
let downPort: number
let blackhole: net.Server
let blackholePort: number
const held: net.Socket[] = []

beforeAll(async () => {
  lab = await startLab()
  downPort = await freePort()
  // Accepts TCP and never answers: only connect_timeout gets a client past it.
  blackhole = net.createServer((s) => {
    held.push(s)
    s.on('error', () => {})
  })
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r))
  blackholePort = (blackhole.address() as net.AddressInfo).port
}, 60_000)

afterAll(async () => {
  for (const s of held) s.destroy()
  await new Promise((r) => blackhole?.close(r))
  await lab?.stop()
})

/** The port psql ends up on, or `failed`. */
function psqlPort(conninfo: string): Promise<string> {
  const psql = psqlPath()
  if (!psql) throw new Error('psql is needed for the multi-host comparison')
  return new Promise((resolve) => {
    execFile(
      psql,
      ['-X', '-A', '-t', '-d', conninfo, '-c', 'SELECT inet_server_port()'],
      {
        timeout: 20_000,
        env: { ...process.env, PGPASSFILE: '/dev/null', PGSERVICEFILE: '/dev/null' },
      },
      (err, stdout) => resolve(err ? 'failed' : stdout.trim()),
    )
  })
}

/** The port Tusk ends up on, or `failed` (the error is kept for inspection). */
async function tuskPort(conninfo: string): Promise<{ port: string; error?: unknown }> {
  try {
    const s = await connect(conninfo)
    try {
      const r = await s.query<{ p: number }>('SELECT inet_server_port() AS p')
      return { port: String(r.rows[0]?.p) }
    } finally {
      await s.close()
    }
  } catch (error) {
    return { port: 'failed', error }
  }
}

type Hosts = { name: string; ports: () => number[] }
const lists: Hosts[] = [
  { name: 'primary,standby', ports: () => [lab.nodes[0].port, lab.nodes[1].port] },
  { name: 'standby,primary', ports: () => [lab.nodes[1].port, lab.nodes[0].port] },
  { name: 'down,standby,primary', ports: () => [downPort, lab.nodes[1].port, lab.nodes[0].port] },
  { name: 'down,primary,standby', ports: () => [downPort, lab.nodes[0].port, lab.nodes[1].port] },
  { name: 'primary', ports: () => [lab.nodes[0].port] },
  { name: 'standby', ports: () => [lab.nodes[1].port] },
]

function conninfoFor(ports: number[], extra: Record<string, string | number>): string {
  return [
    `host=${ports.map(() => '127.0.0.1').join(',')}`,
    `port=${ports.join(',')}`,
    `user=${lab.user}`,
    `password=${lab.password}`,
    `dbname=${lab.database}`,
    'sslmode=disable',
    'connect_timeout=5',
    ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
  ].join(' ')
}

/** psql's and Tusk's landing port for each case, a few at a time (2 cores, shared machine). */
async function compare(
  cases: { list: Hosts; tsa: string }[],
  extra: Record<string, string> = {},
): Promise<{ psql: string[]; tusk: string[]; why: string }> {
  const psql: string[] = []
  const tusk: string[] = []
  const why: string[] = []
  for (let i = 0; i < cases.length; i += 6) {
    await Promise.all(
      cases.slice(i, i + 6).map(async ({ list, tsa }) => {
        const ci = conninfoFor(list.ports(), { ...extra, target_session_attrs: tsa })
        const [p, t] = await Promise.all([psqlPort(ci), tuskPort(ci)])
        psql.push(`${list.name} ${tsa} -> ${p}`)
        tusk.push(`${list.name} ${tsa} -> ${t.port}`)
        if (t.error) why.push(`${list.name} ${tsa}: ${String(t.error)}`)
      }),
    )
  }
  return { psql: psql.sort(), tusk: tusk.sort(), why: why.join('\n') }
}

describe('target_session_attrs picks the host psql picks', () => {
  it('for every value and host order', async () => {
    const { psql, tusk, why } = await compare(
      lists.flatMap((l) => TSA.map((tsa) => ({ list: l, tsa }))),
    )
    expect(tusk, why).toEqual(psql)
    // The comparison is only worth something if the lab gives different answers.
    expect(new Set(psql.map((w) => w.split(' -> ')[1])).size).toBe(3)
  }, 60_000)

  it('with default_transaction_read_only=on sent at startup', async () => {
    const cases = lists.slice(0, 2).flatMap((l) => TSA.map((tsa) => ({ list: l, tsa })))
    const { psql, tusk, why } = await compare(cases, {
      options: "'-c default_transaction_read_only=on'",
    })
    expect(tusk, why).toEqual(psql)
    expect(psql).toContain('primary,standby read-write -> failed')
    expect(psql).toContain(`primary,standby primary -> ${lab.nodes[0].port}`)
  }, 60_000)

  it('in the postgres://a:1,b:2/db form', async () => {
    const [a, b] = lab.nodes
    for (const tsa of TSA) {
      const uri =
        `postgres://${lab.user}:${lab.password}@127.0.0.1:${b.port},127.0.0.1:${a.port}/` +
        `${lab.database}?sslmode=disable&target_session_attrs=${tsa}`
      const [p, t] = await Promise.all([psqlPort(uri), tuskPort(uri)])
      expect(`${tsa} -> ${t.port}`).toBe(`${tsa} -> ${p}`)
    }
  }, 60_000)
})

describe('load_balance_hosts', () => {
  it('=random spreads connections over the hosts; =disable keeps libpq order', async () => {
    const [a, b] = lab.nodes
    const count = async (lb: string): Promise<Map<string, number>> => {
      const hits = new Map<string, number>()
      for (let i = 0; i < 40; i++) {
        const { port } = await tuskPort(conninfoFor([a.port, b.port], { load_balance_hosts: lb }))
        hits.set(port, (hits.get(port) ?? 0) + 1)
      }
      return hits
    }
    const random = await count('random')
    // 40 fair coin flips: each side at least 5 times fails with odds of about 1 in 10^6.
    expect(random.get(String(a.port))).toBeGreaterThanOrEqual(5)
    expect(random.get(String(b.port))).toBeGreaterThanOrEqual(5)
    expect(await count('disable')).toEqual(new Map([[String(a.port), 40]]))
  }, 60_000)
})

describe('connect_timeout', () => {
  it('applies per host: a silent first host costs one timeout, then the next host answers', async () => {
    const [a] = lab.nodes
    const ci = conninfoFor([blackholePort, a.port], { connect_timeout: 2 }).replace(
      'connect_timeout=5 ',
      '',
    )
    const t0 = Date.now()
    const [p, t] = await Promise.all([psqlPort(ci), tuskPort(ci)])
    const elapsed = Date.now() - t0
    expect(t.port).toBe(String(a.port))
    expect(p).toBe(String(a.port))
    expect(elapsed).toBeGreaterThanOrEqual(1_900)
    expect(elapsed).toBeLessThan(8_000)
  }, 20_000)
})

describe('a server that refuses the login', () => {
  it('ends the attempt as libpq does: later hosts are not tried after an authentication failure', async () => {
    const [a, b] = lab.nodes
    // Only node b trusts tusk_md5 over TCP; node a asks for its (here wrong) password.
    const hba = path.join(b.dataDir, 'pg_hba.conf')
    writeFileSync(hba, `host all tusk_md5 127.0.0.1/32 trust\n${readFileSync(hba, 'utf8')}`)
    expect(await b.sql('SELECT pg_catalog.pg_reload_conf()')).toBe('t')
    const ci = (ports: number[]) =>
      conninfoFor(ports, {}).replace(
        `user=${lab.user} password=${lab.password}`,
        'user=tusk_md5 password=wrong',
      )
    await until(async () => (await tuskPort(ci([b.port]))).port === String(b.port), 5_000)
    expect(a.port).toBeGreaterThan(0)
    const [p, t] = await Promise.all([
      psqlPort(ci([a.port, b.port])),
      tuskPort(ci([a.port, b.port])),
    ])
    expect(t.port).toBe(p)
    expect(t.port).toBe('failed')
    expect(t.error).toBeInstanceOf(errors.InvalidPassword)
    // The other order reaches node b first, which lets the login in: both land there.
    const [p2, t2] = await Promise.all([
      psqlPort(ci([b.port, a.port])),
      tuskPort(ci([b.port, a.port])),
    ])
    expect([t2.port, p2]).toEqual([String(b.port), String(b.port)])
  }, 20_000)
})

describe('a failure on every host', () => {
  it('names each host and its cause, typed, without the password', async () => {
    const [a, b] = lab.nodes
    const ci = conninfoFor([downPort, blackholePort, b.port], {
      target_session_attrs: 'read-write',
      connect_timeout: 2,
    }).replace('connect_timeout=5 ', '')
    const t0 = Date.now()
    const { port, error } = await tuskPort(ci)
    expect(Date.now() - t0).toBeLessThan(8_000)
    expect(port).toBe('failed')
    expect(error).toBeInstanceOf(errors.ConnectionError)
    const err = error as errors.ConnectionError
    expect(err.message).toContain(`127.0.0.1:${downPort}`)
    expect(err.message).toMatch(/ECONNREFUSED|refused/)
    expect(err.message).toContain(`127.0.0.1:${blackholePort}`)
    expect(err.message).toMatch(/timed out/)
    expect(err.message).toContain(`127.0.0.1:${b.port}`)
    expect(err.message).toMatch(/read-only/)
    expect(err.safeToRetry).toBe(true)
    const everything = `${err.message} ${err.stack} ${JSON.stringify(err)} ${String(err.cause)}`
    expect(everything).not.toContain(lab.password)
    expect(a.port).toBeGreaterThan(0)
  }, 20_000)
})
