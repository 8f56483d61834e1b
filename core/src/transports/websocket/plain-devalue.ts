/**
 * devalue's `stringify` and `unflatten`, for plain data only, byte for byte: the codec's fast path.
 *
 * Why (measured, see docs/benchmarks.md, scenario 4): the frames of a small call spend most of the
 * transport's CPU in devalue's `stringify`, whose generality costs on every value: it merges its
 * introspection operations into a fresh object per call, reaches every value through them, runs every
 * reducer on every value and tracks a path for error messages. The messages of the protocol are almost
 * always plain data: envelopes of objects, arrays, strings, numbers, booleans, null and undefined.
 *
 * This walks exactly those (and class instances, which the codec flattens to plain objects as
 * structured clone does), in devalue's order, with devalue's deduplication (by identity for objects,
 * by value for primitives: so shared references and cycles come out the same), its number sentinels,
 * its string escaping and its object and array forms, so its output is the string devalue would write
 * and devalue's `parse` reads it back. Anything else (a Date, a Map, a class instance, a hole in an
 * array, a null-prototype object, a function, a BigInt, an Error, a thenable...) makes it answer
 * `undefined`, and the caller runs devalue itself, which encodes the value or throws its own error.
 *
 * `plainUnflatten` is the same bargain on the way in: it rebuilds what is plain (objects, arrays, holes,
 * primitives and the number sentinels, shared references and cycles) as devalue's `unflatten` would, and
 * answers `NOT_PLAIN` at the first thing it does not know (a typed value like `["Date", ...]`, a sparse
 * array, a reviver's tag, an index that is not a plain in-range one, a `__proto__` key): the caller then
 * runs devalue's `unflatten` on the same parsed JSON, which builds the value or throws its own error.
 * `plain-devalue.test.ts` checks both against devalue on a generated corpus.
 */

const UNDEFINED = -1
const HOLE = -2
const NAN = -3
const POSITIVE_INFINITY = -4
const NEGATIVE_INFINITY = -5
const NEGATIVE_ZERO = -6

/** devalue's `stringify_string` (utils.js): JSON's escapes, plus `<`, U+2028 and U+2029. */
// eslint-disable-next-line no-control-regex -- the control characters are what must be escaped
const NEEDS_ESCAPE = /["<\\\u0000-\u001f\u2028\u2029]/
const JSON_LEAVES_RAW = /[<\u2028\u2029]/g
const RAW_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003C', '\u2028': '\\u2028', '\u2029': '\\u2029' }
const escapeRaw = (char: string): string => RAW_ESCAPES[char]!

function isWellFormed(text: string): boolean {
  // ES2024 (Node 20, every current browser); typed by hand as the repository's lib is ES2023.
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed()
}

export function quoteString(text: string): string {
  if (!NEEDS_ESCAPE.test(text) && isWellFormed(text)) return `"${text}"`
  return JSON.stringify(text).replace(JSON_LEAVES_RAW, escapeRaw)
}

/** Quoted property names, as devalue caches them (short names only, bounded). */
const quotedKeys = new Map<string, string>()
function quoteKey(key: string): string {
  if (key.length > 64) return quoteString(key)
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    if (quotedKeys.size >= 1024) quotedKeys.clear()
    quoted = quoteString(key)
    quotedKeys.set(key, quoted)
  }
  return quoted
}

const objectToString = Object.prototype.toString
/** Answered (or thrown inside a walk) when the value is not plain: use devalue. Never escapes this module's callers unhandled. */
export const NOT_PLAIN: unique symbol = Symbol('not plain')
/** Up to this many distinct values, the seen ones are found by a scan; beyond, through a Map. */
const SCAN_LIMIT = 32

/**
 * One walk. devalue numbers each distinct value in the order it is first met, so the value numbered
 * `i` is `values[i]`: finding a value's number is finding it in `values` (a scan while it is short, a
 * Map once it is not). `texts[i]` is that value's text.
 */
class Walk {
  readonly values: unknown[] = []
  readonly texts: string[] = []
  index: Map<unknown, number> | undefined

  flatten(thing: unknown): number {
    switch (typeof thing) {
      case 'undefined':
        return UNDEFINED
      case 'number':
        if (thing !== thing) return NAN
        if (thing === Infinity) return POSITIVE_INFINITY
        if (thing === -Infinity) return NEGATIVE_INFINITY
        if (thing === 0 && 1 / thing < 0) return NEGATIVE_ZERO
        break
      case 'string':
      case 'boolean':
      case 'object':
        break
      default:
        // bigint, symbol, function: devalue's own form or its own error.
        throw NOT_PLAIN
    }
    const values = this.values
    const seen = this.index === undefined ? values.indexOf(thing) : (this.index.get(thing) ?? -1)
    if (seen >= 0) return seen
    const index = values.length
    values.push(thing)
    if (this.index !== undefined) this.index.set(thing, index)
    else if (index === SCAN_LIMIT) this.index = new Map(values.map((value, i) => [value, i]))
    if (typeof thing !== 'object' || thing === null) {
      this.texts[index] = typeof thing === 'string' ? quoteString(thing) : String(thing)
      return index
    }
    // A thenable is refused by devalue; an Error has a reducer (and a tag other than these).
    if (typeof (thing as { then?: unknown }).then === 'function') throw NOT_PLAIN
    const tag = objectToString.call(thing)
    let text: string
    if (tag === '[object Array]') {
      const array = thing as readonly unknown[]
      text = '['
      for (let i = 0; i < array.length; i++) {
        if (i > 0) text += ','
        const item = array[i]
        // A hole: devalue chooses between two encodings of sparse arrays.
        if (item === undefined && !(i in array)) throw NOT_PLAIN
        text += this.flatten(item)
      }
      text += ']'
    } else {
      // What devalue, with the codec's `shapeOf`, writes as `{...}`: tag Object and a prototype (a plain
      // object or a class instance, whose prototype is dropped as structured clone drops it), not an
      // Error (the codec's reducer) and not a null-prototype object (devalue's ["null", ...] form).
      if (tag !== '[object Object]' || Array.isArray(thing) || Object.getPrototypeOf(thing) === null || thing instanceof Error) {
        throw NOT_PLAIN
      }
      text = '{'
      let started = false
      for (const key of Object.keys(thing)) {
        if (key === '__proto__') throw NOT_PLAIN
        if (started) text += ','
        started = true
        text += quoteKey(key) + ':' + this.flatten((thing as Record<string, unknown>)[key])
      }
      text += '}'
    }
    this.texts[index] = text
    return index
  }
}

/** devalue's text for `value` when `value` is plain data, otherwise `undefined` (use devalue). */
export function plainStringify(value: unknown): string | undefined {
  const walk = new Walk()
  let root: number
  try {
    root = walk.flatten(value)
  } catch (error) {
    if (error === NOT_PLAIN) return undefined
    throw error
  }
  return root < 0 ? `${root}` : `[${walk.texts.join(',')}]`
}

/** The value of a negative index, as devalue's `hydrate` reads it; `NOT_PLAIN` for the others (holes, sparse, invalid). */
function sentinel(index: number): unknown {
  switch (index) {
    case UNDEFINED:
      return undefined
    case NAN:
      return NaN
    case POSITIVE_INFINITY:
      return Infinity
    case NEGATIVE_INFINITY:
      return -Infinity
    case NEGATIVE_ZERO:
      return -0
    default:
      return NOT_PLAIN
  }
}

class Rebuild {
  readonly hydrated: unknown[]
  constructor(readonly values: readonly unknown[]) {
    this.hydrated = new Array<unknown>(values.length)
  }

  hydrate(index: unknown): unknown {
    if (typeof index !== 'number') throw NOT_PLAIN
    if (index < 0) {
      const value = sentinel(index)
      if (value === NOT_PLAIN) throw NOT_PLAIN
      return value
    }
    const hydrated = this.hydrated
    if (index in hydrated) return hydrated[index]
    if (!Number.isInteger(index) || index >= this.values.length) throw NOT_PLAIN
    const value = this.values[index]
    if (!value || typeof value !== 'object') return (hydrated[index] = value)
    if (Array.isArray(value)) {
      const first: unknown = value[0]
      // `["Date", ...]`, `["E", ...]`...: a typed value or a reviver's; `[-7, ...]`: a sparse array.
      if (typeof first === 'string' || first === -7) throw NOT_PLAIN
      const array = new Array<unknown>(value.length)
      hydrated[index] = array
      for (let i = 0; i < value.length; i++) {
        const n: unknown = value[i]
        if (n === HOLE) continue
        array[i] = this.hydrate(n)
      }
      return array
    }
    const object: Record<string, unknown> = {}
    hydrated[index] = object
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw NOT_PLAIN
      object[key] = this.hydrate((value as Record<string, unknown>)[key])
    }
    return object
  }
}

/** devalue's `unflatten(parsed)` when what `parsed` describes is plain data, otherwise `NOT_PLAIN` (use devalue). */
export function plainUnflatten(parsed: unknown): unknown {
  if (typeof parsed === 'number') return parsed < 0 ? sentinel(parsed) : NOT_PLAIN
  if (!Array.isArray(parsed) || parsed.length === 0) return NOT_PLAIN
  try {
    return new Rebuild(parsed).hydrate(0)
  } catch (error) {
    if (error === NOT_PLAIN) return NOT_PLAIN
    throw error
  }
}
