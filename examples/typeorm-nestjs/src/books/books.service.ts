import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common'
import { getRepositoryToken } from '@nestjs/typeorm'
import { errors } from '@tusk/core'
import { DataSource, QueryFailedError, type Repository } from 'typeorm'
import { Author } from './author.entity.js'
import { Book } from './book.entity.js'

/** What POST /books takes. */
export interface NewBook {
  title: string
  author: string
  year?: number
  price?: string
}

/** Books and their authors. */
@Injectable()
export class BooksService {
  constructor(
    @Inject(getRepositoryToken(Book)) private readonly books: Repository<Book>,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  /** Every book with its author, newest first. */
  list(): Promise<Book[]> {
    return this.books.find({ relations: { author: true }, order: { id: 'DESC' } })
  }

  /** One book, or 404. */
  async get(id: number): Promise<Book> {
    const book = await this.books.findOne({ where: { id }, relations: { author: true } })
    if (book === null) throw new NotFoundException(`no book ${id}`)
    return book
  }

  /** Adds a book, creating its author when new: one transaction. */
  add(input: NewBook): Promise<Book> {
    return this.dataSource.transaction(async (m) => {
      await m
        .createQueryBuilder()
        .insert()
        .into(Author)
        .values({ name: input.author })
        .orIgnore()
        .execute()
      const author = await m.findOneByOrFail(Author, { name: input.author })
      return m.save(Book, {
        title: input.title,
        year: input.year ?? null,
        price: input.price ?? null,
        author,
      })
    })
  }

  /** Renames an author; 409 when the name is taken (a UniqueViolation from the database). */
  async renameAuthor(id: number, name: string): Promise<Author> {
    try {
      await this.dataSource.getRepository(Author).update({ id }, { name })
    } catch (err) {
      if (err instanceof QueryFailedError && err.driverError instanceof errors.UniqueViolation) {
        throw new ConflictException(`an author is already named ${name}`)
      }
      throw err
    }
    return this.dataSource.getRepository(Author).findOneByOrFail({ id })
  }
}
