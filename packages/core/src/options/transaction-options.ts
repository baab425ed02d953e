// The rules of TransactionOptions.
import { BOOLEAN, count, either, milliseconds, nested, oneOf, SIGNAL } from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'

/** `retry` as an object: the attempts and the backoff. */
export const RETRY_OPTIONS: OptionSchema = defineSchema(
  'retry option',
  'transaction({ retry: { attempts, baseDelayMs?, maxDelayMs? } }, fn)',
  { attempts: count(0), baseDelayMs: milliseconds(), maxDelayMs: milliseconds() },
)

/** TransactionOptions: the options of `transaction(options, fn)`. */
export const TRANSACTION_OPTIONS: OptionSchema = defineSchema(
  'transaction option',
  'transaction({ … }, fn)',
  {
    isolation: oneOf(['read uncommitted', 'read committed', 'repeatable read', 'serializable']),
    readOnly: BOOLEAN,
    deferrable: BOOLEAN,
    retry: either(
      count(0),
      nested(RETRY_OPTIONS, 'an object { attempts, baseDelayMs?, maxDelayMs? }'),
    ),
    signal: SIGNAL,
    timeout: milliseconds(),
  },
)
