// The rules of CursorOptions.

import { QUERY_TYPES, ROW_MODE } from './query-options.js'
import { BOOLEAN, count, milliseconds, NON_EMPTY_STRING, SIGNAL } from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'

/** CursorOptions: the options of `cursor(text, params?, options?)`. */
export const CURSOR_OPTIONS: OptionSchema = defineSchema(
  'cursor option',
  'cursor(text, params, { … })',
  {
    // Execute's row limit is an Int32; 0 there would mean "all rows", never a batch.
    batchSize: count(1),
    rowMode: ROW_MODE,
    withHold: BOOLEAN,
    name: NON_EMPTY_STRING,
    signal: SIGNAL,
    timeout: milliseconds(),
    types: QUERY_TYPES,
  },
)
