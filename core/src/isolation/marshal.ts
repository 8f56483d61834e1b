/**
 * Values with functions across the plugin link. A contribution to an extension point may hold functions and
 * zod schemas (a node type: `input`, `output`, `execute`), which structured clone cannot carry. They travel
 * as markers and are rebuilt on the other side:
 *
 *   a function  -> { $atomiton: 'function', id }   the host gets a stub that calls it in the plugin's process
 *   a zod schema -> { $atomiton: 'schema', json }   the host rebuilds it from JSON Schema (z.fromJSONSchema)
 *
 * And for the stub's own arguments, host -> process (a node's `execute(inputs, ctx)`):
 *
 *   an AbortSignal -> { $atomiton: 'signal' }        the signal of the `$invoke` request (a cancel crosses the link)
 *   a function     -> { $atomiton: 'callback', id }  calls come back as `$callback` events (ctx.log, ctx.progress)
 *
 * Markers are only read where they are expected (a contribution, an invocation's arguments), and a marker
 * that is not well formed is refused: a value from the process cannot make the host call anything else.
 */
import { z } from 'zod'
import type { JsonSchema } from '../host/json-schema'

const TAG = '$atomiton'
const MAX_DEPTH = 16

type Marker =
  | { readonly [TAG]: 'function'; readonly id: number }
  | { readonly [TAG]: 'schema'; readonly json: JsonSchema }
  | { readonly [TAG]: 'signal' }
  | { readonly [TAG]: 'callback'; readonly id: number }

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

function isSchema(value: unknown): value is z.core.$ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value
}

function markerOf(value: unknown): Marker | undefined {
  return isPlainObject(value) && typeof value[TAG] === 'string' ? (value as unknown as Marker) : undefined
}

/** Walks plain objects and arrays (to MAX_DEPTH), replacing what `replace` answers for. */
function walk(value: unknown, replace: (value: unknown) => unknown, depth = 0): unknown {
  const replaced = replace(value)
  if (replaced !== value) return replaced
  if (depth >= MAX_DEPTH) return value
  if (Array.isArray(value)) return value.map((item) => walk(item, replace, depth + 1))
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) out[key] = walk(value[key], replace, depth + 1)
    return out
  }
  return value
}

/** Plugin side: a contribution's functions registered in `functions`, its schemas as JSON Schema. */
export function encodeContribution(value: unknown, functions: Map<number, (...args: unknown[]) => unknown>, nextId: () => number): unknown {
  return walk(value, (item) => {
    if (typeof item === 'function') {
      const id = nextId()
      functions.set(id, item as (...args: unknown[]) => unknown)
      return { [TAG]: 'function', id }
    }
    if (isSchema(item)) return { [TAG]: 'schema', json: z.toJSONSchema(item, { io: 'input', unrepresentable: 'any' }) }
    return item
  })
}

/** Host side: a contribution rebuilt, each function a stub calling `invoke(id, args)`. */
export function decodeContribution(value: unknown, invoke: (id: number, args: unknown[]) => Promise<unknown>): unknown {
  return walk(value, (item) => {
    const marker = markerOf(item)
    if (!marker) return item
    if (marker[TAG] === 'function' && Number.isInteger(marker.id)) {
      const id = marker.id
      return (...args: unknown[]) => invoke(id, args)
    }
    if (marker[TAG] === 'schema' && isPlainObject(marker.json)) return z.fromJSONSchema(marker.json as Parameters<typeof z.fromJSONSchema>[0])
    throw new TypeError('A contribution holds a marker that is not one')
  })
}

/** Host side: a stub's arguments for the link; the first AbortSignal becomes the request's signal. */
export function encodeArguments(args: unknown[], callbacks: Map<number, (...args: unknown[]) => unknown>, nextId: () => number): { args: unknown; signal: AbortSignal | undefined } {
  let signal: AbortSignal | undefined
  const encoded = walk(args, (item) => {
    if (item instanceof AbortSignal) {
      signal ??= item
      return { [TAG]: 'signal' }
    }
    if (typeof item === 'function') {
      const id = nextId()
      callbacks.set(id, item as (...args: unknown[]) => unknown)
      return { [TAG]: 'callback', id }
    }
    return item
  })
  return { args: encoded, signal }
}

/** Plugin side: an invocation's arguments, with the request's signal and callbacks that call back over the link. */
export function decodeArguments(args: unknown, signal: AbortSignal, callback: (id: number, args: unknown[]) => void): unknown[] {
  const decoded = walk(args, (item) => {
    const marker = markerOf(item)
    if (!marker) return item
    if (marker[TAG] === 'signal') return signal
    if (marker[TAG] === 'callback' && Number.isInteger(marker.id)) {
      const id = marker.id
      return (...callArgs: unknown[]) => callback(id, callArgs)
    }
    return item
  })
  return Array.isArray(decoded) ? decoded : []
}
