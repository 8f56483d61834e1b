/**
 * How one value is encoded, in memory and on disk: devalue's flattened form of its structured clone.
 *
 * `devalue.stringify` turns a value into a JSON array (or a negative number for `undefined`, NaN...)
 * that keeps what structured clone keeps: Date, Map, Set, BigInt, typed arrays, RegExp, boxed
 * primitives, `undefined`, -0, sparse arrays, cycles and shared references. Errors are added with a
 * reducer. The value is structured-cloned first, so exactly what structured clone rejects is rejected,
 * and what it transforms (class instances become plain objects, non-standard error names become
 * `Error`) is transformed the same way.
 *
 * A stored entry keeps both the devalue text (immutable; every `get` parses it, so callers always get
 * a fresh copy) and the same thing as parsed JSON, which is what goes into the file: the file is a
 * plain JSON object `{ "key": <devalue JSON>, ... }`, e.g. `"theme": ["dark"]`,
 * `"since": [["Date", "2024-05-01T10:00:00.000Z"]]`, readable and editable without escaped quotes.
 */
import { DevalueError, parse, stringify } from 'devalue'
import { errorConstructors } from '../../common/error-constructors'

export interface StoredEntry {
  /** devalue's text for the value. */
  readonly text: string
  /** The same, parsed: what the file holds for this key. Never handed out, never mutated. */
  readonly json: unknown
}

/** Thrown by `encodeValue` with a reason a person can act on. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError'
}


interface ErrorPayload {
  name: string
  message: string
  stack?: string
  cause?: unknown
}

const reducers = {
  Error: (value: unknown): ErrorPayload | false => {
    if (!(value instanceof Error)) return false
    const payload: ErrorPayload = { name: value.name, message: value.message }
    if (typeof value.stack === 'string') payload.stack = value.stack
    if (Object.hasOwn(value, 'cause')) payload.cause = value.cause
    return payload
  },
}

const revivers = {
  Error: (payload: unknown): Error => {
    if (typeof payload !== 'object' || payload === null) throw new Error('Invalid Error payload')
    const { name, message, stack } = payload as Partial<ErrorPayload>
    if (typeof name !== 'string' || typeof message !== 'string') throw new Error('Invalid Error payload')
    const Constructor = Object.hasOwn(errorConstructors, name) ? errorConstructors[name] : undefined
    const error = Object.hasOwn(payload, 'cause')
      ? new (Constructor ?? Error)(message, { cause: (payload as ErrorPayload).cause })
      : new (Constructor ?? Error)(message)
    if (Constructor === undefined) error.name = name
    if (typeof stack === 'string') {
      Object.defineProperty(error, 'stack', { value: stack, writable: true, configurable: true, enumerable: false })
    }
    return error
  },
}

function reasonOf(error: unknown): string {
  if (error instanceof DevalueError) {
    return error.path ? `${error.message} (at ${error.path})` : error.message
  }
  return error instanceof Error ? error.message : String(error)
}

/** Encodes a value as the store keeps it. Throws an EncodeError when the value cannot be kept. */
export function encodeValue(value: unknown): StoredEntry {
  let clone: unknown
  try {
    clone = structuredClone(value)
  } catch (error) {
    throw new EncodeError(`it is not structured-cloneable (${reasonOf(error)})`, { cause: error })
  }
  let text: string
  try {
    text = stringify(clone, reducers)
  } catch (error) {
    throw new EncodeError(`it cannot be written to the store file (${reasonOf(error)})`, { cause: error })
  }
  return { text, json: JSON.parse(text) as unknown }
}

/** A fresh copy of the value an entry holds. */
export function decodeEntry(entry: StoredEntry): unknown {
  return parse(entry.text, revivers)
}

/** Turns what a file holds for a key back into an entry; throws (with devalue's reason) when it does not decode. */
export function entryFromJson(json: unknown): StoredEntry {
  const text = JSON.stringify(json) as string | undefined
  if (text === undefined) throw new Error('Invalid input')
  const entry: StoredEntry = { text, json }
  decodeEntry(entry)
  return entry
}
