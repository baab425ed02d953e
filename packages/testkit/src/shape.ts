/**
 * A JSON-comparable description of a JS value that keeps what `toEqual` glosses over: the class
 * of every object, own property order, -0, NaN, bigint vs number, Buffer vs Uint8Array. Two values
 * an app cannot tell apart have equal shapes.
 */
export function shape(value: unknown): unknown {
  if (value === null) return null
  switch (typeof value) {
    case 'undefined':
      return { undefined: true }
    case 'number':
      return { number: Object.is(value, -0) ? '-0' : String(value) }
    case 'bigint':
      return { bigint: String(value) }
    case 'string':
    case 'boolean':
      return value
    case 'object':
      break
    default:
      return { [typeof value]: String(value) }
  }
  const ctor = (value as object).constructor?.name ?? 'null-prototype'
  if (Array.isArray(value)) return { [ctor]: value.map(shape) }
  if (value instanceof Date) {
    return { [ctor]: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() }
  }
  if (value instanceof Uint8Array) return { [ctor]: Buffer.from(value).toString('hex') }
  const props: [string, unknown][] = Object.keys(value).map((k) => [
    k,
    shape((value as Record<string, unknown>)[k]),
  ])
  return { [ctor]: props }
}
