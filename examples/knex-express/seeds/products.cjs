exports.seed = async (knex) => {
  await knex('products').del()
  await knex('products').insert([
    { sku: 'TSK-001', name: 'Tusk mug', price: '12.50', stock: 40 },
    { sku: 'TSK-002', name: 'Elephant sticker', price: '2.00', stock: 500 },
    { sku: 'TSK-003', name: 'Query builder T-shirt, "large"', price: '24.90', stock: 12 },
  ])
}
