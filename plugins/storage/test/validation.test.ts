// Bad input answers INVALID_PARAMS naming the field (or PAYLOAD_TOO_LARGE), and writes nothing.
import { describe, expect, it } from 'vitest'
import { createTestHost } from '@atomiton/plugin-sdk/testing'
import { createStoragePlugin, storagePlugin } from '../index'
import { failure, issuePaths } from './support'

const start = () => createTestHost({ plugins: [storagePlugin] })

describe('storage input validation', () => {
  it.each([
    ['empty', ''],
    ['upper case', 'App'],
    ['starting with a digit', '1app'],
    ['starting with a dash', '-app'],
    ['a dot', 'app.x'],
    ['a slash', 'app/x'],
    ['too long', `a${'b'.repeat(64)}`],
  ])('refuses a namespace that is %s', async (_what, namespace) => {
    const { client } = await start()
    expect(issuePaths(await failure(client.storage.get({ namespace, key: 'k' })))).toEqual([['namespace']])
    expect(issuePaths(await failure(client.storage.set({ namespace, key: 'k', value: 1 })))).toEqual([['namespace']])
    expect(issuePaths(await failure(client.storage.clear({ namespace })))).toEqual([['namespace']])
  })

  it('accepts the longest namespace', async () => {
    const { client } = await start()
    const namespace = `a${'-9'.repeat(31)}b`
    expect(namespace).toHaveLength(64)
    await client.storage.set({ namespace, key: 'k', value: 1 })
    await expect(client.storage.get({ namespace, key: 'k' })).resolves.toBe(1)
  })

  it.each([
    ['empty', ''],
    ['too long', 'k'.repeat(257)],
    ['holding a newline', 'a\nb'],
    ['holding a NUL', 'a\u0000b'],
    ['holding DEL', 'a\u007fb'],
    ['holding a C1 control', 'a\u0085b'],
    ['holding a line separator', 'a\u2028b'],
    ['holding a lone surrogate', 'a\ud800b'],
    ['reserved by the stores', '__internal__.migrations'],
  ])('refuses a key that is %s', async (_what, key) => {
    const { client } = await start()
    expect(issuePaths(await failure(client.storage.set({ namespace: 'app', key, value: 1 })))).toEqual([['key']])
    expect(issuePaths(await failure(client.storage.get({ namespace: 'app', key })))).toEqual([['key']])
    expect(issuePaths(await failure(client.storage.delete({ namespace: 'app', key })))).toEqual([['key']])
    await expect(client.storage.namespaces()).resolves.toEqual([])
  })

  it('accepts keys of 256 characters, spaces, dots, emoji and other scripts', async () => {
    const { client } = await start()
    const keys = ['k'.repeat(256), 'with space', 'a.b.c', 'smile 😀', 'ключ', '👩‍💻 joined']
    for (const key of keys) await client.storage.set({ namespace: 'app', key, value: key })
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual([...keys].sort())
  })

  it('names the entry of a batch that is wrong', async () => {
    const { client } = await start()
    const error = await failure(
      client.storage.setMany({ namespace: 'app', entries: [{ key: 'ok', value: 1 }, { key: '', value: 2 }] }),
    )
    expect(issuePaths(error)).toEqual([['entries', 1, 'key']])
    expect(issuePaths(await failure(client.storage.deleteMany({ namespace: 'app', keys: ['ok', 'a\tb'] })))).toEqual([['keys', 1]])
    expect(issuePaths(await failure(client.storage.setMany({ namespace: 'app', entries: [] })))).toEqual([['entries']])
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual([])
  })

  it('refuses unknown fields, a missing value and malformed options', async () => {
    const { client } = await start()
    const typo = await failure(client.$call('storage.set', { namespace: 'app', key: 'k', vaule: 1 }))
    expect(issuePaths(typo)).toEqual(expect.arrayContaining([['value'], []]))
    expect(typo.data).toMatchObject({ issues: expect.arrayContaining([expect.objectContaining({ code: 'unrecognized_keys' })]) })
    expect(issuePaths(await failure(client.$call('storage.get', { namespace: 'app' })))).toEqual([['key']])
    expect(issuePaths(await failure(client.$call('storage.get', 'app/k')))).toEqual([[]])
    expect(issuePaths(await failure(client.storage.keys({ namespace: 'app', prefix: 'a\u0000' })))).toEqual([['prefix']])
    expect(issuePaths(await failure(client.storage.list({ namespace: 'app', limit: 0 })))).toEqual([['limit']])
    expect(issuePaths(await failure(client.storage.list({ namespace: 'app', limit: 1001 })))).toEqual([['limit']])
    expect(issuePaths(await failure(client.storage.list({ namespace: 'app', limit: 1.5 })))).toEqual([['limit']])
    const noParams = await failure(client.$call('storage.namespaces', { namespace: 'app' }))
    expect(noParams.code).toBe('INVALID_PARAMS')
  })

  it('refuses values structured clone cannot keep, at the value path, writing nothing', async () => {
    // The in-memory bridge (like Electron IPC) refuses such params before they reach the host, so this is
    // an in-process call, as another plugin or main-process code would make.
    const t = await start()
    const callSet = (value: unknown) => failure(t.host.call('storage.set', { namespace: 'app', key: 'k', value }))
    for (const value of [() => 1, Symbol('s'), { nested: { fn: () => 1 } }, new WeakMap(), Promise.resolve(1)]) {
      const error = await callSet(value)
      expect(issuePaths(error)).toEqual([['value']])
      expect(error.message).toMatch(/cannot be stored/)
    }
    const batch = await failure(
      t.host.call('storage.setMany', {
        namespace: 'app',
        entries: [
          { key: 'a', value: 1 },
          { key: 'b', value: () => 2 },
          { key: 'c', value: 3 },
          { key: 'd', value: Symbol('d') },
        ],
      }),
    )
    expect(issuePaths(batch)).toEqual([
      ['entries', 1, 'value'],
      ['entries', 3, 'value'],
    ])
    await expect(t.client.storage.keys({ namespace: 'app' })).resolves.toEqual([])
    await expect(t.client.storage.namespaces()).resolves.toEqual([])
  })

  it('answers PAYLOAD_TOO_LARGE with the limit and the size above 1 MiB, and keeps the old value', async () => {
    const { client } = await start()
    await client.storage.set({ namespace: 'app', key: 'blob', value: 'small' })
    const justFits = 'x'.repeat(1024 * 1024 - 4) // stored as ["..."]: 4 bytes of JSON around it
    await client.storage.set({ namespace: 'app', key: 'fits', value: justFits })

    const error = await failure(client.storage.set({ namespace: 'app', key: 'blob', value: `${justFits}x` }))
    expect(error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(error.data).toMatchObject({ limit: 1024 * 1024, size: 1024 * 1024 + 1, key: 'blob' })
    await expect(client.storage.get({ namespace: 'app', key: 'blob' })).resolves.toBe('small')
  })

  it('measures sizes in UTF-8 bytes of the stored form', async () => {
    const { client } = await createTestHost({ plugins: [createStoragePlugin({ maxValueBytes: 10 })] })
    await client.storage.set({ namespace: 'app', key: 'ok', value: 'ééé' }) // ["ééé"]: 4 + 6 bytes
    const error = await failure(client.storage.set({ namespace: 'app', key: 'big', value: 'éééé' }))
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', data: { limit: 10, size: 12 } })
  })

  it('takes the size limit as a plugin option, and a batch with one value too large writes nothing', async () => {
    const { client } = await createTestHost({ plugins: [createStoragePlugin({ maxValueBytes: 64 })] })
    const error = await failure(
      client.storage.setMany({
        namespace: 'app',
        entries: [
          { key: 'a', value: 'fine' },
          { key: 'b', value: 'y'.repeat(100) },
        ],
      }),
    )
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', data: { limit: 64, size: 104, key: 'b', path: ['entries', 1, 'value'] } })
    await expect(client.storage.keys({ namespace: 'app' })).resolves.toEqual([])
    expect(() => createStoragePlugin({ maxValueBytes: 0 })).toThrow(/positive integer/)
    expect(() => createStoragePlugin({ maxValueBytes: 1.5 })).toThrow(/positive integer/)
  })
})
