/**
 * Where workflows live: the storage plugin, through in-process calls, in this plugin's own namespace
 * (`workflow`), one key per workflow (`workflows/<id>`). One `set` writes a whole workflow, so a write
 * is all or nothing. This is the only module that calls the storage plugin, through its contract: its
 * answers are typed (`get` the value itself, undefined when absent; `delete` a boolean; `keys` an array)
 * and validated by the host, so only the stored workflow itself is parsed here (it may be damaged).
 */
import { RpcError } from '@atomiton/plugin-sdk'
import { storageContract } from '@atomiton/plugin-sdk/contracts/storage'
import { StoredWorkflow } from './api'
import type { CallFn } from './node-client'

export const NAMESPACE = 'workflow'
const KEY_PREFIX = 'workflows/'

const storage = storageContract.procedures

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
    const value = await this.#fetch(id)
    if (value === undefined) return undefined
    const workflow = decode(id, value)
    if (workflow === undefined) throw new RpcError('INTERNAL', `The stored workflow "${id}" is damaged and cannot be read`, { id })
    return workflow
  }

  /** Writes the whole workflow under its id (create or replace). */
  async put(workflow: StoredWorkflow): Promise<void> {
    await this.#storage(() => this.#call(storage.set, { namespace: NAMESPACE, key: KEY_PREFIX + workflow.id, value: workflow }), 'set')
  }

  async delete(id: string): Promise<boolean> {
    return this.#storage(() => this.#call(storage.delete, { namespace: NAMESPACE, key: KEY_PREFIX + id }), 'delete')
  }

  /** Every stored workflow; a record that no longer parses is skipped (and `onDamaged` told). */
  async list(onDamaged?: (id: string) => void): Promise<StoredWorkflow[]> {
    const keys = await this.#storage(() => this.#call(storage.keys, { namespace: NAMESPACE, prefix: KEY_PREFIX }), 'keys')
    const ids = keys.filter((key) => key.startsWith(KEY_PREFIX)).map((key) => key.slice(KEY_PREFIX.length))
    const results = await Promise.all(ids.map((id) => this.#fetch(id)))
    const workflows: StoredWorkflow[] = []
    results.forEach((value, index) => {
      const id = ids[index]!
      if (value === undefined) return // deleted meanwhile
      const workflow = decode(id, value)
      if (workflow === undefined) onDamaged?.(id)
      else workflows.push(workflow)
    })
    return workflows
  }

  #fetch(id: string): Promise<unknown> {
    return this.#storage(() => this.#call(storage.get, { namespace: NAMESPACE, key: KEY_PREFIX + id }), 'get')
  }

  /** Runs one storage call; its failures become INTERNAL, except those that mean the same to our caller. */
  async #storage<T>(call: () => Promise<T>, procedure: string): Promise<T> {
    try {
      return await call()
    } catch (error) {
      if (error instanceof RpcError && PASS_THROUGH.has(error.code)) throw error
      const message = error instanceof Error ? error.message : String(error)
      throw new RpcError('INTERNAL', `storage.${procedure} failed: ${message}`, undefined, { cause: error })
    }
  }
}
