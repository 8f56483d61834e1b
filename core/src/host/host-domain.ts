/**
 * The reserved `rpc` domain, built by the host like a plugin: discovery and subscriptions.
 *
 * - `rpc.discover()`: the plugins (id, version, state, error if failed) and, for active ones, the
 *   procedures and events this caller may use right now, with description, permission and JSON Schemas.
 * - `rpc.subscribe({ event })` / `rpc.unsubscribe({ event })`: permission-checked subscriptions of the
 *   calling connection.
 * - `rpc.catalogChanged`: emitted when a plugin changes state, so a UI can discover again.
 * - `rpc.subscriptionEnded`: sent to a subscriber whose subscription the host ended (plugin disabled).
 * Every caller may use this domain: what it returns is filtered by the caller's own grants.
 */
import { z } from 'zod'
import { RpcError } from '../common/errors'
import { buildDefinition, event, type Procedure } from '../plugin/definition'
import type { PluginInfo } from '../plugin/plugin-info'
import { isGranted, type Caller } from './caller'
import type { EventBus, EventEntry } from './event-bus'
import { jsonSchemaOf, type JsonSchema } from './json-schema'
import { subscriberOfHandler } from './active-call'
import type { RouteEntry, Router } from './router'

export interface ProcedureDescription {
  /** `domain.method` */
  readonly method: string
  readonly name: string
  readonly description: string
  readonly permission: string
  readonly exposed: boolean
  readonly timeoutMs?: number
  readonly input: JsonSchema | null
  readonly output: JsonSchema | null
}

export interface EventDescription {
  /** `domain.event` */
  readonly event: string
  readonly name: string
  readonly description: string
  readonly permission: string
  readonly exposed: boolean
  readonly payload: JsonSchema | null
}

export interface PluginDescription extends PluginInfo {
  readonly procedures: readonly ProcedureDescription[]
  readonly events: readonly EventDescription[]
}

export interface Catalog {
  readonly plugins: readonly PluginDescription[]
}

export interface HostDomainSources {
  readonly router: Router
  readonly eventBus: EventBus
  readonly listPlugins: () => readonly PluginInfo[]
}

const EventName = z.object({ event: z.string().min(3).max(200) })

export function describeCatalog(sources: HostDomainSources, caller: Caller): Catalog {
  const procedures = new Map<string, ProcedureDescription[]>()
  for (const entry of sources.router.entries()) {
    if (!mayCall(caller, entry)) continue
    const list = procedures.get(entry.domain) ?? []
    list.push(describeProcedure(entry))
    procedures.set(entry.domain, list)
  }
  const events = new Map<string, EventDescription[]>()
  for (const entry of sources.eventBus.entries()) {
    if (!maySubscribe(caller, entry)) continue
    const list = events.get(entry.domain) ?? []
    list.push(describeEvent(entry))
    events.set(entry.domain, list)
  }
  return {
    plugins: sources.listPlugins().map((info) => ({
      ...info,
      procedures: info.state === 'active' ? (procedures.get(info.id) ?? []) : [],
      events: info.state === 'active' ? (events.get(info.id) ?? []) : [],
    })),
  }
}

function mayCall(caller: Caller, entry: RouteEntry): boolean {
  return (caller.kind !== 'renderer' || entry.procedure.expose) && isGranted(caller.grants, entry.permission)
}

function maySubscribe(caller: Caller, entry: EventEntry): boolean {
  return (caller.kind !== 'renderer' || entry.definition.expose === true) && isGranted(caller.grants, entry.permission)
}

function describeProcedure(entry: RouteEntry): ProcedureDescription {
  const procedure: Procedure = entry.procedure
  return {
    method: entry.method,
    name: entry.name,
    description: procedure.description,
    permission: entry.permission,
    exposed: procedure.expose,
    ...(procedure.timeoutMs !== undefined ? { timeoutMs: procedure.timeoutMs } : {}),
    input: jsonSchemaOf(procedure.input, 'input'),
    output: jsonSchemaOf(procedure.output, 'output'),
  }
}

function describeEvent(entry: EventEntry): EventDescription {
  return {
    event: entry.name,
    name: entry.name.slice(entry.domain.length + 1),
    description: entry.definition.description ?? '',
    permission: entry.permission,
    exposed: entry.definition.expose === true,
    payload: jsonSchemaOf(entry.definition.payload, 'output'),
  }
}

function subscriberOf(ctx: unknown) {
  const subscriber = subscriberOfHandler(ctx)
  if (!subscriber) {
    throw new RpcError('BAD_REQUEST', 'Subscriptions belong to a connection; in process, use ctx.on(event, listener)')
  }
  return subscriber
}

export function createHostDomain(sources: HostDomainSources) {
  return buildDefinition({
    id: 'rpc',
    version: '1.0.0',
    description: 'The host: discovery and event subscriptions',
    required: true,
    events: {
      catalogChanged: event({
        description: 'A plugin changed state: what callers may call has changed',
        payload: z.object({ plugin: z.string(), state: z.string() }),
        permission: '',
        expose: true,
      }),
      subscriptionEnded: event({
        description: 'The host ended one of your subscriptions (its plugin was disabled)',
        payload: z.object({ event: z.string(), reason: z.string() }),
        permission: '',
        expose: true,
      }),
    },
    procedures: (p) => ({
      discover: p.procedure({
        description: 'Lists the plugins, and the procedures and events this caller may use right now',
        permission: '',
        expose: true,
        handler: (_input, ctx): Catalog => describeCatalog(sources, ctx.caller),
      }),
      subscribe: p.procedure({
        description: 'Subscribes this connection to an event',
        input: EventName,
        permission: '',
        expose: true,
        handler: ({ event: name }, ctx): { event: string } => {
          sources.eventBus.subscribe(subscriberOf(ctx), name)
          return { event: name }
        },
      }),
      unsubscribe: p.procedure({
        description: 'Ends this connection’s subscription to an event',
        input: EventName,
        permission: '',
        expose: true,
        handler: ({ event: name }, ctx): { event: string; removed: boolean } => ({
          event: name,
          removed: sources.eventBus.unsubscribe(subscriberOf(ctx), name),
        }),
      }),
      ping: p.procedure({
        description: 'Answers at once; for transports and health checks',
        permission: '',
        expose: true,
        handler: (): { pong: true; at: number } => ({ pong: true, at: Date.now() }),
      }),
    }),
  })
}

export type HostDomain = ReturnType<typeof createHostDomain>
