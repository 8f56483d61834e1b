/** What every contender does: the same input schema and the same trivial handler (it returns its input). */
import { z } from 'zod'

export const inputSchema = z.object({ id: z.number(), name: z.string() })
export type Small = z.infer<typeof inputSchema>

export function echoHandler(input: Small): Small {
  return input
}

/** The procedure every contender exposes, under this name (`echo` in tRPC and oRPC, `bench.echo` in a domain registry). */
export const PROCEDURE = 'echo'

/** The small call of the dispatch, batching and WebSocket scenarios (28 bytes of JSON). */
export const SMALL: Small = { id: 1, name: 'atomiton' }

const JSON_OVERHEAD = JSON.stringify({ id: 1, name: '' }).length

/**
 * A payload whose JSON is exactly `bytes` long: the same `{ id, name }` shape, so every contender validates
 * it with the same schema, with `name` a string of ASCII letters. A string rather than a Uint8Array because
 * every adapter measured serializes to JSON (oRPC and tRPC would turn a Uint8Array into an object of indices
 * or refuse it), and a structured clone of a string is what postMessage does for JSON-shaped data anyway.
 */
export function payloadOfSize(bytes: number): Small {
  const length = Math.max(0, bytes - JSON_OVERHEAD)
  const alphabet = 'abcdefghijklmnopqrstuvwxyz'
  return { id: 1, name: alphabet.repeat(Math.ceil(length / alphabet.length)).slice(0, length) }
}

/** A procedure set for the scale scenarios: `plugins` plugins of `perPlugin` procedures (`plugin3.proc17`). */
export interface ProcedureSet {
  readonly plugins: number
  readonly perPlugin: number
}

export function procedurePaths(set: ProcedureSet): Array<readonly [plugin: string, procedure: string]> {
  const paths: Array<readonly [string, string]> = []
  for (let p = 0; p < set.plugins; p++) for (let i = 0; i < set.perPlugin; i++) paths.push([`plugin${p}`, `proc${i}`])
  return paths
}
