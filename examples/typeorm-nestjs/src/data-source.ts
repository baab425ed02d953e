/** The data source the TypeORM CLI loads: `pnpm typeorm migration:run` (DATABASE_URL). */
import 'reflect-metadata'
import { DataSource } from 'typeorm'
import { ormOptions } from './options.js'

export const AppDataSource = new DataSource(
  ormOptions(process.env.DATABASE_URL ?? 'postgres://localhost/postgres'),
)
