/** pg configs turned into @tusk/core's conninfo and options (no server). */
import { describe, expect, it } from 'vitest'
import { resolveClientConfig, resolvePoolConfig } from './config.js'

describe('resolveClientConfig', () => {
  it('maps pg’s keys to libpq parameters and core options', () => {
    const r = resolveClientConfig({
      host: 'db',
      port: 6543,
      user: 'app',
      password: 'secret',
      database: 'shop',
      application_name: 'web',
      options: '-c search_path=app',
      statement_timeout: 1000,
      lock_timeout: 200,
      idle_in_transaction_session_timeout: 3000,
      connectionTimeoutMillis: 1500,
      query_timeout: 250,
      keepAliveInitialDelayMillis: 1500,
    })
    expect(r.conninfo).toEqual({
      host: 'db',
      port: 6543,
      user: 'app',
      password: 'secret',
      dbname: 'shop',
      application_name: 'web',
      options: '-c search_path=app',
      keepalives_idle: 2,
    })
    expect(r.options).toEqual({
      statementTimeout: 1000,
      lockTimeout: 200,
      idleInTransactionSessionTimeout: 3000,
      connectTimeout: 1500,
    })
    expect(r.queryTimeout).toBe(250)
  })

  it('gives ssl libpq’s sslmode: true verifies, rejectUnauthorized false only encrypts, false disables', () => {
    expect(resolveClientConfig({ ssl: true }).conninfo.sslmode).toBe('verify-full')
    expect(resolveClientConfig({ ssl: {} }).conninfo.sslmode).toBe('verify-full')
    expect(resolveClientConfig({ ssl: { rejectUnauthorized: false } }).conninfo.sslmode).toBe(
      'require',
    )
    expect(resolveClientConfig({ ssl: false }).conninfo.sslmode).toBe('disable')
    expect(resolveClientConfig({}).conninfo.sslmode).toBeUndefined()
  })

  it('rewrites pg-only URI parameters and keeps libpq ones', () => {
    const uri = (s: string) => resolveClientConfig(s).conninfo.connectionString
    expect(uri('postgres://u@h/db?ssl=true')).toBe('postgres://u@h/db?sslmode=verify-full')
    expect(uri('postgres://u@h/db?ssl=0')).toBe('postgres://u@h/db?sslmode=disable')
    expect(uri('postgres://u@h/db?sslmode=no-verify')).toBe('postgres://u@h/db?sslmode=require')
    expect(uri('postgresql://u@h/db?sslmode=require&uselibpqcompat=true')).toBe(
      'postgresql://u@h/db?sslmode=require',
    )
    expect(uri('postgres://u@h/db')).toBe('postgres://u@h/db')
    expect(uri('host=h dbname=db')).toBe('host=h dbname=db')
  })

  it('ignores pool-only and unknown keys, and false or zero timeouts', () => {
    const r = resolveClientConfig({
      max: 5,
      binary: true,
      statement_timeout: false,
      query_timeout: 0,
    } as Parameters<typeof resolveClientConfig>[0])
    expect(r.conninfo).toEqual({})
    expect(r.options).toEqual({})
    expect(r.queryTimeout).toBeUndefined()
  })

  it('passes a password function to the core, called per connection', () => {
    const password = () => 'token'
    const r = resolveClientConfig({ password })
    expect(r.options.password).toBe(password)
    expect(r.conninfo.password).toBeUndefined()
  })
})

describe('resolvePoolConfig', () => {
  it('maps pg-pool’s sizing and timeouts, with pg’s 10 s idle default', () => {
    expect(resolvePoolConfig({}).pool).toEqual({ idleTimeout: 10_000 })
    const { pool } = resolvePoolConfig({
      max: 4,
      min: 1,
      idleTimeoutMillis: 0,
      maxLifetimeSeconds: 60,
      maxUses: 100,
      allowExitOnIdle: true,
      connectionTimeoutMillis: 2000,
      statement_timeout: 500,
    })
    expect(pool).toEqual({
      max: 4,
      min: 1,
      idleTimeout: 0,
      maxLifetime: 60_000,
      maxUses: 100,
      allowExitOnIdle: true,
      acquireTimeout: 2000,
      connectTimeout: 2000,
      statementTimeout: 500,
    })
    expect(resolvePoolConfig({ connectionTimeoutMillis: 0 }).pool.acquireTimeout).toBe(
      2_147_483_647,
    )
    expect(resolvePoolConfig({ idleTimeoutMillis: null }).pool.idleTimeout).toBe(0)
  })
})
