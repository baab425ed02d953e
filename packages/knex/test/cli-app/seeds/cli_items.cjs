exports.seed = async (knex) => {
  await knex('knex_cli_items').del()
  await knex('knex_cli_items').insert([
    { label: 'alpha', qty: 1 },
    { label: 'beta', qty: 2 },
    { label: 'gamma', qty: 3 },
  ])
}
