/**
 * Contracts: a plugin's API (procedures and events with their zod schemas, and its extension points) as a
 * value of its own, apart from the implementation, the way oRPC's contract-first `oc` / `implement` and
 * Backstage's `createServiceRef` / `createExtensionPoint<T>` separate them.
 *
 *   export const notesContract = defineContract({
 *     id: 'notes',
 *     procedures: { save: procedure({ input: SaveInput, output: SaveOutput, expose: true }) },
 *     events: { saved: event({ payload: Saved, expose: true }) },
 *     extensionPoints: { formats: extensionPoint<NoteFormat>() },
 *   })
 *   export const notesPlugin = implement(notesContract, { version: '1.0.0', handlers: { save: (input, ctx) => ... } })
 *
 * Another plugin (or a package) imports only the contract: `ctx.call(notesContract.procedures.save, input)`,
 * `ctx.client(notesContract).save(input)`, `ctx.contribute(notesContract.extensionPoints.formats, value)`,
 * all typed, and validated once, by the host's router. A `definePlugin` definition is its own contract
 * (its procedures carry `method` and `~types` the same way).
 */
import type { z } from 'zod'
import type { CallOptions, EventMap, Procedure, ProcedureTypes, RateLimit, Returnable, Schema, TypedSchema } from './definition'

// ---------------------------------------------------------------------------------------------- refs

/** What `ctx.call(ref, input)` needs: the method's name, and (types only) what it takes and answers. */
export interface ProcedureRef<I = any, O = any> {
  /** `domain.method` */
  readonly method: string
  /** Phantom, types only. */
  readonly '~types': ProcedureTypes<I, O>
}

/** A procedure of a contract: everything but its handler. `PI`/`R`: what its handler takes and may return. */
export interface ProcedureContract<I = unknown, O = unknown, TExposed extends boolean = boolean, PI = any, R = any> extends ProcedureRef<I, O> {
  readonly kind: 'procedure'
  readonly description: string
  readonly input: Schema | undefined
  readonly output: Schema | undefined
  readonly permission: string | undefined
  readonly expose: TExposed
  readonly timeoutMs: number | undefined
  readonly rateLimit: RateLimit | undefined
  /** Phantom, types only: what an implementation's handler receives (parsed input) and may return. */
  readonly '~handler'?: { readonly input: PI; readonly result: R }
}

/** A typed extension point: contributions of type `T` (`ctx.contribute(point, value)`, `ctx.extensions(point)`). */
export interface ExtensionPoint<T> {
  readonly kind: 'extension-point'
  /** `domain.name`, e.g. `node.types`. */
  readonly id: string
  /** Phantom, types only. */
  readonly '~type'?: (value: T) => T
}

/** An extension point declared in a contract, before the contract gives it its id. */
export interface ExtensionPointSpec<T> {
  readonly kind: 'extension-point-spec'
  readonly description: string
  readonly '~type'?: (value: T) => T
}

// ---------------------------------------------------------------------------------------------- builders

// `undefined` is tested, not `Schema`, for the reason `TypedSchema` gives (definition.ts).
type InputOf<TIn> = TIn extends undefined ? void : z.input<TIn>
type OutputOf<TOut> = TOut extends undefined ? unknown : z.output<TOut>
type ParsedInputOf<TIn> = TIn extends undefined ? undefined : z.output<TIn>
type ResultOf<TOut> = TOut extends undefined ? unknown : Returnable<z.input<TOut>>

export interface ProcedureContractOptions<TIn, TOut, TExposed extends boolean> {
  readonly description?: string
  /** The zod schema of the input; omit it for a procedure that takes nothing. */
  readonly input?: TIn
  /** The zod schema of the result; without one, callers receive `unknown`. */
  readonly output?: TOut
  /** Needed to call. Defaults to `<plugin>.<procedure>`. */
  readonly permission?: string
  /** Part of the renderer whitelist. Default false. */
  readonly expose?: TExposed
  readonly timeoutMs?: number
  readonly rateLimit?: RateLimit
}

/** A procedure without its method name yet (the contract stamps it). */
export type ProcedureSpec<I = unknown, O = unknown, TExposed extends boolean = boolean, PI = any, R = any> = Omit<
  ProcedureContract<I, O, TExposed, PI, R>,
  'method'
>

/** Declares a procedure of a contract: its schemas, permission and whitelisting, and no handler. */
export function procedure<
  TIn extends TypedSchema | undefined = undefined,
  TOut extends TypedSchema | undefined = undefined,
  const TExposed extends boolean = false,
>(
  options: ProcedureContractOptions<TIn, TOut, TExposed>,
): ProcedureSpec<InputOf<TIn>, OutputOf<TOut>, TExposed, ParsedInputOf<TIn>, ResultOf<TOut>> {
  return {
    kind: 'procedure',
    description: options.description ?? '',
    // Typed as TypedSchema to keep type-checking cheap; at run time they are the zod schemas given.
    input: options.input as Schema | undefined,
    output: options.output as Schema | undefined,
    permission: options.permission,
    expose: (options.expose ?? false) as TExposed,
    timeoutMs: options.timeoutMs,
    rateLimit: options.rateLimit,
    '~types': undefined as never,
  }
}

/** Declares an extension point of a contract: `extensionPoint<NodeType>({ description })`. */
export function extensionPoint<T>(options: { readonly description?: string } = {}): ExtensionPointSpec<T> {
  return { kind: 'extension-point-spec', description: options.description ?? '' }
}

/** An extension point outside any contract, by its full id (`createExtensionPoint<T>('demo.things')`). */
export function createExtensionPoint<T>(id: string): ExtensionPoint<T> {
  if (typeof id !== 'string' || !/^[a-z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9-]*)+$/.test(id)) {
    throw new TypeError(`Extension point id "${String(id)}" must be dotted, like "node.types"`)
  }
  return Object.freeze({ kind: 'extension-point', id })
}

// ---------------------------------------------------------------------------------------------- contracts

export type ProcedureSpecMap = Record<string, ProcedureSpec<any, any, boolean, any, any>>
export type ExtensionPointSpecMap = Record<string, ExtensionPointSpec<any>>

type StampedProcedures<Id extends string, P extends ProcedureSpecMap> = {
  readonly [K in keyof P]: P[K] & { readonly method: `${Id}.${K & string}` }
}

type StampedPoints<X extends ExtensionPointSpecMap> = {
  readonly [K in keyof X]: X[K] extends ExtensionPointSpec<infer T> ? ExtensionPoint<T> : never
}

export interface PluginContract<
  Id extends string = string,
  P extends Record<string, ProcedureContract<any, any, boolean>> = Record<string, ProcedureContract<any, any, boolean>>,
  E extends EventMap = EventMap,
  X extends Record<string, ExtensionPoint<any>> = Record<string, ExtensionPoint<any>>,
> {
  readonly kind: 'contract'
  /** The plugin id, also its RPC domain. */
  readonly id: Id
  readonly procedures: P
  readonly events: E
  readonly extensionPoints: X
}

export type AnyContract = PluginContract<string, any, any, any>

/**
 * What a typed client can be made of: a contract or a plugin definition (its own contract). The
 * procedure map is left loose on purpose: checking 1,000 procedures against a structural type would be
 * paid on every client type (bench scenario 7).
 */
export interface ApiDescription {
  readonly id: string
  readonly procedures: any
  readonly events: any
}

export interface ContractConfig<Id extends string, P extends ProcedureSpecMap, E extends EventMap, X extends ExtensionPointSpecMap> {
  readonly id: Id
  readonly procedures?: P
  readonly events?: E
  readonly extensionPoints?: X
}

const DOMAIN_PATTERN = /^[a-z][a-zA-Z0-9]*$/
const MEMBER_PATTERN = /^[a-zA-Z][a-zA-Z0-9]*$/

/** Declares a plugin's API apart from its implementation. */
export function defineContract<
  const Id extends string,
  const P extends ProcedureSpecMap = {},
  const E extends EventMap = {},
  const X extends ExtensionPointSpecMap = {},
>(config: ContractConfig<Id, P, E, X>): PluginContract<Id, StampedProcedures<Id, P>, E, StampedPoints<X>> {
  const id = config.id
  if (typeof id !== 'string' || !DOMAIN_PATTERN.test(id) || id === 'rpc') {
    throw new TypeError(`Contract id "${String(id)}" must match ${DOMAIN_PATTERN} and not be "rpc"`)
  }
  const procedures: Record<string, ProcedureContract> = {}
  for (const [name, spec] of Object.entries(config.procedures ?? {})) {
    if (!MEMBER_PATTERN.test(name)) throw new TypeError(`"${id}.${name}": names must match ${MEMBER_PATTERN}`)
    if (spec?.kind !== 'procedure') throw new TypeError(`"${id}.${name}" is not a procedure: declare it with procedure({...})`)
    procedures[name] = Object.freeze({ ...spec, method: `${id}.${name}` })
  }
  const events = { ...(config.events ?? {}) } as E
  for (const name of Object.keys(events)) {
    if (!MEMBER_PATTERN.test(name)) throw new TypeError(`"${id}.${name}": names must match ${MEMBER_PATTERN}`)
    if (Object.hasOwn(procedures, name)) throw new TypeError(`"${id}.${name}" is declared both as a procedure and as an event`)
  }
  const extensionPoints: Record<string, ExtensionPoint<unknown>> = {}
  for (const [name, spec] of Object.entries(config.extensionPoints ?? {})) {
    if (spec?.kind !== 'extension-point-spec') throw new TypeError(`"${id}.${name}" is not an extension point: declare it with extensionPoint<T>()`)
    extensionPoints[name] = createExtensionPoint(`${id}.${name}`)
  }
  return Object.freeze({
    kind: 'contract',
    id,
    procedures: Object.freeze(procedures),
    events: Object.freeze(events),
    extensionPoints: Object.freeze(extensionPoints),
  }) as unknown as PluginContract<Id, StampedProcedures<Id, P>, E, StampedPoints<X>>
}

// ---------------------------------------------------------------------------------------------- calling

/** The arguments after the ref: the input (optional when the procedure accepts undefined), then options. */
export type CallArgs<I> = undefined extends I ? [input?: I, options?: CallOptions] : [input: I, options?: CallOptions]

/** A typed in-process client of one contract (or definition): `ctx.client(storageContract).get(input)`. */
export type ContractClient<C extends ApiDescription> = {
  readonly [K in keyof C['procedures'] & string]: C['procedures'][K] extends ProcedureRef<infer I, infer O>
    ? (...args: CallArgs<I>) => Promise<O>
    : never
}

// ---------------------------------------------------------------------------------------------- implementing

/** What an implementation's handler for `P` takes and may return (literals need no `as const`). */
export type HandlerFor<P, Ctx> = P extends { readonly '~handler'?: { readonly input: infer PI; readonly result: infer R } }
  ? (input: PI, ctx: Ctx) => R | Promise<R>
  : never

/** The procedures of a definition implementing contract `C`. */
export type ImplementedProcedures<C extends AnyContract> = {
  readonly [K in keyof C['procedures']]: C['procedures'][K] extends ProcedureRef<infer I, infer O> & { readonly expose: infer X extends boolean }
    ? Procedure<I, O, X>
    : never
}

/** True for a contract made by `defineContract`. */
export function isContract(value: unknown): value is AnyContract {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'contract'
}
