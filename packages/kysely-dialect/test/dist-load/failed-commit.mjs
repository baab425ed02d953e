/**
 * What both apps run: a transaction whose statement fails, then COMMIT (which the server turns
 * into ROLLBACK), then one more query on the same pool. Prints what the app saw.
 */
export async function failedCommit({ Kysely, sql, TuskDialect, errors }) {
  const db = new Kysely({ dialect: new TuskDialect({ conninfo: process.env.TUSK_TEST_URL }) })
  try {
    const trx = await db.startTransaction().execute()
    const first = await sql`select 1/0`.execute(trx).then(
      () => 'no error',
      (e) => e.name,
    )
    const commit = await trx
      .commit()
      .execute()
      .then(
        () => ({ name: 'committed' }),
        (e) => ({
          name: e.name,
          inFailedSqlTransaction: e instanceof errors.InFailedSqlTransaction,
          causeInFailedSqlTransaction: e.cause instanceof errors.InFailedSqlTransaction,
        }),
      )
    // Kysely marks the transaction aborted where it knows AbortedTransactionError; before that,
    // an app rolls back after a failed commit, as Kysely documents, to give the session back.
    const abortedByKysely = trx.isRolledBack
    if (!abortedByKysely) await trx.rollback().execute()
    const { rows } = await sql`select 1 as one`.execute(db)
    return { first, commit, abortedByKysely, after: rows }
  } finally {
    await db.destroy()
  }
}
