/**
 * User types by name: CATALOG_QUERY reads pg_type/pg_range/pg_attribute for them and what they
 * are built from; its rows become TypeInfo for `withCatalogTypes`. Pure: the engine runs it.
 */
import { InterfaceError } from '../errors/index.js'
import type { CompositeAttribute } from './composite.js'
import { kindOf, type TypeInfo } from './type-info.js'

/**
 * SQL taking `$1::text[]`, type names (`mood`, `myschema.mood`, `citext`): one row per named type,
 * per type they are built from (composite attributes, domain bases, range subtypes, array
 * elements, multiranges of ranges; recursively, user types only), and per array type of those.
 * Columns are those of CatalogTypeRow. Run once per pool; unknown names return no row.
 */
export const CATALOG_QUERY = `with recursive wanted(oid) as (
  select t.oid
  from pg_catalog.pg_type t
  join pg_catalog.pg_namespace n on n.oid = t.typnamespace
  where t.typname = any($1::text[]) or (n.nspname || '.' || t.typname) = any($1::text[])
  union
  select dep.oid
  from wanted w
  join pg_catalog.pg_type t on t.oid = w.oid
  cross join lateral (
    select t.typelem as oid where t.typelem <> 0
    union all select t.typbasetype where t.typbasetype <> 0
    union all select r.rngsubtype from pg_catalog.pg_range r where r.rngtypid = t.oid
    union all select r.rngmultitypid from pg_catalog.pg_range r where r.rngtypid = t.oid
    union all select r.rngtypid from pg_catalog.pg_range r where r.rngmultitypid = t.oid
    union all select a.atttypid from pg_catalog.pg_attribute a
      where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped
  ) dep
  where dep.oid >= 16384
), with_arrays(oid) as (
  select oid from wanted
  union
  select t.typarray from pg_catalog.pg_type t join wanted w on w.oid = t.oid where t.typarray <> 0
)
select
  t.oid::int8 as oid,
  t.typname::text as typname,
  n.nspname::text as nspname,
  t.typtype::text as typtype,
  t.typcategory::text as typcategory,
  t.typdelim::text as typdelim,
  t.typelem::int8 as typelem,
  t.typarray::int8 as typarray,
  t.typbasetype::int8 as typbasetype,
  t.typrelid::int8 as typrelid,
  r.rngsubtype::int8 as rngsubtype,
  mr.rngtypid::int8 as multirange_range,
  pg_catalog.pg_type_is_visible(t.oid) as visible,
  (select pg_catalog.array_agg(a.attname::text order by a.attnum)
     from pg_catalog.pg_attribute a
     where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) as attnames,
  (select pg_catalog.array_agg(a.atttypid::int8 order by a.attnum)
     from pg_catalog.pg_attribute a
     where t.typrelid <> 0 and a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) as atttypids
from pg_catalog.pg_type t
join pg_catalog.pg_namespace n on n.oid = t.typnamespace
left join pg_catalog.pg_range r on r.rngtypid = t.oid
left join pg_catalog.pg_range mr on mr.rngmultitypid = t.oid
where t.oid in (select oid from with_arrays)
order by t.oid`

/** An OID as the engine may have decoded it (int8 → bigint, number, or string). */
type OidValue = number | bigint | string

/** One row of CATALOG_QUERY (any decoding of its int8 columns is accepted). */
export interface CatalogTypeRow {
  /** pg_type.oid. */
  readonly oid: OidValue
  /** pg_type.typname (arrays: `_name`). */
  readonly typname: string
  /** The schema (pg_namespace.nspname). */
  readonly nspname: string
  /** `b` base, `c` composite, `d` domain, `e` enum, `r` range, `m` multirange, `p` pseudo. */
  readonly typtype: string
  /** `A` for array types. */
  readonly typcategory: string
  /** The array element delimiter. */
  readonly typdelim: string
  /** An array's element type, else 0. */
  readonly typelem: OidValue
  /** The type's array type, else 0. */
  readonly typarray: OidValue
  /** A domain's base type, else 0. */
  readonly typbasetype: OidValue
  /** A composite's pg_class row, else 0. */
  readonly typrelid: OidValue
  /** A range's subtype, else null. */
  readonly rngsubtype: OidValue | null
  /** A multirange's range type, else null. */
  readonly multirange_range: OidValue | null
  /** The type is visible on the search_path (its bare name refers to it). */
  readonly visible: boolean
  /** A composite's attribute names in order (dropped columns left out), else null. */
  readonly attnames: readonly string[] | null
  /** A composite's attribute types, in the order of `attnames`, else null. */
  readonly atttypids: readonly OidValue[] | null
}

function oid(value: OidValue | null | undefined, column: string): number {
  const n = value === null || value === undefined ? 0 : Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new InterfaceError(`catalog row: ${column} is not an OID`)
  }
  return n
}

/**
 * TypeInfo for each catalog row; `preferredNames` holds the OIDs whose bare name should win
 * (visible on the search_path).
 */
export function catalogTypeInfos(rows: readonly CatalogTypeRow[]): {
  infos: TypeInfo[]
  preferredNames: Set<number>
} {
  const infos: TypeInfo[] = []
  const preferredNames = new Set<number>()
  for (const row of rows) {
    const typeOid = oid(row.oid, 'oid')
    const typelem = oid(row.typelem, 'typelem')
    const isArray = row.typcategory === 'A' && typelem !== 0 && row.typtype === 'b'
    const kind = kindOf(row.typtype, isArray)
    let element = 0
    if (kind === 'array') element = typelem
    else if (kind === 'range') element = oid(row.rngsubtype, 'rngsubtype')
    else if (kind === 'multirange') element = oid(row.multirange_range, 'multirange_range')
    else if (kind === 'domain') element = oid(row.typbasetype, 'typbasetype')
    let attributes: CompositeAttribute[] | undefined
    if (kind === 'composite') {
      const names = row.attnames ?? []
      const types = row.atttypids ?? []
      if (names.length !== types.length)
        throw new InterfaceError('catalog row: attnames and atttypids differ in length')
      attributes = names.map((name, i) => ({ name, oid: oid(types[i], 'atttypids') }))
    }
    infos.push({
      oid: typeOid,
      name: row.typname,
      schema: row.nspname,
      kind,
      element,
      array: oid(row.typarray, 'typarray'),
      delimiter: row.typdelim || ',',
      ...(attributes === undefined ? {} : { attributes }),
    })
    if (row.visible) preferredNames.add(typeOid)
  }
  return { infos, preferredNames }
}
