/**
 * `GET /api/books/export`: every book as NDJSON (one JSON object a line), streamed from a
 * server-side cursor into the response at the pace the client reads it: memory stays flat
 * whatever the table's size, and a client that goes away closes the cursor.
 */
import { allBooks } from '../../../../db/books'

export function GET(request: Request): Response {
  const books = allBooks(request.signal)
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await books.next()
      if (done) controller.close()
      else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`))
    },
    async cancel() {
      await books.return()
    },
  })
  return new Response(body, { headers: { 'content-type': 'application/x-ndjson' } })
}
