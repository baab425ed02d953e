// The rules of TypeOptions (`types` in connection, pool, query and cursor options).
import { FUNCTION, OBJECT, oneOf, type Rule } from './rules.js'
import { defineSchema, type OptionSchema } from './schema.js'

/** A record whose every value `item` accepts (`parsers`, `codecs`). */
function recordOf(item: Rule, plural: string): Rule {
  return {
    accepts: `an object of ${plural} keyed by type name or OID`,
    test: (v) =>
      OBJECT.test(v) && Object.values(v as Record<string, unknown>).every((x) => item.test(x)),
  }
}

/** TypeOptions: the value mappings and custom parsers or codecs. */
export const TYPE_OPTIONS: OptionSchema = defineSchema('type option', '{ types: { … } }', {
  int8: oneOf(['bigint', 'number', 'string']),
  numeric: oneOf(['string', 'number']),
  dates: oneOf(['string', 'date']),
  timestamps: oneOf(['date', 'string']),
  parsers: recordOf(FUNCTION, 'functions'),
  codecs: recordOf(OBJECT, 'codec objects'),
})
