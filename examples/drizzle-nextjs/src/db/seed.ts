/**
 * The starter's data: 25 books by 6 authors, inserted in one transaction when the database has no
 * authors yet (so a restart keeps what the app added).
 */
import type { Database } from './client'
import { authors, books } from './schema'

const CATALOGUE: Record<string, [title: string, year: number][]> = {
  'Jane Austen': [
    ['Sense and Sensibility', 1811],
    ['Pride and Prejudice', 1813],
    ['Mansfield Park', 1814],
    ['Emma', 1815],
    ['Persuasion', 1817],
  ],
  'Mary Shelley': [
    ['Frankenstein', 1818],
    ['The Last Man', 1826],
    ['Lodore', 1835],
  ],
  'Charles Dickens': [
    ['Oliver Twist', 1838],
    ['A Christmas Carol', 1843],
    ['David Copperfield', 1850],
    ['Bleak House', 1853],
    ['Great Expectations', 1861],
  ],
  'Herman Melville': [
    ['Typee', 1846],
    ['Moby-Dick', 1851],
    ['Bartleby, the Scrivener', 1853],
  ],
  'George Eliot': [
    ['Adam Bede', 1859],
    ['The Mill on the Floss', 1860],
    ['Silas Marner', 1861],
    ['Middlemarch', 1871],
    ['Daniel Deronda', 1876],
  ],
  'Leo Tolstoy': [
    ['War and Peace', 1869],
    ['Anna Karenina', 1878],
    ['The Death of Ivan Ilyich', 1886],
    ['Resurrection', 1899],
  ],
}

/** Seeds an empty database; returns how many books it inserted (0 when there were authors). */
export async function seed(db: Database): Promise<number> {
  if ((await db.$count(authors)) > 0) return 0
  return db.transaction(async (tx) => {
    let count = 0
    for (const [name, titles] of Object.entries(CATALOGUE)) {
      const [author] = await tx.insert(authors).values({ name }).returning({ id: authors.id })
      await tx.insert(books).values(
        titles.map(([title, year]) => ({
          isbn: `978-0-00-${String(++count).padStart(6, '0')}-0`,
          title,
          year,
          authorId: author!.id,
        })),
      )
    }
    return count
  })
}
