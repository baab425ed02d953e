'use strict'
// The package's main export is the QueryStream class itself, as `pg-query-stream`'s is.
const { QueryStream } = require('../dist/index.cjs')
module.exports = QueryStream
