/**
 * Where workflows live: the storage plugin, through in-process calls, in this plugin's own namespace
 * (`workflow`), one key per workflow (`workflows/<id>`). One `set` writes a whole workflow, so a write
 * is all or nothing. This is the only module that knows the storage plugin's procedures and shapes.
 *
 * The storage plugin answers `get` with the value itself (undefined when absent), `set` with nothing,
 * `delete` with a boolean and `keys` with an array of keys. The readers below also accept the wrapped
 * answers of the first draft of the contract (`{ found, value }`, `{ deleted }`, `{ keys }`): a stored
 * workflow never has a `found` key, so the two shapes of `get` cannot be confused.
 */
import { z } from 'zod'
import { RpcError } from '@atomiton/plugin-sdk'
import { StoredWorkflow } from './api'
import type { CallFn } from './node-client'

export const NAMESPACE = 'workflow'
const KEY_PREFIX = 'workflows/'

const Wrapped = z.object({ found: z.boolean(), value: z.unknown().optional() })
const GetResult = z.unknown().transform((raw) => {
  const wrapped = Wrapped.safeParse(raw)
  if (wrapped.success) return { found: wrapped.data.found, value: wrapped.data.value }
  return { found: raw !== undefined, value: raw }
})
const DeleteResult = z.union([z.boolean(), z.object({ deleted: z.boolean() }).transform(({ deleted }) => deleted)])
const KeysResult = z.union([z.array(z.string()), z.object({ keys: z.array(z.string()) }).transform(({ keys }) => keys)])

/** Errors that mean the same to our caller as to us; anything else is a storage failure (INTERNAL). */
const PASS_THROUGH = new Set(['CANCELLED', 'TIMEOUT', 'UNAVAILABLE', 'PLUGIN_DISABLED', 'RATE_LIMITED', 'PAYLOAD_TOO_LARGE'])

function decode(id: string, value: unknown): StoredWorkflow | undefined {
  const parsed = StoredWorkflow.safeParse(value)
  return parsed.success && parsed.data.id === id ? parsed.data : undefined
}

export class WorkflowRepository {
  readonly #call: CallFn

  /** `call`: the handler's `ctx.call`, so cancelling the call cancels its storage calls too. */
  constructor(call: CallFn) {
    this.#call = call
  }

  async get(id: string): Promise<StoredWorkflow | undefined> {
    const result = await this.#fetch(id)
    if (!result.found) return undefined
    const workflow = decode(id, result.value)
    if (workflow === undefined) throw new RpcError('INTERNAL', `The stored workflow "${id}" is damaged and cannot be read`, { id })
    return workflow
  }

  /** Writes the whole workflow under its id (create or replace). */
  async put(workflow: StoredWorkflow): Promise<void> {
    await this.#storage('set', { namespace: NAMESPACE, key: KEY_PREFIX + workflow.id, value: workflow }, z.unknown())
  }

  async delete(id: string): Promise<boolean> {
    return this.#storage('delete', { namespace: NAMESPACE, key: KEY_PREFIX + id }, DeleteResult)
  }

  /** Every stored workflow; a record that no longer parses is skipped (and `onDamaged` told). */
  async list(onDamaged?: (id: string) => void): Promise<StoredWorkflow[]> {
    const keys = await this.#storage('keys', { namespace: NAMESPACE, prefix: KEY_PREFIX }, KeysResult)
    const ids = keys.filter((key) => key.startsWith(KEY_PREFIX)).map((key) => key.slice(KEY_PREFIX.length))
    const results = await Promise.all(ids.map((id) => this.#fetch(id)))
    const workflows: StoredWorkflow[] = []
    results.forEach((result, index) => {
      const id = ids[index]!
      if (!result.found) return // deleted meanwhile
      const workflow = decode(id, result.value)
      if (workflow === undefined) onDamaged?.(id)
      else workflows.push(workflow)
    })
    return workflows
  }

  #fetch(id: string): Promise<z.output<typeof GetResult>> {
    return this.#storage('get', { namespace: NAMESPACE, key: KEY_PREFIX + id }, GetResult)
  }

  async #storage<T extends z.ZodType>(procedure: string, params: unknown, schema: T): Promise<z.output<T>> {
    let raw: unknown
    try {
      raw = await this.#call(`storage.${procedure}`, params)
    } catch (error) {
      if (error instanceof RpcError && PASS_THROUGH.has(error.code)) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new RpcError('INTERNAL', `storage.${procedure} failed: ${message}`, undefined, { cause: error })
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) throw new RpcError('INTERNAL', `storage.${procedure} answered an unexpected shape`)
    return parsed.data
  }
}
