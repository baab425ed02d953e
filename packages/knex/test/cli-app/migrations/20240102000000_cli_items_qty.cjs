// A script of two statements without bindings, as migrations often hold.
exports.up = (knex) =>
  knex.raw(`alter table knex_cli_items add column qty int4 not null default 0;
            create index knex_cli_items_qty on knex_cli_items (qty)`)

exports.down = (knex) =>
  knex.raw('drop index knex_cli_items_qty; alter table knex_cli_items drop column qty')
