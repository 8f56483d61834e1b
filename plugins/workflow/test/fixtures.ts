/**
 * Fake-but-real `node` and `storage` plugins for the workflow plugin's tests: built with definePlugin,
 * validating with zod, behaving on Maps, and answering exactly as the contracts (and the real plugins)
 * do. The workflow plugin may not import the real ones (plugins import only the SDK and zod), so its
 * tests run against these; plugins/integration.test.ts runs it against the real ones.
 *
 * - node: `listTypes` -> `{ types }` with JSON Schemas (z.toJSONSchema), `execute` -> a final record
 *   (`succeeded` | `failed` | `cancelled`), RpcError NOT_FOUND for an unknown type and INVALID_PARAMS
 *   (paths under `inputs`) for bad inputs. Permissions `node.read` / `node.execute`, as the real one.
 *   Types: `test.constant`, `math.add`, `math.double`, `text.upper`, `test.fail`, and `test.gate`, a
 *   controllable node that waits until the test releases (or fails) it and records its signal.
 * - storage: `get` -> the value (undefined when absent), `set` / `setMany` -> nothing, `delete` ->
 *   boolean, `deleteMany` -> the count, `keys` -> sorted keys; a plugin caller may use only its own namespace (FORBIDDEN otherwise).
 */
import { z } from 'zod'
import { definePlugin, RpcError, type ValidationIssue } from '@atomiton/plugin-sdk'
import { deferred, type Deferred } from '@atomiton/plugin-sdk/testing'

export { deferred, type Deferred }

// ---------------------------------------------------------------------------------------------- deferred



// ---------------------------------------------------------------------------------------------- node

/** A node that fails with its own code: recorded as `state: 'failed'` with `error.code`. */
class NodeFailure extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

export interface FakeNodeType {
  readonly title: string
  readonly input: z.ZodType
  readonly output: z.ZodType
  run(inputs: any, signal: AbortSignal): unknown
}

/** One execution of a `test.gate` node. */
export interface GateRun {
  readonly key: string
  readonly inputs: { readonly key: string; readonly value?: number | undefined }
  /** The execution's signal (the `node.execute` call's): aborted when the workflow cancels the node. */
  readonly signal: AbortSignal
  readonly result: Deferred<Record<string, unknown>>
}

/** Control of the `test.gate` nodes, by their `key` input. */
export class Gates {
  readonly #runs = new Map<string, GateRun>()
  readonly #waiters = new Map<string, Deferred<GateRun>>()

  /** Resolves when the gate with this key has started (at once if it has). */
  started(key: string): Promise<GateRun> {
    return this.#waiter(key).promise
  }

  /** The gate's run; throws when it has not started. */
  get(key: string): GateRun {
    const run = this.#runs.get(key)
    if (run === undefined) throw new Error(`gate "${key}" has not started`)
    return run
  }

  has(key: string): boolean {
    return this.#runs.has(key)
  }

  /** Lets the gate succeed, with `{ value: inputs.value ?? 0 }` unless outputs are given. */
  release(key: string, outputs?: Record<string, unknown>): void {
    const run = this.get(key)
    run.result.resolve(outputs ?? { value: run.inputs.value ?? 0 })
  }

  /** Lets the gate fail with this code. */
  fail(key: string, code: string, message: string): void {
    this.get(key).result.reject(new NodeFailure(code, message))
  }

  /** @internal */
  open(inputs: GateRun['inputs'], signal: AbortSignal): Promise<Record<string, unknown>> {
    const run: GateRun = { key: inputs.key, inputs, signal, result: deferred() }
    this.#runs.set(inputs.key, run)
    this.#waiter(inputs.key).resolve(run)
    signal.addEventListener('abort', () => run.result.reject(signal.reason), { once: true })
    return run.result.promise
  }

  #waiter(key: string): Deferred<GateRun> {
    let waiter = this.#waiters.get(key)
    if (waiter === undefined) this.#waiters.set(key, (waiter = deferred()))
    return waiter
  }
}

export interface NodeFixture {
  readonly plugin: ReturnType<typeof createNodePlugin>
  readonly gates: Gates
  /** The node types by id: delete one to simulate a type going away. */
  readonly types: Map<string, FakeNodeType>
  /** Every `node.execute` that got past validation, in order: type and inputs. */
  readonly executions: { type: string; inputs: unknown }[]
}

function createNodePlugin(types: ReadonlyMap<string, FakeNodeType>, executions: NodeFixture['executions']) {
  let ids = 0
  return definePlugin({
    id: 'node',
    version: '0.0.0-test',
    description: 'Test double of the node plugin',
    procedures: (p) => ({
      listTypes: p.procedure({
        permission: 'node.read',
        handler: () => ({
          types: [...types].map(([id, type]) => ({
            id,
            title: type.title,
            description: type.title,
            category: id.split('.')[0],
            owner: 'node',
            inputSchema: z.toJSONSchema(type.input, { io: 'input' }) as Record<string, unknown>,
            outputSchema: z.toJSONSchema(type.output, { io: 'output' }) as Record<string, unknown>,
          })),
        }),
      }),
      execute: p.procedure({
        permission: 'node.execute',
        input: z.object({
          type: z.string().min(1),
          inputs: z.record(z.string(), z.unknown()).optional(),
          timeoutMs: z.number().int().positive().optional(),
        }),
        handler: async ({ type, inputs }, ctx) => {
          const nodeType = types.get(type)
          if (nodeType === undefined) throw new RpcError('NOT_FOUND', `Unknown node type "${type}"`, { type })
          const parsed = nodeType.input.safeParse(inputs ?? {})
          if (!parsed.success) {
            const issues: ValidationIssue[] = parsed.error.issues.map((issue) => ({
              path: ['inputs', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
              message: issue.message,
              code: issue.code,
            }))
            throw new RpcError('INVALID_PARAMS', `Invalid inputs for node type "${type}"`, { issues })
          }
          executions.push({ type, inputs: parsed.data })
          const id = `exec-${++ids}`
          const startedAt = Date.now()
          const record = (fields: object) => {
            const finishedAt = Date.now()
            return { id, type, ...fields, startedAt, finishedAt, durationMs: finishedAt - startedAt, logs: [] }
          }
          try {
            const outputs = nodeType.output.parse(await nodeType.run(parsed.data, ctx.signal))
            return record({ state: 'succeeded', outputs })
          } catch (error) {
            if (ctx.signal.aborted) return record({ state: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled' } })
            const code = error instanceof NodeFailure ? error.code : 'NODE_FAILED'
            return record({ state: 'failed', error: { code, message: error instanceof Error ? error.message : String(error) } })
          }
        },
      }),
    }),
  })
}

export function createNodeFixture(): NodeFixture {
  const gates = new Gates()
  const executions: NodeFixture['executions'] = []
  const number = z.object({ value: z.number() })
  const types = new Map<string, FakeNodeType>([
    ['test.constant', { title: 'Constant', input: number, output: number, run: ({ value }: { value: number }) => ({ value }) }],
    [
      'math.add',
      {
        title: 'Add',
        input: z.object({ a: z.number(), b: z.number() }),
        output: z.object({ sum: z.number() }),
        run: ({ a, b }: { a: number; b: number }) => ({ sum: a + b }),
      },
    ],
    ['math.double', { title: 'Double', input: number, output: number, run: ({ value }: { value: number }) => ({ value: value * 2 }) }],
    [
      'text.upper',
      {
        title: 'Upper case',
        input: z.object({ text: z.string() }),
        output: z.object({ text: z.string() }),
        run: ({ text }: { text: string }) => ({ text: text.toUpperCase() }),
      },
    ],
    [
      'test.fail',
      {
        title: 'Fails',
        input: z.object({ value: z.number().optional(), message: z.string().optional() }),
        output: z.object({ value: z.number() }),
        run: ({ message }: { message?: string }) => Promise.reject(new NodeFailure('BOOM', message ?? 'Boom')),
      },
    ],
    [
      'test.gate',
      {
        title: 'Gate',
        input: z.object({ key: z.string().min(1), value: z.number().optional() }),
        output: z.object({ value: z.number() }),
        run: (inputs: GateRun['inputs'], signal: AbortSignal) => gates.open(inputs, signal),
      },
    ],
  ])
  return { plugin: createNodePlugin(types, executions), gates, types, executions }
}

// ---------------------------------------------------------------------------------------------- storage

export interface StorageFixture {
  readonly plugin: ReturnType<typeof createStoragePlugin>
  /** namespace -> key -> value: what is stored (survives the plugin being disabled). */
  readonly data: Map<string, Map<string, unknown>>
  /** Every successful write, in order: `set:<ns>/<key>` or `delete:<ns>/<key>`. */
  readonly writes: string[]
}

const Namespace = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/)
const Key = z.string().min(1).max(256)

function createStoragePlugin(data: StorageFixture['data'], writes: string[]) {
  const access = (caller: { kind: string; id: string }, namespace: string): Map<string, unknown> => {
    if (caller.kind === 'plugin' && caller.id !== `plugin:${namespace}`) {
      throw new RpcError('FORBIDDEN', `Caller may not use storage namespace "${namespace}"`, { namespace })
    }
    let store = data.get(namespace)
    if (store === undefined) data.set(namespace, (store = new Map()))
    return store
  }
  return definePlugin({
    id: 'storage',
    version: '0.0.0-test',
    description: 'Test double of the storage plugin',
    procedures: (p) => ({
      get: p.procedure({
        permission: 'storage.read',
        input: z.strictObject({ namespace: Namespace, key: Key }),
        handler: ({ namespace, key }, ctx): unknown => structuredClone(access(ctx.caller, namespace).get(key)),
      }),
      set: p.procedure({
        permission: 'storage.write',
        input: z.strictObject({ namespace: Namespace, key: Key, value: z.unknown() }),
        handler: ({ namespace, key, value }, ctx): void => {
          access(ctx.caller, namespace).set(key, structuredClone(value))
          writes.push(`set:${namespace}/${key}`)
        },
      }),
      setMany: p.procedure({
        permission: 'storage.write',
        input: z.strictObject({ namespace: Namespace, entries: z.array(z.strictObject({ key: Key, value: z.unknown() })).min(1).max(1000) }),
        handler: ({ namespace, entries }, ctx): void => {
          const store = access(ctx.caller, namespace)
          const copies = entries.map(({ key, value }) => [key, structuredClone(value)] as const)
          for (const [key, value] of copies) {
            store.set(key, value)
            writes.push(`set:${namespace}/${key}`)
          }
        },
      }),
      deleteMany: p.procedure({
        permission: 'storage.write',
        input: z.strictObject({ namespace: Namespace, keys: z.array(Key).min(1).max(1000) }),
        output: z.number(),
        handler: ({ namespace, keys }, ctx) => {
          const store = access(ctx.caller, namespace)
          let count = 0
          for (const key of keys) {
            if (!store.delete(key)) continue
            count++
            writes.push(`delete:${namespace}/${key}`)
          }
          return count
        },
      }),
      delete: p.procedure({
        permission: 'storage.write',
        input: z.strictObject({ namespace: Namespace, key: Key }),
        output: z.boolean(),
        handler: ({ namespace, key }, ctx) => {
          const deleted = access(ctx.caller, namespace).delete(key)
          if (deleted) writes.push(`delete:${namespace}/${key}`)
          return deleted
        },
      }),
      keys: p.procedure({
        permission: 'storage.read',
        input: z.strictObject({ namespace: Namespace, prefix: z.string().max(256).optional() }),
        output: z.array(z.string()),
        handler: ({ namespace, prefix }, ctx) =>
          [...access(ctx.caller, namespace).keys()].filter((key) => prefix === undefined || key.startsWith(prefix)).sort(),
      }),
    }),
  })
}

export function createStorageFixture(): StorageFixture {
  const data = new Map<string, Map<string, unknown>>()
  const writes: string[] = []
  return { plugin: createStoragePlugin(data, writes), data, writes }
}
