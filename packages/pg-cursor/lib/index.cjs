'use strict'
// The package's main export is the Cursor class itself, as `pg-cursor`'s is.
module.exports = require('../dist/index.cjs').Cursor
