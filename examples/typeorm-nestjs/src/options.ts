/** The data source options the app and the TypeORM CLI share: Tusk's driver, the entities, the migrations. */
import { dataSourceOptions } from '@tusk/typeorm'
import type { DataSourceOptions } from 'typeorm'
import { Author } from './books/author.entity.js'
import { Book } from './books/book.entity.js'
import { Init1733000000000 } from './migrations/1733000000000-Init.js'

/** Options for the database at `url`. */
export function ormOptions(url: string): DataSourceOptions {
  return dataSourceOptions({
    url,
    entities: [Author, Book],
    migrations: [Init1733000000000],
    poolSize: 10,
  })
}
