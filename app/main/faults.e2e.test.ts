/**
 * Issue 10, items 1 and 2, through Electron's IPC (the emulation, with the built preload and the typed
 * client in the page): a plugin's unreadable error answers its caller INTERNAL at once, a batch keeps
 * its other outcomes, a thenable is awaited, and the host keeps serving. The same cases run through the
 * in-memory bridge, in process and over WebSocket in core/test/faults.test.ts.
 */
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest'
import { createRPCClient } from '@atomiton/core/client'
import { createHost } from '@atomiton/core/host/create-host'
import {
  expectBatchNeighboursKeepTheirOutcome,
  expectThenableAwaited,
  expectUnreadableFailuresContained,
} from '@atomiton/core/transports/test-support/fault-cases'
import { hostilePlugin, type HostilePlugins } from '@atomiton/core/transports/test-support/hostile-plugin'
import { buildPreload, createIpcFixture, loadPreload, type BuiltPreload } from '../test-support/ipc-fixture'

let preload: BuiltPreload

beforeAll(async () => {
  preload = await buildPreload()
}, 60_000)

afterAll(() => preload?.remove())

async function open() {
  const notes: unknown[] = []
  const host = await createHost({ plugins: [hostilePlugin(notes)], rateLimit: false })
  const fixture = createIpcFixture({ host, grantsFor: () => ['*'] })
  const client = createRPCClient<HostilePlugins>(loadPreload(fixture.openWindow().page, preload))
  onTestFinished(async () => {
    client.$dispose()
    fixture.dispose()
    await host.dispose()
  })
  return { client, notes, fixture }
}

it('answers each unreadable throw, rejection and output with INTERNAL at once, and keeps serving', async () => {
  const { client, fixture } = await open()
  await expectUnreadableFailuresContained(client)
  expect(fixture.logger.entries.filter((entry) => entry.msg === 'ipc: invoke failed')).toEqual([])
})

it('keeps the outcome of the calls beside a failing one in a batch', async () => {
  const { client, notes } = await open()
  await expectBatchNeighboursKeepTheirOutcome(client, notes)
})

it('awaits a thenable result like a promise', async () => {
  const { client } = await open()
  await expectThenableAwaited(client)
})
