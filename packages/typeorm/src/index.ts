/**
 * @tusk/typeorm — TypeORM's `postgres` data source on Tusk. TypeORM loads `options.driver` where
 * it would load `pg`; this package hands it `@tusk/pg-compat`, which runs on `@tusk/core`.
 *
 * ```ts
 * import { createDataSource } from '@tusk/typeorm'
 * export const AppDataSource = createDataSource({ url, entities, migrations })
 * ```
 * @packageDocumentation
 */
import { ConfigError } from '@tusk/core'
import pg from '@tusk/pg-compat'
import QueryStream from '@tusk/pg-query-stream'
import typeorm, { type DataSource, type DataSourceOptions } from 'typeorm'

/** The `pg`-shaped module TypeORM's PostgreSQL driver runs on (`@tusk/pg-compat`). */
export const driver: typeof pg = pg

/** TypeORM's options of a `postgres` data source. */
export type PostgresDataSourceOptions = Extract<DataSourceOptions, { type: 'postgres' }>

/**
 * The options {@link dataSourceOptions} takes: TypeORM's `postgres` options, where `type` may be
 * left out and `driver` is set for you.
 */
export type TuskDataSourceOptions = Omit<PostgresDataSourceOptions, 'type' | 'driver'> & {
  /** Only `postgres` (the default). */
  type?: 'postgres'
}

/**
 * TypeORM data source options for PostgreSQL on Tusk: `options` with `type: 'postgres'` and
 * `driver` set to `@tusk/pg-compat`. Throws ConfigError for a `type` other than `postgres` or a
 * `driver` of its own (the two would disagree about which driver runs).
 */
export function dataSourceOptions(options: TuskDataSourceOptions): PostgresDataSourceOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError(
      `dataSourceOptions() takes TypeORM's data source options as an object, got ${describe(options)}`,
    )
  }
  const given = options as { type?: unknown; driver?: unknown }
  if (given.type !== undefined && given.type !== 'postgres') {
    throw new ConfigError(
      `dataSourceOptions() builds a "postgres" data source; got type ${JSON.stringify(given.type)}`,
      { parameter: 'type' },
    )
  }
  if (given.driver !== undefined && given.driver !== pg) {
    throw new ConfigError(
      'dataSourceOptions() sets `driver` to @tusk/pg-compat; remove the `driver` option (or build the options yourself to run on another driver)',
      { parameter: 'driver' },
    )
  }
  return { ...options, type: 'postgres', driver: pg } as PostgresDataSourceOptions
}

/**
 * A TypeORM `DataSource` for PostgreSQL on Tusk: `new DataSource(dataSourceOptions(options))`
 * with {@link withCursorStreams} applied, built with the `typeorm` your app resolves. Throws
 * ConfigError as {@link dataSourceOptions} does.
 */
export function createDataSource(
  options: TuskDataSourceOptions | PostgresDataSourceOptions,
): DataSource {
  return withCursorStreams(
    new typeorm.DataSource(dataSourceOptions(options as TuskDataSourceOptions)),
  )
}

/**
 * Makes `stream()` (query builders, repositories, query runners) of a data source built from
 * {@link dataSourceOptions} read through `@tusk/pg-query-stream`, on the core's server-side
 * cursors in bounded memory, instead of loading the `pg-query-stream` package by name. Returns
 * the same data source. Throws ConfigError for a data source that does not run on
 * `@tusk/pg-compat`.
 */
export function withCursorStreams<T extends DataSource>(dataSource: T): T {
  const options = (dataSource as { options?: { type?: unknown; driver?: unknown } } | null)?.options
  const driver = (dataSource as { driver?: unknown } | null)?.driver as
    | { loadStreamDependency?: unknown }
    | undefined
  if (
    options?.type !== 'postgres' ||
    options.driver !== pg ||
    typeof driver?.loadStreamDependency !== 'function'
  ) {
    throw new ConfigError(
      'withCursorStreams() takes a TypeORM DataSource built from dataSourceOptions() (type "postgres", driver @tusk/pg-compat)',
      { parameter: 'dataSource' },
    )
  }
  driver.loadStreamDependency = () => QueryStream
  return dataSource
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'string' ? 'a string (pass { url } instead)' : typeof value
}
