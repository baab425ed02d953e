'use strict'
// `pg/lib/result.js`, which pg-cursor loads by path: the same Result class as the package's.
module.exports = require('../dist/index.cjs').Result
