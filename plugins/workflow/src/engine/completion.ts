/**
 * Completion for expressions (expressions.ts): the paths a node's inputs may read, `$node.<id>.output...`,
 * from every node it may refer to (any node but itself and those downstream of it, through edges or
 * expressions: reading those would close a cycle), walked through their output JSON Schemas where known
 * (`properties`, and an array's `items` as `[0]`), to `MAX_DEPTH` steps below `output`. A node whose
 * outputs are not described yields only `$node.<id>.output`.
 */
import { expressionDependencies } from './expressions'
import type { WorkflowDefinition } from './schema'
import { lookup, type JsonSchemaObject, type NodeCatalog } from './validate'

const MAX_DEPTH = 4
const MAX_PATHS = 2000
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

export interface CompletionPath {
  readonly nodeId: string
  /** `$node.fetch.output.body.items` */
  readonly path: string
  /** What to insert: `{{ <path> }}`. */
  readonly expression: string
  /** The JSON type(s) the schema states, when it states one. */
  readonly type?: string
  readonly description?: string
}

function isObject(value: unknown): value is JsonSchemaObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function typeOf(schema: JsonSchemaObject): string | undefined {
  const type = schema['type']
  if (typeof type === 'string') return type
  if (Array.isArray(type)) return type.filter((t) => typeof t === 'string').join(' | ') || undefined
  return undefined
}

function step(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`
}

/** The nodes `nodeId` may read: not itself, not downstream of it. */
function readableNodes(def: WorkflowDefinition, nodeId: string): string[] {
  const next = new Map<string, string[]>()
  const link = (from: string, to: string): void => {
    next.set(from, [...(next.get(from) ?? []), to])
  }
  for (const edge of def.edges) link(edge.from.node, edge.to.node)
  for (const [to, froms] of expressionDependencies(def)) for (const from of froms) link(from, to)
  const downstream = new Set<string>([nodeId])
  const stack = [nodeId]
  while (stack.length > 0) {
    for (const to of next.get(stack.pop()!) ?? []) {
      if (downstream.has(to)) continue
      downstream.add(to)
      stack.push(to)
    }
  }
  return def.nodes.map((node) => node.id).filter((id) => !downstream.has(id))
}

export function completionPaths(def: WorkflowDefinition, nodeId: string, catalog: NodeCatalog): CompletionPath[] {
  const paths: CompletionPath[] = []
  const add = (id: string, path: string, schema: JsonSchemaObject | undefined): void => {
    if (paths.length >= MAX_PATHS) return
    const type = schema === undefined ? undefined : typeOf(schema)
    const description = schema !== undefined && typeof schema['description'] === 'string' ? schema['description'] : undefined
    paths.push({ nodeId: id, path, expression: `{{ ${path} }}`, ...(type === undefined ? {} : { type }), ...(description === undefined ? {} : { description }) })
  }
  const walk = (id: string, path: string, schema: JsonSchemaObject, depth: number): void => {
    if (depth >= MAX_DEPTH) return
    const properties = schema['properties']
    if (isObject(properties)) {
      for (const [name, child] of Object.entries(properties)) {
        const childSchema = isObject(child) ? child : undefined
        add(id, path + step(name), childSchema)
        if (childSchema !== undefined) walk(id, path + step(name), childSchema, depth + 1)
      }
    }
    const items = schema['items']
    if (isObject(items)) {
      add(id, `${path}[0]`, items)
      walk(id, `${path}[0]`, items, depth + 1)
    }
  }
  const byId = new Map(def.nodes.map((node) => [node.id, node]))
  for (const id of readableNodes(def, nodeId)) {
    const spec = lookup(catalog, byId.get(id)!.type)
    const root = `$node.${id}.output`
    add(id, root, spec?.outputSchema)
    if (spec !== undefined) walk(id, root, spec.outputSchema, 0)
  }
  return paths
}
