/**
 * JSON, when JSON is exact: the WebSocket codec's compact body.
 *
 * Why (measured, see docs/benchmarks.md, scenario 4): a devalue body costs its writer's walk on one end
 * and JSON.parse of a longer text plus devalue's rebuild on the other, where a JSON body costs the walk
 * and a JSON.parse alone. On loopback that difference was ~3.5 µs of a ~37 µs round trip.
 *
 * `exactJson(value)` writes JSON only for a value that `JSON.parse` gives back exactly as structured
 * clone (and devalue) would: strings, booleans, null, finite numbers other than -0, dense arrays and
 * plain objects (Object.prototype, tag Object), each object met once (no shared reference, no cycle), no
 * `undefined` anywhere (JSON would drop a property or turn an item into null) and no `__proto__` key.
 * Each property is read once, in one pass. For anything else it answers `undefined`, and the codec
 * writes the devalue body instead, which keeps all of it.
 */

const NOT_JSON: unique symbol = Symbol('not exact JSON')
const objectToString = Object.prototype.toString
// Strings and keys are quoted by JSON.stringify itself (native; it also escapes lone surrogates, which UTF-8
// could not carry). Small on purpose: this module is part of the renderer's bundle (scenario 8).
const quote = JSON.stringify as (text: string) => string

class Writer {
  /** Objects met so far: a second meeting is a shared reference or a cycle, which JSON cannot keep. */
  readonly #objects: object[] = []

  write(value: unknown): string {
    switch (typeof value) {
      case 'string':
        return quote(value)
      case 'boolean':
        return value ? 'true' : 'false'
      case 'number':
        if (!Number.isFinite(value) || (value === 0 && 1 / value < 0)) throw NOT_JSON
        return String(value)
      case 'object':
        if (value === null) return 'null'
        return this.#object(value)
      default:
        throw NOT_JSON
    }
  }

  #object(value: object): string {
    if (this.#objects.includes(value)) throw NOT_JSON
    this.#objects.push(value)
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_JSON
      let text = '['
      for (let i = 0; i < value.length; i++) {
        if (i > 0) text += ','
        const item: unknown = value[i]
        if (item === undefined) throw NOT_JSON // an undefined item, or a hole
        text += this.write(item)
      }
      return `${text}]`
    }
    // Object.prototype, and the Object tag (not an arguments object, nor one claiming another tag), as devalue checks.
    if (Object.getPrototypeOf(value) !== Object.prototype || objectToString.call(value) !== '[object Object]') throw NOT_JSON
    let text = '{'
    let first = true
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw NOT_JSON
      const item: unknown = (value as Record<string, unknown>)[key]
      // An own `toJSON` function would be called by JSON.stringify; here a function is simply not JSON.
      if (item === undefined) throw NOT_JSON
      text += `${first ? '' : ','}${quote(key)}:${this.write(item)}`
      first = false
    }
    return `${text}}`
  }
}

/** The JSON text of `value` when `JSON.parse` gives `value` back exactly; otherwise `undefined`. */
export function exactJson(value: unknown): string | undefined {
  try {
    return new Writer().write(value)
  } catch (error) {
    if (error === NOT_JSON) return undefined
    throw error
  }
}
