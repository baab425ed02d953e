import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm'
import { Book } from './book.entity.js'

/** An author and the books they wrote. */
@Entity('authors')
export class Author {
  @PrimaryGeneratedColumn('increment')
  id: number

  @Column('text', { unique: true })
  name: string

  @OneToMany(
    () => Book,
    (book) => book.author,
  )
  books: Book[]
}
