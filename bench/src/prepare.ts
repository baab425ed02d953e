/**
 * Creates the tables the chosen workloads read and write, and the COPY data file, before any
 * child runs; none of this is timed.
 */

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import {
  COPY_FILE,
  copyLine,
  createTableSql,
  fillTableSql,
  INSERT_TABLE,
  ORM_TABLE,
  STREAM_TABLE,
  WIDE_TABLE,
} from './fixtures.js'
import type { Sizes, WorkloadId } from './workloads.js'

async function writeCopyFile(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file)
  for (let i = 1; i <= rows; i++) {
    if (!out.write(copyLine(i))) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

/** Sets up what `workloads` need on the server at `url` and in `workDir`. */
export async function prepareFixtures(
  url: string,
  workloads: readonly WorkloadId[],
  sizes: Sizes,
  workDir: string,
): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const filled: string[] = []
    if (workloads.includes('W3') || workloads.includes('BUN-W3')) {
      await client.query(createTableSql(WIDE_TABLE))
      await client.query(fillTableSql(WIDE_TABLE, sizes.wideRows))
      filled.push(WIDE_TABLE)
    }
    if (workloads.some((w) => w.startsWith('W5'))) {
      await client.query(createTableSql(STREAM_TABLE))
      await client.query(fillTableSql(STREAM_TABLE, sizes.streamRows))
      filled.push(STREAM_TABLE)
    }
    if (workloads.some((w) => w.startsWith('ORM-'))) {
      await client.query(createTableSql(ORM_TABLE, true))
      await client.query(fillTableSql(ORM_TABLE, sizes.ormRows))
      filled.push(ORM_TABLE)
    }
    if (workloads.some((w) => w.startsWith('W4') || w === 'ORM-insert')) {
      await client.query(createTableSql(INSERT_TABLE))
    }
    if (workloads.some((w) => w.startsWith('W4'))) {
      await writeCopyFile(path.join(workDir, COPY_FILE), sizes.insertRows)
    }
    // Freeze and analyse once, so no run pays for setting hint bits on fresh rows.
    for (const table of filled) await client.query(`VACUUM (FREEZE, ANALYZE) ${table}`)
  } finally {
    await client.end()
  }
}

/** Drops the benchmark tables (for a BENCH_DATABASE_URL server, which outlives the run). */
export async function dropFixtures(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(
      `DROP TABLE IF EXISTS ${WIDE_TABLE}, ${STREAM_TABLE}, ${INSERT_TABLE}, ${ORM_TABLE}`,
    )
  } finally {
    await client.end()
  }
}
