/**
 * `GET /api/books?after=<id>&limit=<n>`: a page of books as JSON, `{ books, next }`, read as the
 * list page reads it.
 *
 * `POST /api/books` `{ isbn, title, authorId, year? }`: 201 and the new book; 409 when the ISBN is
 * taken (the server's UniqueViolation), 422 when there is no such author (ForeignKeyViolation),
 * 400 when the body is not a book. An error's body names the SQLSTATE and the constraint.
 */
import { errors } from '@tusk/core'
import { addBook, bookPage, PAGE_SIZE, positiveId } from '../../../db/books'
import { databaseError } from '../../../db/database-error'

export async function GET(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams
  const limit = Math.min(positiveId(params.get('limit')) || PAGE_SIZE, 100)
  return Response.json(await bookPage(positiveId(params.get('after')), limit))
}

export async function POST(request: Request): Promise<Response> {
  const body = (await request.json().catch(() => null)) as Record<string, unknown> | null
  const { isbn, title, authorId, year = null } = body ?? {}
  if (
    typeof isbn !== 'string' ||
    typeof title !== 'string' ||
    !Number.isSafeInteger(authorId) ||
    (year !== null && !Number.isSafeInteger(year))
  ) {
    return Response.json(
      { error: 'a book is { isbn: string, title: string, authorId: integer, year?: integer }' },
      { status: 400 },
    )
  }
  try {
    const book = await addBook({ isbn, title, authorId: authorId as number, year: year as number })
    return Response.json(book, { status: 201 })
  } catch (err) {
    const cause = databaseError(err)
    if (cause instanceof errors.UniqueViolation) {
      return failure(409, `a book with ISBN ${isbn} exists`, cause)
    }
    if (cause instanceof errors.ForeignKeyViolation) {
      return failure(422, `there is no author ${authorId}`, cause)
    }
    if (cause instanceof errors.DataError) return failure(400, 'a value is out of range', cause)
    throw err
  }
}

function failure(status: number, message: string, cause: errors.DatabaseError): Response {
  return Response.json(
    { error: message, code: cause.code, kind: cause.name, constraint: cause.constraint },
    { status },
  )
}
