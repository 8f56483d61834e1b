import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Conf from 'conf'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { confOptions, createConfLikeStoreFactory, createConfStoreFactory, type ConfLike } from './conf-store'
import { describeKeyValueStoreContract } from './key-value-store.contract'
import type { StoreLogger, StoreRecovery } from './key-value-store'

async function makeDirectory(): Promise<string> {
  return fs.promises.mkdtemp(path.join(os.tmpdir(), 'atomiton-stores-'))
}

describeKeyValueStoreContract('conf', async () => {
  const directory = await makeDirectory()
  const factory = createConfStoreFactory({ directory })
  return {
    factory,
    reopen: (name) => createConfStoreFactory({ directory }).open(name),
    cleanup: () => fs.promises.rm(directory, { recursive: true, force: true }),
  }
})

describe('conf store files', () => {
  let directory: string
  const fileOf = (name: string): string => path.join(directory, `${name}.json`)
  const readJson = (name: string): Record<string, unknown> => JSON.parse(fs.readFileSync(fileOf(name), 'utf8')) as Record<string, unknown>
  const filesIn = (): string[] => fs.readdirSync(directory).sort()

  function recordingLogger(): StoreLogger & { calls: Array<{ obj: object; msg: string }> } {
    const calls: Array<{ obj: object; msg: string }> = []
    return { calls, warn: (obj, msg) => calls.push({ obj, msg }) }
  }

  /** The conf backend, with its whole-store writes (the renames onto a store file) counted, and failing on demand. */
  function countingFactory(logger?: StoreLogger) {
    const counter = { writes: 0, fail: false }
    const renameSync = fs.renameSync
    vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (String(to).endsWith('.json')) {
        if (counter.fail) throw Object.assign(new Error('ENOSPC: disk full'), { code: 'ENOSPC' })
        counter.writes += 1
      }
      renameSync(from, to)
    })
    const factory = createConfLikeStoreFactory({ directory, logger }, (name): ConfLike => new Conf({ ...confOptions(directory), configName: name }))
    return { factory, counter }
  }

  beforeEach(async () => {
    directory = await makeDirectory()
  })

  afterEach(async () => {
    vi.useRealTimers()
    await fs.promises.rm(directory, { recursive: true, force: true })
  })

  it('flushes the folder after renaming a write into place, so the rename survives a power loss', () => {
    const store = createConfStoreFactory({ directory }).open('settings')
    const fsyncSync = fs.fsyncSync
    const flushed: string[] = []
    vi.spyOn(fs, 'fsyncSync').mockImplementation((fd) => {
      flushed.push(fs.fstatSync(fd).isDirectory() ? 'folder' : 'file')
      fsyncSync(fd)
    })
    store.set('theme', 'dark')
    vi.restoreAllMocks()
    expect(flushed).toEqual(['file', 'folder'])
  })

  describe('format', () => {
    it('is a JSON object of flat keys, each holding devalue JSON a person can read', () => {
      const store = createConfStoreFactory({ directory }).open('settings')
      store.set('theme', 'dark')
      store.set('window.size', { width: 800, height: 600 })
      store.set('since', new Date('2024-05-01T10:00:00.000Z'))
      store.set('nothing', undefined)
      expect(readJson('settings')).toEqual({
        nothing: -1,
        since: [['Date', '2024-05-01T10:00:00.000Z']],
        theme: ['dark'],
        'window.size': [{ width: 1, height: 2 }, 800, 600],
      })
      const text = fs.readFileSync(fileOf('settings'), 'utf8')
      expect(text).toContain('"window.size": [')
      expect(text).not.toContain('"window": ')
      expect(filesIn()).toEqual(['settings.json'])
    })

    it('creates the folder when missing, and writes nothing until the first write', () => {
      const nested = path.join(directory, 'a', 'b')
      const store = createConfStoreFactory({ directory: nested }).open('s')
      expect(store.keys()).toEqual([])
      expect(fs.existsSync(path.join(nested, 's.json'))).toBe(false)
      store.set('k', 1)
      expect(JSON.parse(fs.readFileSync(path.join(nested, 's.json'), 'utf8'))).toEqual({ k: [1] })
    })

    it('refuses a relative folder', () => {
      expect(() => createConfStoreFactory({ directory: 'relative/stores' })).toThrow(/absolute/)
    })

    it('uses conf with flat keys and without clearInvalidConfig', () => {
      expect(confOptions(directory)).toMatchObject({
        cwd: directory,
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      })
    })

    it("keeps conf's __internal__ bookkeeping untouched and out of the keys", () => {
      fs.writeFileSync(fileOf('s'), JSON.stringify({ __internal__: { migrations: { version: '1.0.0' } }, k: [1] }))
      const factory = createConfStoreFactory({ directory })
      const store = factory.open('s')
      expect(store.keys()).toEqual(['k'])
      expect(store.has('__internal__')).toBe(false)
      store.set('j', 2)
      store.clear()
      expect(readJson('s')).toEqual({ __internal__: { migrations: { version: '1.0.0' } } })
      expect(factory.recoveries).toEqual([])
    })
  })

  describe('writes', () => {
    it('setMany, deleteMany and clear are one write each; no-ops write nothing', () => {
      const { factory, counter } = countingFactory()
      const store = factory.open('s')
      store.setMany([
        ['a', 1],
        ['b', new Map([[1, 2]])],
        ['c', 3],
      ])
      expect(counter.writes).toBe(1)
      expect(store.deleteMany(['a', 'b', 'missing'])).toBe(2)
      expect(counter.writes).toBe(2)
      expect(store.deleteMany(['missing'])).toBe(0)
      expect(store.delete('missing')).toBe(false)
      store.setMany([])
      expect(counter.writes).toBe(2)
      store.clear()
      expect(counter.writes).toBe(3)
      store.clear()
      expect(counter.writes).toBe(3)
    })

    it('a rejected batch writes nothing', () => {
      const { factory, counter } = countingFactory()
      const store = factory.open('s')
      expect(() => store.setMany([['a', 1], ['f', Symbol('no')]])).toThrow(/Cannot store the value of key "f"/)
      expect(counter.writes).toBe(0)
      expect(fs.existsSync(fileOf('s'))).toBe(false)
    })

    it('a failed write leaves the store as it was', () => {
      const { factory, counter } = countingFactory()
      const store = factory.open('s')
      store.set('a', 1)
      counter.fail = true
      expect(() => store.setMany([['a', 2], ['b', 3]])).toThrow('disk full')
      expect(() => store.clear()).toThrow('disk full')
      expect(store.keys()).toEqual(['a'])
      expect(store.get('a')).toBe(1)
      counter.fail = false
      // The temporary file of the failed write is not left behind.
      expect(filesIn()).toEqual(['s.json'])
      expect(createConfStoreFactory({ directory }).open('s').get('a')).toBe(1)
    })

    it('leaves no temporary files behind', () => {
      const store = createConfStoreFactory({ directory }).open('s')
      for (let index = 0; index < 20; index += 1) store.set(`k${index}`, index)
      expect(filesIn()).toEqual(['s.json'])
    })
  })

  describe('damaged files are kept aside, never wiped', () => {
    function seed(name: string): void {
      createConfStoreFactory({ directory }).open(name).setMany([
        ['a', 1],
        ['b', new Set(['x'])],
        ['c', { deep: [new Date(0)] }],
      ])
    }

    function openDamaged(name: string, bytes: Buffer | string) {
      fs.writeFileSync(fileOf(name), bytes)
      const original = fs.readFileSync(fileOf(name))
      const logger = recordingLogger()
      const factory = createConfStoreFactory({ directory, logger })
      const store = factory.open(name)
      expect(factory.recoveries).toHaveLength(1)
      const recovery = factory.recoveries[0] as StoreRecovery
      expect(recovery.store).toBe(name)
      expect(recovery.file).toBe(fileOf(name))
      expect(path.dirname(recovery.backupFile)).toBe(directory)
      expect(path.basename(recovery.backupFile)).toMatch(new RegExp(`^${name}\\.corrupt-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z(-\\d+)?\\.json$`))
      expect(fs.readFileSync(recovery.backupFile).equals(original)).toBe(true)
      expect(logger.calls).toHaveLength(1)
      expect(logger.calls[0]?.obj).toEqual({ recovery })
      expect(logger.calls[0]?.msg).toContain(recovery.backupFile)
      return { store, recovery, factory }
    }

    /** The store keeps working, and the next start finds a healthy file. */
    function expectWorking(name: string, expectedKeys: string[]): void {
      const store = createConfStoreFactory({ directory }).open(name)
      expect(store.keys()).toEqual(expectedKeys)
      store.set('after', new Map([['ok', true]]))
      const factory = createConfStoreFactory({ directory })
      expect(factory.open(name).get('after')).toEqual(new Map([['ok', true]]))
      expect(factory.recoveries).toEqual([])
    }

    it('truncated JSON: keeps the whole entries, names the one cut off, keeps the bytes aside', () => {
      seed('s')
      const full = fs.readFileSync(fileOf('s'), 'utf8')
      // Cut inside "c" (the last entry): "a" and "b" are whole.
      const cut = full.slice(0, full.indexOf('"c"') + 12)
      const { store, recovery } = openDamaged('s', cut)
      expect(recovery.reason).toMatch(/not valid JSON.*cut off inside "c"/)
      expect(recovery.salvagedKeys).toBe(2)
      expect(recovery.lostKeys).toEqual(['c'])
      expect(store.get('b')).toEqual(new Set(['x']))
      expectWorking('s', ['a', 'b'])
    })

    it('truncated JSON cut before any entry: salvages nothing and says so', () => {
      const { store, recovery } = openDamaged('s', '{\n\t')
      expect(recovery.reason).toMatch(/not valid JSON/)
      expect(recovery.salvagedKeys).toBe(0)
      expect(recovery.lostKeys).toEqual([])
      expect(store.keys()).toEqual([])
      expect(readJson('s')).toEqual({})
    })

    it('removes the temporary files that interrupted writes left, of its own store only', () => {
      seed('s')
      const leftovers = ['s.json.1a2b3c4d.tmp', 's.json.tmp-17000000001a2b3c']
      for (const name of [...leftovers, 'other.json.5e6f7a8b.tmp']) fs.writeFileSync(path.join(directory, name), '{ half')
      const logger = recordingLogger()
      const store = createConfStoreFactory({ directory, logger }).open('s')
      expect(store.keys()).toEqual(['a', 'b', 'c'])
      expect(filesIn()).toEqual(['other.json.5e6f7a8b.tmp', 's.json'])
      expect(logger.calls[0]?.obj).toEqual({ store: 's', removed: leftovers })
    })

    it('an empty file counts as damaged too', () => {
      const { recovery } = openDamaged('s', '')
      expect(recovery.reason).toMatch(/not valid JSON/)
      expectWorking('s', [])
    })

    it('a hand-edited file with one bad entry: keeps every other entry', () => {
      seed('s')
      const seeded = readJson('s')
      expect(seeded['b']).toEqual([['Set', 1], 'x'])
      // A person "adds" a member to the set without adding the value it points to.
      const edited = JSON.stringify({ ...seeded, b: [['Set', 1, 2], 'x'] }, undefined, '\t')
      const { store, recovery } = openDamaged('s', edited)
      expect(recovery.reason).toMatch(/1 of 3 entries cannot be decoded \("b": Invalid input\)/)
      expect(recovery.salvagedKeys).toBe(2)
      expect(recovery.lostKeys).toEqual(['b'])
      expect(store.keys()).toEqual(['a', 'c'])
      expect(store.get('a')).toBe(1)
      expect(store.get('c')).toEqual({ deep: [new Date(0)] })
      expect(readJson('s')).toEqual({ a: seeded['a'], c: seeded['c'] })
      expectWorking('s', ['a', 'c'])
    })

    it('entries a person typed as plain JSON are dropped one by one, the rest kept', () => {
      const { store, recovery } = openDamaged(
        's',
        JSON.stringify({ good: ['kept'], plain: 'dark', object: { a: 1 }, unknownType: [['Nope', 1]], dangling: [{ x: 5 }], alsoGood: -1 }, undefined, 2),
      )
      expect(recovery.lostKeys).toEqual(['plain', 'object', 'unknownType', 'dangling'])
      expect(recovery.salvagedKeys).toBe(2)
      expect(store.keys()).toEqual(['alsoGood', 'good'])
      expect(store.get('good')).toBe('kept')
      expect(store.has('alsoGood')).toBe(true)
    })

    for (const [kind, content] of [
      ['an array', '[1, 2, 3]'],
      ['null', 'null'],
      ['a string', '"just text"'],
      ['a number', '42'],
    ] as const) {
      it(`valid JSON that is not an object (${kind}): salvages nothing, keeps the bytes aside`, () => {
        const { store, recovery } = openDamaged('s', content)
        expect(recovery.reason).toContain(`holds ${kind}, not a JSON object`)
        expect(recovery.salvagedKeys).toBe(0)
        expect(store.keys()).toEqual([])
        expectWorking('s', [])
      })
    }

    it('a byte order mark (added by some editors): everything is salvaged', () => {
      seed('s')
      const { store, recovery } = openDamaged('s', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(fileOf('s'))]))
      expect(recovery.reason).toMatch(/byte order mark/)
      expect(recovery.salvagedKeys).toBe(3)
      expect(recovery.lostKeys).toEqual([])
      expect(store.get('b')).toEqual(new Set(['x']))
      expectWorking('s', ['a', 'b', 'c'])
    })

    it('bytes that are not UTF-8: reported, the rest salvaged', () => {
      const bytes = Buffer.concat([Buffer.from('{"a": [1], "b": ["caf'), Buffer.from([0xe9]), Buffer.from('"]}')])
      const { store, recovery } = openDamaged('s', bytes)
      expect(recovery.reason).toMatch(/not valid UTF-8/)
      expect(store.get('a')).toBe(1)
      expect(store.get('b')).toBe('caf\uFFFD')
    })

    it('never replaces an earlier backup, even within the same millisecond', () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(new Date('2024-01-02T03:04:05.678Z'))
      const first = openDamaged('s', '{ first').recovery
      const second = openDamaged('s', '{ second').recovery
      expect(path.basename(first.backupFile)).toBe('s.corrupt-2024-01-02T03-04-05-678Z.json')
      expect(path.basename(second.backupFile)).toBe('s.corrupt-2024-01-02T03-04-05-678Z-2.json')
      expect(fs.readFileSync(first.backupFile, 'utf8')).toBe('{ first')
      expect(fs.readFileSync(second.backupFile, 'utf8')).toBe('{ second')
    })

    it('recovers each store on its own and collects every recovery on the factory', () => {
      seed('healthy')
      fs.writeFileSync(fileOf('one'), '{')
      fs.writeFileSync(fileOf('two'), '[]')
      const factory = createConfStoreFactory({ directory })
      expect(factory.open('healthy').keys()).toEqual(['a', 'b', 'c'])
      factory.open('one')
      factory.open('two')
      factory.open('one')
      expect(factory.recoveries.map((recovery) => recovery.store)).toEqual(['one', 'two'])
    })

    it('refuses to open, and leaves the file alone, when the damaged file cannot be kept aside', () => {
      fs.writeFileSync(fileOf('s'), '{ damaged')
      const openSync = fs.openSync
      vi.spyOn(fs, 'openSync').mockImplementation((...args: Parameters<typeof fs.openSync>) => {
        if (String(args[0]).includes('.corrupt-')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })
        return openSync(...args)
      })
      const factory = createConfStoreFactory({ directory })
      expect(() => factory.open('s')).toThrow(/Cannot keep a copy of the damaged store file .*ENOSPC/)
      expect(factory.recoveries).toEqual([])
      expect(filesIn()).toEqual(['s.json'])
      expect(fs.readFileSync(fileOf('s'), 'utf8')).toBe('{ damaged')
    })
  })

  it('accepts a pino logger', () => {
    const logger: StoreLogger = pino({ level: 'silent' })
    fs.writeFileSync(fileOf('s'), 'nope')
    expect(createConfStoreFactory({ directory, logger }).open('s').keys()).toEqual([])
  })
})
