/**
 * What one client frame may make the host do, checked before the expensive work (the host's half only:
 * the renderer trusts its host).
 *
 * The frame's size is bounded by the server (`maxPayloadBytes`, refused by ws from the frame header, before
 * the body arrives). Within that size, two shapes cost far more than their bytes, and are refused here:
 *
 * - **Nesting.** `JSON.parse` of 2 MB of `[[[[…]]]]` (a million levels) blocked the loop for 1.4-1.9 s
 *   here, and every later recursive walk (validation, cloning) would overflow the stack on it. The body's
 *   text is scanned first (strings skipped with `indexOf`, at native speed): more than `maxDepth` levels of
 *   `[`/`{` is refused without parsing. Plain data never needs hundreds of levels; devalue's own bodies are
 *   flat (references by index), so the bound only ever bites on a hostile frame.
 * - **devalue's revivals.** `BigInt("<digits>")` is quadratic (100,000 digits: ~50 ms here, 1 M digits:
 *   seconds), so a BigInt may carry at most `maxBigIntDigits` characters (10,000: a 33,000-bit number).
 *   A sparse array (`[-7, length, …]`) may claim at most as many elements as the frame has characters:
 *   devalue does not allocate its length, but every later loop over it (validation) would.
 */

export interface FrameLimits {
  /** Most levels of arrays and objects inside a body. */
  readonly maxDepth: number
  /** Most characters of a BigInt's digits. */
  readonly maxBigIntDigits: number
}

export const DEFAULT_FRAME_LIMITS: FrameLimits = { maxDepth: 256, maxBigIntDigits: 10_000 }

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const OPEN_OBJECT = 0x7b
const CLOSE_ARRAY = 0x5d
const CLOSE_OBJECT = 0x7d

/** The index of the quote that closes the string opened at `open` (or -1: the JSON is invalid anyway). */
function closingQuote(text: string, open: number): number {
  let at = text.indexOf('"', open + 1)
  while (at !== -1) {
    let backslashes = 0
    while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++
    if (backslashes % 2 === 0) return at
    at = text.indexOf('"', at + 1)
  }
  return -1
}

/** True when the JSON text nests arrays/objects deeper than `maxDepth` (strings are skipped). */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code === QUOTE) {
      i = closingQuote(text, i)
      if (i === -1) return false
    } else if (code === OPEN_ARRAY || code === OPEN_OBJECT) {
      if (++depth > maxDepth) return true
    } else if (code === CLOSE_ARRAY || code === CLOSE_OBJECT) {
      depth--
    }
  }
  return false
}

const SPARSE = -7

/**
 * Why a parsed devalue body must not be revived, or `undefined`. devalue's body is an array of entries;
 * a typed value is an entry `[type, …]` (`["BigInt", "123"]`), a sparse array `[-7, length, …]`.
 */
export function devalueBodyProblem(parsed: unknown, bodyLength: number, limits: FrameLimits): string | undefined {
  if (!Array.isArray(parsed)) return undefined
  for (const entry of parsed) {
    if (!Array.isArray(entry)) continue
    const [first, second] = entry as unknown[]
    if (first === 'BigInt' && typeof second === 'string' && second.length > limits.maxBigIntDigits) {
      return `a BigInt of ${second.length} characters (at most ${limits.maxBigIntDigits})`
    }
    if (first === SPARSE && typeof second === 'number' && second > bodyLength) {
      return `a sparse array of length ${second} in a body of ${bodyLength} characters`
    }
  }
  return undefined
}
