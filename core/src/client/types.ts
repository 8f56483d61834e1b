/**
 * The client's types, inferred from the plugins' contracts or their own definitions (no hand-written API
 * interface; a definition is its own contract).
 *
 *   type Plugins = typeof builtinPlugins          // a tuple or a union of definitions or contracts
 *   const rpc = createRPCClient<Plugins>(bridge)
 *   await rpc.node.execute({ ... })                // input and output types from the zod schemas
 *   const off = rpc.$on('node.status', (s) => ...) // event payload type from its schema
 *
 * A renderer's client shows only what plugins expose (`expose: true`), so calling a main-only procedure
 * is a compile error, as it would be a METHOD_NOT_FOUND at runtime. Types read the phantom `~types` that
 * `p.procedure()` computed once, which keeps type-checking cheap on large catalogs.
 */
import type { z } from 'zod'
import type { RpcError } from '../common/errors'
import type { HostDomain } from '../host/host-domain'
import type { CallOptions, EventMap } from '../plugin/definition'
import type { ApiDescription, ProcedureRef } from '../plugin/contract'

/** Which procedures a client sees: a renderer's whitelist, or everything (in-process callers). */
export type ClientView = 'renderer' | 'internal'

/** Accepts `typeof [a, b]`, `typeof a | typeof b`, or a single definition or contract (`defineContract`). */
export type PluginsOf<T> = T extends readonly (infer U)[] ? U : T

/** `expose: true` on a procedure (required field) or an event (optional field; absent means false). */
type IsExposed<T> = T extends { readonly expose?: infer X } ? ([Exclude<X, undefined>] extends [true] ? true : false) : false

type Visible<M, V extends ClientView> = {
  [K in keyof M]: V extends 'internal' ? K : IsExposed<M[K]> extends true ? K : never
}[keyof M]

export type ProcedureCaller<I, O> = undefined extends I
  ? (input?: I, options?: CallOptions) => Promise<O>
  : (input: I, options?: CallOptions) => Promise<O>

export type DomainClient<P extends Record<string, ProcedureRef>, V extends ClientView = 'renderer'> = {
  readonly [K in Visible<P, V>]: ProcedureCaller<P[K]['~types']['input'], P[K]['~types']['output']>
}

type Domains<T> = Extract<PluginsOf<T>, ApiDescription> | HostDomain

type EventEntries<D, V extends ClientView> = D extends ApiDescription
  ? {
      [K in Visible<D['events'], V> & string as `${D['id']}.${K}`]: z.output<(D['events'] & EventMap)[K]['payload']>
    }
  : never

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

/** `domain.event` -> payload type, for every event the client may subscribe to. */
export type EventsOf<T, V extends ClientView = 'renderer'> = UnionToIntersection<EventEntries<Domains<T>, V>>

/** The function `$on` returns: call it to unsubscribe. `ready` settles once the host confirmed. */
export interface Subscription {
  (): void
  /** Resolves when the host accepted the subscription; rejects with its RpcError (e.g. FORBIDDEN). */
  readonly ready: Promise<void>
}

export interface SubscribeOptions {
  /** The host refused the subscription (it also rejects `ready`). */
  readonly onError?: (error: RpcError) => void
  /** The host ended the subscription (its plugin was disabled). */
  readonly onEnd?: (reason: string) => void
}

export interface ClientMethods<T, V extends ClientView> {
  /** Listens to an event; the subscription is shared by all listeners of the same event. */
  $on<K extends keyof EventsOf<T, V> & string>(
    event: K,
    listener: (payload: EventsOf<T, V>[K]) => void,
    options?: SubscribeOptions,
  ): Subscription
  /** Calls a method by name (for UIs driven by discovery); untyped. */
  $call(method: string, params?: unknown, options?: CallOptions): Promise<unknown>
  /** Rejects the calls in flight with CANCELLED and ends every subscription. */
  $dispose(): void
}

export type RpcClient<T, V extends ClientView = 'renderer'> = {
  readonly [D in Domains<T> as D['id']]: DomainClient<D['procedures'], V>
} & ClientMethods<T, V>

type ProcedureAt<T, M extends string> = M extends `${infer D}.${infer N}`
  ? Extract<Domains<T>, { id: D }> extends infer P extends ApiDescription
    ? N extends keyof P['procedures']
      ? P['procedures'][N]
      : never
    : never
  : never

/** What a procedure takes, by `domain.method`: `InputOf<Plugins, 'node.execute'>`. */
export type InputOf<T, M extends string> = ProcedureAt<T, M>['~types']['input']

/** What a procedure answers, by `domain.method`. */
export type OutputOf<T, M extends string> = ProcedureAt<T, M>['~types']['output']
