/**
 * SASLprep (RFC 4013), the stringprep profile (RFC 3454) SCRAM applies to passwords.
 * Pure: imports only its tables; Unicode normalization comes from `String.prototype.normalize`.
 */
import {
  L_CAT,
  MAPPED_TO_NOTHING,
  NON_ASCII_SPACE,
  PROHIBITED,
  RAND_AL_CAT,
  UNASSIGNED,
} from './stringprep-tables.js'

/** Why SASLprep refused a string. */
export type SaslprepFailure = 'empty' | 'prohibited' | 'unassigned' | 'bidi'

/** The outcome of {@link saslprep}: the prepared string, or why there is none. */
export type SaslprepResult = { ok: true; value: string } | { ok: false; reason: SaslprepFailure }

/** Whether `code` lies in one of the inclusive ranges of a flat `[first, last, ...]` table. */
function inTable(table: readonly number[], code: number): boolean {
  let lo = 0
  let hi = table.length / 2 - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (code < table[mid * 2]!) hi = mid - 1
    else if (code > table[mid * 2 + 1]!) lo = mid + 1
    else return true
  }
  return false
}

/** The string of `codes`, built in slices so a long input cannot overflow the call stack. */
function fromCodePoints(codes: readonly number[]): string {
  let out = ''
  for (let i = 0; i < codes.length; i += 4096) {
    out += String.fromCodePoint(...codes.slice(i, i + 4096))
  }
  return out
}

/**
 * Prepare `input` with SASLprep for a stored string (unassigned code points are refused):
 *
 * 1. Map: non-ASCII spaces (C.1.2) become U+0020; "commonly mapped to nothing" (B.1) is dropped.
 * 2. Normalize with NFKC.
 * 3. Prohibit C.1.2 and C.2.1–C.9 (this includes ASCII control characters), and A.1.
 * 4. Bidi (RFC 3454 §6): with any RandALCat (D.1) character, no LCat (D.2) character may appear,
 *    and the first and last characters must be RandALCat.
 *
 * Steps 3 and 4 inspect the mapped string from step 1, not the normalized one, exactly as
 * PostgreSQL's `pg_saslprep` does: the server built the stored SCRAM secret with that function,
 * so the client must prepare the password the same way or the proof will not match. The two
 * readings only differ for a few hundred compatibility characters (e.g. U+2135 ALEF SYMBOL is
 * LCat but normalizes to the RandALCat U+05D0). Also as PostgreSQL does, a string that maps to
 * nothing at all is refused (`empty`). NFKC uses the runtime's Unicode version; since unassigned
 * (Unicode 3.2) code points are refused, only characters whose decomposition is stable are ever
 * normalized.
 *
 * Lone UTF-16 surrogates are surrogate code points (C.5) and therefore `prohibited`.
 */
export function saslprep(input: string): SaslprepResult {
  const mapped: number[] = []
  for (const ch of input) {
    const code = ch.codePointAt(0)!
    if (inTable(NON_ASCII_SPACE, code)) mapped.push(0x20)
    else if (!inTable(MAPPED_TO_NOTHING, code)) mapped.push(code)
  }
  if (mapped.length === 0) return { ok: false, reason: 'empty' }

  let hasRandAL = false
  for (const code of mapped) {
    if (inTable(PROHIBITED, code)) return { ok: false, reason: 'prohibited' }
    if (inTable(UNASSIGNED, code)) return { ok: false, reason: 'unassigned' }
    if (inTable(RAND_AL_CAT, code)) hasRandAL = true
  }
  if (hasRandAL) {
    if (mapped.some((code) => inTable(L_CAT, code))) return { ok: false, reason: 'bidi' }
    const first = mapped[0]!
    const last = mapped[mapped.length - 1]!
    if (!inTable(RAND_AL_CAT, first) || !inTable(RAND_AL_CAT, last)) {
      return { ok: false, reason: 'bidi' }
    }
  }
  return { ok: true, value: fromCodePoints(mapped).normalize('NFKC') }
}
