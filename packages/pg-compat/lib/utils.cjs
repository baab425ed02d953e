'use strict'
// `pg/lib/utils.js`, which pg-cursor loads by path: pg's parameter preparation and escapes.
const pg = require('../dist/index.cjs')
exports.prepareValue = pg.prepareValue
exports.escapeIdentifier = pg.escapeIdentifier
exports.escapeLiteral = pg.escapeLiteral
