/**
 * The type options that make @tusk/core hand every column over as the server's text (a parser
 * that returns its input, for every built-in OID; unknown OIDs are text already), so pg's
 * parsers — module-wide, per client and per query — decide every value, as with `pg`.
 */
import { defaultTypes, OID, type TypeRegistry } from '@tusk/core'

const keepText = (text: string): string => text

/** The registry every pg-compat connection decodes with: text in, text out. */
export const RAW_TEXT_TYPES: TypeRegistry = defaultTypes.extend({
  parsers: Object.fromEntries(Object.values(OID).map((oid) => [String(oid), keepText])),
})
