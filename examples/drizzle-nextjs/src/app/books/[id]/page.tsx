/**
 * `/books/<id>`: one book, its author and the author's other books, by a relational query;
 * a 404 page when there is no such book.
 */
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { findBook, positiveId } from '../../../db/books'

export default async function BookPage({ params }: { params: Promise<{ id: string }> }) {
  const id = positiveId((await params).id)
  const book = id === 0 ? undefined : await findBook(id)
  if (book === undefined) notFound()
  const others = book.author.books.filter((other) => other.id !== book.id)
  return (
    <>
      <h1>{book.title}</h1>
      <p>
        by {book.author.name}
        {book.year === null ? null : <>, {book.year}</>} · ISBN {book.isbn}
      </p>
      {others.length > 0 ? (
        <>
          <h2>Also by {book.author.name}</h2>
          <ul>
            {others.map((other) => (
              <li key={other.id}>
                <Link href={`/books/${other.id}`}>{other.title}</Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  )
}
