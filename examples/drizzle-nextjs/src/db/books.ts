/**
 * The reads and writes of the app, shared by the pages and the route handlers.
 */
import { iterate } from '@tusk/drizzle'
import { eq, gt } from 'drizzle-orm'
import { db } from './client'
import { authors, books } from './schema'

/** Books per page of the list. */
export const PAGE_SIZE = 10

/** A book as the list shows it. */
export interface BookRow {
  id: number
  isbn: string
  title: string
  year: number | null
  author: string
}

/** One page of the list and the cursor of the next (null on the last page). */
export interface BookPage {
  books: BookRow[]
  next: number | null
}

function listQuery() {
  return db()
    .select({
      id: books.id,
      isbn: books.isbn,
      title: books.title,
      year: books.year,
      author: authors.name,
    })
    .from(books)
    .innerJoin(authors, eq(books.authorId, authors.id))
    .orderBy(books.id)
}

/**
 * The page of books after the book `after` (keyset pagination: `?after=` the last id shown), read
 * through a server-side cursor. The cursor fetches one row past the page, which says whether
 * there is a next page; leaving the loop closes it.
 */
export async function bookPage(after: number, size = PAGE_SIZE): Promise<BookPage> {
  const page: BookRow[] = []
  let more = false
  const query = listQuery()
    .where(gt(books.id, after))
    .limit(size + 1)
  for await (const book of iterate(query, { batchSize: size + 1 })) {
    if (page.length === size) {
      more = true
      break
    }
    page.push(book)
  }
  return { books: page, next: more ? page[page.length - 1]!.id : null }
}

/** Every book, streamed from a server-side cursor 500 rows at a time; `signal` stops it. */
export function allBooks(signal?: AbortSignal): AsyncGenerator<BookRow, void, undefined> {
  return iterate(listQuery(), { batchSize: 500, signal })
}

/** How many books there are. */
export function countBooks(): Promise<number> {
  return db().$count(books)
}

/** One book with its author and the author's other books; undefined when there is none. */
export function findBook(id: number) {
  return db().query.books.findFirst({
    where: eq(books.id, id),
    with: { author: { with: { books: { columns: { id: true, title: true } } } } },
  })
}

/** What `POST /api/books` takes. */
export interface NewBook {
  isbn: string
  title: string
  authorId: number
  year?: number | null | undefined
}

/** Inserts a book; a taken ISBN fails with UniqueViolation, an unknown author with ForeignKeyViolation. */
export async function addBook(book: NewBook): Promise<typeof books.$inferSelect> {
  const [row] = await db().insert(books).values(book).returning()
  return row!
}

/** An id from a URL (`?after=`, `/books/<id>`): a positive integer, else 0. */
export function positiveId(raw: string | string[] | null | undefined): number {
  const after = Number(Array.isArray(raw) ? raw[0] : raw)
  return Number.isSafeInteger(after) && after > 0 ? after : 0
}
