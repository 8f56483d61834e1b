/**
 * How large a value is once stored, without storing it: the UTF-8 bytes of the encoded form every backend
 * keeps (devalue's JSON of its structured clone, see codec.ts), which is what the value costs in memory
 * and in the store file. Plugins use it to enforce size limits before a write (the storage plugin answers
 * PAYLOAD_TOO_LARGE), and to show sizes. A value the stores would reject is reported, not thrown.
 */
import { Buffer } from 'node:buffer'
import { encodeValue, EncodeError } from './codec'

export type StoredValueMeasure =
  | { readonly ok: true; readonly bytes: number }
  /** The value cannot be stored (a function, a symbol...); `reason` says why, for a person. */
  | { readonly ok: false; readonly reason: string }

export function measureStoredValue(value: unknown): StoredValueMeasure {
  try {
    return { ok: true, bytes: Buffer.byteLength(encodeValue(value).text, 'utf8') }
  } catch (error) {
    if (error instanceof EncodeError) return { ok: false, reason: error.message }
    throw error
  }
}
