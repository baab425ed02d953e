import { Column, CreateDateColumn, Entity, ManyToOne, PrimaryGeneratedColumn } from 'typeorm'
import { Author } from './author.entity.js'

/** A book, written by one author. */
@Entity('books')
export class Book {
  @PrimaryGeneratedColumn('increment')
  id: number

  @Column('text')
  title: string

  @Column('int', { nullable: true })
  year: number | null

  @Column('numeric', { precision: 8, scale: 2, nullable: true })
  price: string | null

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date

  @ManyToOne(
    () => Author,
    (author) => author.books,
    { nullable: false, onDelete: 'CASCADE' },
  )
  author: Author
}
