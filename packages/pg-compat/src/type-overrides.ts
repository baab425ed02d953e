/**
 * `TypeOverrides`: parsers for one client (its `types` option), falling back to another table —
 * `pg.types` unless one is given.
 */
import { InterfaceError } from '@tusk/core'
import type { TypeParser } from './type-parsers.js'
import { type CustomTypesConfig, getTypeParser, type TypeFormat } from './types.js'

/** Per-client type parsers layered over `pg.types` (or over the table given). */
export class TypeOverrides implements CustomTypesConfig {
  #fallback: CustomTypesConfig
  /** Parsers set on this object for the text format, by OID. */
  text: Record<number, TypeParser> = {}
  /** Parsers set on this object for the binary format, by OID. */
  binary: Record<number, TypeParser> = {}

  /** `fallback` answers for OIDs this object has no parser of its own for (default `pg.types`). */
  constructor(fallback?: CustomTypesConfig) {
    this.#fallback = fallback ?? { getTypeParser }
    this.getTypeParser = this.getTypeParser.bind(this)
  }

  /** Sets the parser of `oid` here only: `(oid, fn)` or `(oid, format, fn)`. */
  setTypeParser(oid: number, format: TypeFormat | TypeParser, parser?: TypeParser): void {
    const fn = typeof format === 'function' ? format : parser
    if (typeof fn !== 'function')
      throw new InterfaceError('setTypeParser: the parser must be a function')
    const table = format === 'binary' ? this.binary : this.text
    table[oid] = fn
  }

  /** This object's parser of `oid`, else the fallback's. */
  getTypeParser(oid: number, format: TypeFormat = 'text'): TypeParser {
    const own = (format === 'binary' ? this.binary : this.text)[oid]
    return own ?? this.#fallback.getTypeParser(oid, format)
  }
}
