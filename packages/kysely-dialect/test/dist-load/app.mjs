// An app as published: `import` of the built package, with whatever Kysely sits beside it.
import { errors } from '@tusk/core'
import { TuskDialect } from '@tusk/kysely-dialect'
import { Kysely, sql } from 'kysely'
import { failedCommit } from './failed-commit.mjs'

console.log(JSON.stringify(await failedCommit({ Kysely, sql, TuskDialect, errors })))
