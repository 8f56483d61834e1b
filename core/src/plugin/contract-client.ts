/**
 * The runtime half of typed in-process calls: what `ctx.call(ref, input)` and `ctx.client(contract)` turn
 * into. Both end in the router's `call`, which validates the input and the answer once; nothing here parses.
 */
import { RpcError } from '../common/errors'
import type { CallOptions } from './definition'
import type { ApiDescription, ContractClient } from './contract'

type Call = (method: string, params?: unknown, options?: CallOptions) => Promise<unknown>

/** The `domain.method` of a call target: a procedure of a contract or definition, or (deprecated) a string. */
export function methodOf(target: unknown): string {
  if (typeof target === 'string') return target
  let method: unknown
  try {
    method = typeof target === 'object' && target !== null ? (target as { method?: unknown }).method : undefined
  } catch {
    method = undefined
  }
  if (typeof method === 'string' && method !== '') return method
  throw new RpcError('BAD_REQUEST', 'ctx.call takes a procedure of a contract (contract.procedures.name) or a "domain.method" string')
}

/** A client whose members call the contract's procedures through `call`. */
export function contractClient<C extends ApiDescription>(contract: C, call: Call): ContractClient<C> {
  let procedures: unknown
  try {
    procedures = (contract as { procedures?: unknown } | null | undefined)?.procedures
  } catch {
    procedures = undefined
  }
  if (typeof procedures !== 'object' || procedures === null) {
    throw new RpcError('BAD_REQUEST', 'ctx.client takes a contract (defineContract) or a plugin definition')
  }
  const client: Record<string, (input?: unknown, options?: CallOptions) => Promise<unknown>> = Object.create(null)
  for (const name of Object.keys(procedures)) {
    const method = methodOf((procedures as Record<string, unknown>)[name])
    client[name] = (input, options) => call(method, input, options)
  }
  return Object.freeze(client) as ContractClient<C>
}
