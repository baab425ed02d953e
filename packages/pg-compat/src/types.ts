/**
 * `pg.types`: the module-wide type parser table (`getTypeParser`, `setTypeParser`, `builtins`,
 * `arrayParser`). Scoped to this pg-compat module instance — it changes what every Client and
 * Pool of this instance returns, as `pg.types` does for `pg`, and nothing in @tusk/core. A
 * client's or query's own `types` wins over it.
 */
import { InterfaceError } from '@tusk/core'
import { BUILTINS } from './builtins.js'
import { arrayOf, DEFAULT_TEXT_PARSERS, noParse, type TypeParser } from './type-parsers.js'

/** The two formats `pg` keys parsers by. Results always arrive as text here (see README). */
export type TypeFormat = 'text' | 'binary'

/** What `types` options of a client or query must offer, as `pg`'s `CustomTypesConfig`. */
export interface CustomTypesConfig {
  /** The parser for values of `oid` in `format` (`text` unless said otherwise). */
  getTypeParser: (oid: number, format?: TypeFormat) => TypeParser
}

const textParsers = new Map<number, TypeParser>(DEFAULT_TEXT_PARSERS)
const binaryParsers = new Map<number, TypeParser>()

function check(oid: unknown, parser: unknown): asserts parser is TypeParser {
  if (typeof oid !== 'number' || !Number.isInteger(oid) || oid < 0) {
    throw new InterfaceError(
      `setTypeParser: the type OID must be a non-negative integer, got ${String(oid)}`,
    )
  }
  if (typeof parser !== 'function') {
    throw new InterfaceError('setTypeParser: the parser must be a function')
  }
}

/** The parser `pg` uses for `oid` in `format`: the module table, else the text itself. */
export function getTypeParser(oid: number, format: TypeFormat = 'text'): TypeParser {
  const table = format === 'binary' ? binaryParsers : textParsers
  return table.get(oid) ?? noParse
}

/**
 * Replaces the parser of `oid` for this module instance: `setTypeParser(oid, fn)` (text) or
 * `setTypeParser(oid, format, fn)`.
 */
export function setTypeParser(
  oid: number,
  format: TypeFormat | TypeParser,
  parser?: TypeParser,
): void {
  const fn = typeof format === 'function' ? format : parser
  check(oid, fn)
  const table = format === 'binary' ? binaryParsers : textParsers
  table.set(oid, fn)
}

/** pg-types' array parser helper: `arrayParser.create(text, parse).parse()`. */
export const arrayParser = {
  /** An object whose `parse()` reads `text` as an array literal, elements through `parse`. */
  create(text: string, parse?: TypeParser): { parse(): unknown } {
    return { parse: () => arrayOf(parse ?? noParse)(text) }
  },
}

/** `pg.types`: the parser table of this module instance. */
export const types = {
  getTypeParser,
  setTypeParser,
  arrayParser,
  builtins: BUILTINS,
}
