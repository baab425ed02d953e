exports.up = (knex) =>
  knex.schema.createTable('products', (t) => {
    t.increments('id')
    t.text('sku').notNullable().unique()
    t.text('name').notNullable()
    t.decimal('price', 10, 2).notNullable()
    t.integer('stock').notNullable().defaultTo(0)
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })

exports.down = (knex) => knex.schema.dropTable('products')
