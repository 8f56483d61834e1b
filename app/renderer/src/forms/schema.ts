/**
 * JSON Schema helpers for the forms: local `$ref` resolution and the one decision the form makes itself,
 * which fields are edited as free JSON (values of any type, records, unions) rather than by JSON Forms'
 * standard controls.
 */
import type { JsonSchema, UISchemaElement } from '@jsonforms/core'

type SchemaObject = Exclude<JsonSchema, boolean> & Record<string, unknown>

function pointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) return undefined
  const parts = ref.slice(1).split('/').filter(Boolean).map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'))
  let node: unknown = root
  for (const part of parts) {
    if (typeof node !== 'object' || node === null) return undefined
    node = (node as Record<string, unknown>)[part]
  }
  return node
}

/** The schema with its local `$ref` followed (sibling keywords, like `description`, kept). */
export function deref(schema: JsonSchema | undefined, root: JsonSchema | undefined): SchemaObject {
  let current = (typeof schema === 'object' && schema !== null ? schema : {}) as SchemaObject
  for (let hops = 0; hops < 20 && typeof current['$ref'] === 'string'; hops++) {
    const { $ref, ...siblings } = current
    const target = pointer(root, $ref as string)
    if (typeof target !== 'object' || target === null) return siblings as SchemaObject
    current = { ...(target as SchemaObject), ...siblings } as SchemaObject
  }
  return current
}

/**
 * Edited as a JSON text: no single `type` (any value, unions of types), `anyOf`/`oneOf` unions that are
 * not enums, and objects without declared properties (records).
 */
export function isFreeform(schema: JsonSchema | undefined, root: JsonSchema | undefined): boolean {
  const resolved = deref(schema, root)
  if (Array.isArray(resolved['anyOf']) || Array.isArray(resolved['oneOf']) || Array.isArray(resolved['allOf'])) {
    const options = (resolved['oneOf'] ?? resolved['anyOf']) as SchemaObject[] | undefined
    const isEnum = Array.isArray(options) && options.every((option) => typeof option === 'object' && option !== null && 'const' in option)
    return !isEnum
  }
  const type = resolved['type']
  if (type === undefined) return resolved['enum'] === undefined && resolved['const'] === undefined
  if (Array.isArray(type)) return true
  if (type === 'object') {
    const properties = resolved['properties'] as Record<string, unknown> | undefined
    return properties === undefined || Object.keys(properties).length === 0
  }
  return false
}

const ANY_TYPE = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']
const SHAPE_KEYWORDS = ['type', '$ref', 'anyOf', 'oneOf', 'allOf', 'enum', 'const', 'properties', 'items', 'additionalProperties', 'not']

/**
 * A schema accepting any value (`{}`, maybe with a description) says so with every JSON type: JSON Forms'
 * UI schema generator skips a field without a type, and the JSON field renders any multi-type field.
 */
function spellOutAny(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(spellOutAny)
  if (typeof node !== 'object' || node === null) return node
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    copy[key] = key === 'properties' || key === '$defs' || key === 'definitions'
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, child]) => [name, spellOutAny(child)]))
      : key === 'items' || key === 'additionalProperties' || key === 'anyOf' || key === 'oneOf' || key === 'allOf'
        ? spellOutAny(value)
        : value
  }
  return SHAPE_KEYWORDS.some((keyword) => keyword in copy) ? copy : { ...copy, type: ANY_TYPE }
}

/** The schema JSON Forms gets: a copy without `$schema`, "any value" spelled out (an object schema at the root). */
export function formSchemaOf(schema: unknown): JsonSchema | null {
  if (typeof schema !== 'object' || schema === null) return null
  const { $schema: _ignored, ...rest } = JSON.parse(JSON.stringify(schema)) as SchemaObject
  if (rest['type'] !== 'object') return null
  return spellOutAny(rest) as JsonSchema
}

/** One control per property of the root object, in order (nested objects lay themselves out). */
export function rootUiSchemaOf(schema: JsonSchema | null): UISchemaElement | undefined {
  if (schema === null) return undefined
  return {
    type: 'VerticalLayout',
    elements: propertyNames(schema).map((name) => ({ type: 'Control', scope: `#/properties/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` })),
  } as UISchemaElement
}

/** The property names of an object schema (resolved), for pickers such as an edge's input or output. */
export function propertyNames(schema: unknown): string[] {
  if (typeof schema !== 'object' || schema === null) return []
  const properties = deref(schema as JsonSchema, schema as JsonSchema)['properties']
  return properties && typeof properties === 'object' ? Object.keys(properties) : []
}

/** True when the object schema has at least one property to show in a form. */
export function hasFields(schema: JsonSchema | null): boolean {
  return schema !== null && propertyNames(schema).length > 0
}

/** A copy of the schema without `required` at the root (for static inputs an edge may feed instead). */
export function withoutRequired(schema: JsonSchema | null): JsonSchema | null {
  if (schema === null || typeof schema !== 'object') return schema
  const { required: _required, ...rest } = schema as SchemaObject
  return rest as JsonSchema
}
