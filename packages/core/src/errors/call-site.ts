/**
 * Caller stacks: capture where a query or connect was issued, and append those frames to an error
 * that is later raised from a socket callback (whose own stack ends in `TCP.onStreamRead`).
 * Pure: no imports.
 */

/** The line between an error's own frames and the frames of the call that issued the work. */
export const CALL_SITE_SEPARATOR = '    --- awaited from ---'

/** A stack captured when work was issued. V8 formats `stack` lazily, on first read. */
export interface CallSite {
  readonly stack?: string
}

/** Errors that already carry their call site, so attaching twice is a no-op. */
const attached = new WeakSet<Error>()

/**
 * Captures the current call stack, cheaply: frames are collected now and formatted only if
 * `attachCallSite` needs them. Frames of `below` and everything it called are left out (default:
 * `captureCallSite` itself), so passing the public entry point (e.g. `Pool.prototype.query`) keeps
 * only the user's frames.
 */
export function captureCallSite(below?: (...args: never[]) => unknown): CallSite {
  const site: { stack?: string } = {}
  if (typeof Error.captureStackTrace === 'function') {
    Error.captureStackTrace(site, below ?? captureCallSite)
  } else {
    site.stack = new Error().stack
  }
  return site
}

/** The `    at …` lines of a captured stack, without its header line. */
function framesOf(stack: string | undefined): string | undefined {
  if (stack === undefined) return undefined
  const lines = stack.split('\n')
  const first = lines.findIndex((line) => /^\s+at\s/.test(line))
  if (first < 0) return undefined
  return lines.slice(first).join('\n')
}

/**
 * Appends the frames of `site` to `err.stack` after the line `--- awaited from ---`, so an error
 * raised in a socket callback shows where the user issued the work. Returns `err`; a no-op when
 * `err` is not an Error, `site` is undefined or has no frames, or a call site was already attached.
 */
export function attachCallSite<E>(err: E, site: CallSite | undefined): E {
  if (!(err instanceof Error) || site === undefined || attached.has(err)) return err
  const frames = framesOf(site.stack)
  if (frames === undefined) return err
  const own = err.stack ?? `${err.name}: ${err.message}`
  try {
    Object.defineProperty(err, 'stack', {
      value: `${own}\n${CALL_SITE_SEPARATOR}\n${frames}`,
      writable: true,
      enumerable: false,
      configurable: true,
    })
    attached.add(err)
  } catch {
    // A frozen error keeps its own stack.
  }
  return err
}
