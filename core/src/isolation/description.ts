/**
 * What the host knows of an isolated plugin without running any of its code: a description made of
 * plain data (JSON Schemas, names, limits), built in the plugin's process from its definition and sent
 * to the host, which rebuilds a definition from it whose procedures forward to the process.
 *
 * Why JSON Schema and not importing the package in the host to read its zod schemas: importing runs the
 * package's top-level code in the host process, which is exactly what isolation must avoid (an import
 * that loops for ever, reads files or patches globals). zod 4 converts both ways (`z.toJSONSchema`,
 * `z.fromJSONSchema`), so the host validates input, checks permissions and rate limits with validators
 * it built itself, BEFORE a message reaches the plugin's process. What JSON Schema cannot express
 * (refinements, transforms, dates) is checked a second time in the plugin's process with the real zod
 * schema: the host's check is the boundary, the plugin's is its own semantics.
 */
import { z } from 'zod'
import type { JsonSchema } from '../host/json-schema'
import type { AnyPluginDefinition, EventDefinition, Procedure, RateLimit, Schema } from '../plugin/definition'
import { buildDefinition } from '../plugin/definition'

export interface ProcedureDescription {
  readonly description: string
  readonly input?: JsonSchema
  readonly output?: JsonSchema
  readonly permission?: string
  readonly expose: boolean
  readonly timeoutMs?: number
  readonly rateLimit?: RateLimit
}

export interface EventDescription {
  readonly description?: string
  readonly payload: JsonSchema
  readonly permission?: string
  readonly expose: boolean
}

export interface PluginDescription {
  readonly id: string
  readonly version: string
  readonly description: string
  readonly dependencies: readonly string[]
  readonly permissions: readonly string[]
  readonly settings?: JsonSchema
  readonly procedures: Readonly<Record<string, ProcedureDescription>>
  readonly events: Readonly<Record<string, EventDescription>>
}

function toJson(schema: Schema, io: 'input' | 'output'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema
}

/** Plugin side: the description of a checked definition (structured-clone safe: plain data only). */
export function describeDefinition(definition: AnyPluginDefinition): PluginDescription {
  const procedures: Record<string, ProcedureDescription> = {}
  for (const [name, procedure] of Object.entries(definition.procedures as Record<string, Procedure>)) {
    procedures[name] = {
      description: procedure.description,
      ...(procedure.input ? { input: toJson(procedure.input, 'input') } : {}),
      ...(procedure.output ? { output: toJson(procedure.output, 'output') } : {}),
      ...(procedure.permission !== undefined ? { permission: procedure.permission } : {}),
      expose: procedure.expose === true,
      ...(procedure.timeoutMs !== undefined ? { timeoutMs: procedure.timeoutMs } : {}),
      ...(procedure.rateLimit ? { rateLimit: { capacity: procedure.rateLimit.capacity, perSecond: procedure.rateLimit.perSecond } } : {}),
    }
  }
  const events: Record<string, EventDescription> = {}
  for (const [name, event] of Object.entries(definition.events as Record<string, EventDefinition>)) {
    events[name] = {
      ...(event.description !== undefined ? { description: event.description } : {}),
      payload: toJson(event.payload, 'input'),
      ...(event.permission !== undefined ? { permission: event.permission } : {}),
      expose: event.expose === true,
    }
  }
  return {
    id: definition.id,
    version: definition.version,
    description: definition.description,
    dependencies: [...definition.dependencies],
    permissions: [...definition.permissions],
    ...(definition.settings ? { settings: toJson(definition.settings as Schema, 'input') } : {}),
    procedures,
    events,
  }
}

const Json = z.record(z.string(), z.unknown())
const Name = z.string().regex(/^[a-zA-Z][a-zA-Z0-9]*$/)
const Limit = z.number().positive().max(2_147_483_647)

/** The description arrives from an untrusted process: its shape is checked before anything is built from it. */
const DescriptionSchema = z.object({
  id: z.string().regex(/^[a-z][a-zA-Z0-9]*$/),
  version: z.string().min(1).max(200),
  description: z.string().max(10_000),
  dependencies: z.array(z.string().max(200)).max(200),
  permissions: z.array(z.string().max(200)).max(200),
  settings: Json.optional(),
  procedures: z.record(Name, z.object({
    description: z.string().max(10_000),
    input: Json.optional(),
    output: Json.optional(),
    permission: z.string().min(1).max(200).optional(),
    expose: z.boolean(),
    timeoutMs: Limit.optional(),
    rateLimit: z.object({ capacity: Limit, perSecond: Limit }).optional(),
  })),
  events: z.record(Name, z.object({
    description: z.string().max(10_000).optional(),
    payload: Json,
    permission: z.string().min(1).max(200).optional(),
    expose: z.boolean(),
  })),
})

/** Checks a description received from a plugin's process; throws a TypeError naming what is wrong. */
export function parseDescription(value: unknown): PluginDescription {
  const parsed = DescriptionSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new TypeError(`its process sent an invalid description (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`)
  }
  return parsed.data as PluginDescription
}

/** A JSON Schema the host cannot rebuild is refused: the host would otherwise pass input it never checked. */
function fromJson(schema: JsonSchema, where: string): Schema {
  try {
    return z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]) as unknown as Schema
  } catch (error) {
    throw new TypeError(`${where}: its schema cannot be checked by the host (${error instanceof Error ? error.message : String(error)})`, { cause: error })
  }
}

/** Forwards one call of procedure `name` to the plugin's process. */
export type Forwarder = (name: string, input: unknown, ctx: Parameters<Procedure['handler']>[1]) => unknown

/**
 * Host side: a definition equivalent to the plugin's, whose handlers forward to its process. The router
 * treats it like any plugin's: permissions, the rate limits of `callStart`, input validation and deadlines
 * all happen here, before `forward` is called.
 */
export function definitionFromDescription(description: PluginDescription, forward: Forwarder): AnyPluginDefinition {
  const events: Record<string, EventDefinition> = {}
  for (const [name, event] of Object.entries(description.events)) {
    events[name] = {
      payload: fromJson(event.payload, `event ${description.id}.${name}`),
      ...(event.description !== undefined ? { description: event.description } : {}),
      ...(event.permission !== undefined ? { permission: event.permission } : {}),
      expose: event.expose,
    }
  }
  return buildDefinition({
    id: description.id,
    version: description.version,
    description: description.description,
    dependencies: description.dependencies,
    permissions: description.permissions,
    ...(description.settings ? { settings: fromJson(description.settings, `settings of ${description.id}`) as never } : {}),
    events,
    procedures: (p) => {
      const procedures: Record<string, Procedure> = {}
      for (const [name, procedure] of Object.entries(description.procedures)) {
        procedures[name] = p.procedure({
          description: procedure.description,
          ...(procedure.input ? { input: fromJson(procedure.input, `${description.id}.${name} input`) } : {}),
          ...(procedure.output ? { output: fromJson(procedure.output, `${description.id}.${name} output`) } : {}),
          ...(procedure.permission !== undefined ? { permission: procedure.permission } : {}),
          expose: procedure.expose,
          ...(procedure.timeoutMs !== undefined ? { timeoutMs: procedure.timeoutMs } : {}),
          ...(procedure.rateLimit ? { rateLimit: procedure.rateLimit } : {}),
          handler: (input: unknown, ctx: Parameters<Procedure['handler']>[1]) => forward(name, input, ctx),
        } as never) as unknown as Procedure
      }
      return procedures
    },
  }) as AnyPluginDefinition
}
