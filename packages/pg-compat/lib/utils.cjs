'use strict'
// `pg/lib/utils.js`, which pg-cursor loads by path: pg's parameter preparation and escapes.
const pg = require('../dist/index.cjs')
module.exports = {
  prepareValue: pg.prepareValue,
  escapeIdentifier: pg.escapeIdentifier,
  escapeLiteral: pg.escapeLiteral,
}
