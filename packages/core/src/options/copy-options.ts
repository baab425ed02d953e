// The rules of CopyFromOptions and CopyToOptions.
import {
  arrayOf,
  either,
  FUNCTION,
  milliseconds,
  NON_EMPTY_STRING,
  numberIn,
  oneOf,
  SIGNAL,
} from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'

/** CopyFromOptions: the options of `copyFrom(sql, source, options?)`. */
export const COPY_FROM_OPTIONS: OptionSchema = defineSchema(
  'copyFrom option',
  'copyFrom(sql, source, { … })',
  {
    format: oneOf(['text', 'csv', 'binary']),
    columnTypes: arrayOf(
      either(NON_EMPTY_STRING, numberIn(1, 4_294_967_295, true)),
      'type names or OIDs',
    ),
    signal: SIGNAL,
    timeout: milliseconds(),
  },
)

/** CopyToOptions: the options of `copyTo(sql, options?)`. */
export const COPY_TO_OPTIONS: OptionSchema = defineSchema('copyTo option', 'copyTo(sql, { … })', {
  output: oneOf(['chunks', 'rows']),
  signal: SIGNAL,
  timeout: milliseconds(),
})

/** ExecOptions and NotifyOptions: `exec(script, { … })`, `notify(channel, payload, { … })`. */
/** `session.close(options)`. */
export const CLOSE_OPTIONS: OptionSchema = defineSchema('close option', 'close({ … })', {
  timeout: milliseconds(),
})

export const EXEC_OPTIONS: OptionSchema = defineSchema('exec option', 'exec(script, { … })', {
  rowBuilder: FUNCTION,
  signal: SIGNAL,
  timeout: milliseconds(),
})
