import { Body, Controller, Get, Inject, Param, ParseIntPipe, Patch, Post } from '@nestjs/common'
import type { Author } from './author.entity.js'
import type { Book } from './book.entity.js'
import { BooksService, type NewBook } from './books.service.js'

/** The REST API: /books and /authors/:id. */
@Controller()
export class BooksController {
  constructor(@Inject(BooksService) private readonly books: BooksService) {}

  @Get('books')
  list(): Promise<Book[]> {
    return this.books.list()
  }

  @Get('books/:id')
  get(@Param('id', ParseIntPipe) id: number): Promise<Book> {
    return this.books.get(id)
  }

  @Post('books')
  add(@Body() body: NewBook): Promise<Book> {
    return this.books.add(body)
  }

  @Patch('authors/:id')
  rename(@Param('id', ParseIntPipe) id: number, @Body() body: { name: string }): Promise<Author> {
    return this.books.renameAuthor(id, body.name)
  }
}
