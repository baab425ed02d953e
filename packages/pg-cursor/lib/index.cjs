'use strict'
// The package's main export is the Cursor class itself, as `pg-cursor`'s is.
const { Cursor } = require('../dist/index.cjs')
module.exports = Cursor
