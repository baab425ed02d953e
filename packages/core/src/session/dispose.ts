/**
 * `Symbol.asyncDispose` (for `await using`), or the registered symbol TypeScript's downlevel
 * helpers use where the runtime has none yet (Node 20). One definition for every handle.
 */
export const asyncDispose: typeof Symbol.asyncDispose =
  (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
  (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose)
