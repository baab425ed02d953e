/**
 * What the registry knows about each type (name, schema, kind, element, array, delimiter,
 * attributes), and the built-in types from the generated tables. Pure data.
 */
import type { CompositeAttribute } from './composite.js'
import { BUILTIN_RANGE_ROWS, BUILTIN_TYPE_ROWS } from './oids.generated.js'

/** How a type is decoded: by its own codec, or through the types it is built from. */
export type TypeKind =
  | 'base'
  | 'array'
  | 'range'
  | 'multirange'
  | 'composite'
  | 'domain'
  | 'enum'
  | 'pseudo'

/** One type the registry knows. */
export interface TypeInfo {
  /** pg_type.oid. */
  readonly oid: number
  /** pg_type.typname (arrays are `_elem`). */
  readonly name: string
  /** The schema (`pg_catalog` for built-in types). */
  readonly schema: string
  /** How values are decoded: by the type's own codec, or through the types it is built from. */
  readonly kind: TypeKind
  /**
   * The type this one is built from: an array's element, a range's subtype, a multirange's
   * range type, a domain's base type; 0 otherwise.
   */
  readonly element: number
  /** The OID of this type's array type, or 0. */
  readonly array: number
  /** pg_type.typdelim: the array element delimiter (`,`, or `;` for box). */
  readonly delimiter: string
  /** A composite type's attributes in order (undefined: unknown, decoded as a record). */
  readonly attributes?: readonly CompositeAttribute[]
}

/** The kind of a pg_type row from typtype and whether it is a standard array. */
export function kindOf(typtype: string, isArray: boolean): TypeKind {
  if (isArray) return 'array'
  switch (typtype) {
    case 'r':
      return 'range'
    case 'm':
      return 'multirange'
    case 'c':
      return 'composite'
    case 'd':
      return 'domain'
    case 'e':
      return 'enum'
    case 'p':
      return 'pseudo'
    default:
      return 'base'
  }
}

function buildBuiltins(): Map<number, TypeInfo> {
  const subtypeOf = new Map<number, number>()
  const rangeOfMultirange = new Map<number, number>()
  for (const [range, subtype, multirange] of BUILTIN_RANGE_ROWS) {
    subtypeOf.set(range, subtype)
    rangeOfMultirange.set(multirange, range)
  }
  const out = new Map<number, TypeInfo>()
  for (const [oid, name, typtype, , delimiter, isArray, typelem, typarray] of BUILTIN_TYPE_ROWS) {
    const kind = kindOf(typtype, isArray === 1)
    const element =
      kind === 'array'
        ? typelem
        : kind === 'range'
          ? (subtypeOf.get(oid) ?? 0)
          : kind === 'multirange'
            ? (rangeOfMultirange.get(oid) ?? 0)
            : 0
    out.set(oid, { oid, name, schema: 'pg_catalog', kind, element, array: typarray, delimiter })
  }
  return out
}

/** Every built-in type by OID. */
export const BUILTIN_TYPES: ReadonlyMap<number, TypeInfo> = buildBuiltins()

/** SQL spellings of built-in type names, mapped to their typname. */
export const TYPE_NAME_ALIASES: Readonly<Record<string, string>> = {
  smallint: 'int2',
  integer: 'int4',
  int: 'int4',
  bigint: 'int8',
  real: 'float4',
  'double precision': 'float8',
  decimal: 'numeric',
  boolean: 'bool',
  'character varying': 'varchar',
  character: 'bpchar',
  'bit varying': 'varbit',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
}

/**
 * The typname a user-given type name refers to: SQL aliases (`integer` → `int4`) and `x[]` →
 * `_x`; a `pg_catalog.` prefix dropped. Other names are kept as given (case included).
 */
export function normalizeTypeName(name: string): string {
  let n = name.trim()
  if (n.startsWith('pg_catalog.')) n = n.slice('pg_catalog.'.length)
  if (n.endsWith('[]')) return `_${normalizeTypeName(n.slice(0, -2))}`
  return TYPE_NAME_ALIASES[n.toLowerCase()] ?? n
}
