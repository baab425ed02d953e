/** The driver's logger interface on top of pino: each line is one JSON object. */
import type { Logger } from '@tusk/core'
import type { Logger as Pino } from 'pino'

/** Tusk's `logger` option writing to `pino` (message as `msg`, details as fields). */
export function tuskLogger(pino: Pino): Logger {
  return {
    debug: (message, details) => pino.debug(details ?? {}, message),
    info: (message, details) => pino.info(details ?? {}, message),
    warn: (message, details) => pino.warn(details ?? {}, message),
    error: (message, details) => pino.error(details ?? {}, message),
  }
}
