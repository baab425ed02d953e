/** The service's tables, as Kysely sees them. */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** A to-do item. */
export interface TodoTable {
  id: Generated<number>
  title: string
  done: Generated<boolean>
  /** timestamptz: a Date, as with PostgresDialect + pg. */
  created_at: ColumnType<Date, never, never>
}

/** Every table of the database. */
export interface Database {
  todo: TodoTable
}

export type Todo = Selectable<TodoTable>
export type NewTodo = Insertable<TodoTable>
