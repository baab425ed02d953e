// SqlFragment: static SQL text pieces and parameter values kept apart; `$n` exists only in built text.
// Pure: imports only errors/ (no I/O, no Node built-ins); never parses or rewrites SQL text.
import { InterfaceError } from '../errors/base.js'

/**
 * The brand on every fragment, shared by every loaded copy of @tusk/core (ESM and CJS). Its value
 * is the interop version: 1 means the fragment exposes `strings` and `values` as documented on
 * SqlFragment. Symbols cannot come out of `JSON.parse`, so data can never pose as a fragment.
 */
const BRAND = Symbol.for('tusk.sql')

/** The interop version written under the brand (see BRAND). */
const BRAND_VERSION = 1

/** Node's `util.inspect.custom` symbol, reached without importing `node:util`. */
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * The most parameters one statement can carry: Bind sends the count as an Int16, which the server
 * reads as unsigned (PostgreSQL docs, "Message Formats", Bind; `PQ_QUERY_PARAM_MAX_LIMIT`).
 */
export const MAX_PARAMETERS = 65_535

/**
 * A piece of SQL with its parameter values, made by the `sql` tag and its helpers. Immutable and
 * frozen; `text`, `values` and `strings` are built together on first read and cached.
 */
export interface SqlFragment {
  /**
   * The SQL text with `$1`…`$n` for the parameters, in order. Throws InterfaceError when the
   * fragment holds more than MAX_PARAMETERS values.
   */
  readonly text: string
  /** The parameter values, `$1` first; frozen, shared by every read. Never part of `text`. */
  readonly values: readonly unknown[]
  /**
   * The static SQL pieces around the parameters, nested fragments flattened:
   * `strings.length === values.length + 1`, and `text` is `strings` joined by `$1`…`$n`. Frozen.
   */
  readonly strings: readonly string[]
  /** `'SqlFragment'`: `String(fragment)` is `[object SqlFragment]`, never SQL text. */
  readonly [Symbol.toStringTag]: 'SqlFragment'
}

/** Static pieces and the parameter values between them (`strings.length === values.length + 1`). */
interface Flat {
  readonly strings: readonly string[]
  readonly values: readonly unknown[]
}

/** The flattened form of a fragment with its text, built once. */
interface Built extends Flat {
  readonly text: string
}

/** One fragment being walked while flattening: its pieces and the index of its next part. */
interface Frame {
  readonly strings: readonly string[]
  readonly parts: readonly unknown[]
  next: number
}

/** True when `x` carries the fragment brand of any copy of @tusk/core. */
export function isSqlFragment(x: unknown): x is SqlFragment {
  return (
    typeof x === 'object' && x !== null && (x as { [BRAND]?: unknown })[BRAND] === BRAND_VERSION
  )
}

/** The `strings` and `values` of a fragment made by another copy of the package, checked. */
function foreignParts(fragment: SqlFragment): Flat {
  const { strings, values } = fragment
  if (
    !Array.isArray(strings) ||
    !Array.isArray(values) ||
    strings.length !== values.length + 1 ||
    !strings.every((s) => typeof s === 'string')
  ) {
    throw new InterfaceError(
      'a value branded as an SQL fragment has malformed strings/values (expected strings.length === values.length + 1)',
    )
  }
  return { strings, values }
}

/** The error for a statement past the protocol's parameter limit. */
function tooManyParameters(): InterfaceError {
  return new InterfaceError(
    `the statement has more than ${MAX_PARAMETERS} parameters: the protocol limit is ${MAX_PARAMETERS} ` +
      '(Bind counts parameters in an Int16); pass a long list as one array parameter (= any($1))',
  )
}

/**
 * `$1`…`$n` between the pieces. A piece that starts with a digit gets a space first, so the digit
 * can never extend a placeholder into another one (`${a}0` must not become `$10`).
 */
function joinPieces(strings: readonly string[]): string {
  let text = strings[0]!
  for (let i = 1; i < strings.length; i++) {
    const piece = strings[i]!
    const c = piece.charCodeAt(0)
    text += (c >= 0x30 && c <= 0x39 ? '$' + i + ' ' : '$' + i) + piece
  }
  return text
}

/**
 * The one implementation of SqlFragment. `strings` are the static pieces (`parts.length + 1`), and
 * each part is a fragment (spliced) or a value (a parameter). Construct only through `fragment()`.
 */
class Fragment implements SqlFragment {
  readonly #strings: readonly string[]
  readonly #parts: readonly unknown[]
  #built: Built | undefined

  constructor(strings: readonly string[], parts: readonly unknown[]) {
    this.#strings = strings
    this.#parts = parts
    Object.freeze(this)
  }

  /** See SqlFragment.text. */
  get text(): string {
    return this.#build().text
  }

  /** See SqlFragment.values. */
  get values(): readonly unknown[] {
    return this.#build().values
  }

  /** See SqlFragment.strings. */
  get strings(): readonly string[] {
    return this.#build().strings
  }

  /** See SqlFragment[Symbol.toStringTag]. */
  get [Symbol.toStringTag](): 'SqlFragment' {
    return 'SqlFragment'
  }

  /** Node's `util.inspect`: the text and the number of parameters, never the values. */
  [INSPECT](): string {
    try {
      const { text, values } = this.#build()
      return `SqlFragment ${JSON.stringify(text)} (${values.length} parameters)`
    } catch (err) {
      return `SqlFragment (cannot be built: ${(err as Error).message})`
    }
  }

  #build(): Built {
    if (this.#built === undefined) this.#built = Fragment.#flatten(this)
    return this.#built
  }

  /**
   * Splices nested fragments and numbers the parameters, walking with an explicit stack so that
   * deep nesting cannot overflow the call stack. Static text is copied verbatim, never scanned.
   */
  static #flatten(root: Fragment): Built {
    const strings: string[] = []
    const values: unknown[] = []
    let current = root.#strings[0]!
    const stack: Frame[] = [{ strings: root.#strings, parts: root.#parts, next: 0 }]
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!
      if (frame.next === frame.parts.length) {
        stack.pop()
        const parent = stack[stack.length - 1]
        if (parent !== undefined) current += parent.strings[parent.next]!
        continue
      }
      const part = frame.parts[frame.next++]
      const own = typeof part === 'object' && part !== null && #strings in part
      if (own && part.#built === undefined) {
        stack.push({ strings: part.#strings, parts: part.#parts, next: 0 })
        current += part.#strings[0]!
        continue
      }
      if (own || isSqlFragment(part)) {
        const flat: Flat = own ? part.#built! : foreignParts(part as SqlFragment)
        if (values.length + flat.values.length > MAX_PARAMETERS) throw tooManyParameters()
        current += flat.strings[0]!
        for (let i = 0; i < flat.values.length; i++) {
          strings.push(current)
          values.push(flat.values[i])
          current = flat.strings[i + 1]!
        }
      } else {
        if (values.length === MAX_PARAMETERS) throw tooManyParameters()
        strings.push(current)
        values.push(part)
        current = ''
      }
      current += frame.strings[frame.next]!
    }
    strings.push(current)
    return {
      strings: Object.freeze(strings),
      values: Object.freeze(values),
      text: joinPieces(strings),
    }
  }
}

Object.defineProperty(Fragment.prototype, BRAND, { value: BRAND_VERSION })

/**
 * A fragment from static pieces and parts (fragments are spliced, anything else is a parameter).
 * Requires `strings.length === parts.length + 1`; takes ownership of both arrays.
 */
export function fragment(strings: readonly string[], parts: readonly unknown[]): SqlFragment {
  return new Fragment(strings, parts)
}
