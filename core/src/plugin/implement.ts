/**
 * `implement(contract, config)`: a plugin definition from a contract and its handlers, the way oRPC's
 * `implement(contract)` works. The contract brings the id, the procedures' schemas, permissions and
 * whitelisting, and the events; the implementation brings the version, services, lifecycle and one handler
 * per procedure (a missing or extra handler is a compile error, and an error when the definition is built).
 */
import type { HostServiceName } from './context-types'
import type { AnyContract, HandlerFor, ImplementedProcedures } from './contract'
import {
  buildDefinition,
  type CallContext,
  type PluginConfig,
  type PluginDefinition,
  type PluginServices,
  type Procedure,
  type ProcedureMap,
  type ServiceFactories,
} from './definition'

export type ContractHandlers<C extends AnyContract, Ctx> = {
  readonly [K in keyof C['procedures']]: HandlerFor<C['procedures'][K], Ctx>
}

export interface ImplementConfig<C extends AnyContract, S extends ServiceFactories, H extends readonly HostServiceName[] = []>
  extends Omit<PluginConfig<C['id'], S, C['events'], ProcedureMap, undefined, H>, 'id' | 'events' | 'procedures'> {
  /** One handler per procedure of the contract. */
  readonly handlers: ContractHandlers<C, CallContext<PluginServices<S, H>, C['events']>>
}

export function implement<const C extends AnyContract, S extends ServiceFactories = {}, const H extends readonly HostServiceName[] = []>(
  contract: C,
  config: ImplementConfig<C, S, H>,
): PluginDefinition<C['id'], S, C['events'], ImplementedProcedures<C>> {
  if (contract?.kind !== 'contract') throw new TypeError('implement() takes a contract made by defineContract()')
  const handlers = (config.handlers ?? {}) as Record<string, unknown>
  const names = Object.keys(contract.procedures)
  const extra = Object.keys(handlers).filter((name) => !Object.hasOwn(contract.procedures, name))
  if (extra.length > 0) throw new TypeError(`Plugin "${contract.id}" implements procedures its contract does not declare: ${extra.join(', ')}`)
  const procedures: Record<string, Procedure> = {}
  for (const name of names) {
    const handler = handlers[name]
    if (typeof handler !== 'function') throw new TypeError(`Plugin "${contract.id}" has no handler for "${contract.id}.${name}"`)
    const spec = (contract.procedures as Record<string, Omit<Procedure, 'handler'>>)[name]!
    procedures[name] = { ...spec, handler: handler as Procedure['handler'] }
  }
  const { handlers: _handlers, ...rest } = config
  return buildDefinition({
    ...rest,
    id: contract.id,
    events: contract.events,
    procedures: () => procedures,
  }) as unknown as PluginDefinition<C['id'], S, C['events'], ImplementedProcedures<C>>
}
