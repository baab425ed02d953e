/**
 * The schema: authors and their books. drizzle-kit reads this file (`pnpm generate`) to write the
 * SQL migrations in `drizzle/`; the app imports it for queries and relational queries.
 */
import { relations } from 'drizzle-orm'
import { index, integer, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core'

export const authors = pgTable('authors', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  name: text('name').notNull().unique(),
})

export const books = pgTable(
  'books',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    isbn: text('isbn').notNull().unique(),
    title: text('title').notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => authors.id),
    year: smallint('year'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Added by the second migration: an author's page looks books up by author.
  (t) => [index('books_author_id_idx').on(t.authorId)],
)

export const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }))

export const booksRelations = relations(books, ({ one }) => ({
  author: one(authors, { fields: [books.authorId], references: [authors.id] }),
}))
