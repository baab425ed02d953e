// An app as published: `require` of the built package, with whatever Kysely sits beside it.
const { errors } = require('@tusk/core')
const { TuskDialect } = require('@tusk/kysely-dialect')
const { Kysely, sql } = require('kysely')

import('./failed-commit.mjs')
  .then(({ failedCommit }) => failedCommit({ Kysely, sql, TuskDialect, errors }))
  .then((out) => console.log(JSON.stringify(out)))
