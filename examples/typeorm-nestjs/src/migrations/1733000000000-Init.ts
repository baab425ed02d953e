import type { MigrationInterface, QueryRunner } from 'typeorm'

/** The authors and books tables. */
export class Init1733000000000 implements MigrationInterface {
  name = 'Init1733000000000'

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      'CREATE TABLE "authors" ("id" SERIAL NOT NULL, "name" text NOT NULL, CONSTRAINT "UQ_authors_name" UNIQUE ("name"), CONSTRAINT "PK_authors" PRIMARY KEY ("id"))',
    )
    await runner.query(
      'CREATE TABLE "books" ("id" SERIAL NOT NULL, "title" text NOT NULL, "year" integer, "price" numeric(8,2), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "authorId" integer NOT NULL, CONSTRAINT "PK_books" PRIMARY KEY ("id"))',
    )
    await runner.query(
      'ALTER TABLE "books" ADD CONSTRAINT "FK_books_author" FOREIGN KEY ("authorId") REFERENCES "authors"("id") ON DELETE CASCADE ON UPDATE NO ACTION',
    )
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE "books" DROP CONSTRAINT "FK_books_author"')
    await runner.query('DROP TABLE "books"')
    await runner.query('DROP TABLE "authors"')
  }
}
