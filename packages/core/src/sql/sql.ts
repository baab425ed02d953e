// The `sql` tagged template and its helpers (id, join, in, unsafe, value, empty).
// Pure: imports only errors/ and the fragment and escape files beside it.
import { InterfaceError } from '../errors/base.js'
import { quoteIdentifier } from './escape.js'
import { fragment, isSqlFragment, type SqlFragment } from './fragment.js'

/** The `sql` tag with its helpers; see `sql`. */
export interface Sql {
  /**
   * `` sql`select * from t where id = ${id}` `` → `{ text: 'select * from t where id = $1',
   * values: [id] }`. Every interpolated value becomes a parameter (an array is one parameter);
   * an interpolated fragment is spliced in, its parameters renumbered. The static text is kept
   * verbatim (a `$1` you write yourself stays `$1`). Use it only as a tag: calling it on a string
   * throws InterfaceError, and so does a template escape JavaScript cannot cook (`\u` alone).
   */
  (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment
  /**
   * A quoted identifier. One string is a dotted path split on every `.`: `sql.id('app.users')` →
   * `"app"."users"`; it may not contain `"`. Two or more strings, or one array, are the parts
   * verbatim (a `.` or `"` inside a part is part of the name): `sql.id('app', 'my.table')` →
   * `"app"."my.table"`, `sql.id(['a.b'])` → `"a.b"`. Case is kept. Throws InterfaceError for no
   * parts, an empty part or a NUL character.
   */
  id(path: string): SqlFragment
  /** The parts of a qualified name, verbatim and never split: `sql.id(['a.b'])` → `"a.b"`. */
  id(parts: readonly string[]): SqlFragment
  /** The parts of a qualified name, verbatim: `sql.id('app', 'users')` → `"app"."users"`. */
  id(first: string, second: string, ...rest: string[]): SqlFragment
  /**
   * The items joined by `separator` (default `` sql`, ` ``): fragments are spliced, anything else
   * becomes a parameter. No items → `sql.empty`. A string is not taken as a list (InterfaceError).
   */
  join(items: Iterable<unknown>, separator?: SqlFragment): SqlFragment
  /**
   * A parenthesized list for `in`/`not in`, one parameter per item (fragments spliced):
   * `` sql`id in ${sql.in([1, 2])}` `` → `id in ($1, $2)`. No items →
   * `(select null where false)`, which matches no row under `in` and every row under `not in`;
   * its column is text, so for another type pass `elementType` (`` sql.in(ids, sql`int8`) `` →
   * `(select null::int8 where false)`) or PostgreSQL reports `operator does not exist`.
   * `elementType` is used only for the empty list. `= any(${array})` is one parameter instead.
   */
  in(items: Iterable<unknown>, elementType?: SqlFragment): SqlFragment
  /**
   * UNSAFE: `text` becomes SQL verbatim, no quoting, no parameters. Only for trusted text written
   * by the program, e.g. a direction chosen from a fixed list (`asc`/`desc`). Never pass input from
   * users, requests, files or the database: that is SQL injection. Use `sql.id` for names and
   * interpolation for values.
   */
  unsafe(text: string): SqlFragment
  /** One parameter holding `value` (`$n`), for lists of fragments; a fragment is refused. */
  value(value: unknown): SqlFragment
  /** The fragment with no text and no parameters. */
  readonly empty: SqlFragment
}

/** Checks that the tag was called as a tag: a template strings array with cooked strings. */
function checkTemplate(strings: TemplateStringsArray, count: number): void {
  if (
    !Array.isArray(strings) ||
    !Array.isArray((strings as { raw?: unknown }).raw) ||
    strings.length !== count + 1
  ) {
    throw new InterfaceError(
      'sql must be used as a template tag (sql`...`), not called on a string; ' +
        'for trusted SQL text use sql.unsafe',
    )
  }
  for (let i = 0; i < strings.length; i++) {
    if (typeof strings[i] !== 'string') {
      throw new InterfaceError(
        `sql: piece ${i} of the template holds an escape JavaScript cannot cook (\\u, \\x or an ` +
          'octal escape); write a backslash as \\\\',
      )
    }
  }
}

/** See Sql. */
function tag(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  checkTemplate(strings, values.length)
  return fragment(strings, values)
}

const EMPTY = fragment([''], [])
const COMMA = fragment([', '], [])
const EMPTY_IN = fragment(['(select null where false)'], [])

/** See Sql.id. */
function id(...args: unknown[]): SqlFragment {
  let parts: readonly unknown[] = args
  if (args.length === 1) {
    const only = args[0]
    if (typeof only === 'string') {
      if (only.includes('"')) {
        throw new InterfaceError(
          'sql.id: a dotted path cannot contain a double quote; pass the parts unquoted and ' +
            "separately, e.g. sql.id('schema', 'name') or sql.id(['name'])",
        )
      }
      parts = only.split('.')
    } else if (Array.isArray(only)) {
      parts = only
    }
  }
  if (parts.length === 0) throw new InterfaceError('sql.id: at least one name part is needed')
  let text = ''
  for (let i = 0; i < parts.length; i++) {
    const caller = parts.length === 1 ? 'sql.id' : `sql.id (part ${i + 1} of ${parts.length})`
    text += (i === 0 ? '' : '.') + quoteIdentifier(parts[i], caller)
  }
  return fragment([text], [])
}

/** The items of `items` as an array; refuses strings and non-iterables. */
function toList(items: Iterable<unknown>, caller: string): unknown[] {
  if (typeof items === 'string') {
    throw new InterfaceError(`${caller}: a string is not a list of items; wrap it: [value]`)
  }
  if (
    typeof items !== 'object' ||
    items === null ||
    typeof (items as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new InterfaceError(`${caller}: items must be an array or another iterable`)
  }
  return Array.isArray(items) ? items : [...items]
}

/** Joins a list already checked; see Sql.join. */
function joinList(list: readonly unknown[], separator: SqlFragment): SqlFragment {
  if (list.length === 0) return EMPTY
  const parts: unknown[] = new Array(list.length * 2 - 1)
  for (let i = 0; i < list.length; i++) {
    if (i > 0) parts[i * 2 - 1] = separator
    parts[i * 2] = list[i]
  }
  return fragment(new Array<string>(parts.length + 1).fill(''), parts)
}

/** See Sql.join. */
function join(items: Iterable<unknown>, separator: SqlFragment = COMMA): SqlFragment {
  if (!isSqlFragment(separator)) {
    throw new InterfaceError('sql.join: the separator must be a fragment, e.g. sql` and `')
  }
  return joinList(toList(items, 'sql.join'), separator)
}

/** See Sql.in. */
function inList(items: Iterable<unknown>, elementType?: SqlFragment): SqlFragment {
  if (elementType !== undefined && !isSqlFragment(elementType)) {
    throw new InterfaceError('sql.in: elementType must be a fragment, e.g. sql`int8`')
  }
  const list = toList(items, 'sql.in')
  if (list.length > 0) return fragment(['(', ')'], [joinList(list, COMMA)])
  if (elementType === undefined) return EMPTY_IN
  return fragment(['(select null::', ' where false)'], [elementType])
}

/** See Sql.unsafe. */
function unsafe(text: string): SqlFragment {
  if (typeof text !== 'string') {
    throw new InterfaceError(`sql.unsafe: text must be a string, got ${typeof text}`)
  }
  return fragment([text], [])
}

/** See Sql.value. */
function value(v: unknown): SqlFragment {
  if (isSqlFragment(v)) {
    throw new InterfaceError('sql.value: the value is already a fragment; use it directly')
  }
  return fragment(['', ''], [v])
}

/**
 * The `sql` tagged template: SQL text with parameters, composable, injection-proof by construction
 * (values never enter the text). See Sql for the helpers; the function object is frozen.
 */
export const sql: Sql = Object.freeze(
  Object.assign(tag, { id, join, in: inList, unsafe, value, empty: EMPTY }),
) as Sql
