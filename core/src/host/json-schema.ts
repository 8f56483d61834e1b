/**
 * JSON Schemas from zod, cached per schema object: discovery of a large catalog stays cheap after the
 * first call. Inputs use `io: 'input'` (so `.default()` fields are optional, as a form expects);
 * what JSON Schema cannot express (dates, transforms) becomes `{}` instead of throwing.
 */
import { z } from 'zod'
import type { Schema } from '../plugin/definition'

export type JsonSchema = Record<string, unknown>

const caches = { input: new WeakMap<Schema, JsonSchema>(), output: new WeakMap<Schema, JsonSchema>() }

export function jsonSchemaOf(schema: Schema | undefined, io: 'input' | 'output'): JsonSchema | null {
  if (schema === undefined) return null
  const cache = caches[io]
  let json = cache.get(schema)
  if (json === undefined) {
    try {
      json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema
    } catch {
      json = {}
    }
    cache.set(schema, json)
  }
  return json
}
