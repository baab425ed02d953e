// drizzle-kit's settings: `pnpm generate` compares src/db/schema.ts with the snapshots in
// drizzle/meta and writes the next SQL migration there; it needs no database. The app applies the
// folder itself at start-up, with migrate() from @tusk/drizzle/migrator (see server.ts).
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
})
