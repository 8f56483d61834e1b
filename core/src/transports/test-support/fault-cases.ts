/**
 * What every transport must show when a plugin fails badly (issue 10, items 1 and 2): each failure
 * answers its own caller at once with a typed INTERNAL error (never a hang, never a transport error),
 * calls beside it in a batch keep their outcome, and the host serves a normal call afterwards.
 * Each transport's test runs these through its own client.
 */
import { expect } from 'vitest'
import type { RpcClient } from '../../client/types'
import { RpcError } from '../../common/errors'
import { UNREADABLE_KINDS, type HostilePlugins } from './hostile-plugin'

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    (value) => Promise.reject(new Error(`expected a failure, got ${String(value)}`)),
    (error: unknown) => error,
  )

/** One typed INTERNAL error, with nothing of the plugin's in it. */
export function expectInternal(error: unknown): void {
  expect(error).toBeInstanceOf(RpcError)
  expect(error).toMatchObject({ code: 'INTERNAL', message: 'Internal error' })
}

export async function expectUnreadableFailuresContained(client: RpcClient<HostilePlugins>): Promise<void> {
  for (const kind of UNREADABLE_KINDS) {
    expectInternal(await rejection(client.hostile.throws(kind)))
    expectInternal(await rejection(client.hostile.rejects(kind)))
  }
  for (const async of [false, true]) expectInternal(await rejection(client.hostile.unreadableOutput({ async })))
  await expect(client.hostile.shape({ n: 3 })).resolves.toBe(3)
}

export async function expectThenableAwaited(client: RpcClient<HostilePlugins>): Promise<void> {
  await expect(client.hostile.thenable(21)).resolves.toBe(42)
}

/** Calls of one tick go as one batch: the one that fails must not take the others' outcomes with it. */
export async function expectBatchNeighboursKeepTheirOutcome(client: RpcClient<HostilePlugins>, notes: readonly unknown[]): Promise<void> {
  const before = notes.length
  const outcomes = await Promise.allSettled([
    client.hostile.note(1),
    client.hostile.throws('proxy'),
    client.hostile.rejects('message-getter'),
    client.hostile.note(2),
  ])
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled'])
  for (const outcome of outcomes) if (outcome.status === 'rejected') expectInternal(outcome.reason)
  expect(notes.slice(before)).toEqual([1, 2])
}
