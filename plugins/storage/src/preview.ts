/**
 * What the Storage view shows of a value without fetching it: its type and a short rendering, built with a
 * character budget so a huge array or string costs no more than a small one.
 */
import type { z } from 'zod'
import type { ValueType } from '@atomiton/plugin-sdk/contracts/storage'

export const PREVIEW_LENGTH = 120
const MAX_DEPTH = 2

export type ValueKind = z.infer<typeof ValueType>

export function typeOf(value: unknown): ValueKind {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
    case 'number':
    case 'bigint':
    case 'string':
      return typeof value as ValueKind
  }
  if (Array.isArray(value)) return 'array'
  if (value instanceof Date) return 'date'
  if (value instanceof RegExp) return 'regexp'
  if (value instanceof Map) return 'map'
  if (value instanceof Set) return 'set'
  if (value instanceof Error) return 'error'
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return 'binary'
  return 'object'
}

export function preview(value: unknown, maxLength = PREVIEW_LENGTH): string {
  const text = render(value, 0, new Set(), maxLength + 1)
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/

function render(value: unknown, depth: number, seen: Set<object>, budget: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > budget ? value.slice(0, budget) : value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'boolean':
    case 'undefined':
      return String(value)
    case 'object':
      break
    default:
      return typeof value
  }
  if (value === null) return 'null'
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
  if (value instanceof RegExp) return String(value)
  if (value instanceof Error) return `${value.name}: ${value.message}`
  if (value instanceof ArrayBuffer) return `ArrayBuffer(${value.byteLength})`
  if (ArrayBuffer.isView(value)) {
    const length = 'length' in value && typeof value.length === 'number' ? value.length : value.byteLength
    return `${value.constructor.name}(${length})`
  }
  if (value instanceof Boolean || value instanceof Number || value instanceof String) {
    return `[${value.constructor.name}: ${render(value.valueOf(), depth, seen, budget)}]`
  }
  if (seen.has(value)) return '[Circular]'
  if (depth >= MAX_DEPTH) {
    if (Array.isArray(value)) return `Array(${value.length})`
    if (value instanceof Map) return `Map(${value.size})`
    if (value instanceof Set) return `Set(${value.size})`
    return '{…}'
  }
  seen.add(value)
  try {
    if (Array.isArray(value)) return `[${list(value.length, (i) => render(value[i], depth + 1, seen, budget), budget)}]`
    if (value instanceof Map) {
      const entries = [...value.entries()]
      return `Map(${value.size}) {${list(entries.length, (i) => {
        const [k, v] = entries[i]!
        return `${render(k, depth + 1, seen, budget)} => ${render(v, depth + 1, seen, budget)}`
      }, budget)}}`
    }
    if (value instanceof Set) {
      const items = [...value]
      return `Set(${value.size}) {${list(items.length, (i) => render(items[i], depth + 1, seen, budget), budget)}}`
    }
    const keys = Object.keys(value)
    const record = value as Record<string, unknown>
    return `{${list(keys.length, (i) => {
      const key = keys[i]!
      return `${IDENTIFIER.test(key) ? key : JSON.stringify(key)}: ${render(record[key], depth + 1, seen, budget)}`
    }, budget)}}`
  } finally {
    seen.delete(value)
  }
}

/** Renders items until the budget is spent; `…` marks what was left out. */
function list(count: number, item: (index: number) => string, budget: number): string {
  const parts: string[] = []
  let used = 0
  for (let i = 0; i < count; i++) {
    if (used >= budget) {
      parts.push('…')
      break
    }
    const part = item(i)
    parts.push(part)
    used += part.length + 2
  }
  return parts.join(', ')
}
