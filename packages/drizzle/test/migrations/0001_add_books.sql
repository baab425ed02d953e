CREATE TABLE "mig_books" (
	"id" serial PRIMARY KEY NOT NULL,
	"author_id" integer NOT NULL,
	"title" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "mig_books" ADD CONSTRAINT "mig_books_author_id_mig_authors_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."mig_authors"("id") ON DELETE cascade ON UPDATE no action;
