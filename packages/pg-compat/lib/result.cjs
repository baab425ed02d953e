'use strict'
// `pg/lib/result.js`, which pg-cursor loads by path: the same Result class as the package's.
const { Result } = require('../dist/index.cjs')
module.exports = Result
