/**
 * A JSON Schema to TypeScript type printer, for the subset zod 4's `z.toJSONSchema` emits (draft 2020-12):
 * `type` (one or a list), `enum`, `const`, `anyOf` / `oneOf`, `allOf`, `not: {}`, objects (`properties`,
 * `required`, `additionalProperties`), arrays (`items`, `prefixItems`), `$ref` into `$defs` or `#`, and
 * `description` as JSDoc. What it does not know (a keyword zod never emits, `{}` for what JSON cannot
 * express: dates, maps, bigints...) prints as `unknown`, never as something narrower than the schema.
 *
 * Hand-written rather than a library: none is installed (json-schema-to-typescript would be a new
 * dependency with its own formatter), and this subset is small and fixed by zod.
 */

export type JsonSchemaNode = boolean | { readonly [keyword: string]: unknown }

/** Named types a printed schema refers to (its `$defs`, recursion), declared once beside it. */
export interface PrintContext {
  /** Returns the type name for a `$ref` (declaring it on first use). */
  readonly refName: (ref: string) => string
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/
const MAX_DEPTH = 64

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A property key as TypeScript spells it: bare when it is an identifier, quoted otherwise. */
export function propertyKey(key: string): string {
  return IDENTIFIER.test(key) ? key : JSON.stringify(key)
}

/** A JSDoc block for `text` at `indent` (empty when there is no text); `*\/` inside is broken up. */
export function jsDoc(text: unknown, indent: string): string {
  if (typeof text !== 'string' || text.trim() === '') return ''
  const lines = text.replace(/\*\//g, '*\\/').split(/\r?\n/)
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`
  return `${indent}/**\n${lines.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`
}

function literal(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'number'
  return 'unknown'
}

function union(types: readonly string[]): string {
  const unique = [...new Set(types)]
  if (unique.includes('unknown')) return 'unknown'
  const kept = unique.filter((type) => type !== 'never')
  if (kept.length === 0) return 'never'
  return kept.length === 1 ? kept[0]! : kept.map((type) => (/[&]/.test(type) && !type.startsWith('(') ? `(${type})` : type)).join(' | ')
}

function parenthesize(type: string): string {
  return /^[\w$."']+(\[\])*$/.test(type) || type.startsWith('{') || type.startsWith('(') ? type : `(${type})`
}

/** The TypeScript type of `schema`, at `indent` (for multi-line object types). */
export function printType(schema: unknown, context: PrintContext, indent = '', depth = 0): string {
  if (depth > MAX_DEPTH) return 'unknown'
  if (schema === true || schema === undefined) return 'unknown'
  if (schema === false) return 'never'
  if (!isRecord(schema)) return 'unknown'
  if (typeof schema.$ref === 'string') return context.refName(schema.$ref)
  if ('const' in schema) return literal(schema.const)
  if (Array.isArray(schema.enum)) return union(schema.enum.map(literal))
  const variants = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined
  if (variants) return union(variants.map((variant) => printType(variant, context, indent, depth + 1)))
  if (Array.isArray(schema.allOf)) {
    const parts = schema.allOf.map((part) => printType(part, context, indent, depth + 1)).filter((part) => part !== 'unknown')
    return parts.length === 0 ? 'unknown' : parts.map(parenthesize).join(' & ')
  }
  if (isRecord(schema.not) && Object.keys(schema.not).length === 0) return 'never'
  const type = schema.type
  if (Array.isArray(type)) return union(type.map((one) => printType({ ...schema, type: one }, context, indent, depth + 1)))
  switch (type) {
    case 'string':
      return 'string'
    case 'number':
    case 'integer':
      return 'number'
    case 'boolean':
      return 'boolean'
    case 'null':
      return 'null'
    case 'array':
      return printArray(schema, context, indent, depth)
    case 'object':
      return printObject(schema, context, indent, depth)
    default:
      return 'unknown'
  }
}

function printArray(schema: Record<string, unknown>, context: PrintContext, indent: string, depth: number): string {
  const readonly = schema.readOnly === true ? 'readonly ' : ''
  if (Array.isArray(schema.prefixItems)) {
    const items = schema.prefixItems.map((item) => printType(item, context, indent, depth + 1))
    const rest = schema.items === false || schema.items === undefined ? [] : [`...${parenthesize(printType(schema.items, context, indent, depth + 1))}[]`]
    return `${readonly}[${[...items, ...rest].join(', ')}]`
  }
  return `${readonly}${parenthesize(printType(schema.items, context, indent, depth + 1))}[]`
}

function printObject(schema: Record<string, unknown>, context: PrintContext, indent: string, depth: number): string {
  const properties = isRecord(schema.properties) ? schema.properties : {}
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((key): key is string => typeof key === 'string') : [])
  const inner = `${indent}  `
  const members: string[] = []
  for (const [key, property] of Object.entries(properties)) {
    const optional = required.has(key) ? '' : '?'
    const readonly = isRecord(property) && property.readOnly === true && property.type !== 'array' ? 'readonly ' : ''
    members.push(
      `${jsDoc(isRecord(property) ? property.description : undefined, inner)}${inner}${readonly}${propertyKey(key)}${optional}: ${printType(property, context, inner, depth + 1)}`,
    )
  }
  const additional = schema.additionalProperties
  if (additional !== undefined && additional !== false) {
    const value = printType(additional, context, inner, depth + 1)
    // Named properties must fit the index signature: widen it to unknown when there are any.
    members.push(`${inner}[key: string]: ${members.length > 0 && value !== 'unknown' ? 'unknown' : value}`)
  }
  if (members.length === 0) return additional === false ? 'Record<string, never>' : '{ [key: string]: unknown }'
  return `{\n${members.join('\n')}\n${indent}}`
}
