// Knex's dialect modules and the aliased releases' deep paths ship without declarations.
declare module 'knex-3.0.1/lib/dialects/postgres/index.js'
declare module 'knex-3.3.0/lib/dialects/postgres/index.js'
