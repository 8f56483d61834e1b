/**
 * The node types known to the engine, each held by an owner (the plugin that contributed it), so a
 * plugin's types can be removed together when it is disabled.
 */
import * as z from 'zod'
import { NodeError, NodeErrorCodes } from './errors'
import { parseNodeType, type NodeType } from './node-type'

export type JsonSchema = Readonly<Record<string, unknown>>

/** What `describe()` says of one type: plain data, ready for the wire and for a form renderer. */
export interface NodeTypeDescription {
  readonly id: string
  readonly title: string
  readonly description: string
  /** Omitted when the type has none. */
  readonly category?: string
  readonly owner: string
  /** JSON Schema of what a caller may send (`io: 'input'`: defaulted fields are optional). */
  readonly inputSchema: JsonSchema
  /** JSON Schema of what the node produces (`io: 'output'`). */
  readonly outputSchema: JsonSchema
}

interface Entry {
  readonly type: NodeType
  readonly owner: string
}

interface Schemas {
  readonly inputSchema: JsonSchema
  readonly outputSchema: JsonSchema
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  try {
    return deepFreeze(z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema)
  } catch {
    // e.g. a cycle zod cannot express: describe it as "anything" rather than fail the whole listing
    return deepFreeze({})
  }
}

/** JSON Schemas per type object: computed once, on first `describe()`, reused on re-registration. */
const schemaCache = new WeakMap<NodeType, Schemas>()

function schemasOf(type: NodeType): Schemas {
  let schemas = schemaCache.get(type)
  if (schemas === undefined) {
    schemas = { inputSchema: jsonSchemaOf(type.input, 'input'), outputSchema: jsonSchemaOf(type.output, 'output') }
    schemaCache.set(type, schemas)
  }
  return schemas
}

export class NodeTypeRegistry {
  readonly #entries = new Map<string, Entry>()
  readonly #listeners = new Set<() => void>()

  /**
   * Adds a node type held by `owner`. Throws a NodeError INVALID_PARAMS when `type` is not a well-formed
   * node type (checked at run time: contributions come from other plugins), and CONFLICT when its id is
   * already registered (the message names the owner holding it). Returns an idempotent unregister that
   * removes this registration only (never a later one under the same id).
   */
  register(type: NodeType, owner: string): () => void {
    if (typeof owner !== 'string' || owner === '') {
      throw new NodeError(NodeErrorCodes.INVALID_PARAMS, 'Owner must be a non-empty string', {
        issues: [{ path: ['owner'], message: 'Owner must be a non-empty string' }],
      })
    }
    const checked = parseNodeType(type)
    const existing = this.#entries.get(checked.id)
    if (existing !== undefined) {
      throw new NodeError(
        NodeErrorCodes.CONFLICT,
        `Node type "${checked.id}" is already registered by "${existing.owner}"`,
        { data: { id: checked.id, owner: existing.owner } },
      )
    }
    const entry: Entry = { type: checked, owner }
    this.#entries.set(checked.id, entry)
    this.#changed()
    return () => {
      if (this.#entries.get(checked.id) === entry) {
        this.#entries.delete(checked.id)
        this.#changed()
      }
    }
  }

  get(id: string): NodeType | undefined {
    return this.#entries.get(id)?.type
  }

  has(id: string): boolean {
    return this.#entries.has(id)
  }

  /** The owner holding `id`, if any. */
  ownerOf(id: string): string | undefined {
    return this.#entries.get(id)?.owner
  }

  /** All types, sorted by id. */
  list(): NodeType[] {
    return this.#sorted().map((entry) => entry.type)
  }

  /** Removes every type `owner` registered; returns their ids (sorted). */
  removeOwner(owner: string): string[] {
    const removed: string[] = []
    for (const [id, entry] of this.#entries) {
      if (entry.owner === owner) {
        this.#entries.delete(id)
        removed.push(id)
      }
    }
    if (removed.length > 0) this.#changed()
    return removed.sort()
  }

  /** Removes every type (e.g. when the plugin is deactivated); returns their ids (sorted). */
  clear(): string[] {
    const removed = [...this.#entries.keys()].sort()
    this.#entries.clear()
    if (removed.length > 0) this.#changed()
    return removed
  }

  /** Every type as plain data with JSON Schemas, sorted by id. */
  describe(): NodeTypeDescription[] {
    return this.#sorted().map(describeEntry)
  }

  /** One type as plain data, or undefined. */
  describeType(id: string): NodeTypeDescription | undefined {
    const entry = this.#entries.get(id)
    return entry === undefined ? undefined : describeEntry(entry)
  }

  /** Called after every change (register, unregister, removeOwner); returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  #sorted(): Entry[] {
    return [...this.#entries.values()].sort((a, b) => (a.type.id < b.type.id ? -1 : a.type.id > b.type.id ? 1 : 0))
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener()
      } catch {
        // a listener's failure is its own; the registry's state is already consistent
      }
    }
  }
}

function describeEntry({ type, owner }: Entry): NodeTypeDescription {
  const { inputSchema, outputSchema } = schemasOf(type)
  return {
    id: type.id,
    title: type.title,
    description: type.description,
    ...(type.category === undefined ? {} : { category: type.category }),
    owner,
    inputSchema,
    outputSchema,
  }
}
