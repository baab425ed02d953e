/**
 * `/` and `/?after=<id>`: the list of books, one page at a time, rendered on the server from a
 * server-side cursor (see `bookPage`). Reading `searchParams` makes the page dynamic: it is
 * rendered per request, never at build time.
 */
import Link from 'next/link'
import { bookPage, countBooks, positiveId } from '../db/books'

export default async function BooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const after = positiveId((await searchParams).after)
  const [page, total] = await Promise.all([bookPage(after), countBooks()])
  return (
    <>
      <h1>Books</h1>
      <p>
        {total} books in the database
        {after > 0 ? <> · after book {after}</> : null}
      </p>
      <ol data-testid="books">
        {page.books.map((book) => (
          <li key={book.id} value={book.id}>
            <Link href={`/books/${book.id}`}>{book.title}</Link> by {book.author}
            {book.year === null ? null : <> ({book.year})</>}
          </li>
        ))}
      </ol>
      <nav>
        {after > 0 ? <Link href="/">First page</Link> : null}
        {page.next === null ? null : (
          <>
            {' '}
            <Link href={`/?after=${page.next}`} rel="next">
              Next page
            </Link>
          </>
        )}
      </nav>
    </>
  )
}
