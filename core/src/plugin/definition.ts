/**
 * What a plugin author writes: `definePlugin({ id, version, services, events, procedures, setup })`.
 *
 * The definition is the single source of truth. The router reads its schemas and handlers at runtime; the
 * typed client reads its types at compile time (`RpcClient<typeof plugins>`), so there is no hand-written
 * API interface anywhere. Procedure types are computed once, where `p.procedure()` is called, and stored
 * in a phantom `~types` field so the client's mapped types stay cheap on large catalogs.
 */
import type { z } from 'zod'
import type { Caller } from '../host/caller'
import type { Disposable } from '../host/disposable'
import type { Logger } from '../host/logger'
import type { DeclaredHostServices, HostServiceName, HostServices, PluginHooks } from './context-types'
import { isHostServiceName } from './host-services'
import type { ApiDescription, CallArgs, ContractClient, ExtensionPoint, ProcedureRef } from './contract'
import { checkSettingsSchema, type PluginSettings, type SettingsOf, type SettingsSchema } from './settings'

/**
 * Any zod schema. Typed as zod's core schema rather than the classic `z.ZodType` class: the class carries
 * every method's type, and TypeScript built them for each procedure (measured: 4.5 times fewer types on
 * a catalog of 1,000 procedures, bench scenario 7). Validate with `z.safeParse(schema, value)`.
 */
export type Schema = z.core.$ZodType

/**
 * What the generic signatures (`p.procedure`, contracts' `procedure`) ask of a schema: zod's type slots,
 * `_zod.input` and `_zod.output`, which is all `z.input` / `z.output` read. Checking a schema against the
 * whole `Schema` interface compared every `z.object(...)` with `$ZodType` member by member (its internals,
 * its `~standard` types) at each procedure: measured on the 1,000-procedure catalog of bench scenario 7,
 * 22% fewer types and 12% fewer instantiations with this. A value that is not a zod schema is still refused.
 */
export interface TypedSchema {
  readonly _zod: { readonly input: unknown; readonly output: unknown }
}

/** Token bucket: `capacity` calls at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly capacity: number
  readonly perSecond: number
}

// ---------------------------------------------------------------------------------------------- events

export interface EventDefinition<TPayload extends Schema = Schema, TExposed extends boolean = boolean> {
  readonly payload: TPayload
  readonly description?: string
  /** Needed to subscribe. Defaults to `<plugin>.<event>`. */
  readonly permission?: string
  /** Part of the renderer whitelist: renderers may subscribe. Default false (main and plugins only). */
  readonly expose?: TExposed
}

export type EventMap = Record<string, EventDefinition>

/** Declares an event (optional sugar: keeps the `expose: true` literal without `as const`). */
export function event<const TPayload extends Schema, const TExposed extends boolean = false>(
  definition: EventDefinition<TPayload, TExposed>,
): EventDefinition<TPayload, TExposed> {
  return definition
}

export type EventPayload<E extends EventDefinition> = z.input<E['payload']>

// ---------------------------------------------------------------------------------------------- services

/** Services a plugin owns, built in its own container scope; each factory gets the scope's cradle. */
export type ServiceFactories = Record<string, (cradle: any) => unknown>

export type ServicesOf<S extends ServiceFactories> = { readonly [K in keyof S]: ReturnType<S[K]> }

/** What `ctx.services` holds: the host services the plugin declared (plus its logger and id), and its own. */
export type PluginServices<S extends ServiceFactories, H extends readonly HostServiceName[] = []> = DeclaredHostServices<H> & ServicesOf<S>

// ---------------------------------------------------------------------------------------------- calls

export interface CallOptions {
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
}

/** What a handler receives besides its input. */
export interface CallContext<S = HostServices, E extends EventMap = EventMap, T = Readonly<Record<string, unknown>>> {
  /** Who is calling. */
  readonly caller: Caller
  /** `domain.method` */
  readonly method: string
  /** Aborted when the caller cancels, disconnects, the call times out or the plugin is disabled. */
  readonly signal: AbortSignal
  /** A child logger bound to plugin, method and caller. */
  readonly logger: Logger
  /** The plugin's services (its own scope of the container, over the host's). */
  readonly services: S
  /** Emits one of the plugin's events; the payload is validated against its schema. */
  emit<K extends keyof E & string>(event: K, payload: EventPayload<E[K]>): void
  /**
   * Calls another procedure in process, as this plugin (with the plugin's own grants), typed by its
   * contract: `ctx.call(storageContract.procedures.get, { namespace, key })`. The host validates the
   * input and the answer; the caller does not parse it again.
   */
  call<R extends ProcedureRef>(procedure: R, ...args: CallArgs<R['~types']['input']>): Promise<R['~types']['output']>
  /** @deprecated Untyped; call through a contract: `ctx.call(contract.procedures.name, input)`. */
  call(method: string, params?: unknown, options?: CallOptions): Promise<unknown>
  /** A typed client of another plugin's contract, calling as this plugin: `ctx.client(storageContract).get(input)`. */
  client<C extends ApiDescription>(contract: C): ContractClient<C>
  /** The plugin's settings (its `settings` schema's values), current at each call. */
  readonly settings: PluginSettings<T>
}

// ---------------------------------------------------------------------------------------------- procedures

export interface ProcedureTypes<I, O> {
  readonly input: I
  readonly output: O
}

export interface Procedure<I = unknown, O = unknown, TExposed extends boolean = boolean> {
  readonly kind: 'procedure'
  /** `domain.method`, set by `definePlugin` (so a definition is its own contract: `ctx.call(plugin.procedures.x, ...)`). */
  readonly method: string
  readonly description: string
  readonly input: Schema | undefined
  readonly output: Schema | undefined
  readonly permission: string | undefined
  readonly expose: TExposed
  readonly timeoutMs: number | undefined
  readonly rateLimit: RateLimit | undefined
  readonly handler: (input: any, ctx: CallContext<any, any>) => unknown
  /** Phantom, types only: what a caller sends and receives. */
  readonly '~types': ProcedureTypes<I, O>
}

export type ProcedureMap = Record<string, Procedure>

// `undefined` is tested, not `Schema`: relating a schema to `Schema` is what TypedSchema avoids.
type InputOf<TIn> = TIn extends undefined ? void : z.input<TIn>
type ParsedInputOf<TIn> = TIn extends undefined ? undefined : z.output<TIn>

export interface ProcedureOptions<TIn, TExposed extends boolean> {
  readonly description?: string
  /** The zod schema of the input; omit it for a procedure that takes nothing. */
  readonly input?: TIn
  /** Needed to call. Defaults to `<plugin>.<procedure>`. */
  readonly permission?: string
  /** Part of the renderer whitelist: renderers may call it. Default false (main and plugins only). */
  readonly expose?: TExposed
  /** Time limit; the host's default applies when omitted. */
  readonly timeoutMs?: number
  /** A per-caller budget for this procedure, on top of the host's. */
  readonly rateLimit?: RateLimit
}

type Opaque = Date | RegExp | Map<unknown, unknown> | Set<unknown> | ArrayBuffer | ArrayBufferView | ((...args: never[]) => unknown)

/** Lets a handler return readonly arrays and objects where its schema's type is mutable. */
export type Returnable<T> = T extends Opaque
  ? T
  : T extends readonly (infer U)[]
    ? readonly Returnable<U>[]
    : T extends object
      ? { readonly [K in keyof T]: Returnable<T[K]> }
      : T

/** A procedure whose result is described by an output schema (validated, and shown in discovery). */
export interface ProcedureWithOutput<TIn, TOut extends TypedSchema, TExposed extends boolean, Ctx> extends ProcedureOptions<TIn, TExposed> {
  /** The zod schema of the result; validated outside production, and the source of its JSON Schema. */
  readonly output: TOut
  readonly handler: (
    input: ParsedInputOf<TIn>,
    ctx: Ctx,
  ) => NoInfer<Returnable<z.input<TOut>>> | Promise<NoInfer<Returnable<z.input<TOut>>>>
}

/** A procedure whose result type is inferred from its handler. */
export interface ProcedureWithoutOutput<TIn, TResult, TExposed extends boolean, Ctx> extends ProcedureOptions<TIn, TExposed> {
  readonly output?: undefined
  readonly handler: (input: ParsedInputOf<TIn>, ctx: Ctx) => TResult | Promise<TResult>
}

/**
 * A procedure's options without its handler: `p.procedure({ input, output }).handler((input, ctx) => ...)`.
 * With an output schema this is the form to prefer: its types are fixed before the handler is checked,
 * so a handler returning literals (`status: 'ok'`) is checked against the schema without `as const`.
 */
export type PendingProcedure<TIn, TOut, TExposed extends boolean, Ctx> = TOut extends undefined
  ? {
      handler<TResult>(fn: (input: ParsedInputOf<TIn>, ctx: Ctx) => TResult | Promise<TResult>): Procedure<InputOf<TIn>, Awaited<TResult>, TExposed>
    }
  : {
      handler(
        fn: (input: ParsedInputOf<TIn>, ctx: Ctx) => Returnable<z.input<TOut>> | Promise<Returnable<z.input<TOut>>>,
      ): Procedure<InputOf<TIn>, z.output<TOut>, TExposed>
    }

export interface ProcedureBuilder<Ctx> {
  procedure<TIn extends TypedSchema | undefined = undefined, TResult = unknown, const TExposed extends boolean = false>(
    config: ProcedureWithoutOutput<TIn, TResult, TExposed, Ctx>,
  ): Procedure<InputOf<TIn>, Awaited<TResult>, TExposed>
  procedure<TIn extends TypedSchema | undefined = undefined, TOut extends TypedSchema = Schema, const TExposed extends boolean = false>(
    config: ProcedureWithOutput<TIn, TOut, TExposed, Ctx>,
  ): Procedure<InputOf<TIn>, z.output<TOut>, TExposed>
  procedure<TIn extends TypedSchema | undefined = undefined, TOut extends TypedSchema | undefined = undefined, const TExposed extends boolean = false>(
    options: ProcedureOptions<TIn, TExposed> & { readonly output?: TOut; readonly handler?: never },
  ): PendingProcedure<TIn, TOut, TExposed, Ctx>
}

type AnyProcedureConfig = ProcedureOptions<Schema | undefined, boolean> & {
  readonly output?: Schema | undefined
  readonly handler?: ((input: any, ctx: any) => unknown) | undefined
}

function buildProcedure(config: AnyProcedureConfig, handler: Procedure['handler']): Procedure {
  return {
    kind: 'procedure',
    method: '',
    description: config.description ?? '',
    input: config.input,
    output: config.output,
    permission: config.permission,
    expose: config.expose ?? false,
    timeoutMs: config.timeoutMs,
    rateLimit: config.rateLimit,
    handler,
    '~types': undefined as never,
  }
}

const builder = {
  procedure(config: AnyProcedureConfig): Procedure | { handler(fn: Procedure['handler']): Procedure } {
    if (typeof config.handler === 'function') return buildProcedure(config, config.handler)
    return { handler: (fn: Procedure['handler']) => buildProcedure(config, fn) }
  },
} as ProcedureBuilder<unknown>

// ---------------------------------------------------------------------------------------------- plugins

/** What `setup` and `teardown` receive: everything registered through it is undone on disable. */
export interface PluginContext<S = HostServices, E extends EventMap = EventMap, T = Readonly<Record<string, unknown>>> {
  readonly id: string
  /** The plugin's settings: `get()` the typed values, `onChange` to hear of a save (removed on disable). */
  readonly settings: PluginSettings<T>
  readonly logger: Logger
  readonly services: S
  /** Aborted when the plugin is being disabled. */
  readonly signal: AbortSignal
  /** The host's hooks; a tap made here is removed when the plugin is disabled. */
  readonly hooks: PluginHooks
  emit<K extends keyof E & string>(event: K, payload: EventPayload<E[K]>): void
  /** Calls a procedure in process, as this plugin, typed by its contract (see `CallContext.call`). */
  call<R extends ProcedureRef>(procedure: R, ...args: CallArgs<R['~types']['input']>): Promise<R['~types']['output']>
  /** @deprecated Untyped; call through a contract: `ctx.call(contract.procedures.name, input)`. */
  call(method: string, params?: unknown, options?: CallOptions): Promise<unknown>
  /** A typed client of another plugin's contract, calling as this plugin. */
  client<C extends ApiDescription>(contract: C): ContractClient<C>
  /** Listens, in process, to any event (`domain.event`) this plugin may receive. */
  on(event: string, listener: (payload: unknown) => void): Disposable
  /** Registers something to undo on disable (run last in, first out). */
  onDispose(dispose: () => void | Promise<void>): Disposable
  /** Timers that are cleared on disable. */
  setTimeout(fn: () => void, ms: number): Disposable
  setInterval(fn: () => void, ms: number): Disposable
  /** Contributes a value to a typed extension point another plugin reads (`nodeContract.extensionPoints.types`). */
  contribute<T>(extensionPoint: ExtensionPoint<T>, value: NoInfer<T>): Disposable
  /** @deprecated A string key carries no type; contribute to the contract's `ExtensionPoint<T>` instead. */
  contribute<T>(extensionPoint: string, value: T): Disposable
  /** Reads a typed extension point: current contributions and a change listener. */
  extensions<T>(extensionPoint: ExtensionPoint<T>): ExtensionPointReader<T>
  /** @deprecated A string key carries no type; read the contract's `ExtensionPoint<T>` instead. */
  extensions<T>(extensionPoint: string): ExtensionPointReader<T>
}

export interface ExtensionPointReader<T> {
  values(): readonly Contribution<T>[]
  onChange(listener: () => void): Disposable
}

export interface Contribution<T> {
  readonly owner: string
  readonly value: T
}

export interface PluginConfig<
  Id extends string,
  S extends ServiceFactories,
  E extends EventMap,
  P extends ProcedureMap,
  St extends SettingsSchema | undefined = undefined,
  H extends readonly HostServiceName[] = [],
> {
  /** Also the plugin's RPC domain: `/^[a-z][a-zA-Z0-9]*$/`; `rpc` is reserved. */
  readonly id: Id
  readonly version: string
  readonly description?: string
  /** Plugins that must be active first; activation order follows them. */
  readonly dependencies?: readonly string[]
  /** A required plugin cannot be disabled. */
  readonly required?: boolean
  /**
   * Grants for this plugin's own in-process calls (`ctx.call`), and for the guarded host services it
   * declares (`host.admin`, `host.storeRecoveries`; see core/src/plugin/host-services.ts).
   */
  readonly permissions?: readonly string[]
  /**
   * The host services its scope may resolve (`ctx.services.clock`...), beyond its logger and id: anything
   * else is a type error, and FORBIDDEN at run time. Least privilege: declare only what the plugin uses.
   */
  readonly hostServices?: H
  /** Per-plugin settings: a zod object with a `.default()` on every field (see settings.ts). */
  readonly settings?: St
  readonly services?: S
  readonly events?: E
  readonly procedures?: (p: ProcedureBuilder<CallContext<PluginServices<S, H>, E, SettingsOf<St>>>) => P
  readonly setup?: (ctx: PluginContext<PluginServices<S, H>, E, SettingsOf<St>>) => void | Promise<void>
  readonly teardown?: (ctx: PluginContext<PluginServices<S, H>, E, SettingsOf<St>>) => void | Promise<void>
}

export interface PluginDefinition<
  Id extends string = string,
  S extends ServiceFactories = ServiceFactories,
  E extends EventMap = EventMap,
  P extends ProcedureMap = ProcedureMap,
> {
  readonly kind: 'plugin'
  readonly id: Id
  readonly version: string
  readonly description: string
  readonly dependencies: readonly string[]
  readonly required: boolean
  readonly permissions: readonly string[]
  /** The host services its scope may resolve (see `PluginConfig.hostServices`). */
  readonly hostServices: readonly HostServiceName[]
  /** The settings schema, when the plugin has settings. */
  readonly settings: SettingsSchema | undefined
  readonly services: S
  readonly events: E
  readonly procedures: P
  readonly setup: ((ctx: PluginContext<any, any>) => void | Promise<void>) | undefined
  readonly teardown: ((ctx: PluginContext<any, any>) => void | Promise<void>) | undefined
}

export type AnyPluginDefinition = PluginDefinition<string, any, any, any>

export const RESERVED_DOMAIN = 'rpc'
const DOMAIN_PATTERN = /^[a-z][a-zA-Z0-9]*$/
const MEMBER_PATTERN = /^[a-zA-Z][a-zA-Z0-9]*$/

export function definePlugin<
  const Id extends string,
  S extends ServiceFactories = {},
  const E extends EventMap = {},
  P extends ProcedureMap = {},
  St extends SettingsSchema | undefined = undefined,
  const H extends readonly HostServiceName[] = [],
>(config: PluginConfig<Id, S, E, P, St, H>): PluginDefinition<Id, S, E, P> {
  if (config.id === RESERVED_DOMAIN) throw new TypeError(`Plugin id "${RESERVED_DOMAIN}" is reserved for the host`)
  return buildDefinition(config)
}

/** @internal The host's own `rpc` domain is built like a plugin, under the reserved id. */
export function buildDefinition<
  const Id extends string,
  S extends ServiceFactories = {},
  const E extends EventMap = {},
  P extends ProcedureMap = {},
  St extends SettingsSchema | undefined = undefined,
  const H extends readonly HostServiceName[] = [],
>(config: PluginConfig<Id, S, E, P, St, H>): PluginDefinition<Id, S, E, P> {
  if (typeof config.id !== 'string' || !DOMAIN_PATTERN.test(config.id)) {
    throw new TypeError(`Plugin id "${String(config.id)}" must match ${DOMAIN_PATTERN} (it is also the RPC domain)`)
  }
  if (typeof config.version !== 'string' || config.version === '') {
    throw new TypeError(`Plugin "${config.id}" needs a version`)
  }
  const procedures = (config.procedures?.(builder as ProcedureBuilder<any>) ?? {}) as P
  const events = (config.events ?? {}) as E
  for (const name of [...Object.keys(procedures), ...Object.keys(events)]) {
    if (!MEMBER_PATTERN.test(name)) {
      throw new TypeError(`"${config.id}.${name}": procedure and event names must match ${MEMBER_PATTERN}`)
    }
  }
  for (const name of Object.keys(events)) {
    if (Object.hasOwn(procedures, name)) {
      throw new TypeError(`"${config.id}.${name}" is declared both as a procedure and as an event`)
    }
  }
  for (const [name, procedure] of Object.entries(procedures)) {
    if (procedure?.kind !== 'procedure') {
      throw new TypeError(`"${config.id}.${name}" is not a procedure: build it with p.procedure({...})`)
    }
  }
  return Object.freeze({
    kind: 'plugin',
    id: config.id,
    version: config.version,
    description: config.description ?? '',
    dependencies: Object.freeze([...(config.dependencies ?? [])]),
    required: config.required ?? false,
    permissions: Object.freeze([...(config.permissions ?? [])]),
    hostServices: checkHostServices(config.id, config.hostServices),
    settings: config.settings === undefined ? undefined : checkSettingsSchema(config.id, config.settings),
    services: (config.services ?? {}) as S,
    events,
    procedures: stampMethods(config.id, procedures),
    setup: config.setup as PluginDefinition['setup'],
    teardown: config.teardown as PluginDefinition['teardown'],
  })
}

/** The declared host services, each a known name (a typo fails here, not at the first call). */
function checkHostServices(id: string, declared: unknown): readonly HostServiceName[] {
  if (declared === undefined) return Object.freeze([])
  if (!Array.isArray(declared)) throw new TypeError(`Plugin "${id}": hostServices is a list of host service names`)
  for (const name of declared as unknown[]) {
    if (!isHostServiceName(name)) {
      const shown = typeof name === 'string' ? `"${name}"` : `a ${typeof name}`
      throw new TypeError(`Plugin "${id}": ${shown} is not a host service a plugin may declare`)
    }
  }
  return Object.freeze([...new Set(declared as HostServiceName[])])
}

/** Each procedure with its `domain.method`: a definition is its own contract (`ctx.call(plugin.procedures.x)`). */
function stampMethods<P extends ProcedureMap>(id: string, procedures: P): P {
  const stamped: Record<string, Procedure> = {}
  for (const [name, procedure] of Object.entries(procedures)) stamped[name] = Object.freeze({ ...procedure, method: `${id}.${name}` })
  return stamped as P
}
