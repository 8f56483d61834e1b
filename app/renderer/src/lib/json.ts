/**
 * Showing and editing values as JSON. Values from the host keep what structured clone keeps (Date, Map,
 * Set, BigInt, typed arrays, undefined...): `toDisplayJson` renders those readably instead of failing.
 */

function displayable(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return `${value}n`
  if (typeof value === 'undefined') return undefined
  if (typeof value !== 'object' || value === null) return value
  if (seen.has(value)) return '[circular]'
  seen.add(value)
  try {
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
    if (value instanceof RegExp) return String(value)
    if (value instanceof Error) return { name: value.name, message: value.message }
    if (value instanceof Map) return { '[Map]': [...value].map(([k, v]) => [displayable(k, seen), displayable(v, seen)]) }
    if (value instanceof Set) return { '[Set]': [...value].map((v) => displayable(v, seen)) }
    if (ArrayBuffer.isView(value)) return `[${value.constructor.name} ${value.byteLength} bytes]`
    if (value instanceof ArrayBuffer) return `[ArrayBuffer ${value.byteLength} bytes]`
    if (Array.isArray(value)) return value.map((item) => displayable(item, seen) ?? null)
    const result: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) result[key] = displayable(item, seen)
    return result
  } finally {
    seen.delete(value)
  }
}

/** Pretty JSON of any value; `undefined` shows as `undefined`. */
export function toDisplayJson(value: unknown): string {
  if (value === undefined) return 'undefined'
  return JSON.stringify(displayable(value, new WeakSet()), null, 2) ?? 'undefined'
}

/** True when the value survives a JSON round trip unchanged in kind (so editing it as JSON loses nothing). */
export function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isPlainJson)
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every(isPlainJson)
  return false
}

export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string }

export function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message.replace(/^JSON\.parse: /, '') : 'Not valid JSON' }
  }
}
