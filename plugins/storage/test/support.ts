// Shared fixtures of the storage tests.
import { z } from 'zod'
import { definePlugin, RpcError, type Caller, type KeyValueStore, type StoreFactory } from '@atomiton/plugin-sdk'
import { expect } from 'vitest'

/** Runs `promise`, expects it to fail with an RpcError, and returns it. */
export async function failure(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(RpcError)
  return error as RpcError
}

/** The paths of an INVALID_PARAMS error's issues. */
export function issuePaths(error: RpcError): unknown[] {
  expect(error.code).toBe('INVALID_PARAMS')
  return (error.data as { issues: Array<{ path: unknown }> }).issues.map((issue) => issue.path)
}

/**
 * A plugin that calls storage as itself (caller `plugin:<id>`, with its declared permissions), so tests
 * see exactly what a real plugin would.
 */
export function callerPlugin<const Id extends string>(id: Id, permissions: readonly string[]) {
  return definePlugin({
    id,
    version: '1.0.0',
    dependencies: ['storage'],
    permissions,
    procedures: (p) => ({
      run: p.procedure({
        input: z.object({ method: z.string(), params: z.unknown() }),
        handler: ({ method, params }, ctx) => ctx.call(method, params),
      }),
    }),
  })
}

/** A plugin caller without a plugin behind it, for in-process calls through `host.call`. */
export const pluginCaller = (id: string, grants: readonly string[]): Caller => ({ id: `plugin:${id}`, kind: 'plugin', grants })

const WRITES = new Set<PropertyKey>(['set', 'setMany', 'delete', 'deleteMany', 'clear'])

/**
 * Wraps a factory so the writes of chosen stores fail like a full disk, to check that a failed call
 * leaves nothing behind.
 */
export function failingStores(inner: StoreFactory) {
  const failing = new Set<string>()
  const factory: StoreFactory = {
    get recoveries() {
      return inner.recoveries
    },
    open(name) {
      const store = inner.open(name)
      return new Proxy(store, {
        get(target, property) {
          if (WRITES.has(property) && failing.has(name)) {
            return () => {
              throw new Error('ENOSPC: no space left on device')
            }
          }
          const value: unknown = Reflect.get(target, property, target)
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
        },
      }) as KeyValueStore
    },
  }
  return { factory, failing }
}
