/**
 * The logger hook: the driver's only way to say something outside of an error. Nothing is logged
 * unless the user passes a logger; the driver never writes to the console by itself.
 */

/** A structured logger (pino, winston, console and most others fit). Every method is optional. */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void
  info?(message: string, details?: Record<string, unknown>): void
  warn?(message: string, details?: Record<string, unknown>): void
  error?(message: string, details?: Record<string, unknown>): void
}

/** Calls `logger[level]` if present; a throwing logger never breaks the driver. */
export function log(
  logger: Logger | undefined,
  level: keyof Logger,
  message: string,
  details?: Record<string, unknown>,
): void {
  const fn = logger?.[level]
  if (!fn) return
  try {
    fn.call(logger, message, details)
  } catch {}
}
