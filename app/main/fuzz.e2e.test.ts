/**
 * The IPC transport and the real host fuzzed through Electron's IPC (the emulation: every message is a
 * structured clone, so only clonable values arrive): malformed payloads and envelopes with cycles, huge
 * strings and prototype keys. Every invoke is answered with a typed envelope, nothing reaches a
 * prototype, and the window's next normal call is served. Bounded to a couple of seconds.
 */
import fc from 'fast-check'
import { expect, it, onTestFinished } from 'vitest'
import { createHost } from '@atomiton/core/host/create-host'
import { hostilePlugin } from '@atomiton/core/transports/test-support/hostile-plugin'
import {
  fuzzParameters,
  hostileValue,
  invocation,
  isTypedAnswer,
  prototypeSnapshot,
} from '@atomiton/core/transports/test-support/hostile-input'
import { IPC_CHANNELS } from './ipc-transport'
import { createIpcFixture } from '../test-support/ipc-fixture'

async function open() {
  const host = await createHost({ plugins: [hostilePlugin()], rateLimit: false })
  const fixture = await createIpcFixture({ host, grantsFor: () => ['*'] })
  onTestFinished(async () => {
    fixture.dispose()
    await host.dispose()
  })
  const methods = [...host.router.entries()].map((entry) => entry.method)
  return { fixture, methods, page: fixture.openWindow().page }
}

/** What a page can hand `ipcRenderer`: a `{ method, params }` call, or anything at all. */
const payloads = (methods: readonly string[]) =>
  fc.oneof(
    invocation(methods, { clonable: true }).map(([method, params]) => ({ method, params })),
    hostileValue({ clonable: true }),
  )

it('answers every invoke with a typed envelope, drops bad sends, and keeps serving the window', async () => {
  const { fixture, methods, page } = await open()
  const prototypes = prototypeSnapshot()
  await fc.assert(
    fc.asyncProperty(payloads(methods), payloads(methods), async (invoked, sent) => {
      page.ipcRenderer.send(IPC_CHANNELS.send, sent)
      const answer = await page.ipcRenderer.invoke(IPC_CHANNELS.invoke, invoked)
      expect(isTypedAnswer(answer)).toBe(true)
    }),
    fuzzParameters(2_000),
  )
  await fixture.electron.settled()
  await expect(page.ipcRenderer.invoke(IPC_CHANNELS.invoke, { method: 'hostile.shape', params: { n: 2 } })).resolves.toMatchObject({
    ok: true,
    result: 2,
  })
  expect(prototypeSnapshot()).toBe(prototypes)
  expect(fixture.logger.entries.filter((entry) => entry.level === 'error')).toEqual([])
})
