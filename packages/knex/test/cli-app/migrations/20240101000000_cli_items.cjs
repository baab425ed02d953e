exports.up = (knex) =>
  knex.schema.createTable('knex_cli_items', (t) => {
    t.increments('id')
    t.text('label').notNullable().unique()
    t.timestamp('made', { useTz: true }).defaultTo(knex.fn.now())
  })

exports.down = (knex) => knex.schema.dropTable('knex_cli_items')
