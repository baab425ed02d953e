CREATE TABLE "mig_authors" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "mig_authors_name_idx" ON "mig_authors" USING btree ("name");
