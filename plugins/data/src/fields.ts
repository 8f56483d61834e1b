/**
 * Field paths (`name`, `address.city`) on plain JSON records, read and written without ever touching a
 * prototype: `__proto__`, `constructor` and `prototype` are refused as segments, reads see own properties only.
 */
export type JsonRecord = Record<string, unknown>

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype'])

export function fieldError(message: string, path: (string | number)[]): Error {
  return Object.assign(new Error(message), { code: 'INVALID_FIELD', issues: [{ path, message }] })
}

export function splitField(field: string, inputPath: (string | number)[]): string[] {
  const segments = field.split('.')
  if (segments.some((segment) => segment === '')) throw fieldError(`"${field}" is not a field path (empty segment)`, inputPath)
  const bad = segments.find((segment) => FORBIDDEN.has(segment))
  if (bad !== undefined) throw fieldError(`"${bad}" cannot be used as a field name`, inputPath)
  return segments
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function getField(item: unknown, segments: readonly string[]): unknown {
  let current: unknown = item
  for (const segment of segments) {
    if (!isRecord(current) || !Object.hasOwn(current, segment)) return undefined
    current = current[segment]
  }
  return current
}

/** A copy of `item` with the field set (intermediate records created or copied; the input is not changed). */
export function setField(item: JsonRecord, segments: readonly string[], value: unknown): JsonRecord {
  const [head, ...rest] = segments
  if (head === undefined) return item
  const copy: JsonRecord = { ...item }
  const next = rest.length === 0 ? value : setField(isRecord(copy[head]) ? (copy[head] as JsonRecord) : {}, rest, value)
  Object.defineProperty(copy, head, { value: next, enumerable: true, writable: true, configurable: true })
  return copy
}

/** A copy of `item` without the field. */
export function deleteField(item: JsonRecord, segments: readonly string[]): JsonRecord {
  const [head, ...rest] = segments
  if (head === undefined || !Object.hasOwn(item, head)) return item
  const copy: JsonRecord = { ...item }
  if (rest.length === 0) delete copy[head]
  else if (isRecord(copy[head])) copy[head] = deleteField(copy[head] as JsonRecord, rest)
  return copy
}
