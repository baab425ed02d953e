-- The tables of schema.prisma, as Prisma Migrate would create them (Migrate's native schema
-- engine cannot be installed from the npm registry, so the tests create them with this script).
CREATE TYPE "Mood" AS ENUM ('happy', 'sad', 'so_so');

CREATE TABLE "Author" (
  "id" SERIAL PRIMARY KEY,
  "email" TEXT NOT NULL,
  "name" VARCHAR(20) NOT NULL,
  "nick" TEXT
);
CREATE UNIQUE INDEX "Author_email_key" ON "Author"("email");
CREATE UNIQUE INDEX "author_name_nick_key" ON "Author"("name", "nick");

CREATE TABLE "Profile" (
  "id" SERIAL PRIMARY KEY,
  "bio" TEXT NOT NULL,
  "authorId" INTEGER NOT NULL
);
CREATE UNIQUE INDEX "Profile_authorId_key" ON "Profile"("authorId");
ALTER TABLE "Profile" ADD CONSTRAINT "Profile_authorId_fkey" FOREIGN KEY ("authorId")
  REFERENCES "Author"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "Post" (
  "id" SERIAL PRIMARY KEY,
  "title" TEXT NOT NULL,
  "authorId" INTEGER NOT NULL
);
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId")
  REFERENCES "Author"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "Sample" (
  "id" UUID PRIMARY KEY,
  "int" INTEGER,
  "small" SMALLINT,
  "big" BIGINT,
  "oid" OID,
  "float" DOUBLE PRECISION,
  "real" REAL,
  "decimal" DECIMAL(30, 10),
  "money" MONEY,
  "bool" BOOLEAN,
  "text" TEXT,
  "char" CHAR(3),
  "varchar" VARCHAR(5),
  "xml" XML,
  "inet" INET,
  "bit" BIT(4),
  "varbit" VARBIT(8),
  "citextLike" TEXT,
  "uuid" UUID,
  "ts" TIMESTAMP(6),
  "tstz" TIMESTAMPTZ(6),
  "ts3" TIMESTAMP(3),
  "date" DATE,
  "time" TIME(6),
  "timetz" TIMETZ(6),
  "json" JSONB,
  "jsonPlain" JSON,
  "bytes" BYTEA,
  "mood" "Mood",
  "ints" INTEGER[],
  "bigs" BIGINT[],
  "floats" DOUBLE PRECISION[],
  "decimals" DECIMAL(65, 30)[],
  "bools" BOOLEAN[],
  "texts" TEXT[],
  "uuids" UUID[],
  "stamps" TIMESTAMPTZ(6)[],
  "dates" DATE[],
  "jsons" JSONB[],
  "blobs" BYTEA[],
  "moods" "Mood"[]
);
